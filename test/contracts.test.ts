// The file contracts: results JSON (v1, v2 and v3) and the python runner's outputs, read back through
// their schemas. Runner outputs come from the real runner in a real interpreter.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults, resultsFile, ResultsFileError } from '../src/core/contracts/results.js';
import { modelFigures, pairComparison } from '../src/core/side-facts.js';
import type { Results } from '../src/core/types.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';
import { parseRunnerOutput, RunnerOutputError } from '../src/core/contracts/runner.js';
import { probeEnvironment, probeWorkload, runTrial, type PythonTarget } from '../src/measure/python.js';
import { fixtures } from './fixtures/results/index.js';
import { requirePython, type PythonVersion } from './helpers/pythons.js';

const FIXTURES = path.resolve('test/fixtures/cli');
const target: PythonTarget = { python: 'python3', cwd: FIXTURES, paths: [FIXTURES], env: { ...process.env } };
const quickSum = { name: 'quick-sum', run: 'quick:total', tasks: 8, timeout: 120, startMethod: null, pool: 'per-batch' } as const;

/** A results file of an older version, as gilgate wrote it (test/fixtures/results/files). */
const olderFile = (name: string) => JSON.parse(readFileSync(path.resolve('test/fixtures/results/files', `${name}.json`), 'utf8'));
/** What a writer puts on disk: the file's JSON, read back as text. */
const written = (r: Results) => JSON.parse(JSON.stringify(resultsFile(r)));

describe('readResults', () => {
  it('reads back an interval JSON could not hold (±Infinity, NaN written as null) as not finite', () => {
    const open = structuredClone(fixtures.inconclusive);
    open.workloads[0]!.facts.models.threads!.vsSerial = { outcome: 'unknown', estimate: { ratio: 1.2, lower: 0, upper: Number.POSITIVE_INFINITY, level: 0.99, pValue: Number.NaN, n: 1 } };
    const read = readResults(written(open));
    const estimate = pairComparison(read.workloads[0]!.facts, 'threads', 'serial')!.comparison.estimate;
    expect(estimate.ratio).toBe(1.2);
    expect(Number.isNaN(estimate.upper)).toBe(true);
    expect(Number.isNaN(estimate.pValue)).toBe(true);
    // The same in a version 1 file's comparisons.
    const v1 = olderFile('v1');
    v1.workloads[0].comparisons.threadsVsSerial = { outcome: 'unknown', estimate: { ratio: 1.2, lower: 0, upper: null, level: 0.99, pValue: null, n: 1 } };
    const older = pairComparison(readResults(v1).workloads[0]!.facts, 'threads', 'serial')!.comparison.estimate;
    expect([older.ratio, Number.isNaN(older.upper), Number.isNaN(older.pValue)]).toEqual([1.2, true, true]);
  });

  it('reads every fixture back from the version 3 file it writes: the same reports, each figure once', () => {
    for (const [name, results] of Object.entries(fixtures)) {
      const file = written(results);
      expect(file.schemaVersion, name).toBe(3);
      const read = readResults(file);
      expect(read.schemaVersion, name).toBe(3);
      expect(renderMarkdown(read), name).toBe(renderMarkdown(results));
      expect(renderTerminal(read, { color: false }), name).toBe(renderTerminal(results, { color: false }));
      expect(read.workloads.map((w) => [w.name, w.python, w.recommendation, w.base?.recommendation ?? null]), name).toEqual(
        results.workloads.map((w) => [w.name, w.python ?? '', w.recommendation, w.base?.recommendation ?? null]), // (hand-made rows may leave python out)
      );
      // The view users read is in the file; read back, only the facts hold it.
      file.workloads.forEach((w: Record<string, unknown>, i: number) => {
        expect(w.speedup, name).toEqual(modelFigures(results.workloads[i]!, 'speedup'));
        for (const stored of ['comparisons', 'steadySpeedup', 'startupSeconds', 'breakEven', 'capacity', 'capacityShare']) expect(w, name).not.toHaveProperty(stored);
        expect(read.workloads[i], name).not.toHaveProperty('speedup');
      });
    }
  });

  it('reads a version 1 file with everything it wrote, and says what it did not record', () => {
    const file = olderFile('v1');
    const read = readResults(file);
    expect(read.schemaVersion).toBe(1);
    expect(read.environment.interpretersUnavailable).toMatch(/not recorded/);
    expect(read.environment.placement).toBe('unsupported');
    file.workloads.forEach((w: { speedup: Record<string, number | null>; python?: string; base: { speedup: Record<string, number | null> } | null }, i: number) => {
      const back = read.workloads[i]!;
      expect(back.python).toBe(file.environment.python);
      expect(back.pool).toBe('per-batch');
      // Its figures are the facts' now; a model it did not record (interpreters) did not run.
      expect(modelFigures(back, 'speedup')).toEqual({ interpreters: null, ...w.speedup });
      if (w.base) expect(modelFigures(back.base!.detail, 'speedup')).toEqual({ interpreters: null, ...w.base.speedup });
      expect(back.facts.serial).toBeNull(); // no serial figures recorded: no start-up summary invented
    });
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
    const file = { ...olderFile('v1'), schemaVersion: 2, values, futureField: 7 };
    const read = readResults(file);
    expect(read.schemaVersion).toBe(2);
    expect(read.values?.trials[0]?.arm).toEqual({ model: 'serial', workers: 1 });
    expect(read).toMatchObject({ futureField: 7 });
    expect(readResults({ ...written(fixtures.allFine), values, futureField: 7 })).toMatchObject({ schemaVersion: 3, futureField: 7, values: { stopReason: 'settled' } });
  });

  it('names what is wrong in a file that is not results', () => {
    expect(() => readResults({ hello: 1 })).toThrow(ResultsFileError);
    const broken = { ...olderFile('v1'), schemaVersion: 2, values: { trials: 'all of them' } };
    expect(() => readResults(broken)).toThrow(/values\.setup/);
    const noRecommendation = olderFile('v1');
    delete noRecommendation.workloads[0].recommendation;
    expect(() => readResults(noRecommendation)).toThrow(/workloads\.0\.recommendation/);
    expect(() => readResults({ ...noRecommendation, schemaVersion: 4 })).toThrow(/schemaVersion/);
    // Version 3 holds every figure in the facts: a side without them is not a version 3 file.
    const noFacts = written(fixtures.allFine);
    delete noFacts.workloads[1].facts;
    expect(() => readResults(noFacts)).toThrow(/workloads\.1\.facts/);
    const noPairs = written(fixtures.allFine);
    delete noPairs.workloads[0].base.detail.facts.pairs;
    expect(() => readResults(noPairs)).toThrow(/workloads\.0\.base\.detail\.facts\.pairs/);
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
