// Estimators on samples of wall times: summaries, the paired time ratio with a Student-t interval,
// and Hodges–Lehmann as a rank-based cross-check. Pure: values in, values out.
//
// Why paired log ratios: every round runs every arm once, close in time, so a[i] and b[i] share the
// machine's momentary state (thermal, neighbours, cache). Differencing within a round removes that
// shared drift; taking logs turns "a is 1.3× b" into an additive, roughly symmetric quantity.

import { errorFunction, gammaln, mean, median, probit, sampleStandardDeviation } from 'simple-statistics';
import type { RatioEstimate, SampleSummary } from '../types.js';

export function summarize(xs: readonly number[]): SampleSummary {
  const values = xs.filter(Number.isFinite);
  const n = values.length;
  if (n === 0) return { n: 0, median: Number.NaN, min: Number.NaN, max: Number.NaN, cv: 0 };
  const average = mean(values);
  const cv = n < 2 || average === 0 ? 0 : sampleStandardDeviation(values) / Math.abs(average);
  return { n, median: median(values), min: Math.min(...values), max: Math.max(...values), cv };
}

/**
 * Time ratio a/b from paired per-round log ratios d_i = ln a_i − ln b_i, with a Student-t interval
 * and the two-sided p-value for ratio = 1.
 *
 * With trim = 0 this is the paired t interval on the mean of d (df = n − 1). With trim γ > 0 it is
 * Yuen's trimmed-mean interval (Yuen 1974; Wilcox, "Introduction to Robust Estimation and
 * Hypothesis Testing", §4.3 and §5.9.5 for dependent groups applied to the differences): drop the
 * g = ⌊γn⌋ smallest and g largest d, estimate = their mean; standard error = s_w / ((1 − 2g/n)·√n)
 * with s_w the sample sd of the winsorized d (the g extremes on each side set to the nearest kept
 * value); df = n − 2g − 1. Why trim: a shared runner's noise is a stable floor plus bursts when a
 * neighbour takes the core, so a few rounds carry ±30% and the rest ±3%. The mean and its sd
 * follow the bursts; a 20–25%-trimmed mean ignores them and keeps most of the mean's efficiency on
 * clean data (the engine uses TRIM = 0.25, see sequential.ts). Whenever g = 0 (n < 4 at γ = 0.25,
 * n < 5 at γ = 0.2) the interval is the plain t interval.
 *
 * Only paired data is supported: a and b must have the same length (one value per round), and the
 * function throws otherwise. Unpaired samples would lose the within-round pairing that cancels the
 * machine's drift, and a silently truncated pairing would be wrong; callers drop whole rounds instead.
 * A pair is ignored when either value is not a finite positive number (a failed or missing trial).
 *
 * Edge cases: with n < 2 valid pairs there is no spread to judge, so the interval is [0, +Infinity]
 * and p = 1 (the ratio is exp(d) for n = 1, and 1 — "no information" — for n = 0). When the
 * (winsorized) d have no spread, the interval collapses to the point and p = 0, unless the estimate
 * is 0 (then p = 1). Fewer than 2 values left after trimming keep g smaller.
 */
export function pairedRatio(a: readonly number[], b: readonly number[], level: number, trim = 0): RatioEstimate {
  if (!(level > 0 && level < 1)) throw new Error(`confidence level must be in (0, 1), got ${level}`);
  const tail = (1 - level) / 2;
  // The plain interval: the statistic's t and df are for sequential looks (ratioBounds).
  const { t: _t, df: _df, ...estimate } = ratioBounds(pairedLogStatistic(a, b, trim), tail, tail);
  return { ...estimate, level };
}

/**
 * The paired (trimmed) mean of the log ratios and its standard error, before any interval: what
 * pairedRatio builds its interval from, and what a sequential look turns into one-sided bounds at
 * its own nominal errors (ratioBounds). `standardError` 0 means no spread (the interval collapses).
 */
export interface PairedLogStatistic {
  n: number;
  /** The (trimmed) mean of d_i = ln(a_i / b_i); 0 for no pairs. */
  centre: number;
  standardError: number;
  df: number;
}

