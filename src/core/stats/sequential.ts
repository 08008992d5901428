// Sequential comparisons of two arms' times, looked at after scheduled rounds. Pure.
//
// Looking repeatedly and stopping at the first decision inflates errors if every look used the
// nominal level. The error of each claim is spent over the looks by a Lan–DeMets spending function
// of Pocock type over the information (rounds run / rounds.max; stats/spending.ts): each look gets
// the nominal one-sided error at which the chance of a first wrong crossing there is the increment
// of the spending function, so the chance that any look errs stays at the claim's error. The looks
// share most of their data, so each one may risk more than an even (Bonferroni) share: that is the
// speed it buys. Boundaries are computed for a normal statistic and applied as t quantiles on each
// look's degrees of freedom; the achieved rates are checked by simulation and replay
// (bench/estimators.mjs, docs/statistics.md).
//
// Two kinds of comparison:
// - compareTimes (verdicts: a model against serial, models against each other): both bounds at α
//   each, so "a is faster", "b is faster" and "equivalent" (two one-sided tests) are each wrong at
//   most α of the time.
// - compareToBase (the gate, head against base): one-sided. "Regression" (head slower beyond the
//   threshold) from the lower bound at α; "no regression" (non-inferiority: the upper bound of
//   head/base below 1 + threshold) from the upper bound at β, so a head exactly `threshold` slower
//   passes at most β of the time; an improvement is reported when the upper bound at α is below 1.
//
// Looks are scheduled, not taken after every round: at minRounds, at twice that, then every 5
// rounds, and at maxRounds (3, 6, 8, 10, 15, 20, 25, 30 by default). Rounds between looks still add
// data; they only wait for the next look to decide. The schedule and the 25% trimming were chosen
// by replaying recorded real trials from this 2-core runner (bench/noise.mjs → bench/estimators.mjs).

import type { Comparison, ComparisonOutcome, RatioEstimate, ValueComparison, ValueOutcome } from '../types.js';
import { pairedLogStatistic, ratioBounds } from './estimate.js';
import { spendingBoundary } from './spending.js';

/**
 * Share of paired log ratios trimmed from each end (Yuen's trimmed mean, see pairedRatio). 20% is
 * the textbook choice (Wilcox): close to the mean's efficiency on normal data. On this runner's
 * bursty noise, replayed from recorded real trials (bench/estimators.mjs), 25% detected a 15%
 * slowdown in 95% of comparisons against 80% for 20% and 52% for the plain mean, with no false
 * alarm in A/A; 30% did a little better there but leaves df 3 at 10 rounds, and 40% trims so much
 * that the lost degrees of freedom cost more than it gains.
 */
export const TRIM = 0.25;

/**
 * Rounds from which the trimmed mean is used; at earlier looks the plain paired mean. Trimming g of
 * n values each side costs 2g degrees of freedom, and the first looks have few to spare: at 6 rounds
 * 25% trimming leaves df 3 (critical t 11.5 at the per-look level) against df 5 (6.6) for the plain
 * mean, so a 1.5× difference with this runner's paired sd of 0.1 went undecided at round 6 about one
 * time in ten. A burst in so few rounds widens the plain interval (it raises the sd) rather than
 * faking a difference, so the early looks lose power to bursts but not error control
 * (bench/estimators.mjs, docs/statistics.md).
 */
export const TRIM_FROM_ROUNDS = 10;

/** The share trimmed from each end for a look on n paired rounds. */
export function trimFor(n: number): number {
  return n >= TRIM_FROM_ROUNDS ? TRIM : 0;
}

export interface SequentialPolicy {
  /** Overall error of a claimed difference (or equivalence) for one comparison, across all its looks. */
  alpha: number;
  /**
   * The gate's miss rate: the chance that a head exactly `threshold` slower passes as "no
   * regression", across all looks (compareToBase). Default DEFAULT_BETA.
   */
  beta?: number;
  /** First round count at which a decision may be taken. */
  minRounds: number;
  /** Last round count: an undecided comparison ends there as inconclusive. */
  maxRounds: number;
}

/**
 * The rounds after which a comparison may decide: minRounds, 2·minRounds, every second round after
 * that below 10, every multiple of 5 after that, and maxRounds (3, 6, 8, 10, 15, 20, 25, 30 by
 * default). With error spending an extra look costs little; the one at 8 lets an A/A comparison
 * with a paired sd of about 0.05 pass there instead of at 10 (bench/gate-calibration.mjs).
 */
