// The shell around python/gilgate_runner.py: one fresh interpreter per call, a spec file in, a
// result file out. Workload output never travels with results: stdout goes to /dev/null and only
// the last few KB of stderr are kept, for context when something fails. Lockstep trials (several
// interpreters taking turns repetition by repetition) also talk over a private socket, fd 3.
// The parts: runner-process.ts (one interpreter's life), runner-result.ts (reading what it left),
// lockstep.ts (the turns), trial-spec.ts (what a trial is told).

import type {
  Failure,
  MachineProbe,
  PythonEnvironment,
  TrialOutcome,
  WorkloadConfig,
  WorkloadProbe,
} from '../core/types.js';
import { invokeRunner } from './runner-process.js';
import { trialSpec, withSummary, type TrialSettings } from './trial-spec.js';

export { runnerScriptPath } from './runner-process.js';
export { isFailure } from './runner-result.js';
export { REPETITION_SECONDS_CAP, type TrialSettings } from './trial-spec.js';
export { runLockstep, turnOrder, type LockstepMember, type LockstepOptions } from './lockstep.js';

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
  /** The side's tree first (the repository root, or base's worktree), then other trees whose
   *  files count as the repository's (base: head's): where provenance looks for the project's code. */
  roots?: string[];
  /** The whole environment of the interpreter (see trialEnvironment); nothing else is inherited. */
  env: Record<string, string>;
}

/** Describing the interpreter or the machine imports nothing of the user's: a minute is generous. */
const ENVIRONMENT_TIMEOUT_SECONDS = 60;

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
  const spec = { paths: target.paths, roots: target.roots ?? [target.cwd], run: workload.run, tasks: workload.tasks, startMethod };
  return invokeRunner(target, 'probe', spec, workload.timeout);
}

/** One trial of one arm in a fresh interpreter: a warm-up call, then the timed repetitions. */
export async function runTrial(
  target: PythonTarget,
  workload: WorkloadConfig,
  settings: TrialSettings,
): Promise<TrialOutcome> {
  const outcome = await invokeRunner(target, 'trial', trialSpec(target, workload, settings), workload.timeout);
  return withSummary(outcome);
}
