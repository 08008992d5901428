import { describe, expect, it } from 'vitest';
import { studentTQuantile } from '../src/core/stats/estimate.js';
import { crossingProbabilities, normalCdf, normalUpperQuantile, obrienFlemingSpending, pocockSpending, spendingBoundary } from '../src/core/stats/spending.js';
import { compareToBase, lookErrors, lookSchedule, type SequentialPolicy } from '../src/core/stats/sequential.js';

const looks = [3, 6, 8, 10, 15, 20, 25, 30];
const fractions = looks.map((r) => r / 30);

describe('error spending (plain numbers)', () => {
  it('the normal tail keeps its precision far out', () => {
    expect(normalUpperQuantile(0.025)).toBeCloseTo(1.959964, 5);
    expect(normalUpperQuantile(0.001)).toBeCloseTo(3.090232, 5);
    expect(1 - normalCdf(normalUpperQuantile(1e-6))).toBeCloseTo(1e-6, 11);
  });

  it('one look at full information is the fixed one-sided test', () => {
    const b = spendingBoundary(0.05, [1]);
    expect(b.z[0]).toBeCloseTo(1.644854, 5);
    expect(b.nominal[0]).toBeCloseTo(0.05, 8);
  });

  it("reproduces the published boundaries: O'Brien–Fleming type 2.963, 1.969 and Pocock type 2.157, 2.201 (two looks, one-sided 0.025)", () => {
    const obf = spendingBoundary(0.025, [0.5, 1], obrienFlemingSpending);
    expect(obf.z[0]).toBeCloseTo(2.963, 2);
    expect(obf.z[1]).toBeCloseTo(1.969, 2);
    const pocock = spendingBoundary(0.025, [0.5, 1], pocockSpending);
    expect(pocock.z[0]).toBeCloseTo(2.157, 2);
    expect(pocock.z[1]).toBeCloseTo(2.201, 2);
  });

  it('spends exactly alpha (1%) and beta (5%) over the looks', () => {
    for (const error of [0.01, 0.05]) {
      const b = spendingBoundary(error, fractions);
      const crossing = crossingProbabilities(b.z, fractions);
      // The chance of a first crossing at each look is the spending function's increment ...
      crossing.forEach((p, k) => expect(p).toBeCloseTo(b.spent[k]! - (k > 0 ? b.spent[k - 1]! : 0), 6));
      // ... and over all looks it is the error, to the grid's precision.
      expect(crossing.reduce((x, y) => x + y, 0)).toBeCloseTo(error, 6);
      expect(b.spent.at(-1)).toBe(error);
    }
  });

  it('is monotone: spending grows with information, boundaries fall with the error, each look risks more than an even share', () => {
    for (let i = 1; i <= 100; i++) expect(pocockSpending(0.05, i / 100)).toBeGreaterThan(pocockSpending(0.05, (i - 1) / 100));
    const strict = spendingBoundary(0.01, fractions);
    const loose = spendingBoundary(0.05, fractions);
    strict.z.forEach((z, k) => expect(z).toBeGreaterThan(loose.z[k]!));
    for (const e of strict.nominal) expect(e).toBeGreaterThan(0.01 / looks.length);
    // O'Brien–Fleming type boundaries fall look by look; Pocock type ones stay nearly flat.
    const obf = spendingBoundary(0.05, fractions, obrienFlemingSpending);
    obf.z.slice(1).forEach((z, k) => expect(z).toBeLessThan(obf.z[k]!));
    // Bonferroni's even split spends less than its error: the looks overlap.
    const even = looks.map(() => normalUpperQuantile(0.05 / looks.length));
    expect(crossingProbabilities(even, fractions).reduce((x, y) => x + y, 0)).toBeLessThan(0.05 * 0.8);
  });

  it('a hand-computed sequence stops where computed', () => {
    // head/base of an A/A-like gate: d_i = ln(head/base) alternating ±0.05 around 0 (sd ≈ 0.0535 for
    // six values: 0.05·√(6/5)). With β = 5% spent over looks 3, 6, 10, …, 30 the pass needs the upper
    // bound exp(mean + t_{1−ν_k, n−1}·sd/√n) below 1.1 (looks 3, 6, 8, 10, …).
    const policy: SequentialPolicy = { alpha: 0.01, beta: 0.05, minRounds: 3, maxRounds: 30 };
    expect(lookSchedule(policy)).toEqual(looks);
    const d = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 0.05 : -0.05));
    const head = d.map((x) => Math.exp(x));
    const base = d.map(() => 1);
    const nu = lookErrors(0.05, policy);
    // By hand: at 3 rounds d = 0.05, −0.05, 0.05: mean 0.01667, sd 0.05774, se 0.03333, df 2.
    const upper3 = 0.05 / 3 + studentTQuantile(1 - nu[0]!, 2) * (0.05774 / Math.sqrt(3));
    expect(upper3).toBeGreaterThan(Math.log(1.1)); // t_{1−ν₁,2} ≈ 11: not yet
    // At 6 rounds: mean 0, sd 0.05477, se 0.02236, df 5.
    const upper6 = studentTQuantile(1 - nu[1]!, 5) * 0.05477 / Math.sqrt(6);
    expect(upper6).toBeLessThan(Math.log(1.1)); // passes here
    for (let n = 1; n <= 5; n++) expect(compareToBase(head.slice(0, n), base.slice(0, n), 0.1, policy).outcome).toBe('unknown');
    const at6 = compareToBase(head.slice(0, 6), base.slice(0, 6), 0.1, policy);
    expect(at6.outcome).toBe('equivalent');
    expect(at6.estimate.look).toBe(6);
    expect(Math.log(at6.estimate.upper)).toBeCloseTo(upper6, 4);
  });
});

