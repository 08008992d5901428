// Plain-data builders for the pure core's tests: trials as the runner would report them.
import type { ArmSamples } from '../../src/core/samples.js';
import type { Arm, Failure, TrialMeasurement, TrialOutcome, WorkloadProbe } from '../../src/core/types.js';

/** A trial; its steady time is the wall less the start-up unless given. */
export function trial(wallSeconds: number, extra: Partial<TrialMeasurement> = {}): TrialMeasurement {
  const startupSeconds = extra.startupSeconds ?? 0;
  return {
    ok: true,
    wallSeconds,
    startupSeconds,
    steadySeconds: wallSeconds - startupSeconds,
    cpuSeconds: wallSeconds,
    peakRssSelfBytes: 50e6,
    peakRssChildBytes: 0,
    tasks: 100,
    digest: 'same',
    digestStable: true,
    chunksize: null,
    startMethod: null,
    ...extra,
  };
}

export function failure(kind: Failure['kind'], message = 'boom'): Failure {
  return { ok: false, kind, type: 'RuntimeError', message, traceback: 'Traceback (most recent call last):\n  ...', stderrTail: '' };
}

/** A deterministic ±jitter pattern, so "noisy" samples are reproducible. */
export function jitter(i: number, amount: number): number {
  const pattern = [0, 1, -1, 0.5, -0.5, 0.8, -0.8, 0.3, -0.3, 0.6, -0.6, 0.2, -0.2, 0.9, -0.9, 0.4, -0.4];
  return 1 + amount * pattern[i % pattern.length]!;
}

/** An arm whose trial in round i takes base × jitter(i) seconds, with per-trial extras: one trial per round. */
export function arm(a: Arm, rounds: number, seconds: number, noise = 0.01, extra: (i: number) => Partial<TrialMeasurement> = () => ({})): ArmSamples {
  return { arm: a, outcomes: Array.from({ length: rounds }, (_, i) => [trial(seconds * jitter(i + a.workers, noise), extra(i))]) };
}

/** One trial per round, as given. */
export function rounds(a: Arm, trials: readonly TrialOutcome[]): ArmSamples {
  return { arm: a, outcomes: trials.map((t) => [t]) };
}

/** The same arm with round i's wall (and steady) time multiplied by factor(i). */
export function scaled(samples: ArmSamples, factor: (i: number) => number): ArmSamples {
  return {
    arm: samples.arm,
    outcomes: samples.outcomes.map((round, i) =>
      (round ?? []).map((t) => (t.ok ? { ...t, wallSeconds: t.wallSeconds * factor(i), steadySeconds: t.steadySeconds * factor(i) } : t)),
    ),
  };
}

export const SERIAL: Arm = { model: 'serial', workers: 1 };
export const threads = (workers = 2): Arm => ({ model: 'threads', workers });
export const processes = (workers = 2): Arm => ({ model: 'processes', workers });
export const interpreters = (workers = 2): Arm => ({ model: 'interpreters', workers });

export function probe(extra: Partial<WorkloadProbe> = {}): WorkloadProbe {
  return { ok: true, taskCount: 100, processesUnavailable: null, spawnProblem: null, pilotWallSeconds: 1, pilotCpuSeconds: 1, ...extra };
}
