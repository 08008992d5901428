import { describe, expect, it } from 'vitest';
import { armLabel, machineProbeDue, MAX_REPETITIONS, planArms, REPETITION_CAP_SECONDS, repetitionsFor, roundSchedule, seededRandom, serialCpus, TRIAL_NOISE, workerSweep } from '../src/core/plan.js';

const base = { pilotCpuPerWall: 1, taskCount: 1000, processesAvailable: true };

describe('workerSweep', () => {
  it('uses powers of two up to the cores plus the cores', () => {
    expect(workerSweep({ ...base, cores: 2 })).toEqual([2]);
    expect(workerSweep({ ...base, cores: 4 })).toEqual([2, 4]);
    expect(workerSweep({ ...base, cores: 6 })).toEqual([2, 4, 6]);
    expect(workerSweep({ ...base, cores: 16 })).toEqual([2, 4, 8, 16]);
  });
  it('still measures 2 workers on a single core', () => {
    expect(workerSweep({ ...base, cores: 1 })).toEqual([2]);
  });
  it('oversubscribes workloads that mostly wait, capped at 32', () => {
    expect(workerSweep({ ...base, cores: 2, pilotCpuPerWall: 0.05 })).toEqual([2, 4, 8]);
    expect(workerSweep({ ...base, cores: 16, pilotCpuPerWall: 0.05 })).toEqual([2, 4, 8, 16, 32]);
  });
  it('drops counts above the task count and honours explicit workers', () => {
    expect(workerSweep({ ...base, cores: 16, taskCount: 5 })).toEqual([2, 4]);
    expect(workerSweep({ ...base, cores: 2, workers: [1, 3, 6] })).toEqual([3, 6]);
  });
});

describe('planArms', () => {
  it('always has serial, and processes only when available', () => {
    expect(planArms({ ...base, cores: 4 }).map(armLabel)).toEqual(['serial', 'threads×2', 'processes×2', 'threads×4', 'processes×4']);
    expect(planArms({ ...base, cores: 4, processesAvailable: false }).map(armLabel)).toEqual(['serial', 'threads×2', 'threads×4']);
  });
  it('adds interpreters arms only when they are available', () => {
    expect(planArms({ ...base, cores: 2, interpretersAvailable: true }).map(armLabel)).toEqual(['serial', 'threads×2', 'interpreters×2', 'processes×2']);
    expect(planArms({ ...base, cores: 2, interpretersAvailable: false }).map(armLabel)).toEqual(['serial', 'threads×2', 'processes×2']);
  });
});

describe('repetitionsFor', () => {
  it('spends the time where the variance is: more repetitions for short workloads, never past the per-process offset', () => {
    // (offset² + rep²/r)·(overhead + L + r·L), least near r* = (rep/offset)·√((overhead + L)/L).
    expect(TRIAL_NOISE).toEqual({ processOffset: 0.053, repetition: 0.11, overheadSeconds: 0.1 });
    expect(repetitionsFor(0.01)).toBe(7);
    expect(repetitionsFor(0.1)).toBe(3);
    expect(repetitionsFor(0.5)).toBe(2);
    expect(repetitionsFor(1.5)).toBe(1); // two would pass the runner's 2 s cap
    expect(repetitionsFor(3)).toBe(1);
    expect(repetitionsFor(0.0001)).toBe(MAX_REPETITIONS);
    expect(repetitionsFor(0)).toBe(MAX_REPETITIONS);
    expect(repetitionsFor(Number.NaN)).toBe(1);
    for (const pilot of [0.0001, 0.001, 0.01, 0.3, 1.9]) expect(repetitionsFor(pilot) * pilot).toBeLessThanOrEqual(Math.max(pilot, REPETITION_CAP_SECONDS));
  });

  it('picks the count that minimises time per unit of information, by hand', () => {
    const noise = { processOffset: 0.05, repetition: 0.1, overheadSeconds: 0.1 };
    const cost = (r: number, L: number) => (0.05 ** 2 + 0.1 ** 2 / r) * (0.1 + L + r * L);
    for (const L of [0.005, 0.02, 0.1, 0.4]) {
      const r = repetitionsFor(L, noise);
      for (let other = 1; other <= Math.min(50, Math.floor(2 / L)); other++) expect(cost(r, L)).toBeLessThanOrEqual(cost(other, L) + 1e-15);
    }
    // No per-process offset: every repetition is worth its time up to the cap.
    expect(repetitionsFor(0.1, { ...noise, processOffset: 1e-9 })).toBe(20);
    // All offset, no repetition noise: one repetition.
    expect(repetitionsFor(0.1, { ...noise, repetition: 1e-9 })).toBe(1);
  });
});

