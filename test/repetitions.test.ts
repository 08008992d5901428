import { describe, expect, it } from 'vitest';
import { trialValue } from '../src/core/repetitions.js';

describe('trialValue', () => {
  it('is the one repetition when there is only one', () => {
    expect(trialValue([0.25])).toBe(0.25);
  });

  it('is the mean of the repetitions, whatever the order', () => {
    expect(trialValue([3, 1, 2])).toBe(2);
    expect(trialValue([4, 1, 3, 2])).toBe(2.5);
    expect(trialValue([0.1, 0.2, 0.3, 0.4, 0.5])).toBeCloseTo(0.3, 12);
  });

  it('keeps every turn: a repetition slowed by a burst counts (its partners were slowed alike)', () => {
    expect(trialValue([1.0, 1.0, 1.6])).toBeCloseTo(1.2, 12);
  });

  it('does not change its input', () => {
    const values = [3, 1, 2];
    trialValue(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty list', () => {
    expect(() => trialValue([])).toThrow(/at least one/);
  });
});
