import { describe, expect, it } from 'vitest';
import { hodgesLehmann, pairedRatio, studentTCdf, studentTQuantile, summarize } from '../src/core/stats/estimate.js';

describe('studentTQuantile / studentTCdf', () => {
  it('matches the printed t table', () => {
    // Two-sided t table (e.g. Student's t table in any statistics textbook, NIST/SEMATECH e-Handbook 1.3.6.7.2):
    // t_{0.975,5} = 2.5706, t_{0.995,10} = 3.1693, t_{0.975,1} = 12.706, t_{0.95,30} = 1.6973,
    // t_{0.9995,1} = 636.62, t_{0.975,∞} = 1.9600 (the normal quantile).
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5706, 4);
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.1693, 4);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.6973, 4);
    expect(studentTQuantile(0.9995, 1)).toBeCloseTo(636.62, 2);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.96, 3);
  });

  it('is symmetric and inverts the CDF, far into the tails', () => {
    expect(studentTQuantile(0.5, 4)).toBe(0);
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-2.5706, 4);
    for (const df of [1, 2, 3.5, 7, 40]) {
      for (const p of [1e-6, 0.0003, 0.1, 0.7, 0.9997]) {
        const t = studentTQuantile(p, df);
        // Relative check: p near 1e-6 needs the tail computed directly, not as 1 − (something near 1).
        expect(Math.abs(studentTCdf(t, df) - p) / Math.min(p, 1 - p)).toBeLessThan(1e-7);
      }
    }
    expect(studentTQuantile(0, 3)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTQuantile(1, 3)).toBe(Number.POSITIVE_INFINITY);
  });

  it('matches the closed forms for df = 1 and df = 2', () => {
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
    // df = 2 has F(t) = 1/2 + t / (2·sqrt(2 + t²)).
    for (const t of [-30, -2, -0.3, 0, 0.5, 4, 100]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('rejects nonsense arguments', () => {
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom/);
    expect(() => studentTQuantile(1.5, 3)).toThrow(/probability/);
    expect(() => studentTCdf(1, -1)).toThrow(/degrees of freedom/);
  });
});

describe('summarize', () => {
  it('gives median, extremes and the coefficient of variation', () => {
    // mean 2.5, sample sd sqrt(((1.5²+0.5²)·2)/3) = sqrt(5/3) = 1.29099; cv = 0.516398.
    const s = summarize([4, 1, 3, 2]);
    expect(s).toMatchObject({ n: 4, median: 2.5, min: 1, max: 4 });
    expect(s.cv).toBeCloseTo(0.516398, 6);
  });

  it('copes with one value and with none', () => {
    expect(summarize([0.7])).toEqual({ n: 1, median: 0.7, min: 0.7, max: 0.7, cv: 0 });
    expect(summarize([]).n).toBe(0);
    expect(summarize([]).cv).toBe(0);
  });
});

