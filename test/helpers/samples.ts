// Plain-data builders for the pure core's tests: trials as the runner would report them.
import type { ArmSamples } from '../../src/core/samples.js';
import type { Arm, Failure, TrialMeasurement, WorkloadProbe } from '../../src/core/types.js';

export function trial(wallSeconds: number, extra: Partial<TrialMeasurement> = {}): TrialMeasurement {
  return {
    ok: true,
    wallSeconds,
    startupSeconds: 0,
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

/** An arm whose trial i takes base × jitter(i) seconds, with per-trial extras. */
export function arm(a: Arm, rounds: number, seconds: number, noise = 0.01, extra: (i: number) => Partial<TrialMeasurement> = () => ({})): ArmSamples {
  return { arm: a, outcomes: Array.from({ length: rounds }, (_, i) => [trial(seconds * jitter(i + a.workers, noise), extra(i))]) };
}

export const SERIAL: Arm = { model: 'serial', workers: 1 };
export const threads = (workers = 2): Arm => ({ model: 'threads', workers });
export const processes = (workers = 2): Arm => ({ model: 'processes', workers });

export function probe(extra: Partial<WorkloadProbe> = {}): WorkloadProbe {
  return { ok: true, taskCount: 100, processesUnavailable: null, spawnProblem: null, pilotWallSeconds: 1, pilotCpuSeconds: 1, ...extra };
}
