// Compare: what the PR changed for one workload, head against its base re-run in the same job.
// Pure. Base and head trials ran in the same rounds, so head[i] and base[i] are paired like arms.
// Returns facts (ChangeFact) with every regression and improvement; the words come from `describe`
// (report/explain.ts: explainChange), since core never imports report/.
import { oneSidedP } from './stats/estimate.js';
import { compareToBase, compareValues, lookCount, lookErrors, lookSchedule, type SequentialPolicy } from './stats/sequential.js';
import { armLabel, bestArm, measurements, medianOf, medianTime, poolRssOf, serialArm, series, timeOf, type ArmSamples } from './samples.js';
import type { Arm, ChangeFact, NotComparedFact, InterpreterChange, TrialMeasurement as TrialMeasurementOf, Comparison, Improvement, ParallelModel, PoolLifetime, Recommendation, Regression, SideResult } from './types.js';
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
  /** Which time is compared: per-batch wall (default) or long-lived steady. */
  pool?: PoolLifetime;
  /** Set when base ran another interpreter than head: a flip then says the interpreter changed. */
  interpreter?: InterpreterChange | null;
  /** Writes a change's detail from its facts (report/explain.ts: explainChange). */
  describe?: (fact: ChangeFact) => string;
  /** Set when the sides did not each run their own code (core/provenance.ts): nothing is compared. */
  notCompared?: NotComparedFact | null;
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
export function representativeArm(side: SideData, pool: PoolLifetime = 'per-batch'): ArmSamples | null {
  const recommendation = side.result.recommendation;
  const model: ParallelModel | null =
    recommendation === 'either' ? 'threads' : (PARALLEL_MODELS as readonly string[]).includes(recommendation) ? (recommendation as ParallelModel) : null;
  return (model && bestArm(side.arms, model, timeOf(pool))) || serialArm(side.arms);
}

/** Without report/, the facts' kind: callers pass report/explain.ts's explainChange. */
const plainChange = (fact: ChangeFact): string => fact.kind;

function matching(arms: readonly ArmSamples[], arm: Arm): ArmSamples | null {
  return arms.find((a) => a.arm.model === arm.model && a.arm.workers === arm.workers && measurements(a).length > 0) ?? null;
}

/**
 * The arms compareSides reads for this pair of sides: serial, head's representative arm, and base's
 * fastest parallel arm for the scaling comparison, each wherever a side has it. Once both verdicts
 * have settled, later rounds run only these (experiment.ts): the other arms could only feed
 * verdicts that no longer change.
 */
export function comparedArms(head: SideData, base: SideData, pool: PoolLifetime = 'per-batch'): Arm[] {
  const picked = [serialArm(head.arms) ?? serialArm(base.arms), representativeArm(head, pool), scalingArm(base, timeOf(pool))];
  const arms: Arm[] = [];
  for (const samples of picked) if (samples && !arms.some((a) => a.model === samples.arm.model && a.workers === samples.arm.workers)) arms.push(samples.arm);
  return arms;
}

/** Base's fastest parallel arm by median time, when base recommended a parallel model: what scaling compares. */
function scalingArm(base: SideData, time: (m: TrialMeasurementOf) => number): ArmSamples | null {
  if (!['threads', 'processes', 'interpreters', 'either'].includes(base.result.recommendation)) return null;
  const candidates = PARALLEL_MODELS.map((m) => bestArm(base.arms, m, time)).filter((a): a is ArmSamples => a !== null);
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (medianTime(a, time) <= medianTime(b, time) ? a : b));
}

