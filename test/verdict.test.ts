import { describe, expect, it } from 'vitest';
import type { SequentialPolicy } from '../src/core/stats/sequential.js';
import { judge, type VerdictInput } from '../src/core/verdict.js';
import { arm, failure, probe, processes, SERIAL, threads, trial } from './helpers/samples.js';

const policy: SequentialPolicy = { alpha: 0.01, minRounds: 3, maxRounds: 15 };
const R = 8;

function input(arms: VerdictInput['arms'], extra: Partial<VerdictInput> = {}): VerdictInput {
  return { probe: probe(), arms, rounds: R, margin: 0.1, policy, final: false, ...extra };
}

describe('judge', () => {
  it('recommends processes for CPU-bound code that holds the GIL, and says why with numbers', () => {
    const v = judge(
      input([
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 1.02, 0.01, () => ({ cpuSeconds: 1.02 })),
        arm(processes(), R, 0.53, 0.01, () => ({ cpuSeconds: 1.0, startupSeconds: 0.02 })),
      ]),
    );
    expect(v.settled).toBe(true);
    expect(v.result.recommendation).toBe('processes');
    expect(v.result.character).toBe('cpu-bound-gil');
    expect(v.result.speedup.processes).toBeCloseTo(1.0 / 0.53, 1);
    expect(v.result.reason).toMatch(/CPU-bound and holds the GIL: threads ×0\.9\d at 2 workers, processes ×1\.8\d at 2 workers/);
    expect(v.result.reason).toContain('the GIL serializes this code');
    expect(v.result.comparisons.threadsVsProcesses?.outcome).toBe('b-faster');
  });

  it('recommends threads for code that waits', () => {
    const v = judge(
      input([
        arm(SERIAL, R, 1.0, 0.01, () => ({ cpuSeconds: 0.02 })),
        arm(threads(8), R, 0.14, 0.01, () => ({ cpuSeconds: 0.02 })),
        arm(processes(8), R, 0.3, 0.01, () => ({ cpuSeconds: 0.1 })),
      ]),
    );
    expect(v.result.recommendation).toBe('threads');
    expect(v.result.character).toBe('io-wait');
  });

  it('says either when both scale alike, preferring threads in the explanation', () => {
    const v = judge(
      input([
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 0.52, 0.01, () => ({ cpuSeconds: 1.0 })),
        arm(processes(), R, 0.53, 0.01, () => ({ cpuSeconds: 1.0 })),
      ]),
    );
    expect(v.result.recommendation).toBe('either');
    expect(v.result.character).toBe('gil-releasing');
    expect(v.result.reason).toContain('prefer threads');
  });

  it('says serial once the interval rules out a gain, even before slower-or-equal is known', () => {
    // Threads are 13% slower than serial with ±6% round-to-round swings (the GIL convoy on a noisy
    // runner); processes cannot run. "Slower beyond 10%" and "equivalent" are both still open at
    // round 10, but the interval already excludes threads being faster than serial: serial.
    const swing = (i: number) => (i % 2 === 0 ? 1.06 : 0.945);
    const unpicklable = probe({ processesUnavailable: "TypeError: cannot pickle 'generator' object" });
    const arms = [arm(SERIAL, 10, 1.0, 0.01), { arm: threads(), outcomes: arm(threads(), 10, 1.13, 0.01).outcomes.map((round, i) => round.map((t) => ({ ...t, wallSeconds: t.wallSeconds * swing(i) }))) }];
    const v = judge(input(arms, { probe: unpicklable, rounds: 10 }));
    const c = v.result.comparisons.threadsVsSerial!;
    expect(c.outcome).toBe('unknown');
    expect(c.estimate.lower).toBeLessThan(1);
    expect(c.estimate.lower).toBeGreaterThan(1 / 1.1);
    expect(c.estimate.upper).toBeGreaterThan(1.1);
    expect(v.result.recommendation).toBe('serial');
    expect(v.settled).toBe(true);
    expect(v.result.reason).toContain('no parallel model beats serial by more than 10%');
    expect(v.result.reason).toContain('processes cannot run');
  });

  it('stays undecided while the interval still allows a gain beyond the margin', () => {
    const swing = (i: number) => (i % 2 === 0 ? 1.6 : 0.6);
    const arms = [arm(SERIAL, 10, 1.0, 0.01), { arm: threads(), outcomes: arm(threads(), 10, 1.0, 0.01).outcomes.map((round, i) => round.map((t) => ({ ...t, wallSeconds: t.wallSeconds * swing(i) }))) }];
    const v = judge(input(arms, { probe: probe({ processesUnavailable: 'unpicklable' }), rounds: 10 }));
    expect(v.result.comparisons.threadsVsSerial!.estimate.lower).toBeLessThan(1 / 1.1);
    expect(v.result.recommendation).toBe('inconclusive');
    expect(v.settled).toBe(false);
  });

  it('at the cap, says threads when both help and processes cannot be faster beyond the margin', () => {
    // GIL-releasing code: threads ×1.53, processes ×1.47, threads swinging ±5% between rounds. At 15
    // rounds threads/processes is ×0.96 with an interval from below 1/1.1 to below 1.1: "threads
    // win" and "equivalent" are both open, and both mean "use threads".
    const swing = (i: number) => (i % 2 === 0 ? 1.05 : 0.952);
    const arms = [
      arm(SERIAL, 15, 1.0, 0.01),
      { arm: threads(), outcomes: arm(threads(), 15, 0.653, 0.01, () => ({ cpuSeconds: 1.0 })).outcomes.map((round, i) => round.map((t) => ({ ...t, wallSeconds: t.wallSeconds * swing(i) }))) },
      arm(processes(), 15, 0.68, 0.01, () => ({ cpuSeconds: 1.0 })),
    ];
    const atCap = judge(input(arms, { rounds: 15 }));
    const c = atCap.result.comparisons.threadsVsProcesses!;
    expect(c.outcome).toBe('unknown');
    expect(c.estimate.lower).toBeLessThan(1 / 1.1);
    expect(c.estimate.upper).toBeLessThan(1.1);
    expect(atCap.result.recommendation).toBe('threads');
    expect(atCap.result.reason).toMatch(/threads are at least as fast as processes \(×0\.9\d, CI 0\.\d\d–1\.\d\d: processes cannot be more than 10% faster\)/);
    // Before the cap the same data keeps going: `either` may still be shown.
    const early = judge(input(arms.map((a) => ({ ...a, outcomes: a.outcomes.slice(0, 10) })), { rounds: 10 }));
    expect(early.settled).toBe(false);
    expect(early.result.recommendation).toBe('inconclusive');
  });

  it('says serial when no parallel model beats serial', () => {
    const v = judge(
      input([arm(SERIAL, R, 0.01), arm(threads(), R, 0.4), arm(processes(), R, 0.2)], { probe: probe({ taskCount: 10000 }) }),
    );
    expect(v.result.recommendation).toBe('serial');
    expect(v.result.character).toBe('overhead-bound');
  });

  it('keeps going while the data cannot tell, and says inconclusive at the cap — never a guess', () => {
    // threads vs processes differ by ~8% with ±25% noise: neither clearly equal nor different.
    const noisy = [
      arm(SERIAL, R, 1.0, 0.02),
      arm(threads(), R, 0.5, 0.25),
      { arm: processes(), outcomes: Array.from({ length: R }, (_, i) => [trial(0.54 * (1 + 0.25 * Math.sin(i * 2.1)))]) },
    ];
    const early = judge(input(noisy));
    expect(early.settled).toBe(false);
    expect(early.result.recommendation).toBe('inconclusive');
    const atCap = judge(input(noisy, { final: true }));
    expect(atCap.settled).toBe(true);
    expect(atCap.result.recommendation).toBe('inconclusive');
    expect(atCap.result.reason).toMatch(/undecided after 8 rounds: threads vs processes time ratio ×\d\.\d\d, CI/);
  });

  it('decides nothing before the minimum number of rounds', () => {
    const v = judge(input([arm(SERIAL, 2, 1.0), arm(threads(), 2, 1.0), arm(processes(), 2, 0.5)], { rounds: 2 }));
    expect(v.settled).toBe(false);
  });

  it('draws the verdict from what can run when processes cannot pickle', () => {
    const v = judge(
      input([arm(SERIAL, R, 1.0, 0.01, () => ({ cpuSeconds: 0.02 })), arm(threads(), R, 0.5, 0.01, () => ({ cpuSeconds: 0.02 }))], {
        probe: probe({ processesUnavailable: "TypeError: cannot pickle 'generator' object (result of task 0)" }),
      }),
    );
    expect(v.result.recommendation).toBe('threads');
    expect(v.result.unavailable.processes).toContain('cannot pickle');
    expect(v.result.speedup.processes).toBeNull();
    expect(v.result.reason).toContain('processes cannot run');
  });

  it('makes a model that fails in every arm unavailable, with the reason', () => {
    const v = judge(
      input([
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 1.0, 0.01, () => ({ cpuSeconds: 1.0 })),
        { arm: processes(), outcomes: [[failure('crash', 'A process in the process pool was terminated abruptly')]] },
      ]),
    );
    expect(v.result.unavailable.processes).toContain('terminated abruptly');
    expect(v.result.recommendation).toBe('serial');
  });

  it('reports an error when the probe or serial fails', () => {
    const v = judge(input([], { probe: failure('import', "No module named 'nope'") }));
    expect(v.result.recommendation).toBe('error');
    expect(v.result.error).toMatchObject({ kind: 'import', message: expect.stringContaining("No module named 'nope'") });
    const s = judge(input([{ arm: SERIAL, outcomes: [[failure('task', 'division by zero')]] }, arm(threads(), 1, 1)]));
    expect(s.result.recommendation).toBe('error');
    expect(s.result.error?.kind).toBe('task');
  });

  it('raises a race hint when threads return different results than serial', () => {
    const v = judge(
      input([
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 1.0, 0.01, (i) => ({ digest: i % 2 ? 'other' : 'same', cpuSeconds: 1 })),
        arm(processes(), R, 0.5),
      ]),
    );
    expect(v.result.warnings.join('\n')).toMatch(/race hint: threads returned different results than serial in 4 of 8 trials/);
  });

  it('calls non-deterministic serial results out instead of crying race', () => {
    const v = judge(input([arm(SERIAL, R, 1.0, 0.01, (i) => ({ digest: `d${i}` })), arm(threads(), R, 1.0, 0.01, () => ({ digest: 'x' }))]));
    expect(v.result.warnings.join('\n')).toContain('not deterministic');
    expect(v.result.warnings.join('\n')).not.toContain('race hint');
  });

  it('warns when the code works only with fork', () => {
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 1.0), arm(processes(), R, 0.5)], { probe: probe({ spawnProblem: "AttributeError: 'NoneType' object has no attribute 'x'" }) }));
    expect(v.result.warnings[0]).toMatch(/only with the fork start method.*AttributeError/);
  });
});