export function pairedLogStatistic(a: readonly number[], b: readonly number[], trim = 0): PairedLogStatistic {
  if (a.length !== b.length) {
    throw new Error(`pairedRatio needs paired samples of equal length, got ${a.length} and ${b.length}`);
  }
  if (!(trim >= 0 && trim < 0.5)) throw new Error(`trim must be in [0, 0.5), got ${trim}`);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // ln(x / y) rather than ln x − ln y: the division is exactly rounded, so equal ratios give equal d.
    if (isPositiveFinite(x) && isPositiveFinite(y)) d.push(Math.log(x / y));
  }
  const n = d.length;
  if (n < 2) return { n, centre: n === 1 ? d[0]! : 0, standardError: Number.POSITIVE_INFINITY, df: 0 };
  const sorted = [...d].sort((x, y) => x - y);
  // Keep at least two values after trimming so that there is a spread to estimate.
  const g = Math.min(Math.floor(trim * n), Math.floor((n - 2) / 2));
  const kept = sorted.slice(g, n - g);
  const centre = mean(kept);
  const winsorized = sorted.map((x, i) => (i < g ? sorted[g]! : i >= n - g ? sorted[n - g - 1]! : x));
  // Spread below 1e-12 on the log scale (a relative 1e-12 in time, far under any timer's resolution)
  // is rounding, not noise: treat it as zero rather than divide by it.
  const winsorizedCentre = mean(winsorized);
  const df = n - 2 * g - 1;
  if (winsorized.every((x) => Math.abs(x - winsorizedCentre) <= ZERO_SPREAD)) {
    return { n, centre: Math.abs(centre) <= ZERO_SPREAD ? 0 : centre, standardError: 0, df };
  }
  return { n, centre, standardError: sampleStandardDeviation(winsorized) / ((1 - (2 * g) / n) * Math.sqrt(n)), df };
}

/**
 * The ratio exp(centre) with a lower bound at one-sided error `lowerError` and an upper bound at
 * `upperError` (each a t quantile on the statistic's df); `level` = 1 − lowerError − upperError, the
 * two-sided p-value for ratio = 1, and the t statistic. An error of 0 leaves that side unbounded.
 */
export function ratioBounds(s: PairedLogStatistic, lowerError: number, upperError: number): RatioEstimate {
  const level = 1 - lowerError - upperError;
  const { n, centre } = s;
  if (n < 2) return { ratio: n === 1 ? Math.exp(centre) : 1, lower: 0, upper: Number.POSITIVE_INFINITY, level, pValue: 1, n };
  if (s.standardError === 0) {
    const isNull = centre === 0;
    const ratio = isNull ? 1 : Math.exp(centre);
    return { ratio, lower: ratio, upper: ratio, level, pValue: isNull ? 1 : 0, n, t: isNull ? 0 : centre > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY, df: s.df };
  }
  const t = centre / s.standardError;
  const below = lowerError > 0 ? studentTQuantile(1 - lowerError, s.df) * s.standardError : Number.POSITIVE_INFINITY;
  const above = upperError > 0 ? studentTQuantile(1 - upperError, s.df) * s.standardError : Number.POSITIVE_INFINITY;
  return {
    ratio: Math.exp(centre),
    lower: Math.exp(centre - below),
    upper: Math.exp(centre + above),
    level,
    pValue: Math.min(1, 2 * studentTUpperTail(Math.abs(t), s.df)),
    n,
    t,
    df: s.df,
  };
}

/** The one-sided p-value of an estimate in the direction of its ratio (ratio > 1: P(T ≥ t)), 1 without a statistic. */
export function oneSidedP(e: RatioEstimate): number {
  if (e.t === undefined || e.df === undefined || !(e.df > 0)) return Math.min(1, e.pValue);
  if (!Number.isFinite(e.t)) return 0;
  return studentTUpperTail(Math.abs(e.t), e.df);
}

/** P(T ≤ t) for Student's t with df degrees of freedom (df > 0, not necessarily an integer). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  const upper = studentTUpperTail(Math.abs(t), df);
  return t >= 0 ? 1 - upper : upper;
}

/**
 * The p-quantile of Student's t: the t with studentTCdf(t, df) = p. Solved on the tail probability
 * (never on 1 − tail) so that the extreme quantiles a Bonferroni-split α needs keep full precision,
 * by bisection on a bracket grown until it holds the root: slower than Newton, but it cannot diverge
 * for df = 1 where the tails are heavy.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  if (!(p >= 0 && p <= 1)) throw new Error(`probability must be in [0, 1], got ${p}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  const tail = Math.min(p, 1 - p);
  // Find hi with upperTail(hi) <= tail; the tail is decreasing in t.
  let lo = 0;
  let hi = 1;
  while (studentTUpperTail(hi, df) > tail) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return p > 0.5 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTUpperTail(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return p > 0.5 ? t : -t;
}

/** P(T ≥ t) for t ≥ 0: ½·I_x(df/2, ½) with x = df / (df + t²). */
function studentTUpperTail(t: number, df: number): number {
  if (t === Number.POSITIVE_INFINITY) return 0;
  return 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** I_x(a, b), by its continued fraction (Numerical Recipes §6.4), using the symmetry for convergence. */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  // The fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The continued fraction for I_x(a, b), evaluated with the modified Lentz method. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const epsilon = 1e-15;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    // Even step.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < epsilon) break;
  }
  return h;
}

