// Lockstep groups with real interpreters: the members take turns repetition by repetition, and a
// member that fails leaves the turns without holding up the others. Nothing here asserts timing:
// the order of the calls is read back from a file each call appends to.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPETITION_SECONDS_CAP,
  probeEnvironment,
  runLockstep,
  runnerScriptPath,
  turnOrder,
  type LockstepMember,
  type PythonTarget,
  type TrialSettings,
} from '../src/measure/python.js';
import { repetitionsFor, seededRandom } from '../src/core/plan.js';
import { trialEnvironment } from '../src/measure/trial-environment.js';
import type { Failure, TrialMeasurement, TrialOutcome, WorkloadConfig } from '../src/core/types.js';
import { requirePython } from './helpers/pythons.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures', 'workloads');

let scratch: string;
let PYTHON: string;
let cpus: number[];
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gilgate-lockstep-test-'));
  const environment = await probeEnvironment(target('python3', 'x', 'unused'));
  if ('ok' in environment) throw new Error(`environment probe failed: ${environment.message}`);
  PYTHON = environment.executable;
  cpus = environment.cpus;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let logs = 0;
/** A fresh file for the calls of one group. */
function newLog(): string {
  return join(scratch, `calls-${++logs}.txt`);
}

function target(python: string, tag: string, log: string): PythonTarget {
  const env = { ...trialEnvironment(process.env, []), GILGATE_TEST_LOCKSTEP_TAG: tag, GILGATE_TEST_LOCKSTEP_LOG: log };
  return { python, cwd: FIXTURES, paths: [FIXTURES], env };
}

function workload(run: string, tasks: number, timeout: number): WorkloadConfig {
  return { name: run, run, tasks, timeout, startMethod: null, pool: 'per-batch' };
}

function member(tag: string, log: string, run: string, more: Partial<TrialSettings> = {}, timeout = 60, python?: string): LockstepMember {
  return {
    target: target(python ?? PYTHON, tag, log),
    workload: workload(run, 1, timeout),
    settings: { model: 'serial', workers: 1, cpu: null, repetitions: 4, startMethod: null, ...more },
  };
}

/** The calls in the order they happened, as "<tag> <call number>" (call 1 is the warm-up). */
async function calls(log: string): Promise<string[]> {
  return (await readFile(log, 'utf8')).trim().split('\n');
}

/** The tags of the timed calls, in order (every warm-up comes before the first turn). */
async function turns(log: string, members: number): Promise<string[]> {
  const all = await calls(log);
  expect(all.slice(0, members).every((call) => call.endsWith(' 1'))).toBe(true);
  return all.slice(members).map((call) => call.split(' ')[0]!);
}

function expectMeasurement(outcome: TrialOutcome | undefined): TrialMeasurement {
  if (outcome === undefined || !outcome.ok) throw new Error(`trial failed: ${JSON.stringify(outcome, null, 2)}`);
  return outcome;
}

function expectFailure(outcome: TrialOutcome | undefined): Failure {
  expect(outcome?.ok).toBe(false);
  return outcome as Failure;
}

describe('turnOrder', () => {
  it('alternates forward and reversed without a seed (ABBA for two)', () => {
    expect([0, 1, 2, 3].flatMap((r) => turnOrder(2, r, null))).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
    expect(turnOrder(3, 1, null)).toEqual([2, 1, 0]);
  });

  it('shuffles every repetition with a seed, reproducibly', () => {
    const orders = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, (_, r) => turnOrder(4, r, random));
    };
    expect(orders(3)).toEqual(orders(3));
    for (const order of orders(3)) expect([...order].sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(orders(3).map((order) => order.join(''))).size).toBeGreaterThan(1);
  });
});

