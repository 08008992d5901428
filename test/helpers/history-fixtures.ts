// History entries for tests: a seeded noise source, points and entries, and the creep fixture.
import { HISTORY_FORMAT, type HistoryEntry, type WorkloadPoint } from '../../src/core/history.js';

/** A seeded normal generator (mulberry32 + Box–Muller): the same series every run. */
export function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

export const sha = (n: number) => `${n.toString(16).padStart(7, '0')}${'0'.repeat(33)}`;

export function point(name: string, seconds: number, recommendation: WorkloadPoint['recommendation'] = 'processes', rounds = 3): WorkloadPoint {
  return {
    name,
    python: 'python3',
    recommendation,
    arm: recommendation === 'processes' ? 'processes×4' : 'threads×4',
    seconds,
    speedup: 0.4 / seconds,
    serialSeconds: 0.4,
    rounds,
    arms: [
      { model: 'serial', workers: 1, median: 0.4, cv: 0.01, n: rounds },
      { model: 'processes', workers: 4, median: seconds, cv: 0.01, n: rounds },
    ],
  };
}

export function entryAt(n: number, workloads: WorkloadPoint[]): HistoryEntry {
  return {
    format: HISTORY_FORMAT,
    commit: sha(n),
    committedAt: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString(),
    parent: n > 0 ? sha(n - 1) : null,
    pythons: ['python3'],
    tool: 'gilgate 0.1.0',
    cores: 4,
    threshold: 0.1,
    workloads,
  };
}

/**
 * The creep fixture: 17 default-branch commits, 8 flat, then +4% at commits 8, 11 and 14 (each level
 * held three commits), with a fixed ±0.6% jitter as runners give. Exported for the CLI test.
 */
export function creepFixture(): HistoryEntry[] {
  const jitter = [0.004, -0.003, 0.001, -0.006, 0.005, -0.001, 0.002, -0.004, 0.006];
  return Array.from({ length: 17 }, (_, i) => {
    const steps = (i >= 8 ? 1 : 0) + (i >= 11 ? 1 : 0) + (i >= 14 ? 1 : 0);
    return entryAt(i, [point('resize', 0.1 * 1.04 ** steps * (1 + jitter[i % jitter.length]!)), point('hash', 0.2 * (1 + jitter[(i + 4) % jitter.length]!), 'threads')]);
  });
}

