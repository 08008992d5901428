// The invariants every results file must satisfy (src/core/invariants.ts): a test per invariant that
// fails when it is broken, and properties over generated results (fast-check) that hold for any
// physically possible file and catch any single broken figure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants, type InvariantRule } from '../src/core/invariants.js';
import type { ArmResult, Comparison, Results } from '../src/core/types.js';
import type { StoredSide } from '../src/core/contracts/older-results.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';
import { arm, comparison, cpuBoundSide, fixtures, ioWaitSide, results, workload } from './fixtures/results/index.js';

const rules = (r: Results): InvariantRule[] => checkInvariants(r).map((v) => v.rule);

/** One workload whose side is changed by `edit` (a copy of a CPU-bound side on 4 cores, as older files stored it). */
function withSide(edit: (side: StoredSide) => StoredSide, extra: Partial<Results> = {}): Results {
  return results([workload('resize-images', edit(cpuBoundSide()))], extra);
}
function withArm(index: number, change: Partial<ArmResult>): Results {
  return withSide((s) => ({ ...s, arms: s.arms.map((a, i) => (i === index ? { ...a, ...change } : a)) }));
}

describe('checkInvariants on the report fixtures', () => {
  it('finds no violation in any fixture', () => {
    for (const [name, r] of Object.entries(fixtures)) expect({ name, violations: checkInvariants(r) }).toEqual({ name, violations: [] });
  });
});

