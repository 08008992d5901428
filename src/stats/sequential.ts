// Sequential three-outcome comparison of two arms' times (a-faster, b-faster, equivalent, or not yet
// known), looked at after every round. Pure.
//
// Looking after every round and stopping at the first decision inflates false alarms if every look
// used the nominal α. We split α evenly over the K possible looks (Bonferroni): each look uses a
// 1 − α/K interval, so the chance that any look raises a false alarm stays ≤ α. It is conservative
// (looks are strongly correlated), but it is simple, exact as a bound, and needs no spending tables.

import type { Comparison, ComparisonOutcome } from '../types.js';
import { pairedRatio } from './estimate.js';

export interface SequentialPolicy {
  /** Overall false-alarm rate for one comparison, across all its looks. */
  alpha: number;
  /** First round count at which a decision may be taken. */
  minRounds: number;
  /** Last round count: an undecided comparison ends there as inconclusive. */
  maxRounds: number;
}

/** Number of looks: one after each round from minRounds to maxRounds. */
export function lookCount(policy: SequentialPolicy): number {
  return Math.max(1, policy.maxRounds - policy.minRounds + 1);
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
 */
export function compareTimes(
  a: readonly number[],
  b: readonly number[],
  margin: number,
  policy: SequentialPolicy,
): Comparison {
  if (!(margin >= 0)) throw new Error(`margin must be non-negative, got ${margin}`);
  const estimate = pairedRatio(a, b, lookLevel(policy));
  return { outcome: decide(estimate.n, estimate.ratio, estimate.lower, estimate.upper, margin, policy), estimate };
}

function decide(
  n: number,
  ratio: number,
  lower: number,
  upper: number,
  margin: number,
  policy: SequentialPolicy,
): ComparisonOutcome {
  if (n < Math.max(2, policy.minRounds)) return 'unknown';
  const high = 1 + margin;
  const low = 1 / high;
  if (upper < 1 && ratio < low) return 'a-faster';
  if (lower > 1 && ratio > high) return 'b-faster';
  if (low < lower && upper < high) return 'equivalent';
  return 'unknown';
}
