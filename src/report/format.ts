// Number and word formatting shared by the Markdown, HTML and terminal reports, so a number reads
// the same everywhere. Plain text out: callers escape for their sink.
import type { ArmResult, Comparison, InterpreterFact, Model, ParallelModel, PythonEnvironment, Recommendation, RegressionKind, Results, WorkloadResult } from '../core/types.js';
import { PARALLEL_MODELS } from '../core/types.js';
import { summarizeCapacity } from '../core/machine.js';
import { modelFigure, pairComparison } from '../core/side-facts.js';

export function formatSpeedup(speedup: number | null): string {
  if (speedup === null || !Number.isFinite(speedup)) return 'n/a';
  // Two significant digits below ×0.1, so a tiny-task ×0.004 does not read as ×0.00.
  return `×${speedup < 0.1 ? Number(speedup.toPrecision(2)) : speedup.toFixed(1)}`;
}

/** Worker count of the model's best arm (the one the headline speedup comes from), or null. */
export function bestWorkers(arms: readonly ArmResult[], model: ParallelModel): number | null {
  let best: ArmResult | null = null;
  for (const arm of arms) {
    if (arm.model !== model || !Number.isFinite(arm.speedup)) continue;
    if (!best || arm.speedup > best.speedup) best = arm;
  }
  return best ? best.workers : null;
}

/**
 * The models a page shows a column for: threads and processes always; interpreters where some
 * workload ran them or has its own reason they could not (not where the interpreter lacks them).
 */
export function pageModels(results: Results): ParallelModel[] {
  const interpreters = results.workloads.some((w) => modelFigure(w, 'interpreters', 'speedup') !== null || localUnavailable(w).includes('interpreters'));
  return interpreters ? ['threads', 'processes', 'interpreters'] : ['threads', 'processes'];
}

/** Models this workload could not run, less those the whole interpreter cannot (said once). */
export function localUnavailable(w: WorkloadResult): ParallelModel[] {
  return PARALLEL_MODELS.filter((m) => w.unavailable[m] && !w.facts.everywhere[m]);
}

/**
 * Per-batch against once-started speedups, start-up and break-even, for the models whose start-up
 * is a material share (≥ 2%) of the serial batch: "the verdict is for a pool created per batch:
 * processes ×1.4 per batch, ×1.9 once started, start-up 84 ms, pays off above about 150 ms of
 * serial work per batch". Null when no model's start-up matters (or the file predates these figures).
 */
export function lifetimeSummary(w: WorkloadResult): string | null {
  const facts = w.facts;
  if (!facts.serial) return null;
  const batch = facts.serial.seconds;
  // A pool model in play (processes, interpreters) always gets its start-up: a figure that vanishes
  // under some share of the batch reads as unstable. Threads start in microseconds: said only when
  // they cost a visible share.
  const models = PARALLEL_MODELS.filter((m) => {
    const f = facts.models[m];
    if (f === undefined || !Number.isFinite(f.startupSeconds) || f.startupSeconds < 0) return false;
    return m !== 'threads' || f.startupSeconds >= 0.02 * batch;
  });
  if (models.length === 0) return null;
  const pieces = models.map((m) => {
    const f = facts.models[m]!;
    const payoff = f.breakEven === null ? 'never pays off beyond the margin' : f.breakEven === 0 ? 'pays off at any batch size' : `pays off above about ${formatSeconds(Number(f.breakEven.toPrecision(2)))} of serial work per batch`;
    return `${m} ${formatSpeedup(f.wallSpeedup)} per batch, ${formatSpeedup(f.steadySpeedup)} once started, start-up ${startupFigure(w, m, f.workers, f.startupSeconds, batch)}, ${payoff}`;
  });
  const which = facts.pool === 'long-lived' ? 'a long-lived pool (start-up paid once)' : `a pool created per batch (this batch: ${formatSeconds(batch)} serial)`;
  return `the verdict is for ${which}: ${pieces.join('; ')}.`;
}