describe('a test per invariant', () => {
  it('capacity-within-cpus: ×2.76 from 2 workers on 4 CPUs, ×4.5 from 8 workers on 4 CPUs, names the figure', () => {
    const r = withArm(3, { capacity: 2.76 }); // processes×2
    const v = checkInvariants(r);
    expect(v).toEqual([expect.objectContaining({ rule: 'capacity-within-cpus', figure: 'resize-images · processes×2 · capacity' })]);
    expect(v[0]!.detail).toContain('×2.76');
    expect(rules(withSide((s) => ({ ...s, arms: [...s.arms, arm('threads', 8, 1, 1, { capacity: 4.5 })] })))).toEqual(['capacity-within-cpus']);
    expect(rules(withSide((s) => ({ ...s, capacity: { threads: null, processes: 4.4, interpreters: null } })))).toEqual(['capacity-within-cpus']);
    expect(rules(withArm(3, { capacity: 1.98 }))).toEqual([]);
  });

  it('cpu-within-workers: CPU/wall above the workers (or the CPUs) is impossible', () => {
    expect(rules(withArm(0, { cpuPerWall: 1.4 }))).toEqual(['cpu-within-workers']); // serial on one thread
    expect(rules(withArm(4, { cpuPerWall: 5.2 }))).toEqual(['cpu-within-workers']); // processes×4 on 4 CPUs
    expect(rules(withArm(4, { cpuPerWall: 4.1 }))).toEqual([]); // within the clock's slack
    expect(rules(withArm(3, { cpuPerWall: 2.9 }))).toEqual([]); // processes×2 and a busy parent
    expect(rules(withArm(3, { cpuPerWall: 3.3 }))).toEqual(['cpu-within-workers']); // more than 2 workers and their parent
    expect(rules(withArm(1, { cpuPerWall: -0.1 }))).toContain('cpu-within-workers');
  });

  it('startup-nonnegative: a negative pool start-up, in an arm or a side figure', () => {
    expect(rules(withArm(3, { startupSeconds: -0.004 }))).toEqual(['startup-nonnegative']);
    expect(rules(withSide((s) => ({ ...s, startupSeconds: { threads: null, processes: -0.01, interpreters: null } })))).toEqual(['startup-nonnegative']);
    expect(rules(withArm(3, { startupInterval: { estimate: 0.01, lower: -0.002, upper: 0.02, repetitions: 9 } }))).toEqual(['startup-nonnegative']);
  });

  it('gil-threads-serialize: threads that hold the GIL cannot beat serial beyond the margin on a GIL build', () => {
    expect(rules(withArm(2, { speedup: 1.25 }))).toEqual(['gil-threads-serialize']); // threads×4 at CPU/wall 1.0
    // On a free-threaded build, or when the threads used more CPU (released the GIL), it is fine.
    const freeThreaded = withArm(2, { speedup: 1.25 });
    freeThreaded.environment = { ...freeThreaded.environment, gilEnabled: false, freeThreadedBuild: true };
    expect(rules(freeThreaded)).toEqual([]);
    expect(rules(withArm(2, { speedup: 1.25, cpuPerWall: 1.3 }))).toEqual([]);
    // Slower than serial is what contention costs: allowed.
    expect(rules(withArm(2, { speedup: 0.7 }))).toEqual([]);
  });

  it('interval-contains-estimate: an estimate outside its interval, a level or p-value out of range', () => {
    const bad = (c: Partial<Comparison['estimate']>) => withSide((s) => ({ ...s, comparisons: { ...s.comparisons, threadsVsSerial: { ...s.comparisons.threadsVsSerial!, estimate: { ...s.comparisons.threadsVsSerial!.estimate, ...c } } } }));
    expect(rules(bad({ ratio: 1.2 }))).toEqual(['interval-contains-estimate']);
    expect(rules(bad({ level: 1.5 }))).toEqual(['interval-contains-estimate']);
    expect(rules(bad({ pValue: -0.1 }))).toEqual(['interval-contains-estimate']);
    expect(rules(bad({ ratio: Number.NaN, lower: Number.NaN, upper: Number.NaN }))).toEqual([]); // no data yet: unknown, not broken
    // Each comparison is stored once (the facts' pairs) and flagged once, named by the models it compares.
    const pairBroken = withSide((s) => ({ ...s, comparisons: { ...s.comparisons, threadsVsProcesses: comparison(5, 3.4, 3.8, 'b-faster') } }));
    expect(checkInvariants(pairBroken)).toEqual([expect.objectContaining({ rule: 'interval-contains-estimate', figure: 'resize-images · threads vs processes' })]);
    expect(rules(withArm(3, { startupInterval: { estimate: 0.03, lower: 0.01, upper: 0.02, repetitions: 9 } }))).toEqual(['interval-contains-estimate']);
    const vsBase = results([workload('w', cpuBoundSide(), { vsBase: comparison(1.3, 0.9, 1.1, 'unknown') })]);
    expect(checkInvariants(vsBase)).toEqual([expect.objectContaining({ rule: 'interval-contains-estimate', figure: 'w · vs base' })]);
  });

  it('speedup-positive: a zero, negative or infinite speedup, or serial not ×1', () => {
    expect(rules(withArm(3, { speedup: 0 }))).toEqual(['speedup-positive']);
    expect(rules(withArm(3, { speedup: Number.POSITIVE_INFINITY }))).toEqual(['speedup-positive']);
    expect(rules(withArm(0, { speedup: 1.1 }))).toEqual(['speedup-positive']);
    expect(rules(withSide((s) => ({ ...s, speedup: { ...s.speedup, processes: -2 } })))).toEqual(['speedup-positive']);
  });

  it('wall-ordered: min ≤ median ≤ max', () => {
    expect(rules(withArm(0, { wall: { n: 5, median: 2, min: 2.5, max: 3, cv: 0.1 } }))).toEqual(['wall-ordered']);
  });

  it('regressions-counted: the file count agrees with its workloads', () => {
    expect(rules(withSide((s) => s, { regressions: 2 }))).toEqual(['regressions-counted']);
  });
});

describe('a broken invariant in the reports', () => {
  it('is a warning naming the figure in the comment and the terminal, never silence', () => {
    const r = withArm(3, { capacity: 2.76 });
    const md = renderMarkdown(r);
    expect(md).toContain('⚠️ **1 figure cannot be right**');
    expect(md).toContain('resize-images · processes×2 · capacity: ×2.76 exceeds what 2 workers can deliver \\(×2\\)');
    expect(renderTerminal(r, { color: false })).toContain('! resize-images · processes×2 · capacity cannot be right: ×2.76');
    expect(renderMarkdown(fixtures.allFine)).not.toContain('cannot be right');
  });
});

// ---------------------------------------------------------------- properties over generated results

