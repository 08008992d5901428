// Shards: which matrix leg measures which workload. Pure.
//
// Every leg computes the whole assignment itself: the legs never talk to each other, so they must
// start from the same costs — an earlier results file every leg is given (`--shard-costs`), or
// equal costs. (Each leg's own pilot passes differ by tens of percent between legs on shared
// runners; splits made from them disagreed in 41–73% of simulated 2–4-leg runs: docs/matrix.md.)
// Costs may be rounded to a power of `step` (2 by default; a run splits its shared costs as they are,
// step null), then split longest-processing-time first
// (largest cost to the least loaded leg), ties broken by name. Every leg records the assignment it
// used, and mergeLegs refuses legs whose assignments differ.

import { TRIAL_NOISE } from './plan.js';
import type { ExperimentSetup, TrialRecord, WorkloadConfig } from './types.js';

export interface ShardSpec {
  /** 1-based leg number. */
  index: number;
  count: number;
}

export interface WorkloadCost {
  name: string;
  /** Seconds of one serial pass (the probe's pilot), or any cost in consistent units. */
  cost: number;
}

/** What a leg records in its results so the merge can check that every leg agreed. */
export interface ShardRecord extends ShardSpec {
  /** Workload name → 1-based leg that measures it (the whole split, not only this leg's part). */
  assignment: Record<string, number>;
  /** Workload name → the quantized, speed-normalized cost the split was made from. */
  costs: Record<string, number>;
  /** Workload name → the raw probed cost (seconds), for people reading a disagreement. */
  measured: Record<string, number>;
  /** Every workload in config order: the merged table keeps the order of an unsharded run. */
  order: string[];
}

export class ShardError extends Error {
  override name = 'ShardError';
}

export const MAX_SHARDS = 256;

