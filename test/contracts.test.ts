// The file contracts: results JSON (v1 and v2) and the python runner's outputs, read back through
// their schemas. Runner outputs come from the real runner in a real interpreter.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults, ResultsFileError } from '../src/core/contracts/results.js';
import { parseRunnerOutput, RunnerOutputError } from '../src/core/contracts/runner.js';
import { probeEnvironment, probeWorkload, runTrial, type PythonTarget } from '../src/measure/python.js';
import { fixtures } from './fixtures/results/index.js';
import { requirePython, type PythonVersion } from './helpers/pythons.js';

const FIXTURES = path.resolve('test/fixtures/cli');
const target: PythonTarget = { python: 'python3', cwd: FIXTURES, paths: [FIXTURES], env: { ...process.env } };
const quickSum = { name: 'quick-sum', run: 'quick:total', tasks: 8, timeout: 120, startMethod: null, pool: 'per-batch' } as const;

describe('readResults', () => {
  it('reads back an interval JSON could not hold (±Infinity, NaN written as null) as not finite', () => {
    const open = { ...fixtures.inconclusive, workloads: fixtures.inconclusive.workloads.map((w) => ({ ...w, comparisons: { ...w.comparisons, threadsVsSerial: { outcome: 'unknown' as const, estimate: { ratio: 1.2, lower: 0, upper: Number.POSITIVE_INFINITY, level: 0.99, pValue: Number.NaN, n: 1 } } } })) };
    const read = readResults(JSON.parse(JSON.stringify(open)));
    const estimate = read.workloads[0]!.comparisons.threadsVsSerial!.estimate;
    expect(estimate.ratio).toBe(1.2);
    expect(Number.isNaN(estimate.upper)).toBe(true);
    expect(Number.isNaN(estimate.pValue)).toBe(true);
  });

  it('reads every version 1 fixture back with everything it wrote, and says what it did not record', () => {
    for (const [name, results] of Object.entries(fixtures)) {
      const read = readResults(JSON.parse(JSON.stringify(results)));
      expect(read, name).toMatchObject(JSON.parse(JSON.stringify(results)));
      // What a fixture did not write reads as "not recorded", never as a measured value.
      const written = JSON.parse(JSON.stringify(results));
      if (written.environment.interpretersUnavailable === undefined) expect(read.environment.interpretersUnavailable, name).toMatch(/not recorded/);
      if (written.environment.placement === undefined) expect(read.environment.placement, name).toBe('unsupported');
      written.workloads.forEach((w: Record<string, unknown>, i: number) => {
        const back = read.workloads[i]!;
        if ((w.speedup as Record<string, unknown>).interpreters === undefined) expect(back.speedup.interpreters, name).toBeNull();
        if (w.pool === undefined) expect(back.pool, name).toBe('per-batch');
        if (w.python === undefined) expect(back.python, name).toBe(results.environment.python);
      });
    }
  });

  it('reads a version 2 file and keeps its values; extra fields pass through', () => {
    const environment = { ...fixtures.allFine.environment, cpus: [0], placement: 'affinity', startMethods: ['fork'], interpretersUnavailable: null };
    const values = {
      setup: { pythons: ['python3'], workloads: [{ name: 'a', run: 'm:f', tasks: 4, timeout: 300, startMethod: null, pool: 'per-batch' }], base: null },
      trials: [
        {
          workload: 'a',
          python: 'python3',
          side: 'head',
          round: 0,
          arm: { model: 'serial', workers: 1 },
          cpu: 0,
          outcome: { ok: true, cpu: 0, wallSeconds: 1, steadySeconds: 1, startupSeconds: 0, cpuSeconds: 1, peakRssSelfBytes: 1, peakRssChildBytes: 0, tasks: 4, digest: 'x', digestStable: true, repetitionsDiffer: false, chunksize: null, startMethod: null, repetitions: [{ wallSeconds: 1, steadySeconds: 1, startupSeconds: 0, cpuSeconds: 1 }] },
        },
      ],
      probes: [],
      environments: [environment],
      machine: [{ ok: true, cpus: [{ cpu: 0, loopSeconds: 0.01 }], capacity: [{ workers: 1, ratio: 1 }], singleLoopSeconds: 0.01 }],
      stopReason: 'settled',
    };
    const file = { ...JSON.parse(JSON.stringify(fixtures.allFine)), schemaVersion: 2, values, futureField: 7 };
    const read = readResults(file);
    expect(read.schemaVersion).toBe(2);
    expect(read.values?.trials[0]?.arm).toEqual({ model: 'serial', workers: 1 });
    expect(read).toMatchObject({ futureField: 7 });
  });

  it('names what is wrong in a file that is not results', () => {
    expect(() => readResults({ hello: 1 })).toThrow(ResultsFileError);
    const broken = { ...JSON.parse(JSON.stringify(fixtures.regressions)), schemaVersion: 2, values: { trials: 'all of them' } };
    expect(() => readResults(broken)).toThrow(/values\.setup/);
    const noRecommendation = JSON.parse(JSON.stringify(fixtures.regressions));
    delete noRecommendation.workloads[0].recommendation;
    expect(() => readResults(noRecommendation)).toThrow(/workloads\.0\.recommendation/);
    expect(() => readResults({ ...noRecommendation, schemaVersion: 3 })).toThrow(/schemaVersion/);
  });
});

describe('parseRunnerOutput', () => {
  it('accepts the real runner environment, probe, trial and failure', async () => {
    const environment = parseRunnerOutput('environment', await probeEnvironment(target));
    expect(environment).toMatchObject({ implementation: 'CPython', gilEnabled: true });
    expect(parseRunnerOutput('probe', await probeWorkload(target, quickSum))).toMatchObject({ ok: true, taskCount: 8 });
    expect(parseRunnerOutput('trial', await runTrial(target, quickSum, { model: 'threads', workers: 2, cpu: null, repetitions: 2, startMethod: null }))).toMatchObject({ ok: true, tasks: 8 });
    const failure = parseRunnerOutput('probe', await probeWorkload(target, { ...quickSum, run: 'not_a_module:fn' }));
    expect(failure).toMatchObject({ ok: false, kind: 'import' });
  });

  it('names the field a runner got wrong', () => {
    expect(() => parseRunnerOutput('trial', { ok: true, repetitions: 'many' })).toThrow(RunnerOutputError);
    expect(() => parseRunnerOutput('trial', { ok: true, repetitions: 'many' })).toThrow(/repetitions: Invalid input: expected array/);
    expect(() => parseRunnerOutput('machine', { ok: true, cpus: [], capacity: [] })).toThrow(/singleLoopSeconds/);
  });

  for (const version of ['3.8', '3.14', '3.15', 'pypy3'] as const satisfies readonly PythonVersion[]) {
    it(`accepts the environment of Python ${version}`, async () => {
      const python = requirePython(version);
      const environment = parseRunnerOutput('environment', await probeEnvironment({ ...target, python }));
      expect(environment.ok).not.toBe(false);
      if (environment.ok === false) return;
      expect(environment.implementation).toBe(version === 'pypy3' ? 'PyPy' : 'CPython');
      if (version !== 'pypy3') expect(environment.python.startsWith(version)).toBe(true);
    });
  }
});
