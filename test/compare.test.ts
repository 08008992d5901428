import { describe, expect, it } from 'vitest';
import { compareSides, holmFilter, isFlip, type SideData } from '../src/core/compare.js';
import { gateFails, parseFailOn } from '../src/core/gate.js';
import { compareValues, lookCount, lookErrors, lookSchedule, type SequentialPolicy } from '../src/core/stats/sequential.js';
import { studentTQuantile } from '../src/core/stats/estimate.js';
import type { Regression, Results } from '../src/core/types.js';
import { judge, type VerdictInput } from '../src/core/verdict.js';
import { explainChange, explainSide } from '../src/report/explain.js';
import { arm, failure, probe, processes, SERIAL, threads } from './helpers/samples.js';

const policy: SequentialPolicy = { alpha: 0.01, minRounds: 3, maxRounds: 15 };
const R = 10;

function side(arms: SideData['arms'], p: VerdictInput['probe'] = probe()): SideData {
  return { arms, result: judge({ probe: p, arms, rounds: R, margin: 0.1, policy, final: true, describe: explainSide }).result };
}

const gilReleasing = (scale = 1, rss = 50e6) =>
  side([
    arm(SERIAL, R, 1.0 * scale, 0.01, () => ({ peakRssSelfBytes: rss })),
    arm(threads(), R, 0.52 * scale, 0.01, () => ({ cpuSeconds: 1.0 * scale, peakRssSelfBytes: rss })),
    arm(processes(), R, 0.7 * scale, 0.01, () => ({ cpuSeconds: 1.0 * scale, peakRssSelfBytes: rss })),
  ]);
const gilHolding = () =>
  side([arm(SERIAL, R, 1.5), arm(threads(), R, 1.55, 0.01, () => ({ cpuSeconds: 1.5 })), arm(processes(), R, 0.8)]);

const compare = (head: SideData, base: SideData) => compareSides({ head, base, rounds: R, threshold: 0.1, memoryThreshold: 0.2, policy, describe: explainChange });

describe('compareSides', () => {
  it('flags nothing when head and base measure the same', () => {
    const report = compare(gilReleasing(), gilReleasing());
    expect(report.regressions).toEqual([]);
    expect(report.vsBase?.outcome).toBe('equivalent');
    expect(report.settled).toBe(true);
  });

  it('flags slower with the interval when head is 40% slower with the recommended model', () => {
    const report = compare(gilReleasing(1.4), gilReleasing());
    expect(report.regressions.map((r) => r.kind)).toEqual(['slower']);
    expect(report.regressions[0]!.detail).toMatch(/^\+40% \(CI \+\d+%…\+\d+%\) with threads×2$/);
    expect(report.arm).toEqual(threads());
  });

  it('reports an improvement when head is faster', () => {
    const report = compare(gilReleasing(0.6), gilReleasing());
    expect(report.regressions).toEqual([]);
    expect(report.improvements.map((i) => i.kind)).toEqual(['faster']);
  });

  it('flags a flip from threads to processes: the PR made the code hold the GIL', () => {
    const base = gilReleasing();
    const head = gilHolding();
    expect(base.result.recommendation).toBe('threads');
    expect(head.result.recommendation).toBe('processes');
    const report = compare(head, base);
    const flip = report.regressions.find((r) => r.kind === 'flip');
    expect(flip?.detail).toBe('threads → processes: the PR made this code hold the GIL');
    expect(report.regressions.map((r) => r.kind)).toContain('scaling');
  });

  it('flags memory growth beyond the memory threshold', () => {
    const report = compare(gilReleasing(1, 80e6), gilReleasing(1, 50e6));
    expect(report.regressions.map((r) => r.kind)).toEqual(['memory']);
    expect(report.regressions[0]!.detail).toContain('+60%');
  });

  it('flags failing when head breaks what base ran, and reports a fix the other way', () => {
    const broken = side([], failure('import', "No module named 'x'"));
    expect(compare(broken, gilReleasing()).regressions).toEqual([
      { kind: 'failing', detail: "ran in base, fails in head: RuntimeError: No module named 'x'", facts: { kind: 'failing', message: "RuntimeError: No module named 'x'" } },
    ]);
    expect(compare(gilReleasing(), broken).improvements[0]?.kind).toBe('fixed');
  });
});

describe('compareValues', () => {
  it('names the direction of values where lower is not "faster" (memory, speedups)', () => {
    const base = Array.from({ length: R }, (_, i) => 100 * (1 + 0.01 * Math.sin(i)));
    expect(compareValues(base.map((x) => x * 1.5), base, 0.1, policy).outcome).toBe('higher');
    expect(compareValues(base.map((x) => x * 0.6), base, 0.1, policy).outcome).toBe('lower');
    expect(compareValues(base, base, 0.1, policy).outcome).toBe('equivalent');
  });
});