describe('pairedRatio', () => {
  it('matches a hand computation', () => {
    // d = ln(a/b) = 0.1, 0.2, 0.3: mean 0.2, sd 0.1, se = 0.1/√3 = 0.0577350.
    // 95%: t_{0.975,2} = 4.302653 (t table 4.3027; df = 2 closed form (2p − 1)·√(2 / (4p(1 − p))))
    //   → half width 4.302653 · 0.0577350 = 0.248414 → CI exp(0.2 ∓ 0.248414)
    //   = [exp(−0.048414), exp(0.448414)] = [0.952739, 1.565826]; estimate exp(0.2) = 1.221403.
    // p: T = 0.2 / 0.0577350 = 3.464102; df = 2 closed form P(T ≥ t) = ½(1 − t/√(2 + t²))
    //   = ½(1 − 3.464102/3.741657) = 0.0370901 → two-sided p = 0.0741801.
    const b = [1, 2, 4];
    const a = [Math.exp(0.1), 2 * Math.exp(0.2), 4 * Math.exp(0.3)];
    const r = pairedRatio(a, b, 0.95);
    expect(r.n).toBe(3);
    expect(r.level).toBe(0.95);
    expect(r.ratio).toBeCloseTo(1.221403, 6);
    expect(r.lower).toBeCloseTo(0.952739, 5);
    expect(r.upper).toBeCloseTo(1.565826, 5);
    expect(r.pValue).toBeCloseTo(0.0741801, 6);
    // Swapping the arms inverts the ratio and its interval; the p-value is unchanged.
    const swapped = pairedRatio(b, a, 0.95);
    expect(swapped.ratio).toBeCloseTo(1 / r.ratio, 12);
    expect(swapped.lower).toBeCloseTo(1 / r.upper, 12);
    expect(swapped.pValue).toBeCloseTo(r.pValue, 12);
  });

  it('throws on samples of different lengths: only paired rounds are supported', () => {
    expect(() => pairedRatio([1, 2, 3], [1, 2], 0.95)).toThrow(/equal length/);
  });

  it('ignores pairs where either time is missing, zero, negative or infinite', () => {
    const clean = pairedRatio([1.1, 2.4, 3.3], [1, 2, 3], 0.9);
    const dirty = pairedRatio([1.1, Number.NaN, 2.4, 5, 3.3, -1, 7], [1, 2, 2, 0, 3, 1, Infinity], 0.9);
    expect(dirty).toEqual(clean);
  });

  it('with n = 0 or 1 gives the uninformative interval [0, ∞) and p = 1', () => {
    expect(pairedRatio([], [], 0.95)).toEqual({ ratio: 1, lower: 0, upper: Infinity, level: 0.95, pValue: 1, n: 0 });
    const one = pairedRatio([3], [2], 0.95);
    expect(one).toMatchObject({ lower: 0, upper: Infinity, pValue: 1, n: 1 });
    expect(one.ratio).toBeCloseTo(1.5, 12);
  });

  it('with n = 2 uses df = 1 (the t table value 12.706)', () => {
    // d = ln 1.1, ln 1.3: mean m, sd = |d1 − d2|/√2, se = sd/√2 = |d1 − d2|/2; half width 12.706·se.
    const d1 = Math.log(1.1);
    const d2 = Math.log(1.3);
    const r = pairedRatio([1.1, 1.3], [1, 1], 0.95);
    const m = (d1 + d2) / 2;
    const half = 12.7062047 * (Math.abs(d1 - d2) / 2);
    expect(r.lower).toBeCloseTo(Math.exp(m - half), 6);
    expect(r.upper).toBeCloseTo(Math.exp(m + half), 6);
    // df = 1, T = m / se; Cauchy: p = 1 − 2·atan(T)/π.
    expect(r.pValue).toBeCloseTo(1 - (2 * Math.atan(m / (Math.abs(d1 - d2) / 2))) / Math.PI, 10);
  });

  it('with zero spread collapses the interval to the point', () => {
    const slower = pairedRatio([2, 4, 6], [1, 2, 3], 0.99);
    expect(slower).toEqual({ ratio: 2, lower: 2, upper: 2, level: 0.99, pValue: 0, n: 3 });
    const same = pairedRatio([1, 2, 3], [1, 2, 3], 0.99);
    expect(same).toEqual({ ratio: 1, lower: 1, upper: 1, level: 0.99, pValue: 1, n: 3 });
  });

  it('a single outlier round widens the interval instead of producing a difference', () => {
    // Nine rounds within ±1% of each other, then one round where a took 3× as long.
    const b = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const a = [1.01, 0.99, 1.0, 1.01, 0.99, 1.0, 1.01, 0.99, 1.0, 3];
    const r = pairedRatio(a, b, 0.99);
    expect(r.ratio).toBeGreaterThan(1.1); // the mean of logs is pulled up by ln 3 / 10 …
    expect(r.lower).toBeLessThan(1); // … but the t interval still covers 1,
    expect(r.pValue).toBeGreaterThan(0.01); // so it is not significant at 1%.
  });
});

