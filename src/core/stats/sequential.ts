// Sequential three-outcome comparison of two arms' times (a-faster, b-faster, equivalent, or not yet
// known), looked at after every round. Pure.
//
// Looking repeatedly and stopping at the first decision inflates false alarms if every look used
// the nominal α. We split α evenly over the K scheduled looks (Bonferroni): each look uses a
// 1 − α/K interval, so the chance that any look raises a false alarm stays ≤ α. It is conservative
// (looks are strongly correlated), but it is simple, exact as a bound, and needs no spending tables.
//
// Looks are scheduled, not taken after every round: at minRounds, at twice that, then every 5
// rounds, and at maxRounds (3, 6, 10, 15, 20, 25, 30 by default: K = 7). An early look on few
// degrees of freedom only catches large effects, so two suffice there; later looks add power
// evenly. Rounds between looks still add data; they only wait for the next look to decide.
// The schedule and the 25% trimming were chosen by replaying recorded real trials from this
// 2-core runner (bench/noise.mjs → bench/estimators.mjs); docs/statistics.md has the figures.

import type { Comparison, ComparisonOutcome, RatioEstimate, ValueComparison, ValueOutcome } from '../types.js';
import { pairedRatio } from './estimate.js';

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
  /** Overall false-alarm rate for one comparison, across all its looks. */
  alpha: number;
  /** First round count at which a decision may be taken. */
  minRounds: number;
  /** Last round count: an undecided comparison ends there as inconclusive. */
  maxRounds: number;
}

/** The rounds after which a comparison may decide: minRounds, 2·minRounds, every multiple of 5 after that, and maxRounds. */
export function lookSchedule(policy: SequentialPolicy): number[] {
  const first = Math.max(1, policy.minRounds);
  const last = Math.max(policy.maxRounds, first);
  const looks = new Set<number>([first]);
  if (2 * first < last) looks.add(2 * first);
  for (let rounds = 5 * (Math.floor((2 * first) / 5) + 1); rounds < last; rounds += 5) looks.add(rounds);
  looks.add(last);
  return [...looks].sort((x, y) => x - y);
}

/** Number of scheduled looks. */
export function lookCount(policy: SequentialPolicy): number {
  return lookSchedule(policy).length;
}

/** Confidence level of the interval used at each look: 1 − α/K. */
export function lookLevel(policy: SequentialPolicy): number {
  return 1 - policy.alpha / lookCount(policy);
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
  if (!(margin >= 0)) throw new Error(`margin must be non-negative, got ${margin}`);
  if (a.length !== b.length) throw new Error(`compareTimes needs samples of equal length (one value per round), got ${a.length} and ${b.length}`);
  const look = lastLookAt(a.length, policy);
  if (look === null) return { outcome: 'unknown', estimate: pairedRatio(a, b, lookLevel(policy), trimFor(a.length)) };
  const estimate = pairedRatio(a.slice(0, look), b.slice(0, look), lookLevel(policy), trimFor(look));
  return { outcome: outcomeOf(estimate, margin, policy), estimate };
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
