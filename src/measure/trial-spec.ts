// What the runner is told for one trial (its spec) and what a trial's outcome gains on the way back
// (the per-trial summary values). Shared by single trials (python.ts) and lockstep groups.

import { trialValue } from '../core/repetitions.js';
import type { Failure, Model, RepetitionValues, TrialMeasurement, TrialOutcome, WorkloadConfig } from '../core/types.js';
import type { PythonTarget } from './python.js';
import { isFailure } from './runner-result.js';

/**
 * Timed work after which a trial starts no new repetition, whatever count it was given (at least
 * one always runs): about seven times the engine's per-trial target (plan.ts). The runner gets it
 * in each trial's spec; a lockstep group applies it to partners together (lockstep.ts).
 */
export const REPETITION_SECONDS_CAP = 2.0;

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
  /** A single trial's cap instead of REPETITION_SECONDS_CAP (lockstep groups keep theirs): for a
   *  test that counts repetitions, which a slow machine must not cut. */
  repetitionSecondsCap?: number;
}

/** The runner's trial result, before the per-trial summary values are added. */
export type RunnerMeasurement = Omit<TrialMeasurement, 'wallSeconds' | 'steadySeconds' | 'startupSeconds' | 'cpuSeconds'>;

/** The runner's spec for one trial; throws on settings no trial can run with. */
export function trialSpec(target: PythonTarget, workload: WorkloadConfig, settings: TrialSettings) {
  if (!Number.isInteger(settings.repetitions) || settings.repetitions < 1) {
    throw new Error(`repetitions must be an integer ≥ 1, got ${settings.repetitions}`);
  }
  if (settings.model !== 'serial' && settings.cpu !== null) {
    // Workers inherit the parent's affinity: a pinned pool would measure one CPU.
    throw new Error(`a ${settings.model} trial cannot be pinned to a CPU (cpu must be null)`);
  }
  return {
    paths: target.paths,
    roots: target.roots ?? [target.cwd],
    run: workload.run,
    tasks: workload.tasks,
    model: settings.model,
    workers: settings.workers,
    cpu: settings.cpu,
    repetitions: settings.repetitions,
    repetitionSecondsCap: settings.repetitionSecondsCap ?? REPETITION_SECONDS_CAP,
    startMethod: settings.startMethod,
  };
}

export function withSummary(outcome: RunnerMeasurement | Failure): TrialOutcome {
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
