// Merging matrix legs into one Results: one table, Holm across every workload, one gate. Pure.
//
// Legs are either shards of one config (`shard: i/n`, each measured part of the workloads) or
// interpreter-matrix legs (one Python each, every workload), or both. The merge refuses anything
// that would silently report less than was asked for: a missing shard, a workload measured twice,
// legs of different configs or commits. The judging itself is injected (`rejudge`): it rebuilds the
// experiment from the merged values and calls finish, the same code that judges a single run.
import { compareNames, formatShard, type ShardRecord } from './shard.js';
import type { PythonEnvironment, Results, ResultValues, WorkloadConfig, WorkloadResult } from './types.js';
import { totals } from './totals.js';
import { variantKey } from './variant-key.js';

export interface Leg {
  /** Where the leg came from (the artifact's file), named in every error. */
  file: string;
  results: Results;
}

/** A leg's results as written by `run --shard` (Results plus the shard record). */
export type LegResults = Results & { shard?: ShardRecord | null };

export interface MergedLeg {
  file: string;
  /** "2/4", or null for an unsharded leg. */
  shard: string | null;
  /** Row suffix of an interpreter-matrix leg ("CPython 3.12"), null when every leg ran one Python. */
  interpreter: string | null;
  environment: PythonEnvironment;
  workloads: string[];
  seed: number;
  totalSeconds: number;
}

export interface MergeRecord {
  legs: MergedLeg[];
  /** One line per environment field that differs between legs, naming the legs. */
  differs: string[];
  /** Things a reviewer should know that did not stop the merge. */
  notes: string[];
}

export type MergedResults = Results & { merge: MergeRecord };

export class MergeError extends Error {
  override name = 'MergeError';
}

/** The environment fields whose difference between legs a reader must see. */
const ENVIRONMENT_FIELDS: readonly (keyof PythonEnvironment)[] = ['cpuModel', 'cores', 'python', 'implementation', 'freeThreadedBuild', 'os', 'startMethod'];

/** Settings that must be equal for legs to be one experiment (the seed may differ: each leg draws its own order). */
const SETTING_FIELDS = ['threshold', 'margin', 'memoryThreshold', 'alpha', 'minRounds', 'maxRounds'] as const;

