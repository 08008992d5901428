// Samples: the trials of one workload on one side, arranged by arm and round, and the per-arm
// numbers derived from them. Pure. Rounds are the pairing unit: index i of every arm's list ran in
// round i, so two arms' values at the same index are compared with each other.
import { median } from 'simple-statistics';
import { armLabel } from './plan.js';
import { summarize } from './stats/estimate.js';
import type { Arm, ArmResult, Failure, ParallelModel, TrialMeasurement, TrialOutcome } from './types.js';

export interface ArmSamples {
  arm: Arm;
  /**
   * outcomes[round]: that round's trials of this arm (serial runs one per CPU it was placed on);
   * empty or missing when the arm did not run in that round.
   */
  outcomes: TrialOutcome[][];
}

export function measurements(samples: ArmSamples): TrialMeasurement[] {
  return samples.outcomes.flat().filter((o): o is TrialMeasurement => o.ok);
}

export function failures(samples: ArmSamples): Failure[] {
  return samples.outcomes.flat().filter((o): o is Failure => !o.ok);
}

/**
 * One value per round (NaN where the arm did not run or failed): what paired comparisons take.
 * A round's trials on several CPUs are averaged: the expected time of unpinned code.
 */
export function series(samples: ArmSamples, rounds: number, value: (m: TrialMeasurement) => number): number[] {
  return Array.from({ length: rounds }, (_, i) => {
    const trials = samples.outcomes[i] ?? [];
    if (trials.length === 0 || trials.some((o) => !o.ok)) return Number.NaN;
    return trials.reduce((sum, o) => sum + value(o as TrialMeasurement), 0) / trials.length;
  });
}

export const wallOf = (m: TrialMeasurement): number => m.wallSeconds;

/** Whole-pool peak memory: the parent plus one largest child per worker (processes hold a copy each). */
export function poolRssOf(arm: Arm): (m: TrialMeasurement) => number {
  return (m) => m.peakRssSelfBytes + (arm.model === 'processes' ? arm.workers * m.peakRssChildBytes : 0);
}

export function medianOf(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : median(finite);
}

export function medianWall(samples: ArmSamples): number {
  return medianOf(measurements(samples).map(wallOf));
}

/** The model's arm with the lowest median wall time among arms that produced data. */
export function bestArm(all: readonly ArmSamples[], model: ParallelModel): ArmSamples | null {
  let best: ArmSamples | null = null;
  for (const samples of all) {
    if (samples.arm.model !== model || measurements(samples).length === 0) continue;
    if (best === null || medianWall(samples) < medianWall(best)) best = samples;
  }
  return best;
}

export function serialArm(all: readonly ArmSamples[]): ArmSamples | null {
  return all.find((s) => s.arm.model === 'serial') ?? null;
}

export function armResult(samples: ArmSamples, serialMedian: number): ArmResult {
  const ok = measurements(samples);
  const wall = summarize(ok.map(wallOf));
  const chunks = ok.map((m) => m.chunksize).filter((c): c is number => c !== null);
  return {
    model: samples.arm.model,
    workers: samples.arm.workers,
    wall,
    startupSeconds: medianOf(ok.map((m) => m.startupSeconds)),
    cpuPerWall: medianOf(ok.map((m) => m.cpuSeconds / m.wallSeconds)),
    peakRssBytes: medianOf(ok.map(poolRssOf(samples.arm))),
    speedup: samples.arm.model === 'serial' ? 1 : serialMedian / wall.median,
    chunksize: chunks.length > 0 ? chunks[0]! : null,
    failures: failures(samples).length,
  };
}

export function describeFailure(failure: Failure): string {
  const text = failure.message ? `${failure.type}: ${failure.message}` : failure.type;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export { armLabel };