describe('placement', () => {
  it('uses min(cores, 2) CPUs per round, rotating so every CPU is used equally', () => {
    const count = (cpus: number[], cores: number, rounds: number) => {
      const uses = new Map<number | null, number>();
      for (let r = 0; r < rounds; r++) {
        const chosen = serialCpus(cpus, cores, 'affinity', r);
        expect(chosen).toHaveLength(Math.min(cores, 2, cpus.length));
        expect(new Set(chosen).size).toBe(chosen.length);
        for (const c of chosen) uses.set(c, (uses.get(c) ?? 0) + 1);
      }
      return Object.fromEntries(uses);
    };
    expect(count([0, 1], 2, 4)).toEqual({ 0: 4, 1: 4 });
    expect(count([0, 1, 2, 3], 4, 4)).toEqual({ 0: 2, 1: 2, 2: 2, 3: 2 });
    expect(count([0, 2, 5], 3, 3)).toEqual({ 0: 2, 2: 2, 5: 2 });
    expect(count([3], 1, 3)).toEqual({ 3: 3 });
  });
  it('runs one unpinned serial trial without affinity', () => {
    expect(serialCpus([0, 1], 2, 'unsupported', 0)).toEqual([null]);
    expect(serialCpus([], 2, 'affinity', 0)).toEqual([null]);
  });
  it('probes the machine before round 0 and every 5 rounds', () => {
    expect(Array.from({ length: 12 }, (_, r) => r).filter(machineProbeDue)).toEqual([0, 5, 10]);
  });
});

describe('roundSchedule', () => {
  const entries = [
    { workload: 'a', side: 'head' as const, arms: planArms({ ...base, cores: 2 }) },
    { workload: 'a', side: 'base' as const, arms: planArms({ ...base, cores: 2 }) },
    { workload: 'b', side: 'head' as const, arms: planArms({ ...base, cores: 2 }) },
  ];
  const key = (t: { workload: string; side: string; arm: { model: string; workers: number } }) => `${t.workload}/${t.side}/${armLabel(t.arm as never)}`;

  it('runs every (workload, side, arm) exactly once per round', () => {
    const round = roundSchedule(entries, seededRandom(7)).map(key);
    expect(round).toHaveLength(9);
    expect(new Set(round).size).toBe(9);
  });
  it('is reproducible from the seed and differs between seeds and rounds', () => {
    const a = roundSchedule(entries, seededRandom(42)).map(key);
    expect(roundSchedule(entries, seededRandom(42)).map(key)).toEqual(a);
    const random = seededRandom(42);
    const orders = new Set(Array.from({ length: 10 }, () => roundSchedule(entries, random).map(key).join(',')));
    expect(orders.size).toBeGreaterThan(5);
  });
  it('keeps each workload in one block and runs head and base of an arm back to back', () => {
    const random = seededRandom(3);
    const firsts = new Set<string>();
    for (let r = 0; r < 20; r++) {
      const round = roundSchedule(entries, random);
      const workloads = round.map((t) => t.workload);
      // One block per workload: once a workload's trials end, it does not come back.
      const blocks = workloads.filter((w, i) => i === 0 || workloads[i - 1] !== w);
      expect(blocks.sort()).toEqual(['a', 'b']);
      // In workload a, each arm's head and base trials are adjacent.
      for (const arm of planArms({ ...base, cores: 2 })) {
        const at = round.flatMap((t, i) => (t.workload === 'a' && armLabel(t.arm) === armLabel(arm) ? [i] : []));
        expect(at).toHaveLength(2);
        expect(at[1]! - at[0]!).toBe(1);
      }
      firsts.add(key(round[0]!));
    }
    // Still random: workload order, arm order and which side goes first all vary.
    expect(firsts.size).toBeGreaterThan(4);
  });
  it('runs serial once per CPU, head and base of each (arm, cpu) back to back', () => {
    const arms = planArms({ ...base, cores: 2 });
    const placed = [
      { workload: 'a', side: 'head' as const, arms, serialCpus: [0, 1] },
      { workload: 'a', side: 'base' as const, arms, serialCpus: [0, 1] },
    ];
    const random = seededRandom(11);
    for (let r = 0; r < 10; r++) {
      const round = roundSchedule(placed, random);
      expect(round).toHaveLength(8);
      expect(round.filter((t) => t.arm.model === 'serial').map((t) => `${t.side}${t.cpu}`).sort()).toEqual(['base0', 'base1', 'head0', 'head1']);
      expect(round.filter((t) => t.arm.model !== 'serial').every((t) => t.cpu === null)).toBe(true);
      for (let i = 0; i < round.length; i += 2) {
        expect([armLabel(round[i]!.arm), round[i]!.cpu]).toEqual([armLabel(round[i + 1]!.arm), round[i + 1]!.cpu]);
        expect(round[i]!.side).not.toBe(round[i + 1]!.side);
      }
    }
  });
  it('runs an arm that only one side has once', () => {
    const uneven = [
      { workload: 'a', side: 'head' as const, arms: [{ model: 'serial' as const, workers: 1 }, { model: 'threads' as const, workers: 2 }] },
      { workload: 'a', side: 'base' as const, arms: [{ model: 'serial' as const, workers: 1 }] },
    ];
    const round = roundSchedule(uneven, seededRandom(1)).map(key).sort();
    expect(round).toEqual(['a/base/serial', 'a/head/serial', 'a/head/threads×2']);
  });
  it('seededRandom stays in [0, 1)', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i++) {
      const x = random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
