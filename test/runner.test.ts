// Every fault here is real: real interpreters, real pools, real segfaults and timeouts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  probeEnvironment,
  probeMachine,
  probeWorkload,
  REPETITION_SECONDS_CAP,
  runTrial,
  runnerScriptPath,
  type PythonTarget,
  type TrialSettings,
} from '../src/measure/python.js';
import { trialEnvironment } from '../src/measure/trial-environment.js';
import type { Failure, PythonEnvironment, TrialMeasurement, WorkloadConfig, WorkloadProbe } from '../src/core/types.js';
import { requirePython } from './helpers/pythons.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures', 'workloads');
// Provided by scripts/provision.sh (npm test runs it); a missing one fails the test, naming the command.
const PYTHON_38 = requirePython('3.8');
const PYTHON_314 = requirePython('3.14');
const PYPY = requirePython('pypy3');

let scratch: string;
/** The default interpreter, resolved once as gilgate does: `executable` of the environment probe
 *  (the pyenv `python3` is a slow shim; every trial runs the real path). */
let PYTHON: string;
let environment: PythonEnvironment;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gilgate-runner-test-'));
  environment = expectEnvironment(await probeEnvironment(target('python3')));
  PYTHON = environment.executable;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function target(python?: string, extraEnv: Record<string, string> = {}): PythonTarget {
  return { python: python ?? PYTHON, cwd: FIXTURES, paths: [FIXTURES], env: { ...trialEnvironment(process.env, []), ...extraEnv } };
}

function workload(run: string, tasks: string | number, timeout = 60): WorkloadConfig {
  return { name: run, run, tasks, timeout };
}

/**
 * An arm run once, unpinned, with the interpreter's default start method. Its repetitions are not
 * capped (a minute): these tests count them, and a busy machine must not cut them short; the cap
 * has its own test.
 */
function arm(model: TrialSettings['model'], workers: number, more: Partial<TrialSettings> = {}): TrialSettings {
  return { model, workers, cpu: null, repetitions: 1, startMethod: null, repetitionSecondsCap: 60, ...more };
}

function expectFailure(outcome: object): Failure {
  // A PythonEnvironment has no `ok`: it would read as undefined here and fail the check.
  expect((outcome as { ok?: unknown }).ok).toBe(false);
  return outcome as Failure;
}

function expectMeasurement(outcome: { ok: boolean }): TrialMeasurement {
  if (!outcome.ok) throw new Error(`trial failed: ${JSON.stringify(outcome, null, 2)}`);
  return outcome as TrialMeasurement;
}

function expectEnvironment(outcome: PythonEnvironment | Failure): PythonEnvironment {
  if ('ok' in outcome) throw new Error(`environment probe failed: ${JSON.stringify(outcome, null, 2)}`);
  return outcome;
}

function expectProbe(outcome: WorkloadProbe | Failure): WorkloadProbe {
  if (!outcome.ok) throw new Error(`probe failed: ${JSON.stringify(outcome, null, 2)}`);
  return outcome;
}