export function mergeLegs(legs: readonly Leg[], rejudge: (results: Results) => Results): MergedResults {
  if (legs.length === 0) throw new MergeError('merge: no results files to merge');
  const problems: string[] = [];
  for (const leg of legs) {
    if (!leg.results || !Array.isArray(leg.results.workloads)) throw new MergeError(`merge: ${leg.file} is not a gilgate results file`);
  }
  checkSameExperiment(legs, problems);
  if (problems.length > 0) throw new MergeError(`merge: the legs are not parts of one run:\n  ${problems.join('\n  ')}`);

  // Interpreter-matrix legs: one group per Python; rows carry the interpreter's name.
  const groups = groupBy(legs, (leg) => interpreterLabel(leg.results.environment));
  const perInterpreter = groups.size > 1;
  const notes: string[] = [];
  const ordered: { leg: Leg; interpreter: string | null }[] = [];
  for (const [label, group] of [...groups].sort(([a], [b]) => compareNames(a, b))) {
    const where = perInterpreter ? ` (${label})` : '';
    ordered.push(...checkShards(group, where, problems, notes).map((leg) => ({ leg, interpreter: perInterpreter ? label : null })));
  }
  if (problems.length > 0) throw new MergeError(`merge: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);

  const order = configOrder(legs);
  const differs = environmentDifferences(ordered.map(({ leg }) => leg));
  // Interpreter-matrix legs often name their Python alike ("python3" from setup-python): each leg's
  // rows and values are relabelled with the interpreter it really ran, so the merge is the same
  // experiment a one-job matrix run (config `python: [...]`) would be.
  const relabelled = ordered.map(({ leg, interpreter }) => (interpreter ? relabel(leg, interpreter) : leg));
  const workloads: WorkloadResult[] = [];
  relabelled.forEach((leg) => {
    for (const workload of leg.results.workloads) {
      const row: WorkloadResult = { ...workload, warnings: [...workload.warnings] };
      if (differs.length > 0) row.warnings.push(`measured by ${legName(leg)} on ${machineLabel(leg.results.environment)}; the legs ran on different machines (see the merge notes)`);
      workloads.push(row);
    }
  });
  const position = (name: string) => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  // The table of one unsharded run: config order, then workloads only the base had; interpreters in label order.
  workloads.sort((a, b) => position(a.name) - position(b.name) || compareNames(a.name, b.name) || compareNames(a.python, b.python));

  const first = ordered[0]!.leg.results;
  const { shard: _ownShard, values: _ownValues, ...summaries } = first;
  const values = mergeValues(relabelled, notes, position);
  const merged: MergedResults = {
    ...summaries,
    workloads,
    ...totals(workloads),
    rounds: Math.max(...legs.map((l) => l.results.rounds)),
    totalSeconds: Math.max(...legs.map((l) => l.results.totalSeconds)),
    startedAt: legs.map((l) => l.results.startedAt).sort()[0]!,
    budgetExhausted: legs.some((l) => l.results.budgetExhausted),
    ...(values ? { values } : {}),
    merge: {
      legs: ordered.map(({ leg, interpreter }) => ({
        file: leg.file,
        shard: shardOf(leg) ? formatShard(shardOf(leg)!) : null,
        interpreter,
        environment: leg.results.environment,
        workloads: leg.results.workloads.map((w) => w.name),
        seed: leg.results.settings.seed,
        totalSeconds: leg.results.totalSeconds,
      })),
      differs,
      notes,
    },
  };

  // With every leg's values, judge the merged values again (Holm across all workloads, one gate);
  // legs without values (older files) keep their verdicts and only the totals are recounted.
  const judged = values ? rejudge(merged) : recountTotals(merged);
  if (values && differs.length > 0) {
    // rejudge rebuilds the rows from the values: say again which machine measured each.
    const measuredBy = new Map(workloads.map((w) => [variantKey({ workload: w.name, interpreter: w.python }), w.warnings.filter((x) => x.startsWith('measured by '))]));
    judged.workloads = judged.workloads.map((w) => ({ ...w, warnings: [...w.warnings, ...(measuredBy.get(variantKey({ workload: w.name, interpreter: w.python })) ?? [])] }));
  }
  return { ...judged, merge: merged.merge };
}

/**
 * A stand-in for the engine's rejudge while results carry no values (schemaVersion 1): keeps each
 * leg's verdicts and recounts the totals. It does not redo Holm across all workloads; the real
 * `rejudge` from src/core/experiment.ts does.
 */
export function recountTotals(results: Results): Results {
  return {
    ...results,
    ...totals(results.workloads),
  };
}

// ------------------------------------------------------------------------------------------------

function shardOf(leg: Leg): ShardRecord | null {
  return (leg.results as LegResults).shard ?? null;
}

function legName(leg: Leg): string {
  const shard = shardOf(leg);
  return shard ? `shard ${formatShard(shard)} (${leg.file})` : leg.file;
}

export function interpreterLabel(environment: PythonEnvironment): string {
  return `${environment.implementation} ${environment.python}${environment.freeThreadedBuild ? 't' : ''}`;
}

/** The machine and interpreter a leg ran on, for the note that legs differ. */
function machineLabel(environment: PythonEnvironment): string {
  return `${environment.cpuModel} (${environment.cores} cores), ${interpreterLabel(environment)}`;
}

/** Same config, settings and commits: otherwise the legs answer different questions. */
function checkSameExperiment(legs: readonly Leg[], problems: string[]): void {
  const facts: [string, (r: Results) => unknown][] = [
    ['config file', (r) => r.config],
    ['head commit', (r) => r.git?.head ?? null],
    ['base commit', (r) => r.git?.base ?? null],
    ['results schema', (r) => r.schemaVersion],
    ...SETTING_FIELDS.map((field): [string, (r: Results) => unknown] => [`setting ${field}`, (r) => r.settings?.[field]]),
    ['shard count', (r) => (r as LegResults).shard?.count ?? null],
  ];
  for (const [what, read] of facts) {
    const byValue = groupBy(legs, (leg) => JSON.stringify(read(leg.results) ?? null));
    if (byValue.size > 1) {
      problems.push(`different ${what}: ${[...byValue].map(([value, group]) => `${group.map((l) => l.file).join(', ')} → ${value}`).join('; ')}`);
    }
  }
}

/**
 * Within one interpreter: every shard 1..n exactly once, each workload in exactly one leg, each leg
 * holding what its assignment gave it. Returns the legs in shard order.
 */
function checkShards(group: readonly Leg[], where: string, problems: string[], notes: string[]): Leg[] {
  const sharded = group.filter((leg) => shardOf(leg) !== null);
  if (sharded.length > 0 && sharded.length < group.length) {
    const plain = group.filter((leg) => shardOf(leg) === null).map((l) => l.file);
    problems.push(`${plain.join(', ')} ${plain.length === 1 ? 'was' : 'were'} not run with --shard but ${sharded.map((l) => l.file).join(', ')} were${where}`);
    return [...group];
  }
  const byWorkload = new Map<string, Leg[]>();
  for (const leg of group) {
    for (const w of leg.results.workloads) byWorkload.set(w.name, [...(byWorkload.get(w.name) ?? []), leg]);
  }
  const disagreement = assignmentDisagreement(sharded);
  const why = disagreement
    ? `\n    the legs did not agree on the split, so a workload went to two legs or none: ${disagreement}` +
      `\n    (each leg probed the costs itself and the noise moved a workload across a bucket; give every leg the same costs with shard-costs / --shard-costs)`
    : '';
  for (const [name, holders] of byWorkload) {
    if (holders.length > 1) problems.push(`workload ${JSON.stringify(name)} is in more than one leg${where}: ${holders.map(legName).join(' and ')}${why}`);
  }
  if (sharded.length === 0) return [...group];

  const count = shardOf(sharded[0]!)!.count;
  const byIndex = groupBy(sharded, (leg) => String(shardOf(leg)!.index));
  for (const [index, holders] of byIndex) {
    if (holders.length > 1) problems.push(`shard ${index}/${count} arrived twice${where}: ${holders.map((l) => l.file).join(' and ')}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(String(i)));
  if (missing.length > 0) {
    const expected = (index: number) => Object.entries(shardOf(sharded[0]!)!.assignment).filter(([, leg]) => leg === index).map(([name]) => name);
    problems.push(
      `${missing.map((i) => `shard ${i}/${count}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing${where}: ` +
        `${byIndex.size} of ${count} legs arrived (${sharded.map(legName).join(', ')}); ` +
        `without it these workloads have no results: ${missing.flatMap(expected).map((n) => JSON.stringify(n)).join(', ') || '(none by the split of the legs that arrived)'}. ` +
        `Did that matrix leg fail before uploading its results, or does the download pattern miss it?`,
    );
    return sortByShard(sharded);
  }
  // Every workload of the config was measured by some leg.
  const all = new Set(sharded.flatMap((leg) => Object.keys(shardOf(leg)!.assignment)));
  const absent = [...all].filter((name) => !byWorkload.has(name));
  if (absent.length > 0) problems.push(`no leg measured ${absent.map((n) => JSON.stringify(n)).join(', ')}${where}${why}`);
  if (disagreement && absent.length === 0 && [...byWorkload.values()].every((h) => h.length === 1)) {
    notes.push(`the legs${where} split the workloads differently (${disagreement}); every workload was still measured exactly once`);
  }
  return sortByShard(sharded);
}

function sortByShard(legs: readonly Leg[]): Leg[] {
  return [...legs].sort((a, b) => shardOf(a)!.index - shardOf(b)!.index || compareNames(a.file, b.file));
}

/** Null when every leg computed the same assignment; else which workloads moved, with the costs each leg saw. */
function assignmentDisagreement(legs: readonly Leg[]): string | null {
  if (legs.length < 2) return null;
  const lines: string[] = [];
  const names = new Set(legs.flatMap((leg) => Object.keys(shardOf(leg)!.assignment)));
  for (const name of [...names].sort(compareNames)) {
    const seen = legs.map((leg) => ({ leg, record: shardOf(leg)! }));
    const legsOf = new Set(seen.map(({ record }) => record.assignment[name] ?? 0));
    if (legsOf.size <= 1) continue;
    lines.push(
      `${JSON.stringify(name)}: ` +
        seen
          .map(({ leg, record }) => {
            const target = record.assignment[name];
            return `${leg.file} put it on leg ${target ?? 'none'} (measured ${formatSeconds(record.measured?.[name])}, bucket ${record.costs?.[name] ?? '?'})`;
          })
          .join(', '),
    );
  }
  return lines.length > 0 ? lines.join('; ') : null;
}

function formatSeconds(value: number | undefined): string {
  return value === undefined ? '?' : `${value.toPrecision(3)} s`;
}

/** The config's workload order, from any leg's shard record (all agree on it), else first seen. */
function configOrder(legs: readonly Leg[]): string[] {
  const recorded = legs.map(shardOf).find((r) => r !== null && Array.isArray(r.order));
  if (recorded) return recorded.order;
  const seen: string[] = [];
  for (const leg of legs) for (const w of leg.results.workloads) if (!seen.includes(w.name)) seen.push(w.name);
  return seen;
}

/** One line per differing field, each leg named with its value. */
export function environmentDifferences(legs: readonly Leg[]): string[] {
  const lines: string[] = [];
  for (const field of ENVIRONMENT_FIELDS) {
    const byValue = groupBy(legs, (leg) => String(leg.results.environment[field]));
    if (byValue.size <= 1) continue;
    lines.push(`${field} differs: ${[...byValue].map(([value, group]) => `${group.map(legName).join(', ')}: ${value}`).join('; ')}`);
  }
  return lines;
}

/** A leg with its Python named by the interpreter it ran: in its rows and in its values. */
function relabel(leg: Leg, label: string): Leg {
  const { results } = leg;
  const values = results.values;
  return {
    file: leg.file,
    results: {
      ...results,
      workloads: results.workloads.map((w) => ({ ...w, python: label })),
      ...(values
        ? {
            values: {
              ...values,
              setup: { ...values.setup, pythons: values.setup.pythons.map(() => label) },
              trials: values.trials.map((t) => ({ ...t, python: label })),
              probes: values.probes.map((p) => ({ ...p, python: label })),
            },
          }
        : {}),
    },
  };
}

/**
 * The legs' measured values as one experiment's: interpreters in leg order (each with its own
 * environment), workloads of every leg in config order, every trial, probe and machine probe.
 * Undefined when any leg carries none (an older results file): then nothing can be judged again.
 */
function mergeValues(legs: readonly Leg[], notes: string[], position: (name: string) => number): ResultValues | undefined {
  const all = legs.map((leg) => leg.results.values);
  if (all.some((v) => v === undefined)) {
    if (all.some((v) => v !== undefined)) notes.push(`${legs.filter((l) => !l.results.values).map((l) => l.file).join(', ')} carried no measured values (an older results file): the legs' own verdicts are kept, without Holm across all workloads`);
    return undefined;
  }
  const values = all as ResultValues[];
  const pythons: string[] = [];
  const environments: PythonEnvironment[] = [];
  // The interpreters base ran, position for position (a leg whose base ran head's own gives head's).
  const basePythons: string[] = [];
  const baseEnvironments: PythonEnvironment[] = [];
  for (const v of values) {
    v.setup.pythons.forEach((python, i) => {
      if (pythons.includes(python)) return;
      pythons.push(python);
      environments.push(v.environments[i]!);
      basePythons.push(v.setup.base?.pythons?.[i] ?? python);
      baseEnvironments.push(v.setup.base?.environments?.[i] ?? v.environments[i]!);
    });
  }
  // Config order: finish lists the rows in setup order, so the merged table is an unsharded run's.
  const union = (lists: readonly (readonly WorkloadConfig[])[]) => {
    const out: WorkloadConfig[] = [];
    for (const list of lists) for (const w of list) if (!out.some((o) => o.name === w.name)) out.push(w);
    return out.sort((a, b) => position(a.name) - position(b.name) || compareNames(a.name, b.name));
  };
  const bases = values.map((v) => v.setup.base);
  const base = bases.every((b) => b === null)
    ? null
    : {
        workloads: bases.some((b) => b?.workloads) ? union(bases.map((b) => b?.workloads ?? [])) : null,
        configMissing: bases.some((b) => b?.configMissing === true),
        ...(bases.some((b) => b?.pythons) ? { pythons: basePythons, environments: baseEnvironments } : {}),
      };
  const stops = values.map((v) => v.stopReason);
  return {
    setup: { pythons, workloads: union(values.map((v) => v.setup.workloads)), base },
    trials: values.flatMap((v) => v.trials),
    probes: values.flatMap((v) => v.probes),
    environments,
    machine: values.flatMap((v) => v.machine),
    // A leg that ran out of time budget is what the reader must hear of first (budgetExhausted).
    stopReason: stops.includes('budget') ? 'budget' : stops.includes('cap') ? 'cap' : stops.includes(null) ? null : 'settled',
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