export function compareSides(input: CompareInput): ComparisonReport {
  const { head, base, rounds, threshold, memoryThreshold, policy } = input;
  const pool = input.pool ?? 'per-batch';
  const describe = input.describe ?? plainChange;
  const time = timeOf(pool);
  const regressions: Regression[] = [];
  const improvements: Improvement[] = [];
  const firstLine = (side: SideData) => side.result.error?.message.split('\n')[0] ?? 'error';

  // A comparison that did not happen is a regression of its own kind: it never passes the gate.
  if (input.notCompared) {
    regressions.push({ kind: 'not-compared', detail: describe(input.notCompared), facts: input.notCompared });
    return { vsBase: null, arm: null, regressions, improvements, settled: true };
  }

  if (head.result.recommendation === 'error') {
    if (base.result.recommendation !== 'error') {
      const facts: ChangeFact = { kind: 'failing', message: firstLine(head) };
      regressions.push({ kind: 'failing', detail: describe(facts), facts });
    }
    return { vsBase: null, arm: null, regressions, improvements, settled: true };
  }
  if (base.result.recommendation === 'error') {
    const facts: ChangeFact = { kind: 'fixed', message: firstLine(base) };
    improvements.push({ kind: 'fixed', detail: describe(facts), facts });
    return { vsBase: null, arm: null, regressions, improvements, settled: true };
  }

  const headArm = representativeArm(head, pool);
  const baseArm = headArm ? matching(base.arms, headArm.arm) : null;
  let vsBase: Comparison | null = null;
  if (headArm && baseArm) {
    vsBase = compareToBase(series(headArm, rounds, time), series(baseArm, rounds, time), threshold, policy);
    const e = vsBase.estimate;
    const where = armLabel(headArm.arm);
    if (vsBase.outcome === 'b-faster') {
      const facts: ChangeFact = { kind: 'time', direction: 'slower', arm: where, estimate: e };
      regressions.push({ kind: 'slower', detail: describe(facts), estimate: e, facts });
    } else if (vsBase.outcome === 'a-faster') {
      const facts: ChangeFact = { kind: 'time', direction: 'faster', arm: where, estimate: e };
      improvements.push({ kind: 'faster', detail: describe(facts), estimate: e, facts });
    }
    const headRss = series(headArm, rounds, poolRssOf(headArm.arm));
    const baseRss = series(baseArm, rounds, poolRssOf(baseArm.arm));
    const memory = compareValues(headRss, baseRss, memoryThreshold, policy);
    if (memory.outcome === 'higher') {
      const facts: ChangeFact = { kind: 'memory', direction: 'more', arm: where, estimate: memory.estimate, threshold: memoryThreshold };
      regressions.push({ kind: 'memory', detail: describe(facts), estimate: memory.estimate, facts });
    } else if (memory.outcome === 'lower') {
      const facts: ChangeFact = { kind: 'memory', direction: 'less', arm: where, estimate: memory.estimate, threshold: memoryThreshold };
      improvements.push({ kind: 'memory', detail: describe(facts), estimate: memory.estimate, facts });
    }
  }

  if (isFlip(base.result.recommendation, head.result.recommendation)) {
    const facts: ChangeFact = {
      kind: 'flip',
      before: base.result.recommendation,
      after: head.result.recommendation,
      ...(input.interpreter ? { interpreter: input.interpreter } : {}),
    };
    regressions.push({ kind: 'flip', detail: describe(facts), facts });
  }

  const scaling = scalingChange(head, base, rounds, threshold, policy, time);
  if (scaling && (scaling.comparison.outcome === 'lower' || scaling.comparison.outcome === 'higher')) {
    const e = scaling.comparison.estimate;
    const fell = scaling.comparison.outcome === 'lower';
    const facts: ChangeFact = { kind: 'scaling', direction: fell ? 'fell' : 'rose', arm: scaling.label, estimate: e, baseSpeedup: scaling.baseSpeedup, headSpeedup: scaling.headSpeedup };
    if (fell) regressions.push({ kind: 'scaling', detail: describe(facts), estimate: e, facts });
    else improvements.push({ kind: 'scaling', detail: describe(facts), estimate: e, facts });
  }

  return { vsBase, arm: headArm?.arm ?? null, regressions, improvements, settled: vsBase === null || vsBase.outcome !== 'unknown' };
}

