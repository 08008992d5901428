// The machine's capacity over a whole run: every probe's runs pooled, not the last probe alone.
// A run probes the machine every few rounds (plan.ts); one probe of 26 ms loops read ×1.24, ×1.44
// and ×2.76 in one run on 2 CPUs, and the report used the last. Pooling the runs gives one figure
// with its spread, and the physical bound (N busy loops cannot deliver more than min(N, CPUs))
// caps what a disturbed machine made a probe read, and says so.
import type { CpuSpeed, MachineProbe } from './types.js';

/** What N busy workers deliver over the run's probes. */
export interface CapacitySummary {
  workers: number;
  /** Median of every run of every undisturbed probe, capped at `bound`. */
  ratio: number;
  /** The middle half of those runs (25th–75th percentile): the probe's own spread. */
  low: number;
  high: number;
  /** min(workers, CPUs): what N loops can deliver at most. */
  bound: number;
  /** The median read above the bound and was capped to it. */
  capped: boolean;
  /** Probes and runs pooled; probes left out because every attempt broke the bound. */
  probes: number;
  runs: number;
  disturbed: number;
}

/** A median beyond the bound by more than this was disturbed (the runner's own slack, CAPACITY_SLACK). */
const BOUND_SLACK = 0.05;

/** Capacity per worker count over all probes; empty without probes. */
export function summarizeCapacity(probes: readonly MachineProbe[], cores: number): CapacitySummary[] {
  const byWorkers = new Map<number, { ratios: number[]; probes: number; disturbed: number; allRatios: number[]; allProbes: number }>();
  for (const probe of probes) {
    for (const point of probe.capacity) {
      if (!(Number.isFinite(point.ratio) && point.ratio > 0)) continue;
      const entry = byWorkers.get(point.workers) ?? { ratios: [], probes: 0, disturbed: 0, allRatios: [], allProbes: 0 };
      const runs = (point.ratios && point.ratios.length > 0 ? point.ratios : [point.ratio]).filter((r) => Number.isFinite(r) && r > 0);
      const bound = Math.min(point.workers, cores);
      const disturbed = point.disturbed === true || point.ratio > bound * (1 + BOUND_SLACK);
      entry.allRatios.push(...runs);
      entry.allProbes += 1;
      if (disturbed) entry.disturbed += 1;
      else {
        entry.ratios.push(...runs);
        entry.probes += 1;
      }
      byWorkers.set(point.workers, entry);
    }
  }
  return [...byWorkers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([workers, entry]) => {
      // Every probe disturbed: the figure is all there is, capped and said.
      const ratios = entry.ratios.length > 0 ? entry.ratios : entry.allRatios;
      const bound = Math.min(workers, cores);
      const middle = quantile(ratios, 0.5);
      return {
        workers,
        ratio: Math.min(middle, bound),
        low: Math.min(quantile(ratios, 0.25), bound),
        high: Math.min(quantile(ratios, 0.75), bound),
        bound,
        capped: middle > bound,
        probes: entry.ratios.length > 0 ? entry.probes : entry.allProbes,
        runs: ratios.length,
        disturbed: entry.disturbed,
      };
    });
}

/**
 * One MachineProbe standing for the whole run, for the verdict: each CPU's median loop time over
 * the probes, and the pooled, bounded capacity. Null without probes.
 */
export function aggregateMachine(probes: readonly MachineProbe[], cores: number): MachineProbe | null {
  if (probes.length === 0) return null;
  const loops = new Map<number, number[]>();
  for (const probe of probes) for (const c of probe.cpus) loops.set(c.cpu, [...(loops.get(c.cpu) ?? []), c.loopSeconds]);
  const cpus: CpuSpeed[] = [...loops.entries()].sort(([a], [b]) => a - b).map(([cpu, seconds]) => ({ cpu, loopSeconds: quantile(seconds, 0.5) }));
  const capacity = summarizeCapacity(probes, cores).map((c) => ({ workers: c.workers, ratio: c.ratio }));
  const single = quantile(probes.map((p) => p.singleLoopSeconds), 0.5);
  return { ok: true, cpus, capacity, singleLoopSeconds: single };
}

/** Linear-interpolated quantile (type 7, as numpy's default) of a non-empty list. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
