// Samples: the trials of one workload on one side, arranged by arm and round, and the per-arm
// numbers derived from them. Pure. Rounds are the pairing unit: index i of every arm's list ran in
// round i, so two arms' values at the same index are compared with each other.
//
// A round may hold several trials of one arm: serial runs once per CPU it is placed on (pinned), so
// the round's value is the mean over those CPUs — the expected time of unpinned serial code on this
// machine (docs/engine.md, "Placement"). Pools run once per round.
import { median } from 'simple-statistics';
import { armLabel } from './plan.js';
import { isPositiveFinite, pairedRatio, summarize } from './stats/estimate.js';
import { trimFor } from './stats/sequential.js';
import type { Arm, ArmResult, Failure, ParallelModel, PoolLifetime, TrialMeasurement, TrialOutcome } from './types.js';

export interface ArmSamples {
  arm: Arm;
  /** outcomes[round] — the arm's trials in that round (empty or missing when it did not run). */
  outcomes: (readonly TrialOutcome[] | undefined)[];
}

export function measurements(samples: ArmSamples): TrialMeasurement[] {
  return samples.outcomes.flatMap((round) => (round ?? []).filter((o): o is TrialMeasurement => o.ok));
}

export function failures(samples: ArmSamples): Failure[] {
  return samples.outcomes.flatMap((round) => (round ?? []).filter((o): o is Failure => !o.ok));
}

/**
 * One value per round: the mean of the round's successful values (NaN where none), what paired
 * comparisons take. For serial, the mean over the CPUs it ran on that round.
 */
export function series(samples: ArmSamples, rounds: number, value: (m: TrialMeasurement) => number): number[] {
  return Array.from({ length: rounds }, (_, i) => {
    const values = (samples.outcomes[i] ?? []).filter((o): o is TrialMeasurement => o.ok).map(value);
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  });
}

/** What a per-batch pool costs: creating the pool, the map, the shutdown. */
export const wallOf = (m: TrialMeasurement): number => m.wallSeconds;

/** What a long-lived pool costs per batch: the map alone, the pool already started. */
// Older runners did not report it: the wall less the start-up is the same quantity, less precisely.
export const steadyOf = (m: TrialMeasurement): number => m.steadySeconds ?? m.wallSeconds - m.startupSeconds;

/** The time a verdict answers for a pool lifetime. */
export function timeOf(pool: PoolLifetime): (m: TrialMeasurement) => number {
  return pool === 'long-lived' ? steadyOf : wallOf;
}

/** Whole-pool peak memory: the parent plus one largest child per worker (processes hold a copy each). */
export function poolRssOf(arm: Arm): (m: TrialMeasurement) => number {
  // Interpreters live in the parent process: its peak already counts them.
  return (m) => m.peakRssSelfBytes + (arm.model === 'processes' ? arm.workers * m.peakRssChildBytes : 0);
}

export function medianOf(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : median(finite);
}

export function medianWall(samples: ArmSamples): number {
  return medianOf(measurements(samples).map(wallOf));
}

export function medianTime(samples: ArmSamples, value: (m: TrialMeasurement) => number): number {
  return medianOf(measurements(samples).map(value));
}

/** The model's arm with the lowest median time among arms that produced data. */
export function bestArm(all: readonly ArmSamples[], model: ParallelModel, value: (m: TrialMeasurement) => number = wallOf): ArmSamples | null {
  let best: ArmSamples | null = null;
  for (const samples of modelArms(all, model)) {
    if (best === null || medianTime(samples, value) < medianTime(best, value)) best = samples;
  }
  return best;
}

/** The model's arms that produced data. */
export function modelArms(all: readonly ArmSamples[], model: ParallelModel): ArmSamples[] {
  return all.filter((s) => s.arm.model === model && measurements(s).length > 0);
}

export function serialArm(all: readonly ArmSamples[]): ArmSamples | null {
  return all.find((s) => s.arm.model === 'serial') ?? null;
}

/**
 * The arm's speedup over serial as the comparisons estimate it: 1 / the mean (trimmed from 10
 * rounds on, as at the looks) of the per-round ratios arm/serial on the log scale. A figure shown
 * beside a verdict must be the one its test rests on: a ratio of medians taken from unpaired values
 * read ×1.0 beside a significant paired ×1.2. NaN when no round holds both.
 */
