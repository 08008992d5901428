// Compare: what the PR changed for one workload, head against its base re-run in the same job.
// Pure. Base and head trials ran in the same rounds, so head[i] and base[i] are paired like arms.
import { holm } from './stats/multiplicity.js';
import { compareTimes, lookCount, type SequentialPolicy } from './stats/sequential.js';
import { armLabel, bestArm, measurements, medianOf, medianWall, poolRssOf, serialArm, series, wallOf, type ArmSamples } from './samples.js';
import { fmt } from './verdict.js';
import type { Arm, Comparison, Improvement, ParallelModel, Recommendation, Regression, SideResult } from './types.js';
import { PARALLEL_MODELS } from './types.js';

export interface SideData {
  result: SideResult;
  arms: readonly ArmSamples[];
}

export interface CompareInput {
  head: SideData;
  base: SideData;
  rounds: number;
  threshold: number;
  memoryThreshold: number;
  policy: SequentialPolicy;
}

export interface ComparisonReport {
  vsBase: Comparison | null;
  /** The arm vsBase compares, e.g. threads×2. */
  arm: Arm | null;
  regressions: Regression[];
  improvements: Improvement[];
  /** True when more rounds could still change vsBase. */
  settled: boolean;
}

/** The arm that stands for a recommendation: the recommended model at its best worker count. */
export function representativeArm(side: SideData): ArmSamples | null {
  const model: ParallelModel | null =
    side.result.recommendation === 'threads' || side.result.recommendation === 'either'
      ? 'threads'
      : side.result.recommendation === 'processes'
        ? 'processes'
        : null;
  return (model && bestArm(side.arms, model)) || serialArm(side.arms);
}

function matching(arms: readonly ArmSamples[], arm: Arm): ArmSamples | null {
  return arms.find((a) => a.arm.model === arm.model && a.arm.workers === arm.workers && measurements(a).length > 0) ?? null;
}

