// Every fault here is real: real interpreters, real pools, real segfaults and timeouts.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  probeEnvironment,
  probeWorkload,
  runTrial,
  runnerScriptPath,
  type PythonTarget,
} from '../src/measure/python.js';
import { trialEnvironment } from '../src/measure/trial-environment.js';
import type { Failure, TrialMeasurement, WorkloadConfig, WorkloadProbe } from '../src/core/types.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures', 'workloads');
const PYTHON_38 = '/root/.pyenv/versions/3.8.18/bin/python3';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gilgate-runner-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function target(python = 'python3', extraEnv: Record<string, string> = {}): PythonTarget {
  return { python, cwd: FIXTURES, paths: [FIXTURES], env: { ...trialEnvironment(process.env, []), ...extraEnv } };
}

function workload(run: string, tasks: string | number, timeout = 60): WorkloadConfig {
  return { name: run, run, tasks, timeout };
}

function expectFailure(outcome: { ok: boolean }): Failure {
  expect(outcome.ok).toBe(false);
  return outcome as Failure;
}

function expectMeasurement(outcome: { ok: boolean }): TrialMeasurement {
  if (!outcome.ok) throw new Error(`trial failed: ${JSON.stringify(outcome, null, 2)}`);
  return outcome as TrialMeasurement;
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
  it('describes the interpreter', async () => {
    const env = await probeEnvironment(target());
    if ('ok' in env) throw new Error(JSON.stringify(env));
    expect(env.cores).toBeGreaterThanOrEqual(1);
    expect(env.python).toMatch(/^3\.\d+\.\d+/);
    expect(env.implementation).toBe('CPython');
    expect(['affinity', 'cpu_count', 'cgroup cpu.max', 'cgroup cpu.cfs_quota_us']).toContain(env.coresSource);
    expect(typeof env.gilEnabled).toBe('boolean');
    expect(env.startMethod).toMatch(/^(fork|spawn|forkserver)$/);
    expect(env.executable).not.toBe('');
  });

  it('works under Python 3.8', async () => {
    const env = await probeEnvironment(target(PYTHON_38));
    if ('ok' in env) throw new Error(JSON.stringify(env));
    expect(env.python).toMatch(/^3\.8\./);
    expect(env.gilEnabled).toBe(true);
    expect(env.freeThreadedBuild).toBe(false);
  });

  it("reports a Python that is not installed as 'python-missing'", async () => {
    const failure = expectFailure(await probeEnvironment(target('python-gilgate-does-not-exist')));
    expect(failure.kind).toBe('python-missing');
    expect(failure.message).toContain('python-gilgate-does-not-exist');
  });
});

