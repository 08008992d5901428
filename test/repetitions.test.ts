import { describe, expect, it } from 'vitest';
import { trialValue } from '../src/core/repetitions.js';

describe('trialValue', () => {
  it('is the one repetition when there is only one', () => {
    expect(trialValue([0.25])).toBe(0.25);
  });

  it('is the middle value of an odd count, whatever the order', () => {
    expect(trialValue([3, 1, 2])).toBe(2);
    expect(trialValue([1, 100, 2, 3, 2.5])).toBe(2.5);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(trialValue([4, 1, 3, 2])).toBe(2.5);
  });

  it('ignores one disturbed repetition', () => {
    expect(trialValue([1.0, 1.1, 50])).toBe(1.1);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    trialValue(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty list', () => {
    expect(() => trialValue([])).toThrow(/at least one/);
  });
});