describe('pairedRatio with trimming (Yuen)', () => {
  it('matches a hand computation (n = 5, 20% trimmed: g = 1)', () => {
    // d = 1, 2, 3, 4, 100 (as log ratios: a = b·e^d). g = ⌊0.2·5⌋ = 1.
    // Trimmed: 2, 3, 4 → estimate 3. Winsorized: 2, 2, 3, 4, 4 → mean 3, s_w² = (1+1+0+1+1)/4 = 1.
    // se = s_w / ((1 − 2g/n)·√n) = 1 / (0.6·√5) = 0.745356; df = n − 2g − 1 = 2.
    // 95%: t_{0.975,2} = 4.302653 → half width 3.207008 → [exp(−0.207008), exp(6.207008)].
    // p: T = 3 / 0.745356 = 4.024922; df 2: P(T ≥ t) = ½(1 − t/√(2 + t²)) = ½(1 − 4.024922/4.266145)
    //   = 0.0282718 → two-sided 0.0565437.
    const b = [1, 1, 1, 1, 1];
    const a = [1, 2, 3, 4, 100].map(Math.exp);
    const r = pairedRatio(a, b, 0.95, 0.2);
    expect(r.n).toBe(5);
    expect(Math.log(r.ratio)).toBeCloseTo(3, 10);
    expect(Math.log(r.lower)).toBeCloseTo(-0.207008, 5);
    expect(Math.log(r.upper)).toBeCloseTo(6.207008, 5);
    expect(r.pValue).toBeCloseTo(0.0565437, 6);
  });

  it('equals the plain t interval when nothing is trimmed (n < 5 at 20%, or trim 0)', () => {
    const a = [1.1, 2.5, 3.2, 4.1];
    const b = [1, 2, 3, 4];
    expect(pairedRatio(a, b, 0.99, 0.2)).toEqual(pairedRatio(a, b, 0.99, 0));
    expect(pairedRatio(a, b, 0.99)).toEqual(pairedRatio(a, b, 0.99, 0));
  });

  it('shrugs off a single outlier round that the mean follows', () => {
    // Nine rounds where a is 20% slower within ±1%, one where a burst made b 3× slower.
    const b = [1, 1, 1, 1, 1, 1, 1, 1, 1, 3];
    const a = [1.21, 1.19, 1.2, 1.21, 1.19, 1.2, 1.21, 1.19, 1.2, 1.2];
    const plain = pairedRatio(a, b, 0.99, 0);
    const trimmed = pairedRatio(a, b, 0.99, 0.2);
    expect(plain.lower).toBeLessThan(1); // the outlier round drags the mean and widens the interval
    expect(trimmed.ratio).toBeCloseTo(1.2, 2);
    expect(trimmed.lower).toBeGreaterThan(1.15);
    expect(trimmed.upper).toBeLessThan(1.25);
  });

  it('keeps two values when trimming would leave fewer, and handles ties', () => {
    // n = 2 at any trim: nothing can be trimmed (g = 0).
    expect(pairedRatio([1.1, 1.3], [1, 1], 0.95, 0.45)).toEqual(pairedRatio([1.1, 1.3], [1, 1], 0.95, 0));
    // Ties at the winsorizing edges: d = 0, 0, 0, 0, 0.5 → winsorized all 0 → no spread, estimate 0.
    const tied = pairedRatio([1, 1, 1, 1, Math.exp(0.5)], [1, 1, 1, 1, 1], 0.99, 0.2);
    expect(tied).toEqual({ ratio: 1, lower: 1, upper: 1, level: 0.99, pValue: 1, n: 5 });
  });

  it('rejects a trim outside [0, 0.5)', () => {
    expect(() => pairedRatio([1, 2], [1, 2], 0.95, 0.5)).toThrow(/trim/);
    expect(() => pairedRatio([1, 2], [1, 2], 0.95, -0.1)).toThrow(/trim/);
  });
});

