import { describe, expect, it } from 'vitest';
import { amdahl, karpFlatt, outlookOf, OUTLOOK_WORKERS } from '../src/core/outlook.js';
import type { SequentialPolicy } from '../src/core/stats/sequential.js';
import { judge, type VerdictInput } from '../src/core/verdict.js';
import { sideFromStored } from '../src/core/contracts/older-results.js';
import type { MachineProbe } from '../src/core/types.js';
import { explainSide } from '../src/report/explain.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { outlookText } from '../src/report/outlook.js';
import { renderTerminal } from '../src/report/terminal.js';
import { cpuBoundSide, results, workload } from './fixtures/results/index.js';
import { arm, probe, processes, SERIAL, threads } from './helpers/samples.js';

const policy: SequentialPolicy = { alpha: 0.01, minRounds: 3, maxRounds: 15 };
const R = 8;
const machine = (ratio: number): MachineProbe => ({ ok: true, cpus: [{ cpu: 0, loopSeconds: 0.01 }, { cpu: 1, loopSeconds: 0.01 }], capacity: [{ workers: 2, ratio }], singleLoopSeconds: 0.01 });

function input(arms: VerdictInput['arms'], extra: Partial<VerdictInput> = {}): VerdictInput {
  return { probe: probe(), arms, rounds: R, margin: 0.1, policy, final: false, describe: explainSide, ...extra };
}

/** Pure-Python CPU work: threads run one at a time, processes at `processSeconds` per batch of 1 s serial. */
function cpuBound(processArms: [number, number][], extra: Partial<VerdictInput> = {}) {
  return judge(
    input(
      [
        arm(SERIAL, R, 1.0),
        arm(threads(), R, 1.02, 0.01, () => ({ cpuSeconds: 1.02 })),
        ...processArms.map(([workers, seconds]) => arm(processes(workers), R, seconds, 0.01, () => ({ cpuSeconds: 1.0 }))),
      ],
      extra,
    ),
  ).result;
}

describe('Karp–Flatt and Amdahl', () => {
  it('gives the textbook values', () => {
    // S = 1.9 on 2: e = (1/1.9 − 1/2) / (1 − 1/2) = 0.0526…
    expect(karpFlatt(1.9, 2)).toBeCloseTo(0.05263, 4);
    expect(amdahl(0.05, 8)).toBeCloseTo(1 / (0.05 + 0.95 / 8), 10);
    expect(amdahl(0, 64)).toBe(64);
    expect(amdahl(1, 64)).toBe(1);
    // A speedup past the worker count (a faster CPU, caches) is no negative serial work: e = 0.
    expect(karpFlatt(2.3, 2)).toBe(0);
    // A slowdown is all serial.
    expect(karpFlatt(0.8, 2)).toBe(1);
  });
});