/** The runner's digest of a result list, computed here from the repr Python would print. */
function digestOfRepr(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Alive means running: a killed process may linger as a zombie until someone reaps it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('runnerScriptPath', () => {
  it('finds python/gilgate_runner.py when running from source', () => {
    const path = runnerScriptPath();
    expect(path.endsWith(join('python', 'gilgate_runner.py'))).toBe(true);
    expect(existsSync(path)).toBe(true);
  });
});

describe('probeEnvironment', () => {
  it('describes the interpreter, its CPUs and what it can run', async () => {
    // The configured command (a pyenv shim), once: its result names the real interpreter.
    const env = expectEnvironment(await probeEnvironment(target('python3')));
    expect(env.cores).toBeGreaterThanOrEqual(1);
    expect(env.python).toMatch(/^3\.11\.\d+/);
    expect(env.implementation).toBe('CPython');
    expect(['affinity', 'cpu_count', 'cgroup cpu.max', 'cgroup cpu.cfs_quota_us']).toContain(env.coresSource);
    expect(typeof env.gilEnabled).toBe('boolean');
    expect(env.startMethod).toMatch(/^(fork|spawn|forkserver)$/);
    expect(env.startMethods).toContain(env.startMethod);
    expect(env.startMethods).toContain('spawn');
    expect(env.cpus).toHaveLength(env.cores);
    expect(new Set(env.cpus).size).toBe(env.cores);
    expect(env.placement).toBe('affinity');
    expect(env.interpretersUnavailable).toBe(`needs Python 3.14 or later (this is CPython ${env.python})`);
    expect(isAbsolute(env.executable)).toBe(true);
  });

  it('reports sys.executable as it is, not resolved through links (a venv stays the venv)', async () => {
    const venv = join(scratch, 'venv');
    await execa(PYTHON, ['-m', 'venv', '--without-pip', venv]);
    const venvPython = join(venv, 'bin', 'python');
    const env = expectEnvironment(await probeEnvironment(target(venvPython)));
    expect(env.executable).toBe(venvPython);
    // and a trial runs when given that path, as every call after the probe does
    const m = expectMeasurement(await runTrial(target(env.executable), workload('deterministic:sum_of_squares', 3), arm('serial', 1)));
    expect(m.tasks).toBe(3);
  });

  it('says interpreters are available on 3.14, with its start methods', async () => {
    const env = expectEnvironment(await probeEnvironment(target(PYTHON_314)));
    expect(env.python).toMatch(/^3\.14\./);
    expect(env.interpretersUnavailable).toBeNull();
    expect(env.startMethod).toBe('forkserver');
    expect([...env.startMethods].sort()).toEqual(['fork', 'forkserver', 'spawn']);
  });

  it('works under Python 3.8, and says why interpreters cannot run there', async () => {
    const env = expectEnvironment(await probeEnvironment(target(PYTHON_38)));
    expect(env.python).toMatch(/^3\.8\./);
    expect(env.gilEnabled).toBe(true);
    expect(env.freeThreadedBuild).toBe(false);
    expect(env.interpretersUnavailable).toMatch(/^needs Python 3\.14 or later \(this is CPython 3\.8\.\d+\)$/);
  });

  it('works under PyPy, and says why interpreters cannot run there', async () => {
    const env = expectEnvironment(await probeEnvironment(target(PYPY)));
    expect(env.implementation).toBe('PyPy');
    expect(env.interpretersUnavailable).toMatch(/^needs CPython 3\.14 or later \(this is PyPy 3\.9\.\d+\)$/);
    // PyPy 3.9 has no os.sched_setaffinity: trials there cannot be pinned
    expect(env.placement).toBe('unsupported');
    expect(env.cpus).toHaveLength(env.cores);
  });

  it("reports a Python that is not installed as 'python-missing'", async () => {
    const failure = expectFailure(await probeEnvironment(target('python-gilgate-does-not-exist')));
    expect(failure.kind).toBe('python-missing');
    expect(failure.message).toContain('python-gilgate-does-not-exist');
  });
});

describe('probeMachine', () => {
  for (const [name, python] of [['default Python', () => PYTHON], ['PyPy', () => PYPY]] as const) {
    it(`measures every usable CPU and each requested worker count (${name})`, async () => {
      const env = expectEnvironment(await probeEnvironment(target(python())));
      const machine = await probeMachine(target(python()), [1, 2, 3]);
      if (!machine.ok) throw new Error(JSON.stringify(machine));
      expect(machine.cpus.map((c) => c.cpu)).toEqual(env.cpus);
      for (const cpu of machine.cpus) expect(cpu.loopSeconds).toBeGreaterThan(0);
      expect(machine.capacity.map((c) => c.workers)).toEqual([1, 2, 3]);
      for (const entry of machine.capacity) expect(entry.ratio).toBeGreaterThan(0);
      // Every run's ratio is kept (the probe's spread), the median is the figure, and a median
      // beyond min(N, CPUs) was probed again and marked when it stayed there.
      for (const entry of machine.capacity) {
        expect(entry.ratios).toHaveLength(5);
        expect([...entry.ratios!].sort((a, b) => a - b)[2]).toBe(entry.ratio);
        expect(entry.attempts).toBeGreaterThanOrEqual(1);
        expect(entry.disturbed).toBe(entry.ratio > Math.min(entry.workers, env.cores) * 1.05);
        if (entry.attempts === 1) expect(entry.disturbed).toBe(false);
      }
      const mean = machine.cpus.reduce((sum, c) => sum + c.loopSeconds, 0) / machine.cpus.length;
      expect(machine.singleLoopSeconds).toBeCloseTo(mean, 12);
    });
  }
});

describe('placement and repetitions', () => {
  it('pins a trial to the CPU asked for, before the workload runs', async () => {
    for (const cpu of environment.cpus) {
      const m = expectMeasurement(await runTrial(target(), workload('placement:affinity', 1), arm('serial', 1, { cpu })));
      expect(m.cpu).toBe(cpu);
      // placement:affinity returns sorted(os.sched_getaffinity(0)) seen from inside the workload
      expect(m.digest).toBe(digestOfRepr(`[[${cpu}]]`));
    }
  });

  it('refuses to pin a pool or to run no repetitions', async () => {
    const deterministic = workload('deterministic:sum_of_squares', 3);
    await expect(runTrial(target(), deterministic, arm('threads', 2, { cpu: 0 }))).rejects.toThrow(/cannot be pinned/);
    await expect(runTrial(target(), deterministic, arm('serial', 1, { repetitions: 0 }))).rejects.toThrow(/repetitions/);
  });

  it('leaves affinity alone when no CPU is given', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('placement:affinity', 1), arm('serial', 1)));
    expect(m.cpu).toBeNull();
    expect(m.digest).toBe(digestOfRepr(`[[${environment.cpus.join(', ')}]]`));
  });

  it('runs the timed repetitions asked for and summarizes them by their mean', async () => {
    const deterministic = workload('deterministic:sum_of_squares', 'deterministic:tasks');
    const serial = expectMeasurement(await runTrial(target(), deterministic, arm('serial', 1, { repetitions: 3 })));
    expect(serial.repetitions).toHaveLength(3);
    for (const r of serial.repetitions) {
      expect(r.startupSeconds).toBe(0);
      expect(r.steadySeconds).toBe(r.wallSeconds);
    }
    const walls = serial.repetitions.map((r) => r.wallSeconds);
    expect(serial.wallSeconds).toBeCloseTo((walls[0]! + walls[1]! + walls[2]!) / 3, 12);
    expect(serial.repetitionsDiffer).toBe(false);

    for (const settings of [arm('threads', 2, { repetitions: 2 }), arm('processes', 2, { repetitions: 4 })]) {
      const m = expectMeasurement(await runTrial(target(), deterministic, settings));
      expect(m.repetitions).toHaveLength(settings.repetitions);
      for (const r of m.repetitions) {
        expect(r.steadySeconds).toBeGreaterThan(0);
        // start-up is what a pool per batch pays beyond a running pool's time
        expect(r.startupSeconds).toBeCloseTo(Math.max(0, r.wallSeconds - r.steadySeconds), 9);
      }
      expect(m.digest).toBe(serial.digest);
      expect(m.repetitionsDiffer).toBe(false);
    }
  });

  it('stops repeating after about 2 s of timed work, whatever count it was given', async () => {
    // Each repetition sleeps 0.3 s at least, so the cap is reached within ceil(2 / 0.3) = 7 of them.
    expect(REPETITION_SECONDS_CAP).toBe(2);
    const sleepy = workload('sleepy:nap', 1);
    const m = expectMeasurement(await runTrial(target(), sleepy, arm('serial', 1, { repetitions: 100, repetitionSecondsCap: REPETITION_SECONDS_CAP })));
    expect(m.repetitions.length).toBeGreaterThanOrEqual(1);
    expect(m.repetitions.length).toBeLessThanOrEqual(7);
  });

  it('notices results that change from one repetition to the next', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('nondeterministic:count_calls', 3), arm('serial', 1, { repetitions: 2 })));
    expect(m.digestStable).toBe(true);
    expect(m.repetitionsDiffer).toBe(true);
    // the digest is the first repetition's: the warm-up made 1 call, so it returned 2, 3, 4
    expect(m.digest).toBe(digestOfRepr('[2, 3, 4]'));
  });
});