describe('compareToBase: the one-sided gate', () => {
  const policy: SequentialPolicy = { alpha: 0.01, beta: 0.05, minRounds: 3, maxRounds: 30 };
  const wobble = (i: number, amplitude: number) => 1 + amplitude * Math.sin(i * 2.3 + 0.4);
  const base = Array.from({ length: 30 }, () => 1);

  it('flags a clear slowdown as a regression from the lower bound at alpha', () => {
    const slow = base.map((_, i) => 1.3 * wobble(i, 0.03));
    const c = compareToBase(slow.slice(0, 6), base.slice(0, 6), 0.1, policy);
    expect(c.outcome).toBe('b-faster');
    expect(c.estimate.lower).toBeGreaterThan(1);
  });

  it('reports an improvement when the upper bound at alpha is below 1', () => {
    const fast = base.map((_, i) => 0.7 * wobble(i, 0.03));
    expect(compareToBase(fast.slice(0, 6), base.slice(0, 6), 0.1, policy).outcome).toBe('a-faster');
  });

  it('passes a head a little slower, inside the threshold, once the upper bound at beta is below 1 + threshold', () => {
    const bitSlower = base.map((_, i) => 1.03 * wobble(i, 0.02));
    const c = compareToBase(bitSlower.slice(0, 6), base.slice(0, 6), 0.1, policy);
    expect(c.outcome).toBe('equivalent');
    expect(c.estimate.upper).toBeLessThan(1.1);
  });

  it('never passes a head exactly threshold slower with little noise, and flags it only once shown beyond', () => {
    const atThreshold = base.map((_, i) => 1.1 * wobble(i, 0.02));
    for (let n = 3; n <= 30; n++) expect(compareToBase(atThreshold.slice(0, n), base.slice(0, n), 0.1, policy).outcome).not.toBe('equivalent');
  });

  it('beta is the gate’s own: a larger beta passes sooner', () => {
    const noisy = base.map((_, i) => wobble(i, 0.09));
    const strict = compareToBase(noisy.slice(0, 6), base.slice(0, 6), 0.1, { ...policy, beta: 0.001 });
    const loose = compareToBase(noisy.slice(0, 6), base.slice(0, 6), 0.1, policy);
    expect(loose.estimate.upper).toBeLessThan(strict.estimate.upper);
    expect(loose.estimate.lower).toBeCloseTo(strict.estimate.lower, 12);
  });
});
