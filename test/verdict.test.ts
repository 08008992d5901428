import { describe, expect, it } from 'vitest';
import type { SequentialPolicy } from '../src/core/stats/sequential.js';
import { series } from '../src/core/samples.js';
import { breakEven, capacityAt, capacityShare, judge, racedArms, type VerdictInput } from '../src/core/verdict.js';
import { explainSide } from '../src/report/explain.js';
import { modelFigure, pairComparison } from '../src/core/side-facts.js';
import { arm, failure, interpreters, probe, processes, rounds, scaled, SERIAL, threads, trial } from './helpers/samples.js';

const policy: SequentialPolicy = { alpha: 0.01, minRounds: 3, maxRounds: 15 };
const R = 8;

function input(arms: VerdictInput['arms'], extra: Partial<VerdictInput> = {}): VerdictInput {
  return { probe: probe(), arms, rounds: R, margin: 0.1, policy, final: false, describe: explainSide, ...extra };
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
    expect(modelFigure(v.result, 'processes', 'speedup')).toBeCloseTo(1.0 / 0.53, 1);
    expect(v.result.reason).toMatch(/CPU-bound and holds the GIL: threads ×0\.9\d at 2 workers, processes ×1\.8\d at 2 workers/);
    expect(v.result.reason).toContain('the GIL serializes this code');
    expect(pairComparison(v.result.facts, 'threads', 'processes')?.comparison.outcome).toBe('b-faster');
    // Each comparison is kept once, cheaper model first, and found from either side.
    expect(v.result.facts.pairs.map((p) => [p.a, p.b])).toEqual([['threads', 'processes']]);
    expect(pairComparison(v.result.facts, 'processes', 'threads')).toBe(v.result.facts.pairs[0]);
    expect(pairComparison(v.result.facts, 'processes', 'serial')?.comparison).toBe(v.result.facts.models.processes!.vsSerial);
    expect(v.result).not.toHaveProperty('speedup');
    expect(v.result).not.toHaveProperty('comparisons');
  });

  it('shows the speedup its test rests on (the paired estimate), not a ratio of medians', () => {
    // Serial alternates between a fast and a slow CPU's speed; processes gain 30% in fast rounds and
    // 5% in slow ones. Medians (1.5 s / 1.3 s) would read ×1.15; the paired rounds give ×1.23.
    const serialWalls = Array.from({ length: R }, (_, i) => (i % 2 === 0 ? 1.0 : 2.0));
    const processWalls = serialWalls.map((s) => (s === 1.0 ? 0.7 : 1.9));
    const v = judge(input([rounds(SERIAL, serialWalls.map((s) => trial(s))), rounds(processes(), processWalls.map((s) => trial(s)))]));
    const expected = 1 / Math.exp((Math.log(0.7) + Math.log(0.95)) / 2);
    expect(modelFigure(v.result, 'processes', 'speedup')).toBeCloseTo(expected, 6);
    const facts = v.result.facts.models.processes!;
    expect(facts.speedup).toBeCloseTo(1 / facts.vsSerial.estimate.ratio, 12);
    expect(facts.speedup).toBeGreaterThanOrEqual(facts.lower);
    expect(facts.speedup).toBeLessThanOrEqual(facts.upper);
    expect(v.result.arms.find((a) => a.model === 'processes')!.speedup).toBeCloseTo(expected, 6);
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
    // Threads are 13% slower than serial with ±8.5% round-to-round swings (the GIL convoy on a noisy
    // runner); processes cannot run. "Slower beyond 10%" and "equivalent" are both still open at
    // round 10, but the interval already excludes threads being faster than serial: serial.
    const swing = (i: number) => (i % 2 === 0 ? 1.09 : 0.918);
    const unpicklable = probe({ processesUnavailable: "TypeError: cannot pickle 'generator' object" });
    const arms = [arm(SERIAL, 10, 1.0, 0.01), scaled(arm(threads(), 10, 1.13, 0.01), swing)];
    const v = judge(input(arms, { probe: unpicklable, rounds: 10 }));
    const c = pairComparison(v.result.facts, 'threads', 'serial')!.comparison;
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
    const arms = [arm(SERIAL, 10, 1.0, 0.01), scaled(arm(threads(), 10, 1.0, 0.01), swing)];
    const v = judge(input(arms, { probe: probe({ processesUnavailable: 'unpicklable' }), rounds: 10 }));
    expect(pairComparison(v.result.facts, 'threads', 'serial')!.comparison.estimate.lower).toBeLessThan(1 / 1.1);
    expect(v.result.recommendation).toBe('inconclusive');
    expect(v.settled).toBe(false);
  });

  it('says threads when both help and processes cannot be faster beyond the margin, at the cap or before', () => {
    // GIL-releasing code: threads ×1.53, processes ×1.47, threads swinging ±5% between rounds. At 15
    // rounds threads/processes is ×0.96 with an interval from below 1/1.1 to below 1.1: "threads
    // win" and "equivalent" are both open, and both mean "use threads".
    const swing = (i: number) => (i % 2 === 0 ? 1.05 : 0.952);
    const arms = [
      arm(SERIAL, 15, 1.0, 0.01),
      scaled(arm(threads(), 15, 0.653, 0.01, () => ({ cpuSeconds: 1.0 })), swing),
      arm(processes(), 15, 0.68, 0.01, () => ({ cpuSeconds: 1.0 })),
    ];
    const atCap = judge(input(arms, { rounds: 15 }));
    const c = pairComparison(atCap.result.facts, 'threads', 'processes')!.comparison;
    expect(c.outcome).toBe('unknown');
    expect(c.estimate.lower).toBeLessThan(1 / 1.1);
    expect(c.estimate.upper).toBeLessThan(1.1);
    expect(atCap.result.recommendation).toBe('threads');
    expect(atCap.result.reason).toMatch(/threads are at least as fast as processes \(×0\.9\d, CI 0\.\d\d–1\.\d\d: processes cannot be more than 10% faster\)/);
    expect(atCap.result.facts.rule).toBe('at-least-as-fast');
    // The one-sided question is answered at the first look where the interval allows it: waiting
    // for `either` would not change the advice.
    const looks = [3, 6, 8, 10].map((n) => judge(input(arms.map((a) => ({ ...a, outcomes: a.outcomes.slice(0, n) })), { rounds: n })));
    const first = looks.findIndex((v) => v.settled);
    expect(first).toBeGreaterThanOrEqual(0);
    const early = looks[first]!;
    const upper = pairComparison(early.result.facts, 'threads', 'processes')!.comparison.estimate.upper;
    expect(upper).toBeLessThan(1.1);
    expect(early.result.recommendation).toBe('threads');
    // Every look before it left the question open: its upper bound was not yet below 1 + margin.
    for (const v of looks.slice(0, first)) {
      expect(v.settled).toBe(false);
      expect(pairComparison(v.result.facts, 'threads', 'processes')!.comparison.estimate.upper).toBeGreaterThanOrEqual(1.1);
    }
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
    // The threads do the serial work's CPU seconds in parallel (CPU/wall ≈ 2).
    const noisy = [
      arm(SERIAL, R, 1.0, 0.02),
      arm(threads(), R, 0.5, 0.25, () => ({ cpuSeconds: 1.0 })),
      rounds(processes(), Array.from({ length: R }, (_, i) => trial(0.54 * (1 + 0.25 * Math.sin(i * 2.1))))),
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
    expect(modelFigure(v.result, 'processes', 'speedup')).toBeNull();
    expect(v.result.reason).toContain('processes cannot run');
  });

  it('makes a model that fails in every arm unavailable, with the reason', () => {
    const v = judge(
      input([
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 1.0, 0.01, () => ({ cpuSeconds: 1.0 })),
        rounds(processes(), [failure('crash', 'A process in the process pool was terminated abruptly')]),
      ]),
    );
    expect(v.result.unavailable.processes).toContain('terminated abruptly');
    expect(v.result.recommendation).toBe('serial');
  });

  it('lets an arm that failed once decide nothing more: its model is unavailable, and the verdict settles on the rest', () => {
    // GIL-releasing code: threads ×1.9, processes ×1.85 (within the margin: with threads standing,
    // the pair needs many rounds). Threads failed in round 4 and ran no more rounds (experiment.ts
    // drops a failing arm); left in, its four rounds held threads vs processes open to the cap.
    const R = 10;
    const threadRounds = [...arm(threads(), 4, 0.526, 0.01, () => ({ cpuSeconds: 1.0 })).outcomes.map((o) => o[0]!), failure('runner', "No module named 'gilgate_runner'")];
    const v = judge(
      input(
        [
          arm(SERIAL, R, 1.0),
          rounds(threads(), threadRounds),
          arm(processes(), R, 0.54, 0.01, () => ({ cpuSeconds: 1.0 })),
        ],
        { rounds: R },
      ),
    );
    expect(v.settled).toBe(true);
    expect(v.result.recommendation).toBe('processes');
    expect(v.result.unavailable.threads).toBe("RuntimeError: No module named 'gilgate_runner' (threads×2, runner; failed in 1 of 5 trials)");
    // The failed arm stays in the table, with its failure counted.
    expect(v.result.arms.find((a) => a.model === 'threads')!.failures).toBe(1);
  });

  it('reports an error when the probe or serial fails', () => {
    const v = judge(input([], { probe: failure('import', "No module named 'nope'") }));
    expect(v.result.recommendation).toBe('error');
    expect(v.result.error).toMatchObject({ kind: 'import', message: expect.stringContaining("No module named 'nope'") });
    const s = judge(input([rounds(SERIAL, [failure('task', 'division by zero')]), arm(threads(), 1, 1)]));
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

describe('samples', () => {
  it('takes the per-round mean of the serial trials on each CPU, ignoring failures, NaN where none ran', () => {
    const serial = {
      arm: SERIAL,
      outcomes: [[trial(1.0), trial(1.4)], [trial(2.0), failure('task')], [], [failure('task')]],
    };
    const values = series(serial, 5, (m) => m.wallSeconds);
    expect(values.slice(0, 2)).toEqual([1.2, 2.0]);
    expect(values.slice(2).every(Number.isNaN)).toBe(true);
  });
});

describe('break-even and capacity (plain numbers)', () => {
  it('break-even: the serial work per batch above which a per-batch pool pays off beyond the margin', () => {
    // startup + W/s ≤ W/(1+m) at W = (1+m)·startup / (1 − (1+m)/s).
    expect(breakEven(0.05, 2, 0.1)).toBeCloseTo((1.1 * 0.05) / (1 - 1.1 / 2), 12);
    const w = breakEven(0.05, 1.6, 0.1)!;
    expect(w / (0.05 + w / 1.6)).toBeCloseTo(1.1, 12);
    expect(breakEven(0, 3, 0.1)).toBe(0);
    expect(breakEven(0.05, 1.1, 0.1)).toBeNull();
    expect(breakEven(0.05, 0.9, 0.1)).toBeNull();
  });

  it('capacity: measured, interpolated between counts, nearest beyond them; share of it', () => {
    const machine = { cpus: [], singleLoopSeconds: 0.01, capacity: [{ workers: 1, ratio: 1 }, { workers: 2, ratio: 1.56 }, { workers: 4, ratio: 2.8 }] };
    expect(capacityAt(machine, 2)).toBe(1.56);
    expect(capacityAt(machine, 3)).toBeCloseTo(2.18, 12);
    expect(capacityAt(machine, 8)).toBe(2.8);
    expect(capacityAt(null, 2)).toBeNull();
    expect(capacityShare(1.5, 1.56)).toBeCloseTo(1.5 / 1.56, 12);
    expect(capacityShare(1.5, null)).toBeNull();
  });
});

describe('judge with interpreters', () => {
  const gil = () => ({ cpuSeconds: 1.0 });
  it('recommends interpreters when they beat the other models beyond the margin', () => {
    const v = judge(
      input([arm(SERIAL, R, 1.0), arm(threads(), R, 1.0, 0.01, gil), arm(processes(), R, 0.7), arm(interpreters(), R, 0.53)]),
    );
    expect(v.result.recommendation).toBe('interpreters');
    expect(v.result.facts?.rule).toBe('fastest');
    expect(modelFigure(v.result, 'interpreters', 'speedup')).toBeCloseTo(1 / 0.53, 1);
    expect(pairComparison(v.result.facts, 'interpreters', 'processes')?.comparison.outcome).toBe('a-faster');
    expect(v.result.reason).toMatch(/interpreters ×1\.8\d at 2 workers/);
  });

  it('prefers interpreters over processes within the margin, since they need no second process', () => {
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 1.0, 0.01, gil), arm(processes(), R, 0.52), arm(interpreters(), R, 0.53)]));
    expect(v.result.recommendation).toBe('interpreters');
    expect(v.result.facts?.rule).toBe('within-margin-prefer-cheaper');
    expect(v.result.reason).toContain('processes are within ±10% of interpreters');
    expect(v.result.reason).toContain('prefer interpreters — no second process');
  });

  it('keeps either for threads and processes alike, even when interpreters also help', () => {
    const v = judge(
      input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.52, 0.01, () => ({ cpuSeconds: 1.0 })), arm(processes(), R, 0.53), arm(interpreters(), R, 0.54)]),
    );
    expect(v.result.recommendation).toBe('either');
  });

  it('says why interpreters cannot run, from the environment or the probe', () => {
    const fromEnvironment = judge(
      input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.5, 0.01, gil)], {
        environment: { freeThreadedBuild: false, gilEnabled: true, interpretersUnavailable: 'Python 3.11 has no InterpreterPoolExecutor (3.14+)' },
      }),
    );
    expect(fromEnvironment.result.unavailable.interpreters).toContain('InterpreterPoolExecutor');
    expect(modelFigure(fromEnvironment.result, 'interpreters', 'speedup')).toBeNull();
    // The whole interpreter lacks them: the report says so once, not in every workload's reason.
    expect(fromEnvironment.result.facts?.everywhere.interpreters).toContain('InterpreterPoolExecutor');
    expect(fromEnvironment.result.reason).not.toContain('interpreters');
    const fromProbe = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.5)], { probe: probe({ interpretersUnavailable: 'cannot share the module' }) }));
    expect(fromProbe.result.unavailable.interpreters).toBe('cannot share the module');
    expect(fromProbe.result.reason).toContain('interpreters cannot run: cannot share the module');
  });
});