describe('runner: steady state is timed on warm workers', () => {
  // Each worker's first call sleeps 1 s (cold_start.py); the per-batch figure pays it, the steady
  // one, a long-lived pool's, must not. Sleeps are lower bounds whatever the machine's speed.
  const cold = workload('cold_start:first_call_slow', 4);
  const cases: Array<[string, string, TrialSettings]> = [
    ['processes, 3.8 (fork)', PYTHON_38, arm('processes', 2)],
    ['processes, 3.14 (forkserver)', PYTHON_314, arm('processes', 2)],
    ['interpreters, 3.14', PYTHON_314, arm('interpreters', 2)],
  ];
  for (const [name, python, settings] of cases) {
    it(`keeps the workers' cold first calls out of steady state: ${name}`, async () => {
      const m = expectMeasurement(await runTrial(target(python), cold, settings));
      const [r] = m.repetitions;
      expect(r!.wallSeconds).toBeGreaterThanOrEqual(1.0);
      expect(r!.startupSeconds).toBeGreaterThanOrEqual(1.0 - r!.steadySeconds);
      expect(r!.steadySeconds).toBeLessThan(1.0);
      expect(m.digest).toBe(digestOfRepr('[0, 1, 4, 9]'));
    });
  }

  it('times threads once: they share the interpreter the warm-up call warmed', async () => {
    const m = expectMeasurement(await runTrial(target(), cold, arm('threads', 2)));
    const [r] = m.repetitions;
    expect(r!.wallSeconds).toBeLessThan(1.0);
    expect(r!.startupSeconds).toBeCloseTo(Math.max(0, r!.wallSeconds - r!.steadySeconds), 9);
  });
});

