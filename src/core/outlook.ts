// The outlook beyond the runner: what more cores could give a CPU-bound workload, as a model.
// Pure. From the measured speedup S at p workers, the Karp–Flatt serial fraction
//   e = (1/S − 1/p) / (1 − 1/p)
// and Amdahl's bound for n workers, A(n) = 1 / (e + (1 − e)/n). Amdahl's law ignores every cost
// that grows with n (pickling, contention, memory bandwidth), so A(n) is an upper bound under the
// model, never a prediction and never a measurement: reports say so in the same sentence.
//
// Which p: the worker count, not the runner's measured capacity. On a runner whose 2 vCPUs deliver
// ×1.6 of one, e from p = 2 counts the runner's shortfall (a shared or hyper-threaded core) as
// serial work; the bound is then for more cores like these, which is what cloud machines with more
// vCPUs mostly are (siblings, neighbours). The fraction against capacity (p replaced by the
// capacity) is kept beside it, for cores that each deliver a whole one.
import { studentTQuantile } from './stats/estimate.js';
import type { ArmResult, ParallelModel, SideResult } from './types.js';

/** Worker counts the outlook speaks of (those above the measured count). */
export const OUTLOOK_WORKERS: readonly number[] = [4, 8, 16, 32, 64];
/** Serial CPU/wall at or above which the work computes rather than waits: Amdahl's law is about computing. */
export const CPU_BOUND_CPU_PER_WALL = 0.8;
/** Confidence level of the fit's interval. */
export const FIT_LEVEL = 0.95;

export interface Interval {
  value: number;
  lower: number;
  upper: number;
}

/** Amdahl's bound at one worker count, with the interval the serial fraction's interval gives. */
export interface OutlookBound extends Interval {
  workers: number;
}

export interface Outlook {
  /** The model the outlook is for: the recommended one (for `either`, the faster of the two). */
  model: ParallelModel;
  /** The worker count the speedup was measured at (the model's best arm). */
  measuredWorkers: number;
  /** The measured speedup vs serial under the verdict's pool lifetime, its interval and level. */
  speedup: Interval & { level: number };
  /** Karp–Flatt serial fraction from speedup vs worker count (interval: the speedup's, propagated). */
  serialFraction: Interval;
  /** Amdahl's bound for each of OUTLOOK_WORKERS above measuredWorkers. */
  bounds: OutlookBound[];
  /** What the runner delivers at measuredWorkers (the machine probe), null without one. */
  capacity: number | null;
  /** The serial fraction with the capacity as the worker count (cores that each deliver a whole
   *  core would do better than `bounds`); null without a capacity above 1. */
  serialFractionVsCapacity: number | null;
  /** Least-squares fit of e over every worker count of the sweep (>= 2 parallel arms: >= 3 points
   *  with serial), its FIT_LEVEL interval, and the bounds from it; null with fewer points. */
  fit: { points: number; serialFraction: Interval; level: number; bounds: OutlookBound[] } | null;
}

/** Karp–Flatt: the serial fraction a speedup S at p workers implies, clamped to [0, 1]. */
export function karpFlatt(speedup: number, workers: number): number {
  if (!(workers > 1) || !(speedup > 0) || !Number.isFinite(speedup)) return speedup === Number.POSITIVE_INFINITY ? 0 : 1;
  return clamp01((1 / speedup - 1 / workers) / (1 - 1 / workers));
}

/** Amdahl's law: the speedup at n workers of work whose serial fraction is e. */
export function amdahl(serialFraction: number, workers: number): number {
  const e = clamp01(serialFraction);
  return 1 / (e + (1 - e) / workers);
}

/**
 * The outlook of one side's result, or null where the model does not apply: no parallel
 * recommendation, work that is not CPU-bound, no facts (files before v2), or no measured speedup.
 */
