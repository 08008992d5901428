import { describe, expect, it } from 'vitest';
import { pairedRatio, studentTQuantile } from '../src/core/stats/estimate.js';
import {
  compareTimes,
  isFinalLook,
  lastLookAt,
  lookCount,
  lookErrors,
  lookLevel,
  lookSchedule,
  rulesOut,
  TRIM,
  TRIM_FROM_ROUNDS,
  trimFor,
  type SequentialPolicy,
} from '../src/core/stats/sequential.js';
import type { ComparisonOutcome } from '../src/core/types.js';

const policy: SequentialPolicy = { alpha: 0.01, minRounds: 3, maxRounds: 20 };
const margin = 0.1;

/** Small deterministic noise in [−amplitude, +amplitude], different per round and per stream. */
function wobble(round: number, stream: number, amplitude: number): number {
  return 1 + amplitude * Math.sin(round * 2.3 + stream * 1.7);
}

/** Feed the rounds one at a time, as the runner does, and report the first decision. */
function runSequentially(a: readonly number[], b: readonly number[], p: SequentialPolicy) {
  for (let rounds = 1; rounds <= a.length; rounds++) {
    const comparison = compareTimes(a.slice(0, rounds), b.slice(0, rounds), margin, p);
    if (comparison.outcome !== 'unknown' || isFinalLook(rounds, p)) return { rounds, ...comparison };
  }
  throw new Error('ran out of rounds before the final look');
}

describe('looks', () => {
  it('schedules looks at min, twice min, every 5 rounds and max, and spends alpha over them', () => {
    expect(lookSchedule(policy)).toEqual([3, 6, 8, 10, 15, 20]);
    expect(lookSchedule({ alpha: 0.01, minRounds: 3, maxRounds: 30 })).toEqual([3, 6, 8, 10, 15, 20, 25, 30]);
    expect(lookSchedule({ alpha: 0.01, minRounds: 3, maxRounds: 7 })).toEqual([3, 6, 7]);
    expect(lookSchedule({ alpha: 0.01, minRounds: 4, maxRounds: 12 })).toEqual([4, 8, 10, 12]);
    expect(lookSchedule({ alpha: 0.01, minRounds: 2, maxRounds: 3 })).toEqual([2, 3]);
    expect(lookCount(policy)).toBe(6);
    // Pocock-type spending over 3/20, 6/20, …, 20/20 of the information: every look risks more than
    // an even (Bonferroni) share, since the looks share their data; the first the least.
    const nominal = lookErrors(0.01, policy);
    expect(nominal).toHaveLength(6);
    for (const e of nominal) expect(e).toBeGreaterThan(0.01 / 6);
    expect(lookLevel(policy)).toBeCloseTo(1 - 2 * nominal[0]!, 15);
    expect(lookLevel(policy, 10)).toBeCloseTo(1 - 2 * nominal[3]!, 15);
    expect([2, 3, 4, 7, 8, 19, 20, 25].map((r) => lastLookAt(r, policy))).toEqual([null, 3, 3, 6, 8, 15, 20, 20]);
    expect(lookCount({ alpha: 0.05, minRounds: 5, maxRounds: 5 })).toBe(1);
    // One look spends all of it: a one-sided 5% bound each side.
    expect(lookLevel({ alpha: 0.05, minRounds: 5, maxRounds: 5 })).toBeCloseTo(0.9, 6);
    expect(isFinalLook(19, policy)).toBe(false);
    expect(isFinalLook(20, policy)).toBe(true);
    expect(isFinalLook(21, policy)).toBe(true);
  });

  it('uses the per-look level for the interval', () => {
    // d = 0.1, 0.2, 0.3 (sd 0.1, n = 3, too few to trim): half width = t_{1 − ν, 2} · 0.1/√3 with ν
    // the first look's nominal one-sided share of α.
    const b = [1, 1, 1];
    const a = [Math.exp(0.1), Math.exp(0.2), Math.exp(0.3)];
    const { estimate } = compareTimes(a, b, margin, policy);
    const nu = lookErrors(0.01, policy)[0]!;
    expect(estimate.level).toBeCloseTo(1 - 2 * nu, 15);
    expect(estimate.look).toBe(3);
    const half = studentTQuantile(1 - nu, 2) * (0.1 / Math.sqrt(3));
    expect(Math.log(estimate.upper)).toBeCloseTo(0.2 + half, 10);
    expect(half).toBeGreaterThan(4.3027 * (0.1 / Math.sqrt(3))); // wider than the plain 95% interval
  });
});

