// The machine's capacity over a run: every probe pooled, bounded by the CPUs, its spread said;
// "of capacity" only for workloads that compute.
import { describe, expect, it } from 'vitest';
import { aggregateMachine, summarizeCapacity } from '../src/core/machine.js';
import type { MachineProbe, ModelFacts, Results, SideFacts } from '../src/core/types.js';
import { explainReason } from '../src/report/explain.js';
import { machineSummary } from '../src/report/format.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { cpuBoundSide, ioWaitSide, results, workload } from './fixtures/results/index.js';

const probe = (ratios: number[], extra: Partial<MachineProbe['capacity'][number]> = {}): MachineProbe => ({
  ok: true,
  cpus: [{ cpu: 0, loopSeconds: 0.02 }, { cpu: 1, loopSeconds: 0.021 }],
  capacity: [{ workers: 2, ratio: [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!, ratios, ...extra }],
  singleLoopSeconds: 0.0205,
});

describe('summarizeCapacity', () => {
  it('pools every run of every probe (not the last probe) and gives the middle half as the spread', () => {
    // The run of the issue: three probes read ×1.24, ×1.44 and ×2.76 on 2 CPUs; the last is impossible.
    const [c] = summarizeCapacity([probe([1.2, 1.24, 1.3]), probe([1.4, 1.44, 1.5]), probe([2.7, 2.76, 2.8])], 2);
    expect(c!.ratio).toBeLessThanOrEqual(2);
    expect(c!.probes).toBe(2); // the impossible probe is left out
    expect(c!.disturbed).toBe(1);
    expect(c!.runs).toBe(6);
    expect(c!.ratio).toBeCloseTo(1.35, 6);
    expect(c!.low).toBeLessThanOrEqual(c!.ratio);
    expect(c!.high).toBeGreaterThanOrEqual(c!.ratio);
  });

  it('caps at min(workers, CPUs) and says so when every probe was disturbed', () => {
    const [c] = summarizeCapacity([probe([2.5, 2.6, 2.7], { disturbed: true })], 2);
    expect(c).toMatchObject({ ratio: 2, capped: true, bound: 2, disturbed: 1 });
    expect(machineSummary(results([], { values: valuesWith([probe([2.5, 2.6, 2.7], { disturbed: true })]), environment: { ...results([]).environment, cores: 2 } }))).toContain('capped at the 2 CPUs');
  });

  it('gives the verdict one probe standing for the run, within the bound', () => {
    const machine = aggregateMachine([probe([1.9, 1.95, 2.0]), probe([2.6, 2.76, 2.9])], 2)!;
    expect(machine.capacity).toEqual([{ workers: 2, ratio: 1.95 }]);
    expect(machine.cpus.map((c) => c.cpu)).toEqual([0, 1]);
    expect(aggregateMachine([], 2)).toBeNull();
  });
});

function valuesWith(machine: MachineProbe[]): NonNullable<Results['values']> {
  return { setup: { pythons: ['python3'], workloads: [], base: null } as unknown as NonNullable<Results['values']>['setup'], trials: [], probes: [], environments: [results([]).environment], machine, stopReason: 'settled' };
}

describe('the report', () => {
  it('prints the machine line with the spread in the footer', () => {
    const md = renderMarkdown(results([workload('w', cpuBoundSide())], { values: valuesWith([probe([1.8, 1.9, 2.0, 1.95, 1.85])]) }));
    expect(md).toContain('- **Machine:** 2 workers deliver ×1.90 \\(×1.85–×1.95, middle half of 5 runs over 1 probe\\)');
  });

  it('shows "of capacity" for a workload that computes, never for one that waits', () => {
    const withCapacity = (side: ReturnType<typeof cpuBoundSide>) => ({ ...side, arms: side.arms.map((a) => (a.model === 'serial' ? a : { ...a, capacity: Math.min(a.workers, 4) * 0.95 })) });
    expect(renderMarkdown(results([workload('computes', withCapacity(cpuBoundSide()))]))).toContain('Of capacity');
    expect(renderMarkdown(results([workload('waits', withCapacity(ioWaitSide()))]))).not.toContain('Of capacity');
    expect(renderMarkdown(results([workload('waits', withCapacity(ioWaitSide()))]))).not.toContain('% of ×');
  });

  it('never shows a share of capacity above 100%: an arm beyond what the probe read says the probe read low', () => {
    const side = cpuBoundSide();
    const lowProbe = { ...side, arms: side.arms.map((a) => (a.model === 'serial' ? a : { ...a, capacity: a.speedup / 1.22 })) };
    const md = renderMarkdown(results([workload('computes', lowProbe)]));
    expect(md).toMatch(/beyond ×\d\.\d\d \(probe read low\)/);
    expect(md).not.toMatch(/1[0-9]{2}% of ×/);
    // Within 5% above the probe: rounding and noise, said as 100%.
    const close = { ...side, arms: side.arms.map((a) => (a.model === 'serial' ? a : { ...a, capacity: a.speedup / 1.03 })) };
    expect(renderMarkdown(results([workload('computes', close)]))).toMatch(/\| 100% of ×/);
  });

  it('never speaks of capacity in the reason of code that waits', () => {
    const threads: ModelFacts = {
      model: 'threads', workers: 8, armsTested: 3, speedup: 4.6, lower: 4.2, upper: 5, vsSerial: { outcome: 'a-faster', estimate: { ratio: 0.22, lower: 0.2, upper: 0.24, level: 0.99, pValue: 0.001, n: 10 } },
      helps: true, ruledOut: false, oneAtATime: false, cpuPerWall: 0.2, wallSpeedup: 4.6, steadySpeedup: 7, startupSeconds: 0.001, breakEven: 0, capacity: 1.9, capacityShare: 2.4,
    };
    const facts = (character: SideFacts['character']): SideFacts => ({
      rule: 'only-helper', recommendation: 'threads', character, pool: 'per-batch', margin: 0.1, rounds: 10, final: true, build: null,
      serial: { seconds: 0.4, cpuPerWall: character === 'io-wait' ? 0.01 : 1 }, models: { threads }, unavailable: {}, everywhere: {}, pairs: [], deciding: null, open: null, otherLifetime: null, warnings: [], error: null,
    });
    expect(explainReason(facts('io-wait'))).not.toContain('delivers');
    expect(explainReason(facts('io-wait'))).not.toContain('machine probe');
    // Code that computes hears of it (here: ×4.6 beside a probe's ×1.90, so the probe read low).
    expect(explainReason(facts('gil-releasing'))).toContain("this runner's machine probe read ×1.90 with 8 workers");
  });
});
