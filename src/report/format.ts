// Number and word formatting shared by the Markdown, HTML and terminal reports, so a number reads
// the same everywhere. Plain text out: callers escape for their sink.
import type { ArmResult, Comparison, ParallelModel, Recommendation, RegressionKind, Results, WorkloadResult } from '../core/types.js';

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

/** "×1.9 at 2" — the speedup with the worker count it was reached at, when known. */
export function speedupAt(w: WorkloadResult, model: ParallelModel): string {
  const s = w.speedup[model];
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

export function formatLevel(level: number): string {
  const p = level * 100;
  return `${Number.isInteger(p) ? p : Math.round(p * 10) / 10}%`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'n/a';
  if (s < 1e-3) return `${Math.round(s * 1e6)} µs`;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
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

export function armLabel(arm: ArmResult): string {
  return arm.model === 'serial' ? 'serial' : `${arm.model}×${arm.workers}`;
}

/** The comparison whose interval best supports the recommendation, for the confidence column. */
export function keyComparison(w: WorkloadResult): Comparison | null {
  const c = w.comparisons;
  const byRecommendation: Record<Recommendation, (Comparison | null)[]> = {
    threads: [c.threadsVsSerial, c.threadsVsProcesses],
    processes: [c.processesVsSerial, c.threadsVsProcesses],
    interpreters: [c.interpretersVsSerial ?? null, c.interpretersVsProcesses ?? null],
    either: [c.threadsVsProcesses, c.threadsVsSerial, c.processesVsSerial],
    serial: [c.threadsVsSerial, c.processesVsSerial],
    inconclusive: [c.threadsVsProcesses, c.threadsVsSerial, c.processesVsSerial],
    error: [],
  };
  return byRecommendation[w.recommendation].find((x) => x !== null) ?? null;
}

export const REGRESSION_WORDS: Record<RegressionKind, string> = {
  slower: 'slower',
  flip: 'recommendation flipped',
  scaling: 'scales worse',
  memory: 'more memory',
  failing: 'now failing',
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
  return 'free-threaded, GIL disabled';
}

/** The CLI command that reproduces this run locally. */
export function defaultReproduce(results: Results): string {
  const parts = ['npx', 'gilgate', 'run', '--config', shellQuote(results.config), '--seed', String(results.settings.seed)];
  if (results.git.base) parts.push('--base', shellQuote(results.git.base));
  return parts.join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