export function compareSides(input: CompareInput): ComparisonReport {
  const { head, base, rounds, threshold, memoryThreshold, policy } = input;
  const regressions: Regression[] = [];
  const improvements: Improvement[] = [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;

  if (head.result.recommendation === 'error') {
    if (base.result.recommendation !== 'error') {
      regressions.push({ kind: 'failing', detail: `ran in base, fails in head: ${head.result.error?.message.split('\n')[0] ?? 'error'}` });
    }
    return { vsBase: null, arm: null, regressions, improvements, settled: true };
  }
  if (base.result.recommendation === 'error') {
    improvements.push({ kind: 'fixed', detail: `failed in base (${base.result.error?.message.split('\n')[0] ?? 'error'}), runs in head` });
    return { vsBase: null, arm: null, regressions, improvements, settled: true };
  }

  const headArm = representativeArm(head);
  const baseArm = headArm ? matching(base.arms, headArm.arm) : null;
  let vsBase: Comparison | null = null;
  if (headArm && baseArm) {
    vsBase = compareTimes(series(headArm, rounds, wallOf), series(baseArm, rounds, wallOf), threshold, policy);
    const e = vsBase.estimate;
    const where = armLabel(headArm.arm);
    if (vsBase.outcome === 'b-faster') {
      regressions.push({ kind: 'slower', detail: `${signed(e.ratio - 1)} (CI ${signed(e.lower - 1)}…${signed(e.upper - 1)}) with ${where}`, estimate: e });
    } else if (vsBase.outcome === 'a-faster') {
      improvements.push({ kind: 'faster', detail: `${signed(e.ratio - 1)} (CI ${signed(e.lower - 1)}…${signed(e.upper - 1)}) with ${where}`, estimate: e });
    }
    const headRss = series(headArm, rounds, poolRssOf(headArm.arm));
    const baseRss = series(baseArm, rounds, poolRssOf(baseArm.arm));
    const memory = compareTimes(headRss, baseRss, memoryThreshold, policy);
    if (memory.outcome === 'b-faster') {
      regressions.push({ kind: 'memory', detail: `peak memory ${signed(memory.estimate.ratio - 1)} with ${where} (threshold ${pct(memoryThreshold)})`, estimate: memory.estimate });
    } else if (memory.outcome === 'a-faster') {
      improvements.push({ kind: 'memory', detail: `peak memory ${signed(memory.estimate.ratio - 1)} with ${where}`, estimate: memory.estimate });
    }
  }

  if (isFlip(base.result.recommendation, head.result.recommendation)) {
    regressions.push({ kind: 'flip', detail: `${base.result.recommendation} → ${head.result.recommendation}: ${flipMeaning(base.result.recommendation, head.result.recommendation)}` });
  }

  const scaling = scalingChange(head, base, rounds, threshold, policy);
  if (scaling?.comparison.outcome === 'a-faster') {
    const e = scaling.comparison.estimate;
    regressions.push({ kind: 'scaling', detail: `speedup with ${scaling.label} fell ${signed(e.ratio - 1)} (×${fmt(scaling.baseSpeedup)} → ×${fmt(scaling.headSpeedup)})`, estimate: e });
  } else if (scaling?.comparison.outcome === 'b-faster') {
    const e = scaling.comparison.estimate;
    improvements.push({ kind: 'scaling', detail: `speedup with ${scaling.label} rose ${signed(e.ratio - 1)} (×${fmt(scaling.baseSpeedup)} → ×${fmt(scaling.headSpeedup)})`, estimate: e });
  }

  return { vsBase, arm: headArm?.arm ?? null, regressions, improvements, settled: vsBase === null || vsBase.outcome !== 'unknown' };
}

/**
 * A flip is a change between settled recommendations that makes the old advice wrong.
 * `either` ↔ `threads`/`processes` is not one: the old advice still works within the margin.
 */
export function isFlip(before: Recommendation, after: Recommendation): boolean {
  const settled: Recommendation[] = ['threads', 'processes', 'either', 'serial'];
  if (!settled.includes(before) || !settled.includes(after) || before === after) return false;
  const pair = new Set([before, after]);
  return !(pair.has('either') && (pair.has('threads') || pair.has('processes')));
}

function flipMeaning(before: Recommendation, after: Recommendation): string {
  if (before === 'threads' && after === 'processes') return 'the PR made this code hold the GIL';
  if (before === 'processes' && after === 'threads') return 'the code now releases the GIL (or waits)';
  if (after === 'serial') return 'parallelism no longer pays off';
  if (before === 'serial') return 'parallelism now pays off';
  return 'the best concurrency model changed';
}

/**
 * Per round, the speedup base got from its best parallel arm, against the speedup head gets from the
 * same arm; compared as paired ratios so the margin and the interval mean the same as for times.
 */
function scalingChange(head: SideData, base: SideData, rounds: number, threshold: number, policy: SequentialPolicy) {
  if (!['threads', 'processes', 'either'].includes(base.result.recommendation)) return null;
  const candidates = PARALLEL_MODELS.map((m) => bestArm(base.arms, m)).filter((a): a is ArmSamples => a !== null);
  if (candidates.length === 0) return null;
  const baseBest = candidates.reduce((a, b) => (medianWall(a) <= medianWall(b) ? a : b));
  const headSame = matching(head.arms, baseBest.arm);
  const baseSerial = serialArm(base.arms);
  const headSerial = serialArm(head.arms);
  if (!headSame || !baseSerial || !headSerial) return null;
  const speedups = (serial: ArmSamples, arm: ArmSamples) => {
    const s = series(serial, rounds, wallOf);
    const p = series(arm, rounds, wallOf);
    return s.map((x, i) => x / p[i]!);
  };
  const headSpeedups = speedups(headSerial, headSame);
  const baseSpeedups = speedups(baseSerial, baseBest);
  return {
    label: armLabel(baseBest.arm),
    comparison: compareTimes(headSpeedups, baseSpeedups, threshold, policy),
    headSpeedup: medianOf(headSpeedups),
    baseSpeedup: medianOf(baseSpeedups),
  };
}

function signed(x: number): string {
  const p = Math.round(x * 100);
  return `${p >= 0 ? '+' : ''}${p}%`;
}

/**
 * Holm across every statistical regression of the run (slower, scaling, memory), on p-values
 * Bonferroni-adjusted for the sequential looks. Returns, per regression, whether it stands.
 * flip and failing are not statistical claims of this kind and always stand.
 */
export function holmFilter(regressionsPerWorkload: readonly Regression[][], alpha: number, policy: SequentialPolicy): boolean[][] {
  const looks = lookCount(policy);
  const index: Array<[number, number]> = [];
  const pValues: number[] = [];
  regressionsPerWorkload.forEach((list, w) =>
    list.forEach((r, i) => {
      if (r.estimate) {
        index.push([w, i]);
        pValues.push(Math.min(1, r.estimate.pValue * looks));
      }
    }),
  );
  const { rejected } = holm(pValues, alpha);
  const keep = regressionsPerWorkload.map((list) => list.map(() => true));
  index.forEach(([w, i], k) => {
    keep[w]![i] = rejected[k]!;
  });
  return keep;
}