// A group that hangs fails here, well before the project's test timeout.
describe('runLockstep', { timeout: 60_000 }, () => {
  it('gives turns repetition by repetition, A B B A …, after every warm-up', async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:record'), member('B', log, 'lockstep:record')]);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      const measurement = expectMeasurement(outcome);
      expect(measurement.repetitions).toHaveLength(4);
      expect(measurement.wallSeconds).toBeGreaterThan(0);
      expect(measurement.tasks).toBe(1);
    }
    expect(await turns(log, 2)).toEqual(['A', 'B', 'B', 'A', 'A', 'B', 'B', 'A']);
  });

  it('follows the seeded order of each repetition, every member once per repetition', async () => {
    const log = newLog();
    const tags = ['A', 'B', 'C'];
    const outcomes = await runLockstep(
      tags.map((tag) => member(tag, log, 'lockstep:record', { repetitions: 5 })),
      { seed: 11 },
    );
    for (const outcome of outcomes) expect(expectMeasurement(outcome).repetitions).toHaveLength(5);
    const random = seededRandom(11);
    const expected = Array.from({ length: 5 }, (_, r) => turnOrder(3, r, random).map((i) => tags[i]!)).flat();
    expect(await turns(log, 3)).toEqual(expected);
  });

  it('pins each member to its own CPU', async () => {
    const log = newLog();
    const cpu = cpus[cpus.length - 1]!;
    const outcomes = await runLockstep([member('A', log, 'lockstep:record', { cpu }), member('B', log, 'lockstep:record')]);
    expect(expectMeasurement(outcomes[0]).cpu).toBe(cpu);
    expect(expectMeasurement(outcomes[1]).cpu).toBeNull();
  });

  it('gives a member asking fewer repetitions only those, the others go on', async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:record', { repetitions: 2 }), member('B', log, 'lockstep:record')]);
    expect(expectMeasurement(outcomes[0]).repetitions).toHaveLength(2);
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(4);
    expect(await turns(log, 2)).toEqual(['A', 'B', 'B', 'A', 'B', 'B']);
  });

  it('stops partners (one arm, one CPU) at the same count: what their slower first repetition earns, or the time cap; other arms go on', async () => {
    const log = newLog();
    // nap takes ≥ 0.3 s a call, so at most 7 of 20 repetitions fit under the 2 s cap, and a 0.3 s
    // repetition earns 2 (repetitionsFor): more would buy little beside the per-process offset.
    // record is instant.
    const outcomes = await runLockstep([
      member('A', log, 'lockstep:nap', { repetitions: 20 }),
      member('A2', log, 'lockstep:record', { repetitions: 20 }),
      member('B', log, 'lockstep:record', { repetitions: 20, model: 'threads', workers: 2 }),
    ]);
    const counts = outcomes.map((outcome) => expectMeasurement(outcome).repetitions.length);
    // A and A2 are partners (serial, unpinned): A2 stops with A, though its own calls take no time.
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeLessThanOrEqual(Math.ceil(REPETITION_SECONDS_CAP / 0.3));
    const firstNap = expectMeasurement(outcomes[0]).repetitions[0]!.wallSeconds;
    expect(counts[0]).toBe(repetitionsFor(firstNap));
    expect(counts[0]).toBe(2);
    // B runs another arm: it stops at its own count, not A's.
    const firstB = expectMeasurement(outcomes[2]).repetitions[0]!.wallSeconds;
    expect(counts[2]).toBe(Math.min(20, repetitionsFor(firstB)));
    expect(counts[2]).toBeGreaterThan(counts[0]!);
  });

  it('gives the runner its cap in the spec (one source): it stops there, and refuses a spec without one', async () => {
    const run = async (cap: number | undefined) => {
      const work = await mkdtemp(join(scratch, 'cap-'));
      const spec = { paths: [FIXTURES], run: 'lockstep:record', tasks: 1, model: 'serial', workers: 1, cpu: null, repetitions: 5, repetitionSecondsCap: cap, startMethod: null };
      await writeFile(join(work, 'spec.json'), JSON.stringify(spec));
      await execa(PYTHON, [runnerScriptPath(), 'trial', join(work, 'spec.json'), join(work, 'result.json')], { cwd: FIXTURES, env: target(PYTHON, 'A', newLog()).env, extendEnv: false });
      return JSON.parse(await readFile(join(work, 'result.json'), 'utf8'));
    };
    // A cap of 0: the first repetition always runs, no second one starts.
    expect((await run(0)).repetitions).toHaveLength(1);
    expect((await run(REPETITION_SECONDS_CAP)).repetitions).toHaveLength(5);
    expect(await run(undefined)).toMatchObject({ ok: false, kind: 'runner', message: expect.stringContaining('repetitionSecondsCap') });
  });

  it("gives a member whose workload raises its 'task' failure with the traceback; the other completes", async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:raise_on_third'), member('B', log, 'lockstep:record')]);
    const failure = expectFailure(outcomes[0]);
    expect(failure.kind).toBe('task');
    expect(failure.type).toBe('ValueError');
    expect(failure.traceback).toContain('the third call is broken');
    expect(failure.traceback).toContain('lockstep.py');
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(4);
    // A's 2nd turn raised; from then on only B works.
    expect(await turns(log, 2)).toEqual(['A', 'B', 'B', 'A', 'B', 'B']);
  });

  it("gives a member killed mid-way its 'crash' failure without holding up the others", async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:record'), member('B', log, 'lockstep:die_on_third'), member('C', log, 'lockstep:record')]);
    const failure = expectFailure(outcomes[1]);
    expect(failure.kind).toBe('crash');
    expect(failure.message).toContain('SIGKILL');
    expect(expectMeasurement(outcomes[0]).repetitions).toHaveLength(4);
    expect(expectMeasurement(outcomes[2]).repetitions).toHaveLength(4);
    expect(await turns(log, 3)).toEqual(['A', 'B', 'C', 'C', 'B', 'A', 'A', 'C', 'C', 'A']);
  });

  it('times out a member that hangs in its turn; the others complete', async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:hang_on_third', {}, 3), member('B', log, 'lockstep:record')]);
    const failure = expectFailure(outcomes[0]);
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toContain('3 s');
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(4);
  });

  it("does not count the time a member waits for the others against its timeout", async () => {
    const log = newLog();
    // B (another arm: not A's partner) naps ≥ 24 × 0.3 s / 2 threads = 3.6 s in its one turn,
    // between A's two; A's own work (start-up, two tiny turns) is far below its 2 s timeout, which
    // the group's wall time exceeds.
    const outcomes = await runLockstep([
      member('A', log, 'lockstep:record', { repetitions: 2 }, 2),
      { ...member('B', log, 'lockstep:nap', { repetitions: 1, model: 'threads', workers: 2 }), workload: workload('lockstep:nap', 24, 60) },
    ]);
    expect(expectMeasurement(outcomes[0]).repetitions).toHaveLength(2);
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(1);
    expect(expectMeasurement(outcomes[1]).repetitions[0]!.wallSeconds).toBeGreaterThan(2);
  });

  it("gives a member that cannot import its 'import' failure before any turn; the other completes", async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'no_such_module:f'), member('B', log, 'lockstep:record')]);
    expect(expectFailure(outcomes[0]).kind).toBe('import');
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(4);
    expect(await calls(log)).toEqual(['B 1', 'B 2', 'B 3', 'B 4', 'B 5']);
  });

  it("reports a member whose interpreter is missing as 'python-missing'", async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:record', {}, 60, join(scratch, 'no-python')), member('B', log, 'lockstep:record')]);
    expect(expectFailure(outcomes[0]).kind).toBe('python-missing');
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(4);
  });

  it("kills a member that breaks the turn protocol and reports it as 'runner'; the other completes", async () => {
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:record'), member('B', log, 'lockstep:scribble_on_third')]);
    const failure = expectFailure(outcomes[1]);
    expect(failure.kind).toBe('runner');
    expect(failure.type).toBe('LockstepProtocolError');
    expect(failure.message).toContain('scribble');
    expect(expectMeasurement(outcomes[0]).repetitions).toHaveLength(4);
  });

  it('runs pools in lockstep too', async () => {
    const log = newLog();
    const outcomes = await runLockstep([
      member('A', log, 'lockstep:record', { repetitions: 2 }),
      { ...member('B', log, 'lockstep:record', { model: 'processes', workers: 2, repetitions: 2 }), workload: workload('lockstep:record', 4, 60) },
    ]);
    expect(expectMeasurement(outcomes[0]).repetitions).toHaveLength(2);
    expect(expectMeasurement(outcomes[1]).repetitions).toHaveLength(2);
  });

  it.each(['3.8', 'pypy3'] as const)('works under %s', async (version) => {
    const other = requirePython(version);
    const log = newLog();
    const outcomes = await runLockstep([member('A', log, 'lockstep:record', {}, 60, other), member('B', log, 'lockstep:record')]);
    for (const outcome of outcomes) expect(expectMeasurement(outcome).repetitions).toHaveLength(4);
    expect(await turns(log, 2)).toEqual(['A', 'B', 'B', 'A', 'A', 'B', 'B', 'A']);
  });
});

