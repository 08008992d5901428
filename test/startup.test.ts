// Pool start-up as a stable figure: the median over an arm's trials with a distribution-free
// interval, shown for every pool model in play with its share of the batch.
import { describe, expect, it } from 'vitest';
import { medianInterval, startupInterval } from '../src/core/samples.js';
import type { ModelFacts, TrialMeasurement, WorkloadResult } from '../src/core/types.js';
import { lifetimeSummary } from '../src/report/format.js';
import { arm, comparison, cpuBoundSide, workload } from './fixtures/results/index.js';

describe('medianInterval', () => {
  it('takes the order statistics that hold the median with at least 95% (n = 30: the 10th and 21st)', () => {
    const values = Array.from({ length: 30 }, (_, i) => (i + 1) / 1000);
    expect(medianInterval(values)).toEqual({ estimate: 0.0155, lower: 0.01, upper: 0.021, n: 30 });
  });

  it('gives the range below 6 values, ignores NaN, and contains the median', () => {
    expect(medianInterval([0.042, 0.015, 0.037])).toEqual({ estimate: 0.037, lower: 0.015, upper: 0.042, n: 3 });
    expect(medianInterval([Number.NaN]).n).toBe(0);
    for (const n of [...Array.from({ length: 60 }, (_, i) => i + 1), 499, 500, 501, 2000]) {
      const values = Array.from({ length: n }, (_, i) => Math.sin(i * 7.3) + 2);
      const sorted = [...values].sort((a, b) => a - b);
      const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      const { lower, upper } = medianInterval(values);
      expect(lower).toBeLessThanOrEqual(median);
      expect(upper).toBeGreaterThanOrEqual(median);
    }
  });
});

describe('startupInterval', () => {
  it('pools every repetition of every trial, unclamped, and holds the figures at 0 and above', () => {
    const trial = (pairs: [number, number][]) => ({ repetitions: pairs.map(([wall, steady]) => ({ wallSeconds: wall, steadySeconds: steady, startupSeconds: Math.max(0, wall - steady), cpuSeconds: 0 })), startupSeconds: 0 }) as unknown as TrialMeasurement;
    // Start-ups of 42, 37 and 15 ms, as three runs read them, with noise both ways.
    const got = startupInterval([trial([[1.042, 1.0], [1.037, 1.0]]), trial([[1.015, 1.0], [0.99, 1.0]]), trial([[1.05, 1.01], [1.03, 1.0]])]);
    expect(got.repetitions).toBe(6);
    expect(got.estimate).toBeCloseTo(0.0335, 6);
    expect(got.lower).toBe(0); // the lowest repetition read −10 ms: held at 0
    expect(got.upper).toBeCloseTo(0.042, 6);
  });
});

describe('the start-up line', () => {
  function withStartup(startup: number, serialSeconds: number): WorkloadResult {
    const side = cpuBoundSide();
    const facts: ModelFacts = {
      model: 'processes', workers: 4, armsTested: 2, speedup: 3.6, lower: 3.4, upper: 3.8, vsSerial: comparison(0.28, 0.26, 0.3, 'a-faster'),
      helps: true, ruledOut: false, oneAtATime: false, cpuPerWall: 3.6, wallSpeedup: 3.6, steadySpeedup: 3.7, startupSeconds: startup, breakEven: 0.1, capacity: null, capacityShare: null,
    };
    return workload('w', {
      ...side,
      arms: side.arms.map((a) => (a.model === 'processes' && a.workers === 4 ? { ...arm('processes', 4, 0.6, 3.6), startupSeconds: startup, startupInterval: { estimate: startup, lower: startup * 0.9, upper: startup * 1.1, repetitions: 30 } } : a)),
      facts: {
        rule: 'fastest', recommendation: 'processes', character: 'cpu-bound-gil', pool: 'per-batch', margin: 0.1, rounds: 30, final: true, build: null,
        serial: { seconds: serialSeconds, cpuPerWall: 1 }, models: { processes: facts }, unavailable: {}, everywhere: {}, deciding: null, open: null, otherLifetime: null, warnings: [], error: null,
      },
    });
  }

  it('is shown with its interval and share even when the start-up is under 2% of the batch', () => {
    const line = lifetimeSummary(withStartup(0.015, 2.4))!;
    expect(line).toContain('start-up 15 ms (95% CI 14 ms–17 ms over 30 repetitions, 0.6% of the batch)');
  });

  it('gives the share of a start-up that dominates the batch', () => {
    expect(lifetimeSummary(withStartup(0.042, 0.06))).toContain('start-up 42 ms (95% CI 38 ms–46 ms over 30 repetitions, 70% of the batch)');
  });
});