export function pairedSpeedup(arm: ArmSamples, serial: ArmSamples, value: (m: TrialMeasurement) => number): number {
  const rounds = Math.max(arm.outcomes.length, serial.outcomes.length);
  const a = series(arm, rounds, value);
  const b = series(serial, rounds, value);
  // The pairs pairedRatio will keep: the trim depends on how many there are.
  const pairs = a.filter((x, i) => isPositiveFinite(x) && isPositiveFinite(b[i]!)).length;
  if (pairs === 0) return Number.NaN;
  return 1 / pairedRatio(a, b, 0.95, trimFor(pairs)).ratio;
}

/**
 * The arm's summary. serial is the serial arm (null when it has no data: speedups are NaN);
 * capacity is what the machine delivers at this arm's worker count (null when unknown).
 */
export function armResult(samples: ArmSamples, serial: ArmSamples | null, capacity: number | null = null): ArmResult {
  const ok = measurements(samples);
  const wall = summarize(ok.map(wallOf));
  const chunks = ok.map((m) => m.chunksize).filter((c): c is number => c !== null);
  const isSerial = samples.arm.model === 'serial';
  const speedupBy = (value: (m: TrialMeasurement) => number) => (isSerial ? 1 : serial ? pairedSpeedup(samples, serial, value) : Number.NaN);
  return {
    model: samples.arm.model,
    workers: samples.arm.workers,
    wall,
    startupSeconds: medianOf(ok.map((m) => m.startupSeconds)),
    ...(isSerial || ok.length === 0 ? {} : { startupInterval: startupInterval(ok) }),
    cpuPerWall: medianOf(ok.map((m) => m.cpuSeconds / m.wallSeconds)),
    peakRssBytes: medianOf(ok.map(poolRssOf(samples.arm))),
    speedup: speedupBy(wallOf),
    steadySpeedup: speedupBy(steadyOf),
    capacity: isSerial ? 1 : capacity,
    chunksize: chunks.length > 0 ? chunks[0]! : null,
    failures: failures(samples).length,
  };
}

/**
 * The pool's start-up from every repetition: each is wall − steady (the runner clamps its own
 * per-repetition figure at 0, which biases a small start-up upward: here the noise may go both
 * ways), the median with its interval, then held at 0 and above, since a start-up cannot be negative.
 */
export function startupInterval(trials: readonly TrialMeasurement[]): { estimate: number; lower: number; upper: number; repetitions: number } {
  const values = trials.flatMap((m) => (m.repetitions?.length ? m.repetitions.map((r) => r.wallSeconds - r.steadySeconds) : [m.startupSeconds]));
  const { estimate, lower, upper, n } = medianInterval(values);
  return { estimate: Math.max(0, estimate), lower: Math.max(0, lower), upper: Math.max(0, upper), repetitions: n };
}

/**
 * A distribution-free 95% interval for the median (order statistics: the binomial(n, ½) ranks that
 * hold it with at least 95%); with fewer than 6 values no such ranks exist and the range is given.
 * The pool start-up is a skewed figure (a slow fork now and then): a median with its interval is
 * what holds still from run to run, where a single trial's value read 42, 37 and 15 ms.
 */
export function medianInterval(values: readonly number[]): { estimate: number; lower: number; upper: number; n: number } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, n: 0 };
  const estimate = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  if (n < 6) return { estimate, lower: sorted[0]!, upper: sorted[n - 1]!, n };
  if (n > 500) {
    // 0.5 ** n underflows long before this; the normal approximation of binomial(n, ½) is exact enough here.
    const k = Math.max(0, Math.floor(n / 2 - (1.96 * Math.sqrt(n)) / 2 - 1));
    return { estimate, lower: sorted[k]!, upper: sorted[n - 1 - k]!, n };
  }
  // The largest k with P(k ≤ X < n − k) ≥ 0.95 for X ~ binomial(n, ½): [x(k), x(n−1−k)] (0-based).
  const pmf: number[] = [];
  let p = 0.5 ** n;
  for (let i = 0; i <= n; i++) {
    pmf.push(p);
    p = (p * (n - i)) / (i + 1);
  }
  let k = 0;
  let tail = pmf[0]!; // P(X ≤ k)
  while (k + 1 < n / 2 && 1 - 2 * (tail + pmf[k + 1]!) >= 0.95) {
    k += 1;
    tail += pmf[k]!;
  }
  return { estimate, lower: sorted[k]!, upper: sorted[n - 1 - k]!, n };
}

export function describeFailure(failure: Failure): string {
  const text = failure.message ? `${failure.type}: ${failure.message}` : failure.type;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export { armLabel };