/**
 * A flip is a change between settled recommendations that makes the old advice wrong.
 * `either` ↔ `threads`/`processes` is not one: the old advice still works within the margin.
 */
export function isFlip(before: Recommendation, after: Recommendation): boolean {
  const settled: Recommendation[] = ['threads', 'processes', 'interpreters', 'either', 'serial'];
  if (!settled.includes(before) || !settled.includes(after) || before === after) return false;
  const pair = new Set([before, after]);
  return !(pair.has('either') && (pair.has('threads') || pair.has('processes')));
}

/**
 * Per round, the speedup base got from its best parallel arm, against the speedup head gets from the
 * same arm; compared as paired ratios so the margin and the interval mean the same as for times.
 */
function scalingChange(head: SideData, base: SideData, rounds: number, threshold: number, policy: SequentialPolicy, time: (m: TrialMeasurementOf) => number) {
  const baseBest = scalingArm(base, time);
  if (!baseBest) return null;
  const headSame = matching(head.arms, baseBest.arm);
  const baseSerial = serialArm(base.arms);
  const headSerial = serialArm(head.arms);
  if (!headSame || !baseSerial || !headSerial) return null;
  const speedups = (serial: ArmSamples, arm: ArmSamples) => {
    const s = series(serial, rounds, time);
    const p = series(arm, rounds, time);
    return s.map((x, i) => x / p[i]!);
  };
  const headSpeedups = speedups(headSerial, headSame);
  const baseSpeedups = speedups(baseSerial, baseBest);
  return {
    label: armLabel(baseBest.arm),
    comparison: compareValues(headSpeedups, baseSpeedups, threshold, policy),
    headSpeedup: medianOf(headSpeedups),
    baseSpeedup: medianOf(baseSpeedups),
  };
}

/**
 * Holm across every statistical regression of the run (slower, scaling, memory). Returns, per
 * regression, whether it stands. flip and failing are not statistical claims of this kind and
 * always stand.
 *
 * Each regression was claimed by a sequential test at its look; Holm needs to know whether that
 * test would also have claimed it at the smaller levels α/j of its steps. With error spending the
 * look's nominal error is not proportional to α, so this asks the test itself (Holm in its
 * closed-testing form): with j hypotheses left, a regression stands at this step when its one-sided
 * p-value at its look is within that look's nominal error for a total of α/j. A test that did not
 * cross the α/j boundary at its stopping look cannot have crossed it earlier (the boundary at α/j
 * lies above the one at α at every look), and later looks were never taken: counted as not rejected,
 * which is conservative. An estimate without its look (results from before error spending) falls
 * back to the two-sided p-value times the number of looks (Bonferroni).
 */
export function holmFilter(regressionsPerWorkload: readonly Regression[][], alpha: number, policy: SequentialPolicy): boolean[][] {
  const looks = lookSchedule(policy);
  const claims: Array<{ w: number; i: number; rejectsAt: (level: number) => boolean }> = [];
  regressionsPerWorkload.forEach((list, w) =>
    list.forEach((r, i) => {
      const e = r.estimate;
      if (!e) return;
      const index = e.look === undefined ? -1 : looks.indexOf(e.look);
      const rejectsAt =
        index >= 0 && e.t !== undefined
          ? (level: number) => oneSidedP(e) <= lookErrors(level, policy)[index]!
          : (level: number) => Math.min(1, e.pValue * lookCount(policy)) <= level;
      claims.push({ w, i, rejectsAt });
    }),
  );
  const keep = regressionsPerWorkload.map((list) => list.map(() => true));
  const remaining = new Set(claims.keys());
  let rejected = true;
  while (rejected && remaining.size > 0) {
    rejected = false;
    const level = alpha / remaining.size;
    for (const k of [...remaining]) {
      if (claims[k]!.rejectsAt(level)) {
        remaining.delete(k);
        rejected = true;
      }
    }
  }
  for (const k of remaining) keep[claims[k]!.w]![claims[k]!.i] = false;
  return keep;
}