describe('Python 3.14: interpreters and start methods', () => {
  const deterministic = workload('deterministic:sum_of_squares', 'deterministic:tasks');

  it('runs the interpreters model with the same digest as serial', async () => {
    const serial = expectMeasurement(await runTrial(target(PYTHON_314), deterministic, arm('serial', 1)));
    const interpreters = expectMeasurement(await runTrial(target(PYTHON_314), deterministic, arm('interpreters', 2, { repetitions: 2 })));
    expect(interpreters.digest).toBe(serial.digest);
    expect(interpreters.tasks).toBe(40);
    expect(interpreters.repetitions).toHaveLength(2);
    for (const r of interpreters.repetitions) {
      expect(r.startupSeconds).toBeCloseTo(Math.max(0, r.wallSeconds - r.steadySeconds), 9);
    }
    expect(interpreters.chunksize).toBeNull();
    expect(interpreters.startMethod).toBeNull();
  });

  it('honours each start method for processes', async () => {
    const serial = expectMeasurement(await runTrial(target(PYTHON_314), deterministic, arm('serial', 1)));
    for (const startMethod of ['fork', 'forkserver', 'spawn']) {
      const m = expectMeasurement(await runTrial(target(PYTHON_314), deterministic, arm('processes', 2, { startMethod })));
      expect(m.startMethod).toBe(startMethod);
      expect(m.digest).toBe(serial.digest);
    }
    const byDefault = expectMeasurement(await runTrial(target(PYTHON_314), deterministic, arm('processes', 2)));
    expect(byDefault.startMethod).toBe('forkserver');
  });

  it('names the module that cannot be imported in a subinterpreter', async () => {
    const blocked = workload('subinterpreter_blocked:square', 4);
    const probe = expectProbe(await probeWorkload(target(PYTHON_314), blocked));
    expect(probe.interpretersUnavailable).toBe('module readline cannot be imported in a subinterpreter');
    expect(probe.processesUnavailable).toBeNull();

    const failure = expectFailure(await runTrial(target(PYTHON_314), blocked, arm('interpreters', 2)));
    expect(failure.kind).toBe('import');
    expect(failure.message).toContain('module readline cannot be imported in a subinterpreter');
    expect(failure.traceback).toContain('does not support loading in subinterpreters');
  });

  it('says interpreters can run a workload that works in a subinterpreter', async () => {
    const probe = expectProbe(await probeWorkload(target(PYTHON_314), deterministic));
    expect(probe.interpretersUnavailable).toBeNull();
    expect(probe.startMethod).toBe('forkserver');
    expect(probe.gilEnabledAfterImport).toBe(true);
    expect(probe.gilReenabledBy).toBeNull();
  });

  it("reports a task's exception in an interpreter pool as 'task', and an unpicklable result as 'pickle'", async () => {
    const taskError = expectFailure(await runTrial(target(PYTHON_314), workload('task_error:fail_on_three', 6), arm('interpreters', 2)));
    expect(taskError.kind).toBe('task');
    expect(taskError.type).toBe('ValueError');
    expect(taskError.traceback).toContain('task_error.py');
    const pickle = expectFailure(await runTrial(target(PYTHON_314), workload('unpicklable:make_generator', 'unpicklable:tasks'), arm('interpreters', 2)));
    expect(pickle.kind).toBe('pickle');
  });

  it('checks processes with the start method asked for, and spawn apart', async () => {
    const spawnOnly = workload('spawn_only:scaled', 'spawn_only:tasks');
    // forkserver (3.14's default) re-imports the module like spawn: the global is lost
    const byDefault = expectProbe(await probeWorkload(target(PYTHON_314), spawnOnly));
    expect(byDefault.startMethod).toBe('forkserver');
    expect(byDefault.processesUnavailable).toContain('NoneType');
    expect(byDefault.spawnProblem).toBeNull();
    const fork = expectProbe(await probeWorkload(target(PYTHON_314), spawnOnly, 'fork'));
    expect(fork.startMethod).toBe('fork');
    expect(fork.processesUnavailable).toBeNull();
    expect(fork.spawnProblem).toContain('NoneType');
    const missing = expectProbe(await probeWorkload(target(PYTHON_314), spawnOnly, 'no-such-method'));
    expect(missing.processesUnavailable).toContain("start method 'no-such-method' is not available");
  });
});