/**
 * "42 ms (95% CI 38 ms–45 ms over 30 repetitions, 3% of the batch)": the start-up from every
 * repetition with its interval and share; the verdict's own figure where no interval was kept.
 */
function startupFigure(w: WorkloadResult, model: ParallelModel, workers: number, seconds: number, batch: number): string {
  const interval = w.arms.find((a) => a.model === model && a.workers === workers)?.startupInterval;
  const known = interval !== undefined && interval.repetitions > 1 && [interval.estimate, interval.lower, interval.upper].every(Number.isFinite);
  const estimate = known ? interval.estimate : seconds;
  const share = batch > 0 ? `${formatShare(estimate / batch)} of the batch` : null;
  const spread = !known
    ? null
    : formatSeconds(interval.lower) === formatSeconds(interval.upper)
      ? `the same in ${interval.repetitions} repetitions`
      : `95% CI ${formatSeconds(interval.lower)}–${formatSeconds(interval.upper)} over ${interval.repetitions} repetitions`;
  const inside = [spread, share].filter((x): x is string => x !== null).join(', ');
  return inside ? `${formatSeconds(estimate)} (${inside})` : formatSeconds(estimate);
}

function formatShare(fraction: number): string {
  const percent = fraction * 100;
  return percent < 1 ? `${percent < 0.1 ? '<0.1' : percent.toFixed(1)}%` : `${Math.round(percent)}%`;
}

/** "×1.9 at 2" — the speedup with the worker count it was reached at, when known. */
export function speedupAt(w: WorkloadResult, model: ParallelModel): string {
  const s = modelFigure(w, model, 'speedup');
  if (s === null) return w.unavailable[model] ? 'unavailable' : 'n/a';
  const at = bestWorkers(w.arms, model);
  return at === null ? formatSpeedup(s) : `${formatSpeedup(s)} at ${at}`;
}

function signedPercent(ratio: number): string {
  const p = (ratio - 1) * 100;
  const rounded = Math.abs(p) < 10 ? Math.round(p * 10) / 10 : Math.round(p);
  if (rounded === 0) return '±0%';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded)}%`;
}

/** "+41% (+33%…+49%)": time change of head vs base, positive = slower. */
export function formatDelta(c: Comparison): string {
  const e = c.estimate;
  return `${signedPercent(e.ratio)} (${signedPercent(e.lower)}…${signedPercent(e.upper)})`;
}

/**
 * The head/base change, which boundary ended it and at which round of the comparison (it goes on
 * after both verdicts have settled, so its round is named as its own): "no regression: head −1%
 * (bound +6% < +10%), round 6" — the upper bound at β below 1 + threshold; "regression: head +14%
 * (bound +4% > 0%), round 6" — the lower bound at α above 1; "faster: head −20%, round 6"; an open
 * comparison shows its interval and the rounds it has.
 */
export function formatChange(c: Comparison, threshold: number): string {
  const e = c.estimate;
  const round = `round ${e.look ?? e.n}`;
  switch (c.outcome) {
    case 'equivalent':
      return `no regression: head ${signedPercent(e.ratio)} (bound ${signedPercent(e.upper)} < +${Math.round(threshold * 100)}%), ${round}`;
    case 'b-faster':
      return `regression: head ${signedPercent(e.ratio)} (bound ${signedPercent(e.lower)} > 0%), ${round}`;
    case 'a-faster':
      return `faster: head ${signedPercent(e.ratio)}, ${round}`;
    default:
      return `${formatDelta(c)}, open at ${plural(e.n, 'round')}`;
  }
}

/**
 * The head/base change in a narrow column (the terminal): the interval, and the comparison's rounds
 * where they are not the verdict's.
 */
export function formatChangeShort(c: Comparison, verdictRounds: number): string {
  return c.estimate.n === verdictRounds ? formatDelta(c) : `${formatDelta(c)} · ${plural(c.estimate.n, 'round')}`;
}

/**
 * The verdict's rounds, named as the verdict's: "decided at round 6, α 1%" (the rounds it settled
 * at and the error its claims were held to), "undecided after 30 rounds".
 */
export function formatVerdictRounds(w: Pick<WorkloadResult, 'recommendation' | 'rounds'>, alpha: number): string {
  if (w.recommendation === 'inconclusive') return `undecided after ${plural(w.rounds, 'round')}`;
  if (w.recommendation === 'error') return plural(w.rounds, 'round');
  return `decided at round ${w.rounds}, α ${formatLevel(alpha)}`;
}

/** The contract of the gate in one line, for a footer. */
export function contractLine(s: { alpha: number; beta?: number; threshold: number }): string {
  const beta = s.beta ?? 0.05;
  const percent = (x: number) => formatLevel(x);
  return (
    `false alarm (a regression where head is not slower) ≤ α ${percent(s.alpha)} per workload, Holm across workloads; ` +
    `a head ${Math.round(s.threshold * 100)}% slower passes as "no regression" ≤ β ${percent(beta)} per workload, and "no regression" overall needs every workload's; ` +
    `verdicts say "faster" at α ${percent(s.alpha)}`
  );
}

