import { describe, expect, it } from 'vitest';
import { holm } from '../src/core/stats/multiplicity.js';

describe('holm', () => {
  it('matches a hand-worked example', () => {
    // p = [0.01, 0.04, 0.03, 0.005], α = 0.05, m = 4. Sorted: 0.005 (#3), 0.01 (#0), 0.03 (#2), 0.04 (#1).
    //   0.005 ≤ 0.05/4 = 0.0125  reject #3
    //   0.01  ≤ 0.05/3 = 0.0167  reject #0
    //   0.03  > 0.05/2 = 0.025   stop: #2 and #1 kept (although 0.04 < 0.05 on its own).
    // Adjusted: 4·0.005 = 0.02; max(0.02, 3·0.01) = 0.03; max(0.03, 2·0.03) = 0.06; max(0.06, 1·0.04) = 0.06.
    const { rejected, adjusted } = holm([0.01, 0.04, 0.03, 0.005], 0.05);
    expect(rejected).toEqual([true, false, false, true]);
    expect(adjusted[0]).toBeCloseTo(0.03, 15);
    expect(adjusted[1]).toBeCloseTo(0.06, 15);
    expect(adjusted[2]).toBeCloseTo(0.06, 15);
    expect(adjusted[3]).toBeCloseTo(0.02, 15);
  });

  it('rejects more than Bonferroni when the step-down allows it', () => {
    // Bonferroni at 0.05/3 = 0.0167 rejects only 0.01; Holm: 0.01 ≤ 0.0167, 0.02 ≤ 0.025, 0.045 ≤ 0.05.
    expect(holm([0.045, 0.01, 0.02], 0.05).rejected).toEqual([true, true, true]);
  });

  it('caps adjusted p-values at 1, treats NaN as 1, and handles ties and empty input', () => {
    const { rejected, adjusted } = holm([0.5, Number.NaN, 0.5], 0.05);
    expect(adjusted).toEqual([1, 1, 1]);
    expect(rejected).toEqual([false, false, false]);
    expect(holm([0.02, 0.02], 0.05)).toEqual({ rejected: [true, true], adjusted: [0.04, 0.04] });
    expect(holm([], 0.05)).toEqual({ rejected: [], adjusted: [] });
  });

  it('with a single p-value is the plain test', () => {
    expect(holm([0.05], 0.05)).toEqual({ rejected: [true], adjusted: [0.05] });
    expect(holm([0.0501], 0.05).rejected).toEqual([false]);
  });
});