describe("judge: winner's curse", () => {
  it('does not let one arm that wins by luck among several make the model help', () => {
    // threads×4 is 15% faster than serial on noisy rounds: enough alone, not when it is the best of
    // three arms, since α is then split over the three.
    // (It does the serial work's CPU seconds in 0.85 s: CPU/wall 1.18, so the CPU bound leaves it to the test.)
    const lucky = arm(threads(4), 10, 0.85, 0.05, () => ({ cpuSeconds: 1.0 }));
    const alone = judge(input([arm(SERIAL, 10, 1.0, 0.05), lucky], { rounds: 10, probe: probe({ processesUnavailable: 'x' }) }));
    expect(alone.result.recommendation).toBe('threads');
    const amongThree = judge(
      input([arm(SERIAL, 10, 1.0, 0.05), arm(threads(2), 10, 1.0, 0.05), arm(threads(3), 10, 1.0, 0.05), lucky], { rounds: 10, probe: probe({ processesUnavailable: 'x' }) }),
    );
    expect(amongThree.result.recommendation).not.toBe('threads');
    expect(amongThree.result.facts?.models.threads?.armsTested).toBe(3);
    // The reported speedup is still the best arm's, with an interval wider than the single arm's.
    expect(amongThree.result.facts?.models.threads?.workers).toBe(4);
    const wide = amongThree.result.facts!.models.threads!;
    const narrow = alone.result.facts!.models.threads!;
    expect(wide.upper - wide.lower).toBeGreaterThan(narrow.upper - narrow.lower);
  });

  it('still finds a model that helps clearly in one of several arms', () => {
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(2), R, 1.0, 0.01, gil4), arm(threads(4), R, 1.0, 0.01, gil4), arm(processes(2), R, 0.9), arm(processes(4), R, 0.5)]));
    expect(v.result.recommendation).toBe('processes');
    expect(v.result.facts?.models.processes).toMatchObject({ workers: 4, armsTested: 2, helps: true });
  });
});
const gil4 = () => ({ cpuSeconds: 1.0 });

