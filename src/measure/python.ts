// The shell around python/gilgate_runner.py: one fresh interpreter per call, a spec file in, a
// result file out. Workload output never travels with results: stdout goes to /dev/null and only
// the last few KB of stderr are kept, for context when something fails.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { trialValue } from '../core/repetitions.js';
import { parseRunnerOutput, RunnerOutputError, type RunnerMode, type RunnerOutputs } from '../core/contracts/runner.js';
import type {
  Failure,
  FailureKind,
  MachineProbe,
  Model,
  PythonEnvironment,
  RepetitionValues,
  TrialMeasurement,
  TrialOutcome,
  WorkloadConfig,
  WorkloadProbe,
} from '../core/types.js';

/**
 * Where and how to start the interpreter for one side (head or base) of a run.
 *
 * The interpreter is resolved once: callers run probeEnvironment with the configured command
 * (e.g. "python3", possibly a slow pyenv shim), then use its `environment.executable` as
 * `python` for every later call (machine, probe, trial). A PATH lookup or shim per trial would
 * add its start-up to every trial and could pick another interpreter mid-run.
 */
export interface PythonTarget {
  /** Interpreter command: the configured one for probeEnvironment, then `executable`. */
  python: string;
  /** Working directory of the interpreter (the checkout being measured). */
  cwd: string;
  /** Absolute paths put first on sys.path. */
  paths: string[];
  /** The whole environment of the interpreter (see trialEnvironment); nothing else is inherited. */
  env: Record<string, string>;
}

const STDERR_TAIL_BYTES = 4096;
/** Describing the interpreter or the machine imports nothing of the user's: a minute is generous. */
const ENVIRONMENT_TIMEOUT_SECONDS = 60;

/**
 * The runner script: beside the bundle (dist/index.js → dist/, dist/cli/index.js → dist/), or in
 * python/ when running from source (src/runner or lib/runner).
 */
export function runnerScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'gilgate_runner.py'),
    join(here, '..', 'gilgate_runner.py'),
    join(here, '..', '..', 'python', 'gilgate_runner.py'),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`gilgate_runner.py not found; looked in: ${candidates.join(', ')}`);
  }
  return found;
}

/** The one test for a runner Failure (ok: false) among runner results. */
export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/** Describe the interpreter: version, cores and CPU ids, GIL, start methods, interpreters. */
export async function probeEnvironment(target: PythonTarget): Promise<PythonEnvironment | Failure> {
  return invokeRunner(target, 'environment', {}, ENVIRONMENT_TIMEOUT_SECONDS);
}

/**
 * Measure the machine: each usable CPU's speed (a pinned loop) and, for each N in `workers`, the
 * capacity of N unpinned processes against one. About half a second on 2 CPUs.
 */
export async function probeMachine(
  target: PythonTarget,
  workers: readonly number[],
): Promise<MachineProbe | Failure> {
  return invokeRunner(target, 'machine', { workers }, ENVIRONMENT_TIMEOUT_SECONDS);
}

/**
 * Import the workload, count its tasks, time one serial pass, check processes (with
 * `startMethod`, null = the interpreter's default) and spawn, and interpreters; report whether
 * the import turned the GIL back on.
 */
export async function probeWorkload(
  target: PythonTarget,
  workload: WorkloadConfig,
  startMethod: string | null = null,
): Promise<WorkloadProbe | Failure> {
  const spec = { paths: target.paths, run: workload.run, tasks: workload.tasks, startMethod };
  return invokeRunner(target, 'probe', spec, workload.timeout);
}

/** How one trial runs: which arm, where, how many times. */
export interface TrialSettings {
  model: Model | 'interpreters';
  workers: number;
  /** Pin the interpreter to this CPU before importing the workload; null leaves affinity alone
   *  (always null for pools: they get every usable CPU). */
  cpu: number | null;
  /** Timed repetitions after the untimed warm-up call, ≥ 1. */
  repetitions: number;
  /** multiprocessing start method for processes; null = the interpreter's default. */
  startMethod: string | null;
}

/** The runner's trial result, before the per-trial summary values are added. */
type RunnerMeasurement = Omit<TrialMeasurement, 'wallSeconds' | 'steadySeconds' | 'startupSeconds' | 'cpuSeconds'>;

/** One trial of one arm in a fresh interpreter: a warm-up call, then the timed repetitions. */
export async function runTrial(
  target: PythonTarget,
  workload: WorkloadConfig,
  settings: TrialSettings,
): Promise<TrialOutcome> {
  if (!Number.isInteger(settings.repetitions) || settings.repetitions < 1) {
    throw new Error(`repetitions must be an integer ≥ 1, got ${settings.repetitions}`);
  }
  if (settings.model !== 'serial' && settings.cpu !== null) {
    // Workers inherit the parent's affinity: a pinned pool would measure one CPU.
    throw new Error(`a ${settings.model} trial cannot be pinned to a CPU (cpu must be null)`);
  }
  const spec = {
    paths: target.paths,
    run: workload.run,
    tasks: workload.tasks,
    model: settings.model,
    workers: settings.workers,
    cpu: settings.cpu,
    repetitions: settings.repetitions,
    startMethod: settings.startMethod,
  };
  const outcome = await invokeRunner(target, 'trial', spec, workload.timeout);
  if (isFailure(outcome)) return outcome;
  return { ...outcome, ...summarize(outcome.repetitions) };
}