export function lookSchedule(policy: SequentialPolicy): number[] {
  const first = Math.max(1, policy.minRounds);
  const last = Math.max(policy.maxRounds, first);
  const looks = new Set<number>([first]);
  if (2 * first < last) looks.add(2 * first);
  for (let rounds = 2 * first + 2; rounds < Math.min(10, last); rounds += 2) looks.add(rounds);
  for (let rounds = 5 * (Math.floor((2 * first) / 5) + 1); rounds < last; rounds += 5) looks.add(rounds);
  looks.add(last);
  return [...looks].sort((x, y) => x - y);
}

/** Number of scheduled looks. */
export function lookCount(policy: SequentialPolicy): number {
  return lookSchedule(policy).length;
}

/** The gate's default miss rate (β): a head exactly `threshold` slower passes at most 5% of the time. */
export const DEFAULT_BETA = 0.05;

const boundaries = new Map<string, number[]>();

/**
 * The nominal one-sided error of each scheduled look when `error` is spent over them (Pocock-type
 * Lan–DeMets spending over the information rounds / rounds.max, stats/spending.ts). Memoized: a
 * policy has one schedule, and a run asks for the same few errors at every look.
 */
export function lookErrors(error: number, policy: SequentialPolicy): number[] {
  const looks = lookSchedule(policy);
  const key = `${error}|${looks.join(',')}`;
  let nominal = boundaries.get(key);
  if (!nominal) {
    const last = looks[looks.length - 1]!;
    nominal = spendingBoundary(error, looks.map((rounds) => rounds / last)).nominal;
    boundaries.set(key, nominal);
  }
  return nominal;
}

/** The nominal one-sided error of the look at `rounds` (the first look's before it). */
export function lookError(error: number, rounds: number, policy: SequentialPolicy): number {
  const looks = lookSchedule(policy);
  const index = Math.max(0, looks.indexOf(lastLookAt(rounds, policy) ?? looks[0]!));
  return lookErrors(error, policy)[index]!;
}

/** Two-sided confidence level of a verdict comparison's interval at the look at `rounds`: 1 − 2·(nominal α of that look). */
export function lookLevel(policy: SequentialPolicy, rounds = policy.minRounds): number {
  return 1 - 2 * lookError(policy.alpha, rounds, policy);
}

export function isFinalLook(rounds: number, policy: SequentialPolicy): boolean {
  return rounds >= policy.maxRounds;
}

/**
 * Compare the times of arm a with arm b (paired by round, see pairedRatio) with margin m (0.10 =
 * 10%): a-faster when the ratio a/b is significantly below 1 and beyond the margin (< 1/(1+m)),
 * b-faster symmetrically, equivalent when the whole interval lies within (1/(1+m), 1+m), else
 * unknown. Unknown also before minRounds valid pairs. The estimate is always filled in.
 *
 * a[i] and b[i] belong to round i. Decisions use the data up to the last scheduled look at or
 * below a.length (rounds past it wait for the next look), so stopping on a time budget between
 * looks never spends α on an unscheduled look. Before the first look the estimate uses all rounds.
 */
export function compareTimes(
  a: readonly number[],
  b: readonly number[],
  margin: number,
  policy: SequentialPolicy,
): Comparison {
  const { estimate } = boundsAtLook(a, b, margin, policy, policy.alpha, policy.alpha);
  return { outcome: estimate.look === undefined ? 'unknown' : outcomeOf(estimate, margin, policy), estimate };
}

/**
 * The gate's comparison of head with base, one-sided (see the top of this file). At a look:
 * - 'a-faster', an improvement: head shown faster (the upper bound at α below 1) by more than the
 *   threshold in its estimate;
 * - else 'equivalent', no regression: the upper bound at β below 1 + threshold (non-inferiority;
 *   a head exactly `threshold` slower gets here at most β of the time);
 * - else 'b-faster', a regression: head shown slower (the lower bound at α above 1) and not shown
 *   within the threshold. A head that is not slower gets here at most α of the time (the contract's
 *   false alarm); no margin on the estimate, or a head exactly `threshold` slower, whose estimate
 *   sits on the margin, would be flagged only half the time;
 * - else unknown.
 * The estimate's interval is [lower bound at α, upper bound at β]: the two bounds that gate.
 */