describe('successful trials', () => {
  const deterministic = workload('deterministic:sum_of_squares', 'deterministic:tasks');

  it('runs serial, threads and processes with equal digests', async () => {
    const serial = expectMeasurement(await runTrial(target(), deterministic, { model: 'serial', workers: 1 }));
    const threads = expectMeasurement(await runTrial(target(), deterministic, { model: 'threads', workers: 2 }));
    const processes = expectMeasurement(await runTrial(target(), deterministic, { model: 'processes', workers: 3 }));

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
    const squares = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 5), { model: 'serial', workers: 1 }));
    const others = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 6), { model: 'serial', workers: 1 }));
    expect(squares.tasks).toBe(5);
    expect(others.digest).not.toBe(squares.digest);
  });

  it('gives chunksize 1 when tasks are fewer than 4 × workers', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 5), { model: 'processes', workers: 2 }));
    expect(m.chunksize).toBe(1);
    expect(m.tasks).toBe(5);
  });

  it('marks digests of results that print addresses as unstable', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('unpicklable:make_generator', 'unpicklable:tasks'), { model: 'threads', workers: 2 }));
    expect(m.digestStable).toBe(false);
  });

  it('handles zero tasks', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('deterministic:sum_of_squares', 0), { model: 'processes', workers: 2 }));
    expect(m.tasks).toBe(0);
  });

  it('runs under Python 3.8, with the same digest as the default Python', async () => {
    const old = expectMeasurement(await runTrial(target(PYTHON_38), deterministic, { model: 'processes', workers: 2 }));
    const current = expectMeasurement(await runTrial(target(), deterministic, { model: 'serial', workers: 1 }));
    expect(old.tasks).toBe(40);
    expect(old.chunksize).toBe(5);
    expect(old.digest).toBe(current.digest);
  });

  it('survives a workload that floods stdout and stderr (50 MB)', async () => {
    const m = expectMeasurement(await runTrial(target(), workload('flood:flood', 'flood:tasks'), { model: 'threads', workers: 2 }));
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
    const m = expectMeasurement(await runTrial(target(), workload('spawn_only:scaled', 'spawn_only:tasks'), { model: 'processes', workers: 2 }));
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
  const serial = { model: 'serial', workers: 1 } as const;

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

  for (const arm of [serial, { model: 'threads', workers: 2 }, { model: 'processes', workers: 2 }] as const) {
    it(`reports an exception inside a task as 'task' with its traceback (${arm.model})`, async () => {
      const failure = expectFailure(await runTrial(target(), workload('task_error:fail_on_three', 6), arm));
      expect(failure.kind).toBe('task');
      expect(failure.type).toBe('ValueError');
      expect(failure.message).toContain('task three is broken');
      // for processes this is the worker's traceback, carried back as the cause
      expect(failure.traceback).toContain('task_error.py');
      expect(failure.traceback).toContain('fail_on_three');
    });
  }

  it("reports a task exception in a process pool under Python 3.8 with the remote traceback", async () => {
    const failure = expectFailure(await runTrial(target(PYTHON_38), workload('task_error:fail_on_three', 6), { model: 'processes', workers: 2 }));
    expect(failure.kind).toBe('task');
    expect(failure.traceback).toContain('task_error.py');
  });

  it("reports an unpicklable result in a process pool as 'pickle'", async () => {
    const failure = expectFailure(await runTrial(target(), workload('unpicklable:make_generator', 'unpicklable:tasks'), { model: 'processes', workers: 2 }));
    expect(failure.kind).toBe('pickle');
    expect(failure.message).toContain('generator');
  });

  it("reports an unpicklable function as 'pickle' without hanging, even under Python 3.8", async () => {
    for (const python of ['python3', PYTHON_38]) {
      const failure = expectFailure(await runTrial(target(python), workload('unpicklable:as_lambda', 3, 20), { model: 'processes', workers: 2 }));
      expect(failure.kind).toBe('pickle');
      expect(failure.message).toContain('the function');
    }
  });

  it("reports a worker that dies (os._exit) as 'crash'", async () => {
    const failure = expectFailure(await runTrial(target(), workload('worker_exit:die_in_worker', 4), { model: 'processes', workers: 2 }));
    expect(failure.kind).toBe('crash');
    expect(failure.type).toBe('BrokenProcessPool');
  });

  it("reports the interpreter itself exiting without a result as 'crash' with its exit code", async () => {
    const failure = expectFailure(await runTrial(target(), workload('worker_exit:die_in_parent', 2), serial));
    expect(failure.kind).toBe('crash');
    expect(failure.message).toContain('code 3');
  });

  it("reports the interpreter's death as 'crash' at once, even when orphaned workers live on", async () => {
    const started = Date.now();
    const failure = expectFailure(await runTrial(target(), workload('worker_exit:kill_parent_then_hang', 2, 60), { model: 'processes', workers: 1 }));
    expect(failure.kind).toBe('crash');
    expect(failure.message).toContain('SIGKILL');
    // well under the 60 s timeout: the orphan did not keep us waiting
    expect(Date.now() - started).toBeLessThan(30_000);
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
    const started = Date.now();
    const failure = expectFailure(
      await runTrial(target('python3', { GILGATE_TEST_PID_FILE: pidFile }), workload('hang:hang_in_workers', 4, 2), { model: 'processes', workers: 2 }),
    );
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toContain('2 s');
    expect(Date.now() - started).toBeLessThan(30_000);

    // Lines are "pid parentPid": the runner's warm-up first, then at least one hanging worker.
    const lines = (await readFile(pidFile, 'utf8')).trim().split('\n').map((line) => line.split(' ').map(Number));
    const runnerPid = lines[0]![0]!;
    const workers = lines.slice(1).filter(([, parent]) => parent === runnerPid).map(([pid]) => pid!);
    expect(workers.length).toBeGreaterThanOrEqual(1);
    const pids = [runnerPid, ...workers];
    await new Promise((done) => setTimeout(done, 200));
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("gives the probe the workload's timeout too", async () => {
    const pidFile = join(scratch, 'probe-hang-pids.txt');
    // The pilot runs in the parent (returns at once); the spawn check's worker hangs.
    const failure = expectFailure(
      await probeWorkload(target('python3', { GILGATE_TEST_PID_FILE: pidFile }), workload('hang:hang_in_workers', 2, 2)),
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