describe('judge: pool lifetime', () => {
  // A 60 ms batch: processes scale ×1.6 once started, but their 50 ms start-up makes every batch slower.
  const arms = [
    arm(SERIAL, R, 0.06),
    arm(threads(), R, 0.06, 0.01, () => ({ cpuSeconds: 0.06 })),
    arm(processes(), R, 0.0875, 0.01, () => ({ startupSeconds: 0.05, cpuSeconds: 0.06 })),
  ];
  it('per batch (the default) compares wall time and says when a long-lived pool would pay off', () => {
    const v = judge(input(arms));
    expect(v.result.pool).toBe('per-batch');
    expect(v.result.recommendation).toBe('serial');
    expect(modelFigure(v.result, 'processes', 'steadySpeedup')).toBeCloseTo(0.06 / 0.0375, 1);
    expect(modelFigure(v.result, 'processes', 'startupSeconds')).toBeCloseTo(0.05, 3);
    expect(modelFigure(v.result, 'processes', 'breakEven')).toBeCloseTo(breakEven(0.05, modelFigure(v.result, 'processes', 'steadySpeedup')!, 0.1)!, 12);
    expect(v.result.facts?.otherLifetime).toEqual({ pool: 'long-lived', recommendation: 'processes' });
    expect(v.result.reason).toMatch(/serial for this 60 ms batch; processes scale ×1\.\d\d once started and pay off above about 1\d0 ms of work per pool/);
  });

  it('long-lived compares the steady time: the pool is already started', () => {
    const v = judge(input(arms, { pool: 'long-lived' }));
    expect(v.result.pool).toBe('long-lived');
    expect(v.result.recommendation).toBe('processes');
    expect(modelFigure(v.result, 'processes', 'speedup')).toBeCloseTo(0.06 / 0.0375, 1);
    expect(v.result.facts?.otherLifetime?.recommendation).toBe('serial');
  });

  it('still gives the start-up apart when the long-lived answer is open (two models that scale alike once started)', () => {
    // Processes and interpreters both scale about ×1.6 once started, with steady times too noisy
    // (±20%) to tell them apart by round 8; per batch their 50 ms start-up makes both lose.
    const steady = (base: number, phase: number) => (i: number) => base * (1 + 0.2 * Math.sin(i * 2.1 + phase));
    const pool = (a: typeof SERIAL, s: (i: number) => number) =>
      rounds(a, Array.from({ length: R }, (_, i) => trial(0.05 + s(i), { startupSeconds: 0.05, steadySeconds: s(i), cpuSeconds: 0.06 })));
    const open = [
      arm(SERIAL, R, 0.06),
      arm(threads(), R, 0.06, 0.01, () => ({ cpuSeconds: 0.06 })),
      pool(processes(), steady(0.0375, 0)),
      pool(interpreters(), steady(0.037, 1.5)),
    ];
    const v = judge(input(open));
    expect(v.result.recommendation).toBe('serial');
    expect(v.result.facts?.otherLifetime).toBeNull();
    expect(v.result.facts?.otherLifetimeOpen).toBe(true);
    expect(v.result.reason).toMatch(/serial for this 60 ms batch; once started (processes|interpreters) scale ×1\.\d\d \((processes|interpreters) ×1\.\d\d; which is best for a long-lived pool is not settled\) and pay off above about \d+ ms of work per pool/);
    // Settled and alike (serial both ways): nothing to add.
    const alike = judge(input([arm(SERIAL, R, 0.06), arm(threads(), R, 0.06, 0.01, () => ({ cpuSeconds: 0.06 }))]));
    expect(alike.result.facts?.otherLifetimeOpen).toBe(false);
    expect(alike.result.reason).not.toContain('once started');
  });
});

