// Plan: which arms to run for a workload, and in what order each round runs them. Pure: the
// shuffle takes a seeded generator, so a run is reproducible from its seed.
import type { Arm, ScheduledTrial, Side } from './types.js';

/** CPU/wall at one worker below which a workload "mostly waits" and deserves oversubscription. */
export const WAITING_CPU_PER_WALL = 0.5;
export const MAX_OVERSUBSCRIBED_WORKERS = 32;

export interface ArmPlanInput {
  cores: number;
  /** CPU seconds / wall seconds of the serial pilot pass. */
  pilotCpuPerWall: number;
  /** Tasks in the workload: more workers than tasks cannot help. */
  taskCount: number;
  /** Explicit worker counts from the config, replacing the automatic sweep. */
  workers?: readonly number[];
  processesAvailable: boolean;
  /** InterpreterPoolExecutor runs here and the workload imports in a subinterpreter. */
  interpretersAvailable?: boolean;
}

/**
 * The worker sweep: powers of two up to the cores, plus the cores themselves; a workload that
 * mostly waits also gets 2× and 4× the cores (capped at 32), since waiting threads need no core.
 * Counts above the task count are dropped (idle workers measure nothing), but 2 always stays so
 * that every workload gets a parallel arm.
 */
export function workerSweep(input: ArmPlanInput): number[] {
  if (input.workers && input.workers.length > 0) return [...input.workers].filter((w) => w >= 2);
  const cores = Math.max(1, Math.floor(input.cores));
  const counts = new Set<number>();
  for (let w = 2; w <= cores; w *= 2) counts.add(w);
  counts.add(Math.max(2, cores));
  if (input.pilotCpuPerWall < WAITING_CPU_PER_WALL) {
    for (const factor of [2, 4]) counts.add(Math.min(MAX_OVERSUBSCRIBED_WORKERS, Math.max(2, cores) * factor));
  }
  const limit = Math.max(2, input.taskCount);
  return [...counts].filter((w) => w <= limit).sort((a, b) => a - b);
}

export function planArms(input: ArmPlanInput): Arm[] {
  const arms: Arm[] = [{ model: 'serial', workers: 1 }];
  for (const workers of workerSweep(input)) {
    arms.push({ model: 'threads', workers });
    if (input.interpretersAvailable) arms.push({ model: 'interpreters', workers });
    if (input.processesAvailable) arms.push({ model: 'processes', workers });
  }
  return arms;
}

/**
 * What a round's paired value is made of, measured on the project's 2-vCPU runner (docs/statistics.md,
 * "The floor"): a per-process offset that only more processes (rounds) average away, and noise
 * within a process that more repetitions average away, and what a trial costs besides its timed
 * repetitions. All on the log scale, for the log ratio of a head/base pair.
 */
export interface TrialNoise {
  /** sd of the per-process offset of a pair of fresh interpreters (bench/process-offset.py: 0.048–0.069). */
  processOffset: number;
  /** sd of the log ratio of one repetition of each side (bench/floor.py: 0.08–0.13, about the same at 11 ms and 95 ms). */
  repetition: number;
  /** Seconds a trial costs besides its timed repetitions, before its warm-up call: interpreter start, imports, the handshake. */
  overheadSeconds: number;
}

export const TRIAL_NOISE: TrialNoise = { processOffset: 0.053, repetition: 0.11, overheadSeconds: 0.1 };

/** A trial's timed repetitions stop at this many seconds (the runner's cap; partners stop together). */
export const REPETITION_CAP_SECONDS = 2.0;
export const MAX_REPETITIONS = 50;

/**
 * Timed repetitions per trial for a workload whose serial pilot pass took `pilotWallSeconds`: the
 * count that minimises the time per unit of information of a round. With r repetitions of L
 * seconds, a pair's variance is offset² + repetition²/r and a trial costs overhead + L (its warm-up
 * call) + r·L, so (offset² + repetition²/r)·(overhead + L + r·L) is least near
 * r* = (repetition / offset)·√((overhead + L) / L): a 10 ms workload gets 7 (not 30: past that the
 * per-process offset dominates and repetitions buy nothing), a 100 ms one 3, a 0.5 s one 2. The
 * better integer neighbour is taken, within 1..MAX_REPETITIONS and under the runner's
 * REPETITION_CAP_SECONDS. This is the workload's count, from its serial pilot; `armRepetitions` gives
 * each arm fewer when its own repetitions are slower, the same on both sides.
 */
export function repetitionsFor(pilotWallSeconds: number, noise: TrialNoise = TRIAL_NOISE): number {
  if (!Number.isFinite(pilotWallSeconds) || pilotWallSeconds < 0) return 1;
  if (pilotWallSeconds === 0) return MAX_REPETITIONS;
  const L = pilotWallSeconds;
  const fixed = noise.overheadSeconds + L;
  const most = Math.max(1, Math.min(MAX_REPETITIONS, Math.floor(REPETITION_CAP_SECONDS / L)));
  const cost = (r: number) => (noise.processOffset ** 2 + noise.repetition ** 2 / r) * (fixed + r * L);
  const best = (noise.repetition / noise.processOffset) * Math.sqrt(fixed / L);
  const candidates = [Math.floor(best), Math.ceil(best)].map((r) => Math.max(1, Math.min(most, r)));
  return candidates.reduce((a, b) => (cost(b) < cost(a) ? b : a));
}