export function outlookOf(result: SideResult): Outlook | null {
  const facts = result.facts;
  if (!facts?.serial || facts.error) return null;
  if (result.character === 'io-wait' || result.character === 'overhead-bound') return null;
  if (!(facts.serial.cpuPerWall >= CPU_BOUND_CPU_PER_WALL)) return null;
  const model = outlookModel(result);
  if (model === null) return null;
  const m = facts.models[model];
  if (!m || !(m.workers > 1) || !(m.speedup > 0)) return null;

  // e falls as S rises: the speedup's upper end gives e's lower end.
  const serialFraction = { value: karpFlatt(m.speedup, m.workers), lower: karpFlatt(m.upper, m.workers), upper: karpFlatt(m.lower, m.workers) };
  const beyond = OUTLOOK_WORKERS.filter((n) => n > m.workers);
  const capacity = m.capacity ?? null;
  return {
    model,
    measuredWorkers: m.workers,
    speedup: { value: m.speedup, lower: m.lower, upper: m.upper, level: m.vsSerial.estimate.level },
    serialFraction,
    bounds: boundsOf(serialFraction, beyond),
    capacity,
    serialFractionVsCapacity: capacity !== null && capacity > 1 ? karpFlatt(m.speedup, capacity) : null,
    fit: fitOf(result.arms, model, facts.pool === 'long-lived', beyond),
  };
}

/** The model a parallel recommendation names; `either`: the faster of threads and processes. */
function outlookModel(result: SideResult): ParallelModel | null {
  const r = result.recommendation;
  if (r === 'threads' || r === 'processes' || r === 'interpreters') return r;
  if (r !== 'either') return null;
  const threads = result.facts?.models.threads?.speedup ?? 0;
  const processes = result.facts?.models.processes?.speedup ?? 0;
  return processes > threads ? 'processes' : 'threads';
}

function boundsOf(e: Interval, workers: readonly number[]): OutlookBound[] {
  // A(n) falls as e rises: e's upper end gives the bound's lower end.
  return workers.map((n) => ({ workers: n, value: amdahl(e.value, n), lower: amdahl(e.upper, n), upper: amdahl(e.lower, n) }));
}

/**
 * e fitted over the sweep: 1/S = e + (1 − e)/p is linear in e as y = e·x with x = 1 − 1/p and
 * y = 1/S − 1/p (serial, p = 1, is the origin and adds nothing). Least squares through the origin,
 * its standard error from the residuals (k − 1 degrees of freedom) and a Student t interval.
 */
function fitOf(arms: readonly ArmResult[], model: ParallelModel, longLived: boolean, workers: readonly number[]): Outlook['fit'] {
  const points = arms
    .filter((a) => a.model === model && a.workers > 1 && a.failures === 0)
    .map((a) => ({ p: a.workers, s: longLived ? (a.steadySpeedup ?? a.speedup) : a.speedup }))
    .filter((pt) => Number.isFinite(pt.s) && pt.s > 0);
  const k = points.length;
  if (k < 2) return null;
  const xs = points.map((pt) => 1 - 1 / pt.p);
  const ys = points.map((pt) => 1 / pt.s - 1 / pt.p);
  const sxx = xs.reduce((sum, x) => sum + x * x, 0);
  const sxy = xs.reduce((sum, x, i) => sum + x * ys[i]!, 0);
  const estimate = sxy / sxx;
  const residual = xs.reduce((sum, x, i) => sum + (ys[i]! - estimate * x) ** 2, 0);
  const standardError = Math.sqrt(residual / (k - 1) / sxx);
  const half = studentTQuantile(1 - (1 - FIT_LEVEL) / 2, k - 1) * standardError;
  const serialFraction = { value: clamp01(estimate), lower: clamp01(estimate - half), upper: clamp01(estimate + half) };
  return { points: k + 1, serialFraction, level: FIT_LEVEL, bounds: boundsOf(serialFraction, workers) };
}

function clamp01(x: number): number {
  return Number.isNaN(x) ? 1 : Math.min(1, Math.max(0, x));
}