describe('hodgesLehmann', () => {
  it('matches a hand computation with n = 4', () => {
    // d = 1, 2, 4, 9. Walsh averages (d_i + d_j)/2, i ≤ j:
    //   1, 1.5, 2.5, 5,  2, 3, 5.5,  4, 6.5,  9  → sorted 1, 1.5, 2, 2.5, 3, 4, 5, 5.5, 6.5, 9 (M = 10).
    // Estimate: median = (3 + 4)/2 = 3.5.
    // Signed-rank null, n = 4 (16 sign patterns): P(T⁺ ≤ 0) = 1/16, P(T⁺ ≤ 1) = 2/16, P(T⁺ ≤ 2) = 3/16.
    // Level 0.75 allows 0.125 per tail → c = 1, k = 2 → [W(2), W(9)] = [1.5, 6.5], achieved 1 − 2·2/16 = 0.75.
    expect(hodgesLehmann([9, 1, 4, 2], 0.75)).toEqual({ estimate: 3.5, lower: 1.5, upper: 6.5, level: 0.75 });
  });

  it('uses the Wilcoxon table critical value (n = 8, two-sided 5%: T ≤ 3)', () => {
    // Wilcoxon signed-rank table: n = 8, α = 0.05 two-sided → critical value 3, so k = 4.
    // P(T⁺ ≤ 3) = (1 + 1 + 1 + 2)/256 = 5/256 → achieved level 1 − 10/256 = 0.9609375.
    // d = 1..8: Walsh averages sorted start 1, 1.5, 2, 2, … and end … 7, 7.5, 8 → W(4) = 2, W(33) = 7.
    const r = hodgesLehmann([1, 2, 3, 4, 5, 6, 7, 8], 0.95);
    expect(r).toEqual({ estimate: 4.5, lower: 2, upper: 7, level: 0.9609375 });
  });

  it('returns the widest interval when the level is unreachable for small n', () => {
    // n = 3: the smallest two-sided tail is 2/2³ = 0.25, so 95% is unreachable: min..max of the
    // Walsh averages (−0.1, 0.1, 0.2, 0.3, 0.4, 0.5), with its true level 0.75.
    expect(hodgesLehmann([-0.1, 0.3, 0.5], 0.95)).toEqual({ estimate: 0.25, lower: -0.1, upper: 0.5, level: 0.75 });
  });

  it('handles ties and ignores non-finite values', () => {
    // d = 0.1, 0.1, 0.2, 0.2 → Walsh: 0.1, 0.1, 0.15, 0.15, 0.1, 0.15, 0.15, 0.2, 0.2, 0.2 → median 0.15.
    const r = hodgesLehmann([0.1, Number.NaN, 0.1, 0.2, Infinity, 0.2], 0.75);
    expect(r.estimate).toBeCloseTo(0.15, 12);
    expect(r.lower).toBeCloseTo(0.1, 12);
    expect(r.upper).toBeCloseTo(0.2, 12);
    expect(hodgesLehmann([], 0.9)).toEqual({ estimate: 0, lower: -Infinity, upper: Infinity, level: 1 });
  });

  it('shrugs off the outlier that moves the mean', () => {
    // The same data as the pairedRatio outlier case: HL stays at 0 while the mean moves to ln 3 / 10.
    const d = [0.01, -0.01, 0, 0.01, -0.01, 0, 0.01, -0.01, 0, Math.log(3)];
    expect(Math.abs(hodgesLehmann(d, 0.99).estimate)).toBeLessThan(0.011);
  });

  it('uses the normal approximation above n = 30 and reaches the requested level', () => {
    // d = 0..39: M = 820 Walsh averages. Normal approximation: E T⁺ = 410, sd = sqrt(40·41·81/24) = 74.398;
    // c = floor(410 − 0.5 − 1.95996·74.398) = floor(263.68) = 263 → k = 264; W(264) = 15.5 (counted below).
    const d = Array.from({ length: 40 }, (_, i) => i);
    const walsh: number[] = [];
    for (let i = 0; i < 40; i++) for (let j = i; j < 40; j++) walsh.push((d[i]! + d[j]!) / 2);
    walsh.sort((x, y) => x - y);
    const r = hodgesLehmann(d, 0.95);
    expect(r.estimate).toBe(19.5);
    expect(r.lower).toBe(walsh[263]);
    expect(r.lower).toBe(15.5);
    expect(r.upper).toBe(walsh[820 - 264]);
    expect(r.level).toBeGreaterThanOrEqual(0.95);
    expect(r.level).toBeLessThan(0.96);
  });
});