describe('the runner in lockstep', { timeout: 60_000 }, () => {
  it('waits for its turns idle, and exits when the turn channel closes (gilgate gone)', async () => {
    const work = await mkdtemp(join(scratch, 'orphan-'));
    const specPath = join(work, 'spec.json');
    const log = newLog();
    const spec = { paths: [FIXTURES], run: 'lockstep:record', tasks: 1, model: 'serial', workers: 1, cpu: null, repetitions: 4, startMethod: null, lockstep: true };
    await writeFile(specPath, JSON.stringify(spec));
    const runner = execa(PYTHON, [runnerScriptPath(), 'trial', specPath, join(work, 'result.json')], {
      cwd: FIXTURES,
      env: target(PYTHON, 'A', log).env,
      extendEnv: false,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      reject: false,
    });
    const channel = runner.stdio[3] as Duplex;
    channel.setEncoding('utf8');
    let said = '';
    channel.on('data', (text: string) => {
      said += text;
      if (said === 'ready\n') channel.write('go\n');
      // One turn taken: now the parent "dies".
      if (/^ready\ndone \S+\n$/.test(said)) channel.destroy();
    });
    const result = await runner;
    expect(said).toMatch(/^ready\ndone \S+\n$/);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('turn channel closed');
    expect(await calls(log)).toEqual(['A 1', 'A 2']);
  });

  it("fails as 'runner' when started for lockstep without its turn channel", async () => {
    const log = newLog();
    const work = await mkdtemp(join(scratch, 'no-channel-'));
    const spec = { paths: [FIXTURES], run: 'lockstep:record', tasks: 1, model: 'serial', workers: 1, cpu: null, repetitions: 1, startMethod: null, lockstep: true };
    await writeFile(join(work, 'spec.json'), JSON.stringify(spec));
    await execa(PYTHON, [runnerScriptPath(), 'trial', join(work, 'spec.json'), join(work, 'result.json')], {
      cwd: FIXTURES,
      env: target(PYTHON, 'A', log).env,
      extendEnv: false,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const result = JSON.parse(await readFile(join(work, 'result.json'), 'utf8'));
    expect(result.ok).toBe(false);
    expect(result.kind).toBe('runner');
    expect(result.message).toContain('turn channel');
  });
});
