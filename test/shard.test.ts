import { describe, expect, it } from 'vitest';
import { TRIAL_NOISE } from '../src/core/plan.js';
import { costsFromResults, parseShard, quantizeCost, shardOf, shardRecord, workloadsOfShard, ShardError, type WorkloadCost } from '../src/core/shard.js';

describe('parseShard', () => {
  it('reads INDEX/COUNT, counting legs from 1', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });

  it.each([
    ['2-4', /expected INDEX\/COUNT such as "2\/4", got "2-4"/],
    ['0/4', /index must be from 1 to 4 \(legs count from 1\), got 0/],
    ['5/4', /index must be from 1 to 4.*got 5/],
    ['1/0', /count must be from 1 to 256, got 0/],
    ['', /expected INDEX\/COUNT/],
  ])('refuses %j with a message saying what is wrong', (text, message) => {
    expect(() => parseShard(text)).toThrow(ShardError);
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe('quantizeCost', () => {
  it('rounds to the nearest power of the step, so a few percent of noise lands in one bucket', () => {
    expect(quantizeCost(0.5 * 0.93)).toBe(0.5);
    expect(quantizeCost(0.5 * 1.08)).toBe(0.5);
    expect(quantizeCost(3)).toBe(4);
    expect(quantizeCost(1.3, Math.SQRT2)).toBeCloseTo(Math.SQRT2, 12);
  });

  it('puts failed probes (zero, negative, NaN) in a zero bucket', () => {
    expect(quantizeCost(0)).toBe(0);
    expect(quantizeCost(-1)).toBe(0);
    expect(quantizeCost(Number.NaN)).toBe(0);
  });
});

// Twenty workloads whose costs sit near powers of two, as a repository's benchmarks might.
const TWENTY: WorkloadCost[] = Array.from({ length: 20 }, (_, i) => ({ name: `w${String(i).padStart(2, '0')}`, cost: 2 ** ((i * 7) % 6 - 2) }));

describe('shardOf', () => {
  it('assigns every workload to exactly one leg, and every leg gets work', () => {
    const split = shardOf(TWENTY, 4);
    expect([...split.keys()].sort()).toEqual(TWENTY.map((w) => w.name).sort());
    expect(new Set(split.values())).toEqual(new Set([0, 1, 2, 3]));
  });

  it('balances by cost: longest processing time first', () => {
    for (const count of [2, 3, 4]) {
      const split = shardOf(TWENTY, count);
      const loads = Array.from({ length: count }, (_, leg) => TWENTY.filter((w) => split.get(w.name) === leg).reduce((s, w) => s + w.cost, 0));
      const mean = loads.reduce((a, b) => a + b) / count;
      for (const load of loads) expect(Math.abs(load - mean) / mean).toBeLessThan(0.25);
    }
  });

  it('one big workload and small ones: the big one gets a leg of its own', () => {
    const split = shardOf([{ name: 'big', cost: 8 }, { name: 'a', cost: 1 }, { name: 'b', cost: 1 }, { name: 'c', cost: 1 }], 2);
    expect(split.get('a')).toBe(split.get('b'));
    expect(split.get('a')).toBe(split.get('c'));
    expect(split.get('big')).not.toBe(split.get('a'));
  });

  it('gives the same split in every leg: input order, a few percent of noise and a slower machine do not matter', () => {
    const reference = shardOf(TWENTY, 4, { referenceSeconds: 0.1 });
    const noisy = TWENTY.map((w, i) => ({ name: w.name, cost: w.cost * (1 + ((i % 5) - 2) * 0.03) })).reverse();
    expect(shardOf(noisy, 4, { referenceSeconds: 0.1 })).toEqual(reference);
    // A leg on a runner 1.7× slower measures every cost 1.7× larger, and its reference loop too.
    const slower = TWENTY.map((w) => ({ name: w.name, cost: w.cost * 1.7 }));
    expect(shardOf(slower, 4, { referenceSeconds: 0.17 })).toEqual(reference);
  });

  it('normalizing by machine speed keeps a cost from crossing a bucket boundary on a slower leg', () => {
    const fast = [{ name: 'a', cost: 1.3 }, { name: 'b', cost: 1 }, { name: 'c', cost: 1 }];
    const slow = fast.map((w) => ({ name: w.name, cost: w.cost * 1.2 }));
    expect(shardOf(slow, 2)).not.toEqual(shardOf(fast, 2));
    expect(shardOf(slow, 2, { referenceSeconds: 0.12 })).toEqual(shardOf(fast, 2, { referenceSeconds: 0.1 }));
  });

  it('breaks ties by name, not by the order the config happened to list them', () => {
    const same = ['d', 'b', 'a', 'c'].map((name) => ({ name, cost: 1 }));
    const split = shardOf(same, 2);
    expect(shardOf([...same].reverse(), 2)).toEqual(split);
    expect(split.get('a')).toBe(0);
    expect(split.get('b')).toBe(1);
  });

  it('spreads workloads whose probe failed (no cost) instead of piling them on one leg', () => {
    const split = shardOf(['a', 'b', 'c', 'd'].map((name) => ({ name, cost: 0 })), 2);
    expect([...split.values()].filter((leg) => leg === 0)).toHaveLength(2);
  });

  it('more legs than workloads leaves some legs empty, which is fine', () => {
    const split = shardOf([{ name: 'only', cost: 1 }], 3);
    expect(split.get('only')).toBe(0);
  });

  it('refuses a workload named twice', () => {
    expect(() => shardOf([{ name: 'a', cost: 1 }, { name: 'a', cost: 2 }], 2)).toThrow(/"a" appears twice/);
  });
});

describe('shardRecord', () => {
  it('records the whole split (1-based), the costs behind it and the config order', () => {
    const record = shardRecord({ index: 2, count: 2 }, [{ name: 'zeta', cost: 1 }, { name: 'alpha', cost: 1.9 }, { name: 'mid', cost: 1 }]);
    expect(record).toMatchObject({ index: 2, count: 2, order: ['zeta', 'alpha', 'mid'] });
    expect(record.assignment).toEqual({ alpha: 1, mid: 2, zeta: 2 });
    expect(record.costs).toEqual({ alpha: 2, mid: 1, zeta: 1 });
    expect(record.measured['alpha']).toBe(1.9);
    expect(workloadsOfShard(record).sort()).toEqual(['mid', 'zeta']);
  });
});

describe('costsFromResults', () => {
  it('takes a leg file\'s probed costs, else the serial arm\'s median, else the median of the known costs', () => {
    const previous = {
      shard: { measured: { a: 0.5, b: 0.25 } },
      workloads: [
        { name: 'b', arms: [{ model: 'serial', wall: { median: 9 } }] },
        { name: 'c', arms: [{ model: 'threads', wall: { median: 0.1 } }, { model: 'serial', wall: { median: 2 } }] },
      ],
    };
    expect(costsFromResults(previous, ['a', 'b', 'c', 'new'])).toEqual([
      { name: 'a', cost: 0.5 },
      { name: 'b', cost: 0.25 },
      { name: 'c', cost: 2 },
      { name: 'new', cost: 0.5 },
    ]);
  });

  it('takes what each workload\'s head trials took from a results file with values, before the serial median', () => {
    const rep = (wall: number) => ({ wallSeconds: wall, steadySeconds: wall, startupSeconds: 0, cpuSeconds: wall });
    const trial = (workload: string, side: 'head' | 'base', wall: number) => ({ workload, side, arm: { model: 'serial' as const, workers: 1 }, outcome: { ok: true, repetitions: [rep(wall)] } });
    const previous = {
      workloads: [{ name: 'a', arms: [{ model: 'serial', wall: { median: 9 } }] }, { name: 'b', arms: [{ model: 'serial', wall: { median: 9 } }] }],
      values: { trials: [trial('a', 'head', 1), trial('a', 'head', 2), trial('a', 'base', 50), trial('b', 'head', 4)] },
    } as never;
    const [a, b] = costsFromResults(previous, ['a', 'b']);
    // Base's trials are not what a leg of this commit will run; the serial median (9) is a proxy.
    expect(a!.cost).toBeCloseTo(3 + 2 * TRIAL_NOISE.overheadSeconds, 12);
    expect(b!.cost).toBeCloseTo(4 + TRIAL_NOISE.overheadSeconds, 12);
  });

  it('gives every leg the same split, whatever each leg would have probed', () => {
    const previous = { workloads: TWENTY.map((w) => ({ name: w.name, arms: [{ model: 'serial', wall: { median: w.cost * 1.37 } }] })) };
    const names = TWENTY.map((w) => w.name);
    const legs = [1, 2, 3, 4].map((index) => shardRecord({ index, count: 4 }, costsFromResults(previous, names)).assignment);
    for (const leg of legs) expect(leg).toEqual(legs[0]);
  });
});