describe('judge: the build and the machine', () => {
  it('speaks of the free-threaded build when threads run Python code in parallel', () => {
    const v = judge(
      input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.52, 0.01, () => ({ cpuSeconds: 1.0 })), arm(processes(), R, 0.7)], {
        environment: { freeThreadedBuild: true, gilEnabled: false },
      }),
    );
    expect(v.result.recommendation).toBe('threads');
    expect(v.result.reason).toContain('on this free-threaded build threads run Python code in parallel');
    expect(v.result.reason).not.toContain('releases the GIL');
  });

  it('warns, naming the module, when an import re-enabled the GIL on a free-threaded build', () => {
    const p = probe({ gilEnabledAfterImport: true, gilReenabledBy: 'legacy_ext' });
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 1.0, 0.01, gil4), arm(processes(), R, 0.5)], { probe: p, environment: { freeThreadedBuild: true, gilEnabled: true } }));
    expect(v.result.warnings).toContain('importing legacy_ext re-enabled the GIL on this free-threaded build: threads are serialized again');
    // On a build with a GIL there is nothing to re-enable.
    const gilBuild = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 1.0)], { probe: p, environment: { freeThreadedBuild: false, gilEnabled: true } }));
    expect(gilBuild.result.warnings.join('\n')).not.toContain('re-enabled');
  });

  it('reports what the runner can deliver and the speedup as a share of it', () => {
    const machine = { cpus: [{ cpu: 0, loopSeconds: 0.01 }, { cpu: 1, loopSeconds: 0.0105 }], singleLoopSeconds: 0.0102, capacity: [{ workers: 1, ratio: 1 }, { workers: 2, ratio: 1.56 }] };
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 1.0, 0.01, gil4), arm(processes(), R, 0.68)], { machine }));
    expect(modelFigure(v.result, 'processes', 'capacity')).toBe(1.56);
    expect(modelFigure(v.result, 'processes', 'capacityShare')).toBeCloseTo(1 / 0.68 / 1.56, 1);
    expect(v.result.reason).toMatch(/this runner delivers ×1\.56 with 2 workers: processes reach 9\d% of it/);
  });

  it('says the machine probe read low, never a share above 100%, when the workload delivered more than it read', () => {
    const machine = { cpus: [{ cpu: 0, loopSeconds: 0.01 }, { cpu: 1, loopSeconds: 0.01 }], singleLoopSeconds: 0.01, capacity: [{ workers: 2, ratio: 1.61 }] };
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.508, 0.01, () => ({ cpuSeconds: 1.0 })), arm(processes(), R, 0.8)], { machine }));
    expect(v.result.recommendation).toBe('threads');
    expect(v.result.reason).toMatch(/this runner's machine probe read ×1\.61 with 2 workers, less than the ×1\.9\d threads reached here: the probe was disturbed, so no share of it is given/);
    expect(v.result.reason).not.toMatch(/reach \d+% of it/);
    // Within 5% of the probe is rounding and noise: said as all of it, never above.
    const close = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.6, 0.01, () => ({ cpuSeconds: 1.0 })), arm(processes(), R, 0.9)], { machine }));
    expect(close.result.reason).toMatch(/this runner delivers ×1\.61 with 2 workers: threads reach 100% of it/);
  });
});

