// One experiment driven through the engine's state machine on plain data (the approach of
// test/experiment.test.ts), and its values split into matrix legs the way `run --shard` splits
// them: the real shardRecord and shardSetup, each leg judged by the real rejudge. What the merge
// tests compare a merged run against.
import { finish, next, probePlan, record, rejudge, start, type ExperimentInput } from '../../src/core/experiment.js';
import type { Leg } from '../../src/core/merge.js';
import { seededRandom } from '../../src/core/plan.js';
import { shardRecord, shardSetup, type ShardRecord, type WorkloadCost } from '../../src/core/shard.js';
import type { Failure, MachineProbe, Model, PythonEnvironment, Results, TrialOutcome, TrialRequest, WorkloadConfig, WorkloadProbe } from '../../src/core/types.js';
import { WORDS } from '../../src/report/explain.js';
import { probe as okProbe, trial } from './samples.js';

export const MACHINE: MachineProbe = { ok: true, cpus: [{ cpu: 0, loopSeconds: 0.01 }, { cpu: 1, loopSeconds: 0.011 }], capacity: [{ workers: 2, ratio: 1.8 }], singleLoopSeconds: 0.01 };

export function environment(extra: Partial<PythonEnvironment> = {}): PythonEnvironment {
  return {
    cores: 2, coresSource: 'affinity', python: '3.11.7', implementation: 'CPython', executable: '/usr/bin/python3',
    gilEnabled: true, freeThreadedBuild: false, startMethod: 'fork', startMethods: ['fork', 'spawn', 'forkserver'], os: 'Linux', cpuModel: 'test',
    cpus: [0, 1], placement: 'affinity', interpretersUnavailable: 'Python < 3.14', ...extra,
  };
}

export const workload = (name: string): WorkloadConfig => ({ name, run: `bench:${name}`, tasks: 100, timeout: 60, startMethod: null, pool: 'per-batch' });

export interface Build {
  names: string[];
  pythons?: string[];
  environments?: PythonEnvironment[];
  /** With a base side (every workload in base), or head only. */
  base?: boolean;
  probe?: (name: string, side: 'head' | 'base', python: string) => WorkloadProbe | Failure;
  settings?: Partial<Results['settings']>;
}

export function input(b: Build): ExperimentInput {
  const pythons = b.pythons ?? ['python3'];
  const setup = { pythons, workloads: b.names.map(workload), base: b.base ? { workloads: null, configMissing: false } : null };
  return {
    setup,
    settings: {
      seed: 7, threshold: 0.1, margin: 0.1, memoryThreshold: 0.2, alpha: 0.01, minRounds: 5, maxRounds: 20,
      maxTimeSeconds: null, trialEnvironment: { OMP_NUM_THREADS: '1' }, ...b.settings,
    },
    environments: b.environments ?? pythons.map(() => environment()),
    probes: probePlan(setup).map((r) => ({
      workload: r.workload.name, python: r.python, side: r.side,
      probe: b.probe ? b.probe(r.workload.name, r.side, r.python) : probe(),
    })),
    startedAt: '2026-01-01T00:00:00.000Z',
    git: { head: 'a'.repeat(40), base: b.base ? 'b'.repeat(40) : null, baseRef: b.base ? 'main' : null },
    config: 'gilgate.yml',
  };
}

/** A workload probe complete as the runner reports it, so it reads back through the contract. */
export function probe(extra: Partial<WorkloadProbe> = {}): WorkloadProbe {
  return okProbe({
    pilotWallSeconds: 0.1, pilotCpuSeconds: 0.1, interpretersUnavailable: null, startMethod: 'fork', gilEnabledAfterImport: true, gilReenabledBy: null, ...extra,
  });
}

/** True seconds per trial; the simulated runner adds seeded ±noise. */
export type Truth = (t: TrialRequest, round: number) => number | TrialOutcome;
export const gilBound: Record<Model, number> = { serial: 1, threads: 1.02, processes: 0.55, interpreters: 0.6 };

/**
 * CPU seconds of a simulated trial: the work is the serial truth's, done at up to `workers` CPUs at
 * once, so CPU/wall tells threads that ran one at a time (GIL-bound: ≈ 1) from parallel ones, as
 * the runner's rusage does (verdict.ts rules out threads by it).
 */
export function simulatedCpuSeconds(truth: Truth, t: TrialRequest, round: number, wallSeconds: number): number {
  const serial = truth({ ...t, arm: { model: 'serial', workers: 1 } }, round);
  const work = typeof serial === 'number' ? serial : wallSeconds;
  return Math.min(work, wallSeconds * t.arm.workers);
}

/** Runs the experiment to its stop and finishes it with report/'s words: the unsharded Results. */
export function simulate(i: ExperimentInput, truth: Truth, noise = 0.02): Results {
  const random = seededRandom(99);
  const state = start(i);
  let now = 0;
  for (;;) {
    const step = next(state, now);
    if (step.kind === 'stop') break;
    if (step.kind === 'machine') {
      record(state, { kind: 'machine', probe: MACHINE });
      continue;
    }
    const outcomes = step.trials.map((t) => {
      const value = truth(t, step.round);
      if (typeof value !== 'number') return value;
      // Complete as the runner reports it (one repetition, the CPU it ran on), so it reads back through the contract.
      const wall = value * (1 + noise * (2 * random() - 1));
      const measured = trial(wall, { cpuSeconds: simulatedCpuSeconds(truth, t, step.round, wall) });
      const { wallSeconds, steadySeconds, startupSeconds, cpuSeconds } = measured;
      return { ...measured, cpu: t.cpu, repetitions: [{ wallSeconds, steadySeconds, startupSeconds, cpuSeconds }], repetitionsDiffer: false };
    });
    now += step.trials.length;
    record(state, { kind: 'trials', outcomes });
  }
  return finish(state, WORDS);
}

/**
 * The legs `run --shard i/count` writes for these values: each leg's setup is shardSetup's, its
 * probes and trials those of its workloads, judged by rejudge, plus its shard record.
 */
export function shardLegs(results: Results, count: number, costs: readonly WorkloadCost[], file = (index: number) => `legs/shard-${index}.json`): Leg[] {
  const values = results.values!;
  return Array.from({ length: count }, (_, k) => {
    const shard: ShardRecord = shardRecord({ index: k + 1, count }, costs);
    const setup = shardSetup(values.setup, shard);
    const mine = (name: string) => shard.assignment[name] === shard.index;
    const part: Results = {
      ...results,
      values: { ...values, setup, trials: values.trials.filter((t) => mine(t.workload)), probes: values.probes.filter((p) => mine(p.workload)) },
    };
    return { file: file(k + 1), results: { ...rejudge(part, WORDS), shard } as Results };
  });
}