/** A physically possible arm on `cores` CPUs: every bound respected. */
function armArb(cores: number): fc.Arbitrary<ArmResult> {
  return fc
    .record({
      model: fc.constantFrom('threads' as const, 'processes' as const, 'interpreters' as const),
      workers: fc.integer({ min: 2, max: 32 }),
      median: fc.double({ min: 1e-4, max: 100, noNaN: true }),
      spreadLow: fc.double({ min: 0, max: 1, noNaN: true }),
      spreadHigh: fc.double({ min: 0, max: 1, noNaN: true }),
      startup: fc.double({ min: 0, max: 2, noNaN: true }),
      cpuShare: fc.double({ min: 0, max: 1, noNaN: true }),
      capacityShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
      speedup: fc.double({ min: 0.01, max: 1.05, noNaN: true }),
    })
    .map((g) => {
      const bound = Math.min(g.workers, cores);
      return arm(g.model, g.workers, g.median, g.speedup, {
        wall: { n: 7, median: g.median, min: g.median * (1 - g.spreadLow * 0.5), max: g.median * (1 + g.spreadHigh), cv: 0.02 },
        startupSeconds: g.startup,
        cpuPerWall: g.cpuShare * bound,
        capacity: g.capacityShare * bound,
      });
    });
}

function comparisonArb(): fc.Arbitrary<Comparison> {
  return fc
    .record({ ratio: fc.double({ min: 0.01, max: 100, noNaN: true }), below: fc.double({ min: 0, max: 0.9, noNaN: true }), above: fc.double({ min: 0, max: 5, noNaN: true }) })
    .map((g) => comparison(g.ratio, g.ratio * (1 - g.below), g.ratio * (1 + g.above), 'unknown', 0.99));
}

const resultsArb: fc.Arbitrary<Results> = fc.integer({ min: 1, max: 64 }).chain((cores) =>
  fc
    .record({
      arms: fc.array(armArb(cores), { minLength: 0, maxLength: 8 }),
      vsSerial: comparisonArb(),
      vsBase: fc.option(comparisonArb(), { nil: null }),
      freeThreaded: fc.boolean(),
    })
    .map((g) => {
      const side: StoredSide = { ...ioWaitSide(), arms: [arm('serial', 1, 1, 1, { cpuPerWall: 0.99 }), ...g.arms] };
      side.comparisons = { ...side.comparisons, threadsVsSerial: g.vsSerial };
      const r = results([workload('generated', side, { vsBase: g.vsBase })]);
      r.environment = { ...r.environment, cores, gilEnabled: !g.freeThreaded, freeThreadedBuild: g.freeThreaded };
      return r;
    }),
);

describe('properties over generated results', () => {
  it('a physically possible file has no violation', () => {
    fc.assert(fc.property(resultsArb, (r) => checkInvariants(r).length === 0), { numRuns: 300 });
  });

  /** One figure broken beyond its bound, and the rule that must name it. */
  const breakers: [InvariantRule, (r: Results, a: ArmResult) => void][] = [
    ['capacity-within-cpus', (r, a) => (a.capacity = Math.min(a.workers, r.environment.cores) * 1.2 + 0.01)],
    ['cpu-within-workers', (r, a) => (a.cpuPerWall = Math.min(a.workers + 1, r.environment.cores) * 1.2 + 0.01)],
    ['startup-nonnegative', (_r, a) => (a.startupSeconds = -0.001)],
    ['speedup-positive', (_r, a) => (a.speedup = 0)],
    ['wall-ordered', (_r, a) => (a.wall = { ...a.wall, min: a.wall.median * 2 })],
    ['interval-contains-estimate', (r) => {
      const c = r.workloads[0]!.facts.models.threads!.vsSerial;
      c.estimate = { ...c.estimate, ratio: c.estimate.upper * 1.5 + 0.01 };
    }],
  ];
  for (const [rule, breakIt] of breakers) {
    it(`any file with one figure broken for ${rule} is flagged with that rule`, () => {
      fc.assert(
        fc.property(resultsArb, fc.nat(), (r, pick) => {
          const arms = r.workloads[0]!.arms.filter((a) => a.model !== 'serial');
          if (arms.length === 0 && rule !== 'interval-contains-estimate') return true;
          breakIt(r, arms[pick % Math.max(1, arms.length)]!);
          return rules(r).includes(rule);
        }),
        { numRuns: 200 },
      );
    });
  }
});