/** "2/4" → { index: 2, count: 4 }; legs count from 1 like GitHub's matrix examples. */
export function parseShard(text: string): ShardSpec {
  const trimmed = text.trim();
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(trimmed);
  if (!match) throw new ShardError(`shard: expected INDEX/COUNT such as "2/4", got ${JSON.stringify(text)}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new ShardError(`shard: the count must be from 1 to ${MAX_SHARDS}, got ${count} in ${JSON.stringify(trimmed)}`);
  if (index < 1 || index > count) {
    throw new ShardError(`shard: the index must be from 1 to ${count} (legs count from 1), got ${index} in ${JSON.stringify(trimmed)}`);
  }
  return { index, count };
}

export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

export interface ShardOptions {
  /**
   * The leg's machine speed: seconds of a fixed reference loop on this machine. Costs are divided
   * by it, so legs on a slower or faster runner see the same normalized costs.
   */
  referenceSeconds?: number | null;
  /**
   * Buckets are powers of this (2 or Math.SQRT2): coarser is more robust to costs that differ a
   * little between legs, finer balances better. null: the costs as they are, for costs every leg
   * reads from one shared source (a results file, the history branch), which agree bit for bit:
   * rounding them only unbalances (a power-of-2 bucket is up to 41% off).
   */
  step?: number | null;
}

/**
 * A cost rounded to the nearest power of `step` (in log space). Costs that are zero, negative or not
 * finite (the probe failed) count as the smallest bucket: they cost little to report.
 */
export function quantizeCost(cost: number, step = 2): number {
  if (!(step > 1)) throw new ShardError(`shard: the quantization step must be above 1, got ${step}`);
  if (!Number.isFinite(cost) || cost <= 0) return 0;
  const exponent = Math.round(Math.log(cost) / Math.log(step));
  return step ** exponent;
}

/** The normalized, quantized cost the split is made from. */
export function splitCost(cost: number, options: ShardOptions = {}): number {
  const speed = options.referenceSeconds;
  const normalized = speed !== undefined && speed !== null && speed > 0 ? cost / speed : cost;
  if (options.step === null) return Number.isFinite(normalized) && normalized > 0 ? normalized : 0;
  return quantizeCost(normalized, options.step ?? 2);
}

/**
 * Balanced, deterministic split: workload name → 0-based leg. Longest processing time first over
 * the quantized costs; the order and every tie are broken by name, so equal inputs give equal maps.
 */
export function shardOf(workloads: readonly WorkloadCost[], count: number, options: ShardOptions = {}): Map<string, number> {
  if (!Number.isInteger(count) || count < 1) throw new ShardError(`shard: the count must be a positive whole number, got ${count}`);
  const seen = new Set<string>();
  for (const w of workloads) {
    if (seen.has(w.name)) throw new ShardError(`shard: workload ${JSON.stringify(w.name)} appears twice`);
    seen.add(w.name);
  }
  const items = workloads
    .map((w) => ({ name: w.name, cost: splitCost(w.cost, options) }))
    .sort((a, b) => b.cost - a.cost || compareNames(a.name, b.name));
  const loads = Array.from({ length: count }, () => 0);
  const assignment = new Map<string, number>();
  for (const item of items) {
    let target = 0;
    for (let leg = 1; leg < count; leg++) if (loads[leg]! < loads[target]!) target = leg;
    // Zero-cost items (failed probes) would all land on leg 0: spread them by count instead.
    if (item.cost === 0) target = assignment.size % count;
    loads[target]! += item.cost;
    assignment.set(item.name, target);
  }
  return assignment;
}

/** The record a leg writes: its number, the whole assignment (1-based) and the costs behind it. */
export function shardRecord(shard: ShardSpec, workloads: readonly WorkloadCost[], options: ShardOptions = {}): ShardRecord {
  const split = shardOf(workloads, shard.count, options);
  const sorted = [...workloads].sort((a, b) => compareNames(a.name, b.name));
  return {
    index: shard.index,
    count: shard.count,
    assignment: Object.fromEntries(sorted.map((w) => [w.name, split.get(w.name)! + 1])),
    costs: Object.fromEntries(sorted.map((w) => [w.name, splitCost(w.cost, options)])),
    measured: Object.fromEntries(sorted.map((w) => [w.name, w.cost])),
    order: workloads.map((w) => w.name),
  };
}

/**
 * Costs every leg can agree on: read from one earlier results file that all legs are given (a cached
 * merged report from the default branch, or any leg's file). A leg's `shard.measured` holds the
 * costs its split was made from; otherwise the seconds each workload's head trials took (the file's
 * values), else its serial arm's median time. Workloads the file does not know get the median of
 * the known costs, so a new workload still lands somewhere balanced.
 */
export function costsFromResults(
  previous: {
    workloads?: readonly { name: string; arms?: readonly { model: string; wall?: { median?: number } }[] }[];
    shard?: { measured?: Record<string, number> } | null;
    values?: { trials?: readonly Pick<TrialRecord, 'workload' | 'side' | 'arm' | 'outcome'>[] } | null;
  },
  names: readonly string[],
): WorkloadCost[] {
  const known = new Map<string, number>(Object.entries(previous.shard?.measured ?? {}));
  // What each workload's head trials took (every interpreter): what a leg will spend on it.
  for (const [name, seconds] of headTrialSeconds(previous.values?.trials ?? [], (t) => t.workload)) if (!known.has(name) && seconds > 0) known.set(name, seconds);
  // Results without values (schemaVersion 1): the serial median, a rougher proxy.
  for (const w of previous.workloads ?? []) {
    const serial = w.arms?.find((a) => a.model === 'serial')?.wall?.median;
    if (!known.has(w.name) && typeof serial === 'number' && serial > 0) known.set(w.name, serial);
  }
  const values = [...known.values()].sort((a, b) => a - b);
  const median = values.length > 0 ? values[Math.floor(values.length / 2)]! : 1;
  return names.map((name) => ({ name, cost: known.get(name) ?? median }));
}

/**
 * What one trial cost in seconds: every timed repetition, the second, warm batch that processes and
 * interpreters pools run in each repetition (COLD_WORKER_MODELS in python/gilgate_runner.py: the
 * steady time), and the fixed cost of a trial besides (start-up, imports, warm-up, its result).
 */
export function trialSeconds(trial: Pick<TrialRecord, 'arm' | 'outcome'>): number {
  const cold = trial.arm.model === 'processes' || trial.arm.model === 'interpreters';
  const outcome = trial.outcome;
  const timed = outcome.ok ? (outcome.repetitions?.length ? outcome.repetitions : [outcome]).reduce((sum, r) => sum + r.wallSeconds + (cold ? r.steadySeconds : 0), 0) : 0;
  return timed + TRIAL_NOISE.overheadSeconds;
}

/** The seconds head's trials took (trialSeconds), summed per `keyOf` (a workload, or a workload under one interpreter). */
export function headTrialSeconds<T extends Pick<TrialRecord, 'side' | 'arm' | 'outcome'>>(trials: readonly T[], keyOf: (trial: T) => string): Map<string, number> {
  const spent = new Map<string, number>();
  for (const t of trials) if (t.side === 'head') spent.set(keyOf(t), (spent.get(keyOf(t)) ?? 0) + trialSeconds(t));
  return spent;
}

/** The names this leg measures, in the order given. */
export function workloadsOfShard(record: ShardRecord): string[] {
  return Object.entries(record.assignment)
    .filter(([, leg]) => leg === record.index)
    .map(([name]) => name);
}

/** Code-point order: the same in every locale and every Node version. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every workload a setup names, head's and base-only ones, once each. */
export function allWorkloadNames(setup: ExperimentSetup): string[] {
  const names = setup.workloads.map((w) => w.name);
  for (const w of setup.base?.workloads ?? []) if (!names.includes(w.name)) names.push(w.name);
  return names;
}

/** The setup of one leg: only the workloads the split gives it, on both sides. */
export function shardSetup(setup: ExperimentSetup, record: ShardRecord): ExperimentSetup {
  const mine = (w: WorkloadConfig) => record.assignment[w.name] === record.index;
  return {
    ...setup,
    workloads: setup.workloads.filter(mine),
    base: setup.base ? { ...setup.base, workloads: setup.base.workloads?.filter(mine) ?? null } : null,
  };
}