describe('older interpreters', () => {
  for (const [name, python] of [['Python 3.8', PYTHON_38], ['PyPy 3.9', PYPY]] as const) {
    it(`${name} runs trials and reports interpreters unavailable with the reason`, async () => {
      const deterministic = workload('deterministic:sum_of_squares', 'deterministic:tasks');
      const serial = expectMeasurement(await runTrial(target(python), deterministic, arm('serial', 1, { repetitions: 2 })));
      const processes = expectMeasurement(await runTrial(target(python), deterministic, arm('processes', 2, { repetitions: 2 })));
      expect(serial.repetitions).toHaveLength(2);
      expect(processes.digest).toBe(serial.digest);
      const probe = expectProbe(await probeWorkload(target(python), deterministic));
      expect(probe.interpretersUnavailable).toMatch(/^needs (CPython|Python) 3\.14 or later \(this is /);
      expect(probe.gilEnabledAfterImport).toBe(true);
      expect(probe.gilReenabledBy).toBeNull();
      const failure = expectFailure(await runTrial(target(python), deterministic, arm('interpreters', 2)));
      expect(failure.kind).toBe('runner');
      expect(failure.message).toContain('needs');
    });
  }
});

describe('GIL re-enabled by an import', () => {
  it('reports the module named by the warning shown while importing the workload', async () => {
    for (const python of [PYTHON, PYTHON_38, PYTHON_314, PYPY]) {
      const probe = expectProbe(await probeWorkload(target(python), workload('gil_warning:double', 2)));
      expect(probe.gilReenabledBy).toBe('fake_ext');
      // an ordinary build: the GIL was on all along
      expect(probe.gilEnabledAfterImport).toBe(true);
    }
  });
});

describe('gil_reenabled_by (the runner function, called in a real interpreter)', () => {
  it("reads the module's name from CPython's warning, and nothing from other warnings", async () => {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(dirname(runnerScriptPath()))})`,
      'import gilgate_runner as g',
      'warning = ("The global interpreter lock (GIL) has been enabled to load module \'_fastmath\', which has "',
      '           "not declared that it can run safely without the GIL. To override this behavior and keep "',
      '           "the GIL disabled (at your own risk), run with PYTHON_GIL=0 or -Xgil=0.")',
      'print(json.dumps([',
      '    g.gil_reenabled_by([RuntimeWarning(warning)]),',
      '    g.gil_reenabled_by(["unrelated", warning.replace("_fastmath", "pkg.sub._ext")]),',
      '    g.gil_reenabled_by([DeprecationWarning("something else")]),',
      '    g.gil_reenabled_by([]),',
      ']))',
    ].join('\n');
    for (const python of [PYTHON, PYTHON_38]) {
      const { stdout } = await execa(python, ['-c', script]);
      expect(JSON.parse(stdout)).toEqual(['_fastmath', 'pkg.sub._ext', null, null]);
    }
  });
});

describe('successful trials', () => {
  const deterministic = workload('deterministic:sum_of_squares', 'deterministic:tasks');

  it('runs serial, threads and processes with equal digests', async () => {
    const serial = expectMeasurement(await runTrial(target(), deterministic, arm('serial', 1)));
    const threads = expectMeasurement(await runTrial(target(), deterministic, arm('threads', 2)));
    const processes = expectMeasurement(await runTrial(target(), deterministic, arm('processes', 3)));

    for (const m of [serial, threads, processes]) {
      expect(m.tasks).toBe(40);
      expect(m.wallSeconds).toBeGreaterThan(0);
      expect(m.cpuSeconds).toBeGreaterThan(0);
      expect(m.peakRssSelfBytes).toBeGreaterThan(1024 * 1024);
      expect(m.digestStable).toBe(true);
      expect(m.digest).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(threads.digest).toBe(serial.digest);
    expect(processes.digest).toBe(serial.digest);

    expect(serial.startupSeconds).toBe(0);
    expect(serial.chunksize).toBeNull();
    expect(serial.startMethod).toBeNull();
    expect(threads.chunksize).toBeNull();
    expect(threads.startMethod).toBeNull();
    // chunksize = max(1, tasks // (4 × workers)) = 40 // 12
    expect(processes.chunksize).toBe(3);
    expect(processes.startupSeconds).toBeGreaterThan(0);
    expect(processes.startupSeconds).toBeLessThanOrEqual(processes.wallSeconds);
    expect(processes.startMethod).toBe('fork');
    expect(processes.peakRssChildBytes).toBeGreaterThan(0);
  });

  it('digests the results in task order, so different results give different digests', async () => {
    const squares = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 5), arm('serial', 1)));
    const others = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 6), arm('serial', 1)));
    expect(squares.tasks).toBe(5);
    expect(others.digest).not.toBe(squares.digest);
  });

  it('gives chunksize 1 when tasks are fewer than 4 × workers', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 5), arm('processes', 2)));
    expect(m.chunksize).toBe(1);
    expect(m.tasks).toBe(5);
  });

  it('marks digests of results that print addresses as unstable', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('unpicklable:make_generator', 'unpicklable:tasks'), arm('threads', 2)));
    expect(m.digestStable).toBe(false);
  });

  it('handles zero tasks', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 0), arm('processes', 2)));
    expect(m.tasks).toBe(0);
  });

  it('runs under Python 3.8, with the same digest as the default Python', async () => {
    const old = expectMeasurement(await runTrial(target(PYTHON_38), deterministic, arm('processes', 2)));
    const current = expectMeasurement(await runTrial(target(), deterministic, arm('serial', 1)));
    expect(old.tasks).toBe(40);
    expect(old.chunksize).toBe(5);
    expect(old.digest).toBe(current.digest);
  });

  it('survives a workload that floods stdout and stderr (50 MB)', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('flood:flood', 'flood:tasks'), arm('threads', 2)));
    expect(m.tasks).toBe(25);
  });
});

describe('probeWorkload', () => {
  it('counts tasks and times a pilot pass', async () => {
    const probe = await probeWorkload(target(), workload('deterministic:sum_of_squares', 'deterministic:tasks'));
    if (!probe.ok) throw new Error(JSON.stringify(probe));
    expect(probe.taskCount).toBe(40);
    expect(probe.pilotWallSeconds).toBeGreaterThan(0);
    expect(probe.pilotCpuSeconds).toBeGreaterThan(0);
    expect(probe.processesUnavailable).toBeNull();
    expect(probe.spawnProblem).toBeNull();
  });

  it('calibrates on a warm pass: a first call that pays a one-off cost does not set the pilot', async () => {
    // The first call sleeps 0.4 s once (cold_start.py); every later pass returns at once.
    const probe = await probeWorkload(target(), workload('cold_start:first_pass_slow', 4));
    if (!probe.ok) throw new Error(JSON.stringify(probe));
    expect(probe.pilotWallSeconds).toBeLessThan(0.4);
    expect(probe.pilotWallSeconds).toBeGreaterThan(0);
  });

  it('reports an unpicklable result as processes unavailable', async () => {
    const probe = await probeWorkload(target(), workload('unpicklable:make_generator', 'unpicklable:tasks'));
    if (!probe.ok) throw new Error(JSON.stringify(probe));
    expect(probe.processesUnavailable).toContain("cannot pickle 'generator' object");
    expect(probe.processesUnavailable).toContain('result of task 0');
    expect(probe.spawnProblem).toBeNull();
  });

  it('reports code that works under fork but not under spawn', async () => {
    const probe = (await probeWorkload(target(), workload('spawn_only:scaled', 'spawn_only:tasks'))) as WorkloadProbe;
    if (!probe.ok) throw new Error(JSON.stringify(probe));
    expect(probe.processesUnavailable).toBeNull();
    expect(probe.spawnProblem).toContain('TypeError');
    expect(probe.spawnProblem).toContain('NoneType');
    // and under the default start method (fork) the trial itself works
    const m = expectMeasurement(await runTrial(target(), workload('spawn_only:scaled', 'spawn_only:tasks'), arm('processes', 2)));
    expect(m.tasks).toBe(4);
  });

  it("reports a task's exception during the pilot as kind 'task'", async () => {
    const failure = expectFailure(await probeWorkload(target(), workload('task_error:fail_on_three', 5)));
    expect(failure.kind).toBe('task');
    expect(failure.type).toBe('ValueError');
    expect(failure.traceback).toContain('task_error.py');
  });
});

describe('failures', () => {
  const serial = arm('serial', 1);

  it("reports a missing module as 'import'", async () => {
    const failure = expectFailure(await runTrial(target(), workload('no_such_module_anywhere:run', 3), serial));
    expect(failure.kind).toBe('import');
    expect(failure.type).toBe('ModuleNotFoundError');
    expect(failure.message).toContain('no_such_module_anywhere');
  });

  it("reports a missing function as 'import'", async () => {
    const failure = expectFailure(await probeWorkload(target(), workload('deterministic:no_such_function', 3)));
    expect(failure.kind).toBe('import');
    expect(failure.type).toBe('AttributeError');
    expect(failure.message).toContain('no_such_function');
  });

  it("reports a malformed 'module:function' as 'import'", async () => {
    const failure = expectFailure(await runTrial(target(), workload('deterministic.sum_of_squares', 3), serial));
    expect(failure.kind).toBe('import');
    expect(failure.message).toContain("module:function");
  });

  it("reports a module that raises at import as 'import', with its traceback", async () => {
    const failure = expectFailure(await runTrial(target(), workload('import_error:run', 3), serial));
    expect(failure.kind).toBe('import');
    expect(failure.type).toBe('RuntimeError');
    expect(failure.traceback).toContain('import_error.py');
  });

  it("reports a tasks function that raises, or returns nonsense, as 'tasks'", async () => {
    const raised = expectFailure(await runTrial(target(), workload('deterministic:sum_of_squares', 'task_error:broken_tasks'), serial));
    expect(raised.kind).toBe('tasks');
    expect(raised.type).toBe('KeyError');
    const nonsense = expectFailure(await probeWorkload(target(), workload('deterministic:sum_of_squares', 'deterministic:returns_none')));
    expect(nonsense.kind).toBe('tasks');
    expect(nonsense.message).toContain('NoneType');
  });

  for (const settings of [serial, arm('threads', 2), arm('processes', 2)]) {
    it(`reports an exception inside a task as 'task' with its traceback (${settings.model})`, async () => {
      const failure = expectFailure(await runTrial(target(), workload('task_error:fail_on_three', 6), settings));
      expect(failure.kind).toBe('task');
      expect(failure.type).toBe('ValueError');
      expect(failure.message).toContain('task three is broken');
      // for processes this is the worker's traceback, carried back as the cause
      expect(failure.traceback).toContain('task_error.py');
      expect(failure.traceback).toContain('fail_on_three');
    });
  }

  it("reports a task exception in a process pool under Python 3.8 with the remote traceback", async () => {
    const failure = expectFailure(await runTrial(target(PYTHON_38), workload('task_error:fail_on_three', 6), arm('processes', 2)));
    expect(failure.kind).toBe('task');
    expect(failure.traceback).toContain('task_error.py');
  });

  it("reports an unpicklable result in a process pool as 'pickle'", async () => {
    const failure = expectFailure(await runTrial(target(), workload('unpicklable:make_generator', 'unpicklable:tasks'), arm('processes', 2)));
    expect(failure.kind).toBe('pickle');
    expect(failure.message).toContain('generator');
  });

  it("reports an unpicklable function as 'pickle' without hanging, even under Python 3.8", async () => {
    for (const python of [PYTHON, PYTHON_38]) {
      const failure = expectFailure(await runTrial(target(python), workload('unpicklable:as_lambda', 3, 20), arm('processes', 2)));
      expect(failure.kind).toBe('pickle');
      expect(failure.message).toContain('the function');
    }
  });

  it("reports a worker that dies (os._exit) as 'crash'", async () => {
    const failure = expectFailure(await runTrial(target(), workload('worker_exit:die_in_worker', 4), arm('processes', 2)));
    expect(failure.kind).toBe('crash');
    expect(failure.type).toBe('BrokenProcessPool');
  });

  it("reports the interpreter itself exiting without a result as 'crash' with its exit code", async () => {
    const failure = expectFailure(await runTrial(target(), workload('worker_exit:die_in_parent', 2), serial));
    expect(failure.kind).toBe('crash');
    expect(failure.message).toContain('code 3');
  });

  it("reports the interpreter's death as 'crash', not as a timeout, even when orphaned workers live on", async () => {
    // Were the orphan holding stderr open to keep us waiting, this would end as 'timeout'.
    const failure = expectFailure(await runTrial(target(), workload('worker_exit:kill_parent_then_hang', 2, 60), arm('processes', 1)));
    expect(failure.kind).toBe('crash');
    expect(failure.message).toContain('SIGKILL');
  });

  it("reports a segfault as 'crash' with the signal and the stderr tail", async () => {
    const failure = expectFailure(await runTrial(target(), workload('segfault:segfault', 2), serial));
    expect(failure.kind).toBe('crash');
    expect(failure.message).toContain('SIGSEGV');
    // PYTHONFAULTHANDLER=1 (a trial variable) prints where it happened
    expect(failure.stderrTail).toContain('segfault.py');
  });

  it("kills the whole process tree on timeout and reports 'timeout'", async () => {
    const pidFile = join(scratch, 'hang-pids.txt');
    // Generous: the workers must have started (and written their pids) before the timeout fires,
    // however slowly a busy machine starts interpreters. Nothing here depends on how long it took.
    const failure = expectFailure(
      await runTrial(target(PYTHON, { GILGATE_TEST_PID_FILE: pidFile }), workload('hang:hang_in_workers', 4, 10), arm('processes', 2)),
    );
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toContain('10 s');

    // Lines are "pid parentPid": the runner's warm-up first, then at least one hanging worker.
    const lines = (await readFile(pidFile, 'utf8')).trim().split('\n').map((line) => line.split(' ').map(Number));
    const runnerPid = lines[0]![0]!;
    const workers = lines.slice(1).filter(([, parent]) => parent === runnerPid).map(([pid]) => pid!);
    expect(workers.length).toBeGreaterThanOrEqual(1);
    const pids = [runnerPid, ...workers];
    // SIGKILL was sent; death is asynchronous, so wait for it (the test's own timeout bounds this).
    while (pids.some(isRunning)) await new Promise((done) => setTimeout(done, 50));
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("gives the probe the workload's timeout too", async () => {
    const pidFile = join(scratch, 'probe-hang-pids.txt');
    // The pilot runs in the parent (returns at once); the spawn check's worker hangs.
    const failure = expectFailure(
      await probeWorkload(target(PYTHON, { GILGATE_TEST_PID_FILE: pidFile }), workload('hang:hang_in_workers', 2, 2)),
    );
    expect(failure.kind).toBe('timeout');
  });

  it('keeps only the last few KB of stderr, ending with what was written last', async () => {
    const failure = expectFailure(await runTrial(target(), workload('flood:flood_then_fail', 1), serial));
    expect(failure.kind).toBe('task');
    expect(failure.stderrTail).toContain('last words before failing');
    expect(failure.stderrTail.length).toBeLessThanOrEqual(4096);
  });
});

describe('runner: start-up waits for every worker', () => {
  // A pool hands a ready call to whichever worker is free; a worker still starting (a subinterpreter
  // takes tens of ms) would otherwise start during the timed steady phase.
  const script = `
import concurrent.futures, sys, threading, time
sys.path.insert(0, sys.argv[1])
import gilgate_runner as r
started = []
lock = threading.Lock()
calls = []
def slow_start():
    with lock:
        first = not calls
        calls.append(1)
    if not first:
        time.sleep(0.3)  # the second worker starts slowly
    started.append(threading.get_ident())  # started: initializer done
pool = concurrent.futures.ThreadPoolExecutor(2, initializer=slow_start)
r.wait_for_workers(pool, r, len, 2)
print(len(set(started)), len(started))
pool.shutdown()
`;
  for (const version of ['3.8', 'default'] as const) {
    it(`returns only once both workers have started (${version})`, async () => {
      const python = version === 'default' ? 'python3' : requirePython(version);
      const { stdout } = await execa(python, ['-c', script, dirname(runnerScriptPath())]);
      expect(stdout.trim()).toBe('2 2');
    });
  }
});