export interface HodgesLehmannEstimate {
  /** Median of the Walsh averages. */
  estimate: number;
  lower: number;
  upper: number;
  /** The confidence actually achieved by [lower, upper] (the signed-rank distribution is discrete). */
  level: number;
}

/**
 * Hodges–Lehmann location estimate of differences d (e.g. per-round log ratios): the median of the
 * Walsh averages (d_i + d_j)/2, i ≤ j, with the matching Wilcoxon signed-rank interval
 * [W_(k), W_(M+1−k)], M = n(n+1)/2, where k − 1 is the largest c with P(T⁺ ≤ c) ≤ (1 − level)/2.
 *
 * The null distribution of T⁺ is exact (counted) for n ≤ 30 and normal with continuity correction
 * above. Ties among the d_i are not corrected for (the exact distribution assumes none).
 *
 * The returned `level` is the coverage actually achieved, which is at least the requested level,
 * except when the requested level is unreachable: the smallest two-sided tail the signed-rank test
 * can produce is 2/2ⁿ, so for small n (e.g. n ≤ 7 at level 0.99) no interval reaches the level. Then
 * the widest interval, min..max of the Walsh averages, is returned with its true level 1 − 2/2ⁿ,
 * which is below the requested one. Non-finite values are ignored; with no values the interval is
 * (−∞, +∞) around 0.
 */
export function hodgesLehmann(d: readonly number[], level: number): HodgesLehmannEstimate {
  if (!(level > 0 && level < 1)) throw new Error(`confidence level must be in (0, 1), got ${level}`);
  const values = d.filter(Number.isFinite);
  const n = values.length;
  if (n === 0) return { estimate: 0, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY, level: 1 };
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((values[i]! + values[j]!) / 2);
  walsh.sort((x, y) => x - y);
  const total = walsh.length;
  const tailAllowed = (1 - level) / 2;
  const { k, tail } = n <= 30 ? exactSignedRankCut(n, tailAllowed) : normalSignedRankCut(n, tailAllowed);
  return {
    estimate: median(walsh),
    lower: walsh[k - 1]!,
    upper: walsh[total - k]!,
    level: 1 - 2 * tail,
  };
}

/** Largest k ≥ 1 with P(T⁺ ≤ k − 1) ≤ tailAllowed (k = 1 when none), and that tail P(T⁺ ≤ k − 1). */
function exactSignedRankCut(n: number, tailAllowed: number): { k: number; tail: number } {
  // counts[w] = number of subsets of {1..n} whose sum is w; each subset has probability 2⁻ⁿ.
  const maxSum = (n * (n + 1)) / 2;
  const counts = new Array<number>(maxSum + 1).fill(0);
  counts[0] = 1;
  for (let rank = 1; rank <= n; rank++) {
    for (let w = maxSum; w >= rank; w--) counts[w]! += counts[w - rank]!;
  }
  const subsets = 2 ** n;
  let cumulative = 0;
  let c = -1;
  while (c + 1 <= maxSum && (cumulative + counts[c + 1]!) / subsets <= tailAllowed) {
    c++;
    cumulative += counts[c]!;
  }
  if (c < 0) return { k: 1, tail: counts[0]! / subsets };
  return { k: c + 1, tail: cumulative / subsets };
}

function normalSignedRankCut(n: number, tailAllowed: number): { k: number; tail: number } {
  const centre = (n * (n + 1)) / 4;
  const spread = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
  const normalCdf = (z: number): number => 0.5 * (1 + errorFunction(z / Math.SQRT2));
  // P(T⁺ ≤ c) ≈ Φ((c + ½ − centre) / spread) ≤ tailAllowed  ⇔  c ≤ centre − ½ + z·spread.
  const c = Math.floor(centre - 0.5 + probit(tailAllowed) * spread);
  if (c < 0) return { k: 1, tail: normalCdf((0.5 - centre) / spread) };
  return { k: c + 1, tail: normalCdf((c + 0.5 - centre) / spread) };
}

const ZERO_SPREAD = 1e-12;

export function isPositiveFinite(x: number): boolean {
  return Number.isFinite(x) && x > 0;
}