export function compareToBase(head: readonly number[], base: readonly number[], threshold: number, policy: SequentialPolicy): Comparison {
  const beta = policy.beta ?? DEFAULT_BETA;
  const { estimate, statistic, look } = boundsAtLook(head, base, threshold, policy, policy.alpha, beta);
  if (look === null || estimate.n < Math.max(2, policy.minRounds)) return { outcome: 'unknown', estimate };
  const high = 1 + threshold;
  const improvement = ratioBounds(statistic, 0, lookError(policy.alpha, look, policy));
  if (improvement.upper < 1 && estimate.ratio < 1 / high) return { outcome: 'a-faster', estimate };
  if (estimate.upper < high) return { outcome: 'equivalent', estimate };
  if (estimate.lower > 1) return { outcome: 'b-faster', estimate };
  return { outcome: 'unknown', estimate };
}

/**
 * The estimate at the last scheduled look at or below a.length, with its lower bound at the look's
 * nominal share of `lowerError` and its upper bound at that of `upperError`. Rounds past the look
 * wait for the next one, so stopping on a time budget between looks never spends error on an
 * unscheduled look. Before the first look the estimate uses all rounds, with the first look's errors.
 */
function boundsAtLook(a: readonly number[], b: readonly number[], margin: number, policy: SequentialPolicy, lowerError: number, upperError: number) {
  if (!(margin >= 0)) throw new Error(`margin must be non-negative, got ${margin}`);
  if (a.length !== b.length) throw new Error(`compareTimes needs samples of equal length (one value per round), got ${a.length} and ${b.length}`);
  const look = lastLookAt(a.length, policy);
  const rounds = look ?? a.length;
  const statistic = pairedLogStatistic(a.slice(0, rounds), b.slice(0, rounds), trimFor(rounds));
  const bounds = ratioBounds(statistic, lookError(lowerError, rounds, policy), lookError(upperError, rounds, policy));
  const estimate: RatioEstimate = look === null ? bounds : { ...bounds, look };
  return { estimate, statistic, look };
}

/**
 * True when the comparison, at a scheduled look, rules out `outcome`: for 'a-faster' ("a is faster
 * than b beyond the margin") the whole interval of a/b lies above 1/(1+m); for 'b-faster', below
 * 1+m. This is one side of the equivalence test, at the same per-look level, so its error rate is
 * bounded the same way. It settles "does a parallel model help?" with "no" both when the model is
 * equivalent to serial and when it is slower — and when the data cannot yet tell those two apart,
 * which does not matter for that question.
 */
export function rulesOut(
  comparison: Comparison,
  outcome: 'a-faster' | 'b-faster',
  margin: number,
  policy: SequentialPolicy,
): boolean {
  const e = comparison.estimate;
  if (e.n < Math.max(2, policy.minRounds)) return false;
  return outcome === 'a-faster' ? e.lower > 1 / (1 + margin) : e.upper < 1 + margin;
}

/** The last scheduled look at or before `rounds`, or null before the first. */
export function lastLookAt(rounds: number, policy: SequentialPolicy): number | null {
  const looks = lookSchedule(policy).filter((look) => look <= rounds);
  return looks.length > 0 ? looks[looks.length - 1]! : null;
}

/**
 * The three-outcome rule applied to one look's estimate (see compareTimes): exported so that
 * bench/estimators.mjs replays exactly the engine's rule under other estimators and schedules.
 */
export function outcomeOf(estimate: RatioEstimate, margin: number, policy: SequentialPolicy): ComparisonOutcome {
  const { n, ratio, lower, upper } = estimate;
  if (n < Math.max(2, policy.minRounds)) return 'unknown';
  const high = 1 + margin;
  const low = 1 / high;
  if (upper < 1 && ratio < low) return 'a-faster';
  if (lower > 1 && ratio > high) return 'b-faster';
  if (low < lower && upper < high) return 'equivalent';
  return 'unknown';
}

/**
 * compareTimes for values where lower is not "faster" (peak memory, speedups): the same test, with
 * outcomes that name the direction instead of a speed, so callers do not read 'a-faster' backwards.
 */
export function compareValues(
  a: readonly number[],
  b: readonly number[],
  margin: number,
  policy: SequentialPolicy,
): ValueComparison {
  const { outcome, estimate } = compareTimes(a, b, margin, policy);
  const named: Record<ComparisonOutcome, ValueOutcome> = { 'a-faster': 'lower', 'b-faster': 'higher', equivalent: 'equivalent', unknown: 'unknown' };
  return { outcome: named[outcome], estimate };
}