describe('compareTimes', () => {
  const rounds = 20;
  const base = Array.from({ length: rounds }, (_, i) => 0.03 * wobble(i, 0, 0.03));

  it('decides an easy 1.5× case within 6 rounds, in both directions', () => {
    const slow = base.map((x, i) => 1.5 * x * wobble(i, 1, 0.03));
    const bSlower = runSequentially(base, slow, policy);
    expect(bSlower.outcome).toBe('a-faster');
    expect(bSlower.rounds).toBeLessThanOrEqual(6);
    expect(bSlower.estimate.ratio).toBeCloseTo(1 / 1.5, 1);
    const aSlower = runSequentially(slow, base, policy);
    expect(aSlower.outcome).toBe('b-faster');
    expect(aSlower.rounds).toBe(bSlower.rounds);
  });

  it('calls identical samples equivalent as soon as it may look', () => {
    const same = runSequentially(base, base, policy);
    expect(same).toMatchObject({ outcome: 'equivalent', rounds: 3 });
    expect(same.estimate).toMatchObject({ ratio: 1, lower: 1, upper: 1, pValue: 1 });
  });

  it('calls arms within ±3% of each other equivalent, later', () => {
    const close = base.map((x, i) => x * wobble(i, 2, 0.03));
    const result = runSequentially(close, base, policy);
    expect(result.outcome).toBe('equivalent');
    expect(result.rounds).toBeGreaterThan(3);
    expect(result.estimate.lower).toBeGreaterThan(1 / 1.1);
    expect(result.estimate.upper).toBeLessThan(1.1);
  });

  it('stays unknown when the noise is larger than the margin', () => {
    // Round-to-round log ratios swing by ±0.3 (about ±35%), far wider than the 10% margin.
    const noisy = base.map((x, i) => x * Math.exp(i % 2 === 0 ? 0.3 : -0.28));
    const result = runSequentially(noisy, base, policy);
    expect(result.outcome).toBe('unknown');
    expect(result.rounds).toBe(20);
  });

  it('does not decide before minRounds, however clear the difference', () => {
    const slow = base.map((x) => 3 * x);
    expect(compareTimes(slow.slice(0, 2), base.slice(0, 2), margin, policy).outcome).toBe('unknown');
    expect(compareTimes(slow.slice(0, 3), base.slice(0, 3), margin, policy).outcome).toBe('b-faster');
    // minRounds counts valid pairs: a failed trial (NaN) does not count as a round.
    const withFailure = [...slow.slice(0, 2), Number.NaN];
    expect(compareTimes(withFailure, base.slice(0, 3), margin, policy).outcome).toBe('unknown');
  });

  it('never decides on fewer than two pairs, even with minRounds 1', () => {
    const eager: SequentialPolicy = { alpha: 0.05, minRounds: 1, maxRounds: 10 };
    expect(compareTimes([2], [1], margin, eager).outcome).toBe('unknown');
    expect(compareTimes([], [], margin, eager).outcome).toBe('unknown');
  });

  it('a significant difference inside the margin is equivalent, not a-faster/b-faster', () => {
    // Exactly 3% slower every round: zero spread, so significant (p = 0), but within 10%.
    const slightly = base.map((x) => 1.03 * x);
    const result = compareTimes(slightly, base, margin, policy);
    expect(result.outcome).toBe('equivalent');
    expect(result.estimate.pValue).toBe(0);
  });

  it('a point estimate beyond the margin is not enough while the interval still covers 1', () => {
    // a ≈ 1.12·b with per-round swings of ±10%: the estimate sits beyond the 10% margin, but in
    // rounds 3–6 the interval is too wide to exclude 1 (and to fit inside the margin): unknown.
    const outcomes = new Set<ComparisonOutcome>();
    const a = base.map((x, i) => 1.12 * x * Math.exp(i % 2 === 0 ? 0.1 : -0.1));
    for (let n = 3; n <= 6; n++) outcomes.add(compareTimes(a.slice(0, n), base.slice(0, n), margin, policy).outcome);
    expect([...outcomes]).toEqual(['unknown']);
  });

  it('uses the plain mean at the early looks, where trimming would cost the degrees of freedom a 1.5× case needs', () => {
    // Paired log ratios of a 1.5× difference with this runner's paired sd of about 0.1 (placement on,
    // bench/noise.mjs): at 6 rounds the 25%-trimmed interval (df 3) is too wide to decide, the plain
    // one (df 5) decides.
    const spread = [0.1, -0.12, 0.05, -0.08, 0.13, -0.06];
    const a = spread.map((d) => Math.exp(d));
    const b = spread.map(() => 1.5);
    const level = lookLevel(policy, 6);
    expect(pairedRatio(a, b, level, TRIM).upper).toBeGreaterThan(1 / 1.1);
    const atSix = compareTimes(a, b, margin, policy);
    expect(atSix.estimate.n).toBe(6);
    expect(atSix.outcome).toBe('a-faster');
    expect(atSix.estimate.upper).toBeCloseTo(pairedRatio(a, b, level, 0).upper, 12);
    expect(trimFor(6)).toBe(0);
    expect(trimFor(TRIM_FROM_ROUNDS - 1)).toBe(0);
    expect(trimFor(TRIM_FROM_ROUNDS)).toBe(TRIM);
  });

  it('from 10 rounds on, trims: two burst rounds do not widen the interval', () => {
    const ten = Array.from({ length: 10 }, (_, i) => 0.8 * wobble(i, 5, 0.02));
    ten[2] = 1.6; // bursts in a
    ten[7] = 1.5;
    const ones = ten.map(() => 1);
    const result = compareTimes(ten, ones, margin, policy);
    expect(result.estimate.n).toBe(10);
    expect(result.estimate.upper).toBeCloseTo(pairedRatio(ten, ones, lookLevel(policy, 10), TRIM).upper, 12);
    expect(result.outcome).toBe('a-faster');
    expect(pairedRatio(ten, ones, lookLevel(policy, 10), 0).upper).toBeGreaterThan(1);
  });

  it('one outlier round delays the decision but does not flip it', () => {
    const close = base.map((x, i) => x * wobble(i, 2, 0.03));
    close[4] = close[4]! * 3; // one round where a hiccup tripled a's time
    const result = runSequentially(close, base, policy);
    expect(result.outcome).not.toBe('b-faster');
    expect(result.outcome).not.toBe('a-faster');
  });

  it('decides through bursts: two rounds where a neighbour slowed the faster arm 40% do not hide a 1.25× difference', () => {
    const fast = base.map((x, i) => x * wobble(i, 3, 0.01) * (i === 1 || i === 6 ? 1.4 : 1));
    const slow = base.map((x, i) => 1.25 * x * wobble(i, 4, 0.01));
    // The plain mean of the log ratios sees sd ≈ 0.14 with these bursts; the 25%-trimmed mean drops them.
    const result = runSequentially(fast, slow, policy);
    expect(result.outcome).toBe('a-faster');
    expect(result.rounds).toBeLessThanOrEqual(10);
    expect(result.estimate.ratio).toBeCloseTo(1 / 1.25, 2);
  });

  it('rulesOut: true once the whole interval of a/b lies above 1/(1+m), only at a look', () => {
    // a is 5% slower than b within ±1%: at round 3 the interval is already above 1/1.1.
    const slower = base.map((x, i) => 1.05 * x * wobble(i, 5, 0.01));
    expect(rulesOut(compareTimes(slower.slice(0, 3), base.slice(0, 3), margin, policy), 'a-faster', margin, policy)).toBe(true);
    // Before the first look nothing is ruled out, however clear.
    expect(rulesOut(compareTimes(slower.slice(0, 2), base.slice(0, 2), margin, policy), 'a-faster', margin, policy)).toBe(false);
    // a 1.5× faster: the interval sits below 1/1.1, so a gain is not ruled out (it is shown).
    const faster = base.map((x) => x / 1.5);
    expect(rulesOut(compareTimes(faster.slice(0, 6), base.slice(0, 6), margin, policy), 'a-faster', margin, policy)).toBe(false);
    // Swings of ±30%: the interval reaches below 1/1.1, nothing is ruled out yet.
    const noisy = base.map((x, i) => x * Math.exp(i % 2 === 0 ? 0.3 : -0.28));
    expect(rulesOut(compareTimes(noisy.slice(0, 6), base.slice(0, 6), margin, policy), 'a-faster', margin, policy)).toBe(false);
  });

  it('rejects a negative margin and unequal lengths', () => {
    expect(() => compareTimes([1, 2, 3], [1, 2, 3], -0.1, policy)).toThrow(/margin/);
    expect(() => compareTimes([1, 2, 3], [1, 2], 0.1, policy)).toThrow(/equal length/);
  });
});