describe('outlookOf', () => {
  it('bounds a CPU-bound processes verdict beyond the runner, its interval from the speedup\'s', () => {
    const result = cpuBound([[2, 0.53]], { machine: machine(1.6) });
    expect(result.recommendation).toBe('processes');
    const o = outlookOf(result)!;
    expect(o).not.toBeNull();
    expect(o.model).toBe('processes');
    expect(o.measuredWorkers).toBe(2);
    const m = result.facts!.models.processes!;
    expect(o.speedup.value).toBe(m.speedup);
    // e falls as the speedup rises: the speedup's upper end is e's lower end.
    expect(o.serialFraction.value).toBeCloseTo(karpFlatt(m.speedup, 2), 12);
    expect(o.serialFraction.lower).toBeCloseTo(karpFlatt(m.upper, 2), 12);
    expect(o.serialFraction.upper).toBeCloseTo(karpFlatt(m.lower, 2), 12);
    expect(o.serialFraction.lower).toBeLessThanOrEqual(o.serialFraction.value);
    expect(o.serialFraction.value).toBeLessThanOrEqual(o.serialFraction.upper);
    expect(o.bounds.map((b) => b.workers)).toEqual([...OUTLOOK_WORKERS]);
    for (const b of o.bounds) {
      expect(b.value).toBeCloseTo(amdahl(o.serialFraction.value, b.workers), 12);
      expect(b.lower).toBeLessThanOrEqual(b.value);
      expect(b.value).toBeLessThanOrEqual(b.upper);
      expect(b.upper).toBeLessThanOrEqual(b.workers);
    }
    // Never more than 1/e, whatever the cores.
    expect(o.bounds.at(-1)!.value).toBeLessThan(1 / o.serialFraction.value);
    // Against the runner's capacity (×1.6 from 2 workers) the fraction is smaller.
    expect(o.capacity).toBe(1.6);
    expect(o.serialFractionVsCapacity!).toBeLessThan(o.serialFraction.value);
    expect(o.fit).toBeNull();
  });

  it('fits e over a sweep of at least three points, with an interval', () => {
    // Serial fraction 0.1: S(2) = 1/0.55, S(4) = 1/0.325.
    const result = cpuBound([[2, 0.55], [4, 0.325]]);
    const o = outlookOf(result)!;
    expect(o.fit).not.toBeNull();
    expect(o.fit!.points).toBe(3);
    expect(o.fit!.serialFraction.value).toBeGreaterThan(0.08);
    expect(o.fit!.serialFraction.value).toBeLessThan(0.12);
    expect(o.fit!.serialFraction.lower).toBeLessThanOrEqual(o.fit!.serialFraction.value);
    expect(o.fit!.serialFraction.upper).toBeGreaterThanOrEqual(o.fit!.serialFraction.value);
    // Bounds start above the largest measured count.
    expect(o.bounds.map((b) => b.workers)).toEqual(OUTLOOK_WORKERS.filter((n) => n > o.measuredWorkers));
  });

  it('says nothing for work that waits, or without a parallel recommendation', () => {
    const waiting = judge(
      input([
        arm(SERIAL, R, 1.0, 0.01, () => ({ cpuSeconds: 0.05 })),
        arm(threads(), R, 0.5, 0.01, () => ({ cpuSeconds: 0.05 })),
        arm(processes(), R, 0.55, 0.01, () => ({ cpuSeconds: 0.05 })),
      ]),
    ).result;
    expect(waiting.recommendation).not.toBe('serial');
    expect(outlookOf(waiting)).toBeNull();
    const serialWins = cpuBound([[2, 1.5]]);
    expect(serialWins.recommendation).toBe('serial');
    expect(outlookOf(serialWins)).toBeNull();
    // A side read from a version 1 file (facts built from its stored figures, no serial's) has none either.
    expect(outlookOf(sideFromStored(cpuBoundSide(), 0.1))).toBeNull();
  });
});

describe('the outlook in words', () => {
  it('is named a model, with the figure and the place it came from', () => {
    const o = outlookOf(cpuBound([[2, 0.53]], { machine: machine(1.6) }))!;
    const text = outlookText(o)!;
    expect(text).toMatch(/^Outlook beyond this runner \(a model, not a measurement\): at most ×\d+\.\d \(\d+\.\d–\d+\.\d\) on 4 cores, ×\d+\.\d \(\d+\.\d–\d+\.\d\) on 8,/);
    expect(text).toMatch(/by Amdahl's law from e = 0\.\d\d \(0\.\d\d–0\.\d\d, from the speedup's 99(\.\d)?% interval\) measured with processes ×1\.\d+ on 2 workers\./);
    expect(text).toContain("This runner's 2 workers deliver ×1.60 of one core");
    expect(outlookText(null)).toBeNull();
  });

  it('appears in the comment and the terminal for a CPU-bound workload, and not for others', () => {
    const side = cpuBound([[2, 0.53]]);
    const w = workload('crunch', { ...cpuBoundSide(), ...side }, { outlook: outlookOf(side) });
    const other = workload('plain', cpuBoundSide());
    const r = results([w, other]);
    const markdown = renderMarkdown(r);
    expect(markdown).toMatch(/\*\*Outlook\*\* beyond this runner \\\(a model, not a measurement\\\): at most ×\d/);
    expect(markdown.match(/\*\*Outlook\*\*/g)).toHaveLength(1);
    const terminal = renderTerminal(r, { color: false });
    expect(terminal).toMatch(/\n {2}Outlook beyond this runner \(a model, not a measurement\): at most ×/);
  });
});