describe('compareSides facts', () => {
  it('returns the figures behind each change, and the words come from the describe function', () => {
    const head = gilReleasing(1.4);
    const base = gilReleasing();
    const plain = compareSides({ head, base, rounds: R, threshold: 0.1, memoryThreshold: 0.2, policy });
    expect(plain.regressions[0]!.facts).toMatchObject({ kind: 'time', direction: 'slower', arm: 'threads×2' });
    expect(plain.regressions[0]!.detail).toBe('time');
    expect(compare(head, base).regressions[0]!.detail).toMatch(/^\+40%/);
  });

  it('compares steady times for a long-lived pool: a slower start-up alone is no regression there', () => {
    const slowStart = (startupSeconds: number) =>
      side([
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 1.0, 0.01, () => ({ cpuSeconds: 1.0 })),
        arm(processes(), R, 0.5 + startupSeconds, 0.01, () => ({ startupSeconds })),
      ]);
    const head = slowStart(0.3);
    const base = slowStart(0.05);
    const perBatch = compareSides({ head, base, rounds: R, threshold: 0.1, memoryThreshold: 0.2, policy });
    expect(perBatch.regressions.map((r) => r.kind)).toContain('slower');
    const longLived = compareSides({ head, base, rounds: R, threshold: 0.1, memoryThreshold: 0.2, policy, pool: 'long-lived' });
    expect(longLived.regressions.map((r) => r.kind)).not.toContain('slower');
    expect(longLived.vsBase?.outcome).toBe('equivalent');
  });
});

describe('isFlip', () => {
  it('counts changes between settled recommendations, but not either ↔ a model it covers', () => {
    expect(isFlip('threads', 'processes')).toBe(true);
    expect(isFlip('processes', 'serial')).toBe(true);
    expect(isFlip('either', 'serial')).toBe(true);
    expect(isFlip('either', 'threads')).toBe(false);
    expect(isFlip('processes', 'either')).toBe(false);
    expect(isFlip('threads', 'inconclusive')).toBe(false);
    expect(isFlip('error', 'threads')).toBe(false);
    expect(isFlip('threads', 'threads')).toBe(false);
    expect(isFlip('processes', 'interpreters')).toBe(true);
  });
});

describe('holmFilter', () => {
  const est = (pValue: number) => ({ ratio: 1.2, lower: 1.1, upper: 1.3, level: 0.999, pValue, n: 10 });
  it('keeps strong regressions, drops ones that do not survive the correction, and always keeps flips', () => {
    // Estimates without their look (results from before error spending): Bonferroni over the looks.
    const looks = lookCount(policy); // scheduled looks 3, 6, 8, 10, 15
    expect(looks).toBe(5);
    const regressions: Regression[][] = [
      [{ kind: 'slower', detail: 'a', estimate: est(1e-6) }],
      [{ kind: 'slower', detail: 'b', estimate: est(0.004 / looks) }, { kind: 'flip', detail: 'f' }],
      [{ kind: 'memory', detail: 'c', estimate: est(0.0009 / looks) }],
    ];
    // Sorted p×looks: 1.3e-5 (≤ 0.01/3), 0.0009 (≤ 0.01/2), 0.004 (≤ 0.01/1) → all kept.
    expect(holmFilter(regressions, 0.01, policy)).toEqual([[true], [true, true], [true]]);
    // alpha 0.002: 1.3e-5 ≤ 0.002/3, 0.0009 ≤ 0.002/2, but 0.004 > 0.002 → only 'b' is dropped.
    expect(holmFilter(regressions, 0.002, policy)).toEqual([[true], [false, true], [true]]);
    // alpha 0.0015: 0.0009 > 0.0015/2 stops the step-down, so it and 0.004 are dropped.
    expect(holmFilter(regressions, 0.0015, policy)).toEqual([[true], [false, true], [false]]);
  });

  it('asks each sequential test whether it would have crossed at alpha/j at its look (error spending)', () => {
    // A one-sided p just inside the look's nominal error at α stands alone; with a strong claim and
    // another like it, Holm rejects the strong one at α/3, then asks the two at α/2, whose boundary
    // at the same look they do not cross: both are dropped.
    const at10 = lookErrors(0.01, policy)[lookSchedule(policy).indexOf(10)]!;
    const t = studentTQuantile(1 - 0.9 * at10, 5);
    const weak = { ratio: 1.2, lower: 1.01, upper: 1.3, level: 0.99, pValue: 1.8 * at10, n: 10, t, df: 5, look: 10 };
    expect(holmFilter([[{ kind: 'slower', detail: 'a', estimate: weak }]], 0.01, policy)).toEqual([[true]]);
    const strong = { ...weak, t: 50, pValue: 1e-9 };
    const claim = (estimate: typeof weak): Regression[] => [{ kind: 'slower', detail: '', estimate }];
    expect(holmFilter([claim(weak), claim(weak), claim(strong)], 0.01, policy)).toEqual([[false], [false], [true]]);
    // With two strong claims, the last step is at α itself: the weak one stands.
    expect(holmFilter([claim(weak), claim(strong), claim(strong)], 0.01, policy)).toEqual([[true], [true], [true]]);
  });
});

describe('gate', () => {
  const results = (kinds: Regression['kind'][]) =>
    ({ workloads: [{ regressions: kinds.map((kind) => ({ kind, detail: '' })) }] }) as unknown as Results;
  it('fails on any regression by default, only on flips with flip, never with never', () => {
    expect(gateFails(results([]), 'regression')).toBe(false);
    expect(gateFails(results(['slower']), 'regression')).toBe(true);
    expect(gateFails(results(['slower']), 'flip')).toBe(false);
    expect(gateFails(results(['flip']), 'flip')).toBe(true);
    expect(gateFails(results(['flip', 'slower']), 'never')).toBe(false);
  });
  it('parses fail-on strictly', () => {
    expect(parseFailOn(' Flip ')).toBe('flip');
    expect(() => parseFailOn('sometimes')).toThrow(/regression, flip, never/);
  });
});