describe('judge: threads that ran one at a time (CPU accounting)', () => {
  // processes cannot run here, so threads are the only candidate: the CPU bound decides alone.
  const unpicklable = probe({ processesUnavailable: "TypeError: cannot pickle 'generator' object" });
  const cpuOf = (wall: number, cpuPerWall: number) => () => ({ cpuSeconds: wall * cpuPerWall });

  it('never recommends threads whose CPU/wall shows they ran one at a time, however fast they timed', () => {
    // The threads trials timed 20% faster (they ran on the faster vCPU) at 1.0 CPU per wall second,
    // as serial did: the same work in less CPU time is a faster CPU, not the code.
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.8)], { probe: unpicklable }));
    const facts = v.result.facts.models.threads!;
    expect(facts.vsSerial.outcome).toBe('a-faster');
    expect(facts.oneAtATime).toBe(true);
    expect(facts.helps).toBe(false);
    expect(facts.ruledOut).toBe(true);
    expect(v.result.recommendation).toBe('serial');
    expect(v.settled).toBe(true);
    expect(v.result.reason).toContain('threads cannot beat serial: their faster time was a faster CPU');
  });

  it('decides serial where the timing alone is still undecided', () => {
    // ±25% swings round to round leave the timing test open at round 8.
    const swing = (i: number) => (i % 2 === 0 ? 1.25 : 0.8);
    const arms = [arm(SERIAL, R, 1.0), scaled(arm(threads(), R, 1.0, 0.01, cpuOf(1.0, 1.0)), swing)];
    const timingOnly = judge(input([arms[0]!, scaled(arm(threads(), R, 1.0, 0.01, cpuOf(1.0, 1.3)), swing)], { probe: unpicklable }));
    expect(timingOnly.result.facts.models.threads!.oneAtATime).toBe(false);
    expect(timingOnly.result.recommendation).toBe('inconclusive');
    const v = judge(input(arms, { probe: unpicklable }));
    expect(v.result.facts.models.threads!.vsSerial.outcome).toBe('unknown');
    expect(v.result.recommendation).toBe('serial');
    expect(v.result.facts.rule).toBe('no-model-helps');
  });

  it('leaves threads that used more CPU per second than serial to the timing test (code that releases the GIL)', () => {
    const v = judge(input([arm(SERIAL, R, 1.0), arm(threads(), R, 0.55, 0.01, cpuOf(0.55, 1.8))], { probe: unpicklable }));
    expect(v.result.facts.models.threads!.oneAtATime).toBe(false);
    expect(v.result.recommendation).toBe('threads');
  });

  it('does not apply to code that waits: too little CPU for the ratio to mean anything', () => {
    const v = judge(
      input([arm(SERIAL, R, 1.0, 0.01, cpuOf(1.0, 0.1)), arm(threads(4), R, 0.5, 0.01, cpuOf(0.5, 0.1))], { probe: unpicklable }),
    );
    expect(v.result.facts.models.threads!.oneAtATime).toBe(false);
    expect(v.result.recommendation).toBe('threads');
  });

  it("waits for the first look's rounds, so that one trial's CPU/wall decides nothing", () => {
    const v = judge(input([arm(SERIAL, 2, 1.0), arm(threads(), 2, 0.8)], { probe: unpicklable, rounds: 2 }));
    expect(v.result.facts.models.threads!.oneAtATime).toBe(false);
  });

  it('needs every threads arm to have run one at a time', () => {
    const v = judge(
      input([arm(SERIAL, R, 1.0), arm(threads(2), R, 0.8), arm(threads(4), R, 0.5, 0.01, cpuOf(0.5, 2.0))], { probe: unpicklable }),
    );
    expect(v.result.facts.models.threads!.oneAtATime).toBe(false);
    expect(v.result.recommendation).toBe('threads');
  });
});