export function formatLevel(level: number): string {
  const p = level * 100;
  return `${Number.isInteger(p) ? p : Math.round(p * 10) / 10}%`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'n/a';
  // Thresholds on the rounded value, so 0.9996 s reads "1.00 s", not "1000 ms".
  if (Math.round(s * 1e6) < 1000) return `${Math.round(s * 1e6)} µs`;
  if (Math.round(s * 1000) < 1000) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m}m ${rest}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatBytes(b: number): string {
  if (!Number.isFinite(b) || b <= 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function shortSha(sha: string | null): string | null {
  return sha ? sha.slice(0, 7) : null;
}

/** The one label of an arm ("threads×4"), written by core's plan for every layer. */
export { armLabel } from '../core/plan.js';

/** Cut to `max` code points, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, Math.max(1, max - 1)).join('')}…` : text;
}

/** The comparison whose interval best supports the recommendation, for the confidence column. */
export function keyComparison(w: WorkloadResult): Comparison | null {
  const pairs: Record<Recommendation, [Model, Model][]> = {
    threads: [['threads', 'serial'], ['threads', 'processes']],
    processes: [['processes', 'serial'], ['threads', 'processes']],
    interpreters: [['interpreters', 'serial'], ['interpreters', 'processes']],
    either: [['threads', 'processes'], ['threads', 'serial'], ['processes', 'serial']],
    serial: [['threads', 'serial'], ['processes', 'serial']],
    inconclusive: [['threads', 'processes'], ['threads', 'serial'], ['processes', 'serial']],
    error: [],
  };
  for (const [a, b] of pairs[w.recommendation]) {
    const pair = pairComparison(w.facts, a, b);
    if (pair) return pair.comparison;
  }
  return null;
}

export const REGRESSION_WORDS: Record<RegressionKind, string> = {
  slower: 'slower',
  flip: 'recommendation flipped',
  scaling: 'scales worse',
  memory: 'more memory',
  failing: 'now failing',
  'not-compared': 'not compared',
};

/** Counts that decide the headline. */
export function overallCounts(results: Results): { regressions: number; inconclusive: number; errors: number } {
  return {
    regressions: results.regressions,
    inconclusive: results.workloads.filter((w) => w.recommendation === 'inconclusive').length,
    errors: results.workloads.filter((w) => w.recommendation === 'error').length,
  };
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function gilState(env: Results['environment']): string {
  if (env.gilEnabled) return env.freeThreadedBuild ? 'free-threaded build, GIL re-enabled' : 'GIL enabled';
  return 'free-threaded build, GIL disabled: threads run Python code in parallel';
}

/** The CLI command that reproduces this run locally. */
export function defaultReproduce(results: Results): string {
  const parts = ['gilgate', 'run', '--config', shellQuote(results.config), '--seed', String(results.settings.seed)];
  if (results.git.base) parts.push('--base', shellQuote(results.git.base));
  return parts.join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** "CPython 3.14.0t": implementation, version, and a `t` for a free-threaded build; the command when not probed. */
export function interpreterName(fact: InterpreterFact): string {
  if (!fact.implementation || !fact.version) return fact.command;
  return `${fact.implementation} ${fact.version}${fact.freeThreadedBuild ? 't' : ''}`;
}

/** The interpreters a run measured, in config order: distinct `python` of its workloads. */
export function interpretersOf(results: Results): string[] {
  const order = results.values?.setup.pythons ?? [];
  const seen = [...new Set(results.workloads.map((w) => w.python))];
  return [...order.filter((p) => seen.includes(p)), ...seen.filter((p) => !order.includes(p))];
}

/** More than one interpreter: the report shows a row per (workload, interpreter). */
export function isMatrix(results: Results): boolean {
  return interpretersOf(results).length > 1;
}

/** The label of an interpreter of this run, from its probed environment (aligned with setup.pythons); its command otherwise. */
export function interpreterLabel(results: Results, python: string): string {
  const index = results.values?.setup.pythons.indexOf(python) ?? -1;
  const environment: PythonEnvironment | undefined = index >= 0 ? results.values?.environments[index] : undefined;
  const name = interpreterName({
    command: python,
    implementation: environment && environment.implementation !== 'unknown' ? environment.implementation : null,
    version: environment && environment.implementation !== 'unknown' ? environment.python : null,
    freeThreadedBuild: environment?.freeThreadedBuild ?? false,
  });
  // Two commands of the same build (a venv and its base) would read the same: add the command.
  const clash = interpretersOf(results).some((other) => other !== python && labelOnly(results, other) === name);
  return clash ? `${name} (${python})` : name;
}

function labelOnly(results: Results, python: string): string {
  const index = results.values?.setup.pythons.indexOf(python) ?? -1;
  const environment = index >= 0 ? results.values?.environments[index] : undefined;
  if (!environment || environment.implementation === 'unknown') return python;
  return `${environment.implementation} ${environment.python}${environment.freeThreadedBuild ? 't' : ''}`;
}

/** The environment an interpreter of this run was probed as (aligned with setup.pythons), if the results keep it. */
export function environmentOf(results: Results, python: string): PythonEnvironment | undefined {
  const index = results.values?.setup.pythons.indexOf(python) ?? -1;
  return index >= 0 ? results.values?.environments[index] : undefined;
}

/**
 * Why interpreters cannot run here, when that is worth a line: null where the model cannot exist on
 * this interpreter at all (a CPython before 3.14, PyPy), which would otherwise be said on every run
 * of every project on those interpreters. A 3.14+ CPython that still cannot run them is news.
 */
export function interpretersNews(environment: Pick<PythonEnvironment, 'interpretersUnavailable' | 'implementation' | 'python'>): string | null {
  const why = environment.interpretersUnavailable;
  if (!why) return null;
  const [major, minor] = environment.python.split('.').map((part) => Number.parseInt(part, 10));
  const predates = major !== undefined && minor !== undefined && (major < 3 || (major === 3 && minor < 14));
  return environment.implementation === 'CPython' && !predates ? why : null;
}

/**
 * speedupAt for a matrix row: a model the whole interpreter cannot run (interpreters before 3.14)
 * reads "unavailable" there, since other rows of the same table do run it.
 */
export function matrixSpeedupAt(results: Results, w: WorkloadResult, model: ParallelModel): string {
  const cell = speedupAt(w, model);
  return cell === 'n/a' && model === 'interpreters' && environmentOf(results, w.python)?.interpretersUnavailable ? 'unavailable' : cell;
}

/** Base ran other interpreters than head (the base config's `python`): "CPython 3.11.7 → CPython 3.14.0t" per changed position. */
export function interpreterChanges(results: Results): string[] {
  const base = results.values?.setup.base;
  if (!base?.pythons) return [];
  return base.pythons.flatMap((command, i) => {
    const head = results.values!.setup.pythons[i];
    if (head === undefined) return [];
    const environment = base.environments?.[i];
    const before = interpreterName({
      command,
      implementation: environment && environment.implementation !== 'unknown' ? environment.implementation : null,
      version: environment && environment.implementation !== 'unknown' ? environment.python : null,
      freeThreadedBuild: environment?.freeThreadedBuild ?? false,
    });
    const after = interpreterLabel(results, head);
    return before === after ? [] : [`${before} → ${after}`];
  });
}

/**
 * A matrix row's workload name without its interpreter: merged per-interpreter legs (core/merge.ts)
 * already name rows "resize · CPython 3.14.0", so the label is not said twice.
 */
export function workloadName(results: Results, w: WorkloadResult): string {
  const suffix = ` · ${interpreterLabel(results, w.python)}`;
  return w.name.endsWith(suffix) && w.name.length > suffix.length ? w.name.slice(0, -suffix.length) : w.name;
}

/** "resize · CPython 3.14.0": a matrix row's name. Plain text: callers escape. */
export function variantName(results: Results, w: WorkloadResult): string {
  return `${workloadName(results, w)} · ${interpreterLabel(results, w.python)}`;
}

/**
 * What the machine delivers, over every probe of the run: "2 workers ×1.93 (×1.85–×1.97, middle
 * half of 15 runs over 3 probes)", with what was capped or left out as disturbed. Null without probes.
 */
export function machineSummary(results: Results): string | null {
  const probes = results.values?.machine ?? [];
  const capacity = summarizeCapacity(probes, results.environment.cores);
  if (capacity.length === 0) return null;
  const pieces = capacity.map((c) => {
    const spread = c.runs > 1 ? `×${c.low.toFixed(2)}–×${c.high.toFixed(2)}, middle half of ${c.runs} runs over ${plural(c.probes, 'probe')}` : plural(c.probes, 'probe');
    const notes = [
      ...(c.capped ? [`capped at the ${plural(c.bound, 'CPU')}: the probe read more than ${c.workers} loops can deliver`] : []),
      ...(c.disturbed > 0 ? [`${plural(c.disturbed, 'disturbed probe')} left out`] : []),
    ];
    return `${c.workers} workers deliver ×${c.ratio.toFixed(2)} (${spread}${notes.length > 0 ? `; ${notes.join('; ')}` : ''})`;
  });
  return pieces.join(' · ');
}

/**
 * A speedup as a whole-number percentage of what the machine probe read at that worker count, at
 * most 100; null when the speedup is beyond the probe by more than CAPACITY_SHARE_SLACK — the
 * workload itself delivered more than the probe read, so the probe ran in a burst (seen: ×1.61 from
 * runs of ×1.33–×2.07, beside threads' ×1.97), and "122% of it" cannot be.
 */
export function percentOfCapacity(speedup: number, capacity: number): number | null {
  const share = speedup / capacity;
  return share > 1 + CAPACITY_SHARE_SLACK ? null : Math.min(100, Math.round(share * 100));
}

/** A share this far above 1 is rounding and noise, said as 100%; beyond it the probe read low. */
export const CAPACITY_SHARE_SLACK = 0.05;

/** Whether "of capacity" means anything for this workload: its serial arm computes (not mostly waiting). */
export function computes(w: Pick<WorkloadResult, 'arms' | 'character'>): boolean {
  const serial = w.arms.find((a) => a.model === 'serial');
  return w.character !== 'io-wait' && serial !== undefined && serial.cpuPerWall >= 0.5;
}