/** Each measure's per-trial value over the repetitions (the estimator lives in trialValue). */
function summarize(repetitions: readonly RepetitionValues[]): RepetitionValues {
  return {
    wallSeconds: trialValue(repetitions.map((r) => r.wallSeconds)),
    steadySeconds: trialValue(repetitions.map((r) => r.steadySeconds)),
    startupSeconds: trialValue(repetitions.map((r) => r.startupSeconds)),
    cpuSeconds: trialValue(repetitions.map((r) => r.cpuSeconds)),
  };
}

function failure(kind: FailureKind, type: string, message: string, stderrTail = ''): Failure {
  return { ok: false, kind, type, message, traceback: '', stderrTail };
}

/**
 * Run the runner once and return its parsed result, or a Failure when the interpreter could not
 * start, ran out of time, or died without writing a result.
 */
async function invokeRunner<M extends RunnerMode>(
  target: PythonTarget,
  mode: M,
  spec: object,
  timeoutSeconds: number,
): Promise<RunnerOutputs[M] | Failure> {
  if (!existsSync(target.cwd)) {
    // Node reports a missing cwd as ENOENT too; keep it from reading as a missing interpreter.
    return failure('runner', 'Error', `working directory ${target.cwd} does not exist`);
  }
  const workDirectory = await mkdtemp(join(tmpdir(), 'gilgate-'));
  try {
    const specPath = join(workDirectory, 'spec.json');
    const resultPath = join(workDirectory, 'result.json');
    await writeFile(specPath, JSON.stringify(spec));

    const stderr = new StderrTail(STDERR_TAIL_BYTES);
    const subprocess = execa(target.python, [runnerScriptPath(), mode, specPath, resultPath], {
      cwd: target.cwd,
      env: target.env,
      extendEnv: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      // Its own process group, so that pool workers can be killed with it.
      detached: true,
      reject: false,
    });
    const group = subprocess.pid;
    if (group !== undefined) {
      liveGroups.add(group);
      // Workers orphaned when the interpreter dies hold stderr open, so the subprocess would not
      // settle until the timeout and a crash would read as one. The group dies with its leader.
      subprocess.nodeChildProcess.once('exit', () => killGroup(group));
    }
    subprocess.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (group !== undefined) killGroup(group);
      // A descendant that left the group could still hold the pipe open; stop waiting on it.
      subprocess.stderr?.destroy();
    }, timeoutSeconds * 1000);
    const result = await subprocess;
    clearTimeout(timer);
    if (group !== undefined) {
      // Workers orphaned by a parent that died (os._exit, segfault) would otherwise live on.
      killGroup(group);
      liveGroups.delete(group);
    }

    if (result.code === 'ENOENT' || result.code === 'EACCES') {
      return failure(
        'python-missing',
        result.code,
        `Python interpreter "${target.python}" could not be started (${result.code}); ` +
          `set \`python:\` in the config to an installed interpreter`,
      );
    }
    if (timedOut) {
      return failure(
        'timeout',
        'Timeout',
        `${mode} ran past the ${timeoutSeconds} s timeout; its whole process tree was killed`,
        stderr.text(),
      );
    }

    let text: string;
    try {
      text = await readFile(resultPath, 'utf8');
    } catch {
      const how =
        result.signal !== undefined
          ? `was killed by ${result.signal}${result.signalDescription ? ` (${result.signalDescription})` : ''}`
          : result.exitCode !== undefined
            ? `exited with code ${result.exitCode}`
            : `failed: ${result.shortMessage}`;
      return failure(
        'crash',
        result.signal ?? 'Exit',
        `the Python interpreter ${how} without writing a result`,
        stderr.text(),
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return failure('runner', 'SyntaxError', `unreadable runner result: ${String(error)}`, stderr.text());
    }
    // Validated against the runner's contract (src/core/contracts/runner.ts), never cast: a
    // mismatch is a gilgate bug, reported as the runner failing with the fields named.
    let output: RunnerOutputs[M] | Failure;
    try {
      output = parseRunnerOutput(mode, parsed);
    } catch (error) {
      if (error instanceof RunnerOutputError) return failure('runner', error.name, error.message, stderr.text());
      throw error;
    }
    if (isFailure(output)) return { ...output, stderrTail: stderr.text() };
    return output;
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
  }
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

// Detached groups are not killed by execa when Node exits; do it ourselves.
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const group of liveGroups) killGroup(group);
});

/** The last `limit` bytes of a stream, however much passes through it. */
class StderrTail {
  private tail = Buffer.alloc(0);
  private truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const joined = chunk.length >= this.limit ? chunk : Buffer.concat([this.tail, chunk]);
    if (joined.length > this.limit) this.truncated = true;
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.limit)));
  }

  /** The tail as text, starting at a line boundary when earlier output was dropped. */
  text(): string {
    const text = this.tail.toString('utf8');
    if (!this.truncated) return text;
    const newline = text.indexOf('\n');
    return newline >= 0 && newline < text.length - 1 ? text.slice(newline + 1) : text;
  }
}