describe('racing', () => {
  const policy: SequentialPolicy = { alpha: 0.01, minRounds: 3, maxRounds: 30 };

  it('takes an arm out at the look where it is shown slower than the side’s best beyond the margin, worker counts alike', () => {
    // processes×4 ×2.5, processes×2 ×1.6, threads ×1.0: at the first look (3 rounds, plain t on
    // df 2) the two slower arms are already shown slower than processes×4 beyond 10%.
    const arms = [arm(SERIAL, 6, 1.0), arm(threads(2), 6, 1.0, 0.01, () => ({ cpuSeconds: 1.0 })), arm(processes(2), 6, 0.62), arm(processes(4), 6, 0.4)];
    const raced = racedArms(arms, 6, 0.1, policy);
    expect([...raced.keys()].sort()).toEqual(['processes×2', 'threads×2']);
    expect(raced.get('threads×2')).toEqual({ round: 3, by: 'processes×4' });
    // Before the first look nothing is raced; serial never is.
    expect(racedArms(arms, 2, 0.1, policy).size).toBe(0);
    const v = judge(input(arms, { rounds: 6 }));
    expect(v.result.recommendation).toBe('processes');
    expect(v.result.facts?.rule).toBe('only-helper'); // threads do not beat serial at all
    expect(v.result.facts?.models.threads?.raced).toEqual({ round: 3, by: 'processes×4' });
    expect(v.result.facts?.models.processes?.raced).toBeUndefined();
    expect(v.raced?.has('threads×2')).toBe(true);
    // Every arm stays in the table, on the rounds it ran.
    expect(v.result.arms.map((a) => `${a.model}×${a.workers}`)).toEqual(['serial×1', 'threads×2', 'processes×2', 'processes×4']);
  });

  it('does not race arms within the margin of the best, nor on an interval that still covers it', () => {
    const close = [arm(SERIAL, 6, 1.0), arm(processes(2), 6, 0.52), arm(processes(4), 6, 0.5)];
    expect(racedArms(close, 6, 0.1, policy).size).toBe(0);
    const noisy = [arm(SERIAL, 6, 1.0, 0.3), arm(processes(2), 6, 0.7, 0.3), arm(processes(4), 6, 0.55, 0.3)];
    expect(racedArms(noisy, 6, 0.1, policy).has('processes×2')).toBe(false);
  });
});