/**
 * Timed repetitions for one arm's trials in a round. `repetitionsFor` minimises time per unit of
 * information for a trial whose repetition takes L seconds, so once an arm has run it gets the count
 * for its own L when that is fewer than the workload's (`workloadCount`, from the serial pilot):
 * threads on tiny tasks (0.23 s a repetition beside serial's 1 ms) would otherwise spend the
 * runner's 2 s cap on every trial of an arm that serial beats ×300. Never more: a pool arm faster
 * than serial would earn more repetitions, which lengthen the round and leave the ratio's noise,
 * where serial's share stays, about as it was.
 *
 * Serial runs as `processesPerRound` processes (one per CPU of the round, serialCpus) whose mean is
 * the round's value: their per-process offsets average too, so they share the count, each getting
 * ceil(count / processes). The round's serial value is then no noisier than one process with the
 * whole count (variance offset²/k + repetition²/count at most), for about that process's timed work
 * instead of k times it.
 */
export function armRepetitions(workloadCount: number, observedRepetitionSeconds: number | null, processesPerRound = 1): number {
  const count = observedRepetitionSeconds === null ? workloadCount : Math.min(workloadCount, repetitionsFor(observedRepetitionSeconds));
  return Math.max(1, Math.ceil(count / Math.max(1, processesPerRound)));
}

/** Every this many rounds the machine is probed again (CPU speeds and capacity drift). */
export const MACHINE_PROBE_EVERY = 5;

/** True when a machine probe is due before round `round` (0-based): before the first, then every MACHINE_PROBE_EVERY. */
export function machineProbeDue(round: number): boolean {
  return round % MACHINE_PROBE_EVERY === 0;
}

/**
 * The CPUs serial trials run on in round `round`: min(cores, 2) of the usable CPUs, taken in turn
 * so that over rounds every CPU is used equally (placement is a blocking factor, balanced). Without
 * affinity: one unpinned trial.
 */
export function serialCpus(cpus: readonly number[], cores: number, placement: 'affinity' | 'unsupported', round: number): (number | null)[] {
  if (placement !== 'affinity' || cpus.length === 0) return [null];
  const count = Math.max(1, Math.min(cores, 2, cpus.length));
  return Array.from({ length: count }, (_, j) => cpus[(round * count + j) % cpus.length]!);
}

export function armLabel(arm: Arm): string {
  return arm.model === 'serial' ? 'serial' : `${arm.model}×${arm.workers}`;
}

export function sameArm(a: Arm, b: Arm): boolean {
  return a.model === b.model && a.workers === b.workers;
}

/**
 * One round: every (workload, side, arm) once, in a seeded random order (RMIT), blocked so that
 * the trials that get compared run close together in time. Workloads run in random order, each as
 * one block; inside a block the arms run in random order; and the head and base trials of the same
 * arm run back to back, in random order.
 *
 * Why blocked: the noise on a shared runner comes in bursts (a neighbour takes the core for a few
 * hundred milliseconds). A paired comparison cancels what the two trials of a pair share, so the
 * closer they run, the more of a burst they share. Measured on the 2-core runner (bench/noise.mjs):
 * the paired log-ratio spread of two trials grows from 0.20 when adjacent to 0.29 when six trials
 * apart. Base vs head — the comparison that gates — gets the adjacent pair; arms of one workload
 * share a block. Every order is still equally likely within those constraints.
 *
 * Placement: serial runs once per CPU in the entry's `serialCpus` (default one unpinned trial);
 * each (arm, cpu) is a unit, and the head and base trials of a unit are the adjacent pair.
 */
export function roundSchedule(
  entries: ReadonlyArray<{ workload: string; side: Side; arms: readonly Arm[]; serialCpus?: readonly (number | null)[] }>,
  random: () => number,
): ScheduledTrial[] {
  const workloads = shuffle([...new Set(entries.map((e) => e.workload))], random);
  return workloads.flatMap((workload) => {
    const sides = entries.filter((e) => e.workload === workload);
    // A unit is (arm, cpu): serial runs once per CPU of the round, pools once, unpinned.
    const units: Array<{ arm: Arm; cpu: number | null }> = [];
    for (const entry of sides) {
      for (const arm of entry.arms) {
        const cpus = arm.model === 'serial' ? (entry.serialCpus ?? [null]) : [null];
        for (const cpu of cpus) if (!units.some((u) => sameArm(u.arm, arm) && u.cpu === cpu)) units.push({ arm, cpu });
      }
    }
    return shuffle(units, random).flatMap(({ arm, cpu }) =>
      shuffle(
        sides
          .filter((e) => e.arms.some((a) => sameArm(a, arm)) && (arm.model !== 'serial' || (e.serialCpus ?? [null]).includes(cpu)))
          .map((e) => ({ workload, side: e.side, arm, cpu })),
        random,
      ),
    );
  });
}

/** Fisher–Yates with the injected generator; shuffles in place and returns the array. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** mulberry32: a small, well-known seeded PRNG; good enough to shuffle, and reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
