// Verdict: from one side's samples, the recommendation, whether it is settled, and the facts behind
// it (which rule fired, with the figures). Pure. The sentences are written in report/explain.ts;
// the caller passes them in as `describe`, since core never imports report/.
//
// Each arm of each parallel model is compared with serial: a sequential three-outcome test on
// paired per-round time ratios, with α split over the model's arms as well as over the looks
// (winner's curse: the best of several noisy arms looks better than it is). A model "helps" when
// some arm is faster than serial beyond the margin; it does not help when every arm is ruled out.
// Models that may help are then compared pairwise (best arms): the fastest is recommended, unless a
// cheaper one is within the margin of it (threads, then interpreters, then processes).
import { compareTimes, isFinalLook, lookSchedule, rulesOut, trimFor, type SequentialPolicy } from './stats/sequential.js';
import { pairedLogStatistic } from './stats/estimate.js';
import {
  armResult,
  describeFailure,
  failures,
  measurements,
  medianOf,
  medianTime,
  modelArms,
  serialArm,
  series,
  timeOf,
  wallOf,
  type ArmSamples,
} from './samples.js';
import { armLabel } from './plan.js';
import { pairComparison } from './side-facts.js';
import type {
  ArmResult,
  Comparison,
  DecisionRule,
  Failure,
  MachineProbe,
  Model,
  ModelFacts,
  PairFacts,
  ParallelModel,
  PoolLifetime,
  PythonEnvironment,
  Recommendation,
  SideFacts,
  SideResult,
  SideWords,
  WarningFact,
  WorkloadCharacter,
  WorkloadProbe,
} from './types.js';
import { COST_ORDER, PARALLEL_MODELS } from './types.js';

export interface VerdictInput {
  probe: WorkloadProbe | Failure;
  arms: readonly ArmSamples[];
  rounds: number;
  margin: number;
  policy: SequentialPolicy;
  /** True when no more rounds will come (cap or time budget): undecided becomes inconclusive. */
  final: boolean;
  /** Which pool lifetime the verdict answers; default per-batch (start-up counts). */
  pool?: PoolLifetime;
  /** The machine's measured capacity, for speedups as a share of what it can deliver. */
  machine?: MachineProbe | null;
  /** The interpreter build, so the words speak of it; and why interpreters cannot run at all. */
  environment?: Pick<PythonEnvironment, 'freeThreadedBuild' | 'gilEnabled' | 'interpretersUnavailable'> | null;
  /** Writes the reason and the warnings from the facts (report/explain.ts: explainSide). */
  describe?: (facts: SideFacts) => SideWords;
}

export interface Verdict {
  /** True when the recommendation will not change with more rounds. */
  settled: boolean;
  result: SideResult;
  /** Arms raced out (label → the look that stopped them, and the arm that beat them): they run no more rounds. */
  raced?: ReadonlyMap<string, Race>;
}

export interface Race {
  round: number;
  by: string;
}

/**
 * Racing: at each scheduled look, an arm shown slower than its side's current best arm beyond the
 * margin stops running (it cannot become the recommendation), worker counts of one model raced like
 * any other arm. The best arm at a look is the one with the lowest paired (trimmed) mean of
 * arm/serial over the look's rounds, serial itself counting as 1; "shown slower" is the verdict's
 * own test at α (compareTimes: the interval of best/arm below 1 and the estimate beyond the margin),
 * with the same error spending. Serial never stops: every comparison is made against it. Pure: the
 * looks are replayed from the data, and an arm raced at a look has no data after it, so judging
 * again gives the same races.
 */
export function racedArms(arms: readonly ArmSamples[], rounds: number, margin: number, policy: SequentialPolicy, time: (m: Parameters<typeof wallOf>[0]) => number = wallOf): Map<string, Race> {
  const raced = new Map<string, Race>();
  const serial = serialArm(arms);
  if (!serial) return raced;
  const parallel = arms.filter((a) => a.arm.model !== 'serial' && measurements(a).length > 0);
  for (const look of lookSchedule(policy).filter((l) => l <= rounds)) {
    const serialSeries = series(serial, look, time);
    const running = parallel.filter((a) => !raced.has(armLabel(a.arm)));
    if (running.length === 0) break;
    const withSeries = running.map((a) => ({ a, values: series(a, look, time) }));
    const logRatio = (values: number[]) => {
      const s = pairedLogStatistic(values, serialSeries, trimFor(look));
      return s.n >= 2 ? s.centre : Number.NaN;
    };
    let best = { label: 'serial', values: serialSeries, centre: 0 };
    for (const { a, values } of withSeries) {
      const centre = logRatio(values);
      if (centre < best.centre) best = { label: armLabel(a.arm), values, centre };
    }
    for (const { a, values } of withSeries) {
      const label = armLabel(a.arm);
      if (label === best.label) continue;
      if (compareTimes(best.values, values, margin, policy).outcome === 'a-faster') raced.set(label, { round: look, by: best.label });
    }
  }
  return raced;
}

/** Per-task time under which pools rarely pay off: the work is smaller than the hand-off. */
const TINY_TASK_SECONDS = 0.0005;

/** Without report/, a plain statement of the facts: callers pass report/explain.ts's explainSide. */
function plainWords(facts: SideFacts): SideWords {
  return { reason: `${facts.recommendation} (${facts.rule}).`, warnings: facts.warnings.map((w) => w.kind) };
}

/**
 * The serial work per batch (seconds) above which a pool created per batch pays off beyond the
 * margin m. A batch of W serial seconds costs a pool startup + W/s (s: its steady speedup), so
 * W ≥ (1+m)·(startup + W/s) ⇔ W ≥ (1+m)·startup / (1 − (1+m)/s), for s > 1+m; null when it never does.
 */
export function breakEven(startupSeconds: number, steadySpeedup: number, margin: number): number | null {
  const need = 1 + margin;
  if (!(steadySpeedup > need) || !Number.isFinite(startupSeconds)) return null;
  return (need * Math.max(0, startupSeconds)) / (1 - need / steadySpeedup);
}

/**
 * The machine's capacity at a worker count: measured, else interpolated linearly between the
 * neighbouring measured counts, else the nearest measured one. Null without measurements.
 */
export function capacityAt(machine: MachineProbe | null | undefined, workers: number): number | null {
  const points = (machine?.capacity ?? []).filter((p) => Number.isFinite(p.ratio) && p.ratio > 0).sort((a, b) => a.workers - b.workers);
  if (points.length === 0) return null;
  const exact = points.find((p) => p.workers === workers);
  if (exact) return exact.ratio;
  const below = points.filter((p) => p.workers < workers).at(-1);
  const above = points.find((p) => p.workers > workers);
  if (!below) return above!.ratio;
  if (!above) return below.ratio;
  return below.ratio + ((above.ratio - below.ratio) * (workers - below.workers)) / (above.workers - below.workers);
}

/** A speedup as a share of what the machine can deliver at that worker count. */
export function capacityShare(speedup: number | null, capacity: number | null): number | null {
  return speedup === null || capacity === null || !(capacity > 0) ? null : speedup / capacity;
}

export function judge(input: VerdictInput): Verdict {
  const { probe, arms, rounds, margin, policy } = input;
  const pool = input.pool ?? 'per-batch';
  const describe = input.describe ?? plainWords;
  const final = input.final || isFinalLook(rounds, policy);
  const build = input.environment ? { freeThreadedBuild: input.environment.freeThreadedBuild, gilEnabled: input.environment.gilEnabled } : null;
  if (!probe.ok) return { settled: true, result: errorResult(probe, arms, rounds, pool, margin, build, describe) };

  const serial = serialArm(arms);
  const serialFailure = serial ? failures(serial)[0] : undefined;
  if (!serial || serialFailure || measurements(serial).length === 0) {
    const failure = serialFailure ?? missingSerial();
    return { settled: true, result: errorResult(failure, arms, rounds, pool, margin, build, describe) };
  }

  const serialWall = medianTime(serial, wallOf);
  const armResults = arms
    .filter((a) => measurements(a).length > 0 || failures(a).length > 0)
    .map((a) => armResult(a, serial, capacityAt(input.machine, a.arm.workers)));
  const unavailable = unavailableModels(probe, arms, input.environment ?? null);
  const everywhere: Partial<Record<ParallelModel, string>> = {};
  if (input.environment?.interpretersUnavailable) everywhere.interpreters = input.environment.interpretersUnavailable;
  // An arm that failed runs no more rounds (experiment.ts drops it), so it cannot decide anything
  // later: left in, its few rounds held a comparison open to the round cap (a threads arm that
  // failed once in round 4 kept bench/thirdparty's pillow-blur-large running 26 more rounds). It
  // stays in the table with its failures; its model is unavailable when no arm is left.
  const standing = arms.filter((a) => a === serial || failures(a).length === 0);
  const context: DecisionContext = { arms: standing, serial, rounds, margin, policy, final, unavailable, machine: input.machine ?? null, armResults };
  const decision = decideFor(context, pool);
  const other = decideFor(context, pool === 'per-batch' ? 'long-lived' : 'per-batch');
  // An arm stops running only when raced out under both pool lifetimes: the other lifetime's advice
  // (a long-lived pool would pay off) still needs its rounds.
  const raced = new Map([...decision.raced].filter(([label]) => other.raced.has(label)));

  const character = classify(armResults, decision.models, probe, margin);
  const facts: SideFacts = {
    rule: decision.rule,
    recommendation: decision.recommendation,
    character,
    pool,
    margin,
    rounds,
    final,
    build,
    serial: { seconds: serialWall, cpuPerWall: armResults.find((a) => a.model === 'serial')?.cpuPerWall ?? Number.NaN },
    models: decision.models,
    unavailable,
    everywhere,
    pairs: decision.pairs,
    deciding: decision.deciding,
    open: decision.open,
    otherLifetimeOpen: !other.settled,
    // Only advice that would change: `either` and the model it covers say the same (see compare.isFlip).
    otherLifetime:
      other.settled && decision.settled && adviceDiffers(decision.recommendation, other.recommendation)
        ? { pool: pool === 'per-batch' ? 'long-lived' : 'per-batch', recommendation: other.recommendation }
        : null,
    warnings: warningsFor(probe, arms, serial, build),
    error: null,
  };
  const words = describe(facts);
  const result: SideResult = {
    recommendation: decision.recommendation,
    reason: words.reason,
    pool,
    character,
    arms: armResults,
    unavailable,
    warnings: words.warnings,
    error: null,
    rounds,
    facts,
  };
  return { settled: decision.settled || final, result, raced };
}

function adviceDiffers(a: Recommendation, b: Recommendation): boolean {
  if (a === b) return false;
  const pair = new Set([a, b]);
  return !(pair.has('either') && (pair.has('threads') || pair.has('processes')));
}

interface DecisionContext {
  arms: readonly ArmSamples[];
  serial: ArmSamples;
  rounds: number;
  margin: number;
  policy: SequentialPolicy;
  final: boolean;
  unavailable: Partial<Record<ParallelModel, string>>;
  machine: MachineProbe | null;
  armResults: readonly ArmResult[];
}

interface Decision {
  recommendation: Recommendation;
  rule: DecisionRule;
  settled: boolean;
  models: Partial<Record<ParallelModel, ModelFacts>>;
  pairs: PairFacts[];
  deciding: PairFacts | null;
  open: PairFacts | null;
  raced: ReadonlyMap<string, Race>;
}

/** Each pair of models, cheaper first (COST_ORDER), in the order SideFacts['pairs'] keeps them. */
const PAIRS: readonly (readonly [ParallelModel, ParallelModel])[] = [
  ['threads', 'processes'],
  ['threads', 'interpreters'],
  ['interpreters', 'processes'],
];

/** Every model's facts under one pool lifetime, the pairwise comparisons, and the rule that fires. */
function decideFor(c: DecisionContext, pool: PoolLifetime): Decision {
  const time = timeOf(pool);
  const serialSeries = series(c.serial, c.rounds, time);
  const raced = racedArms(c.arms, c.rounds, c.margin, c.policy, time);
  const models: Partial<Record<ParallelModel, ModelFacts>> = {};
  const bestArms: Partial<Record<ParallelModel, ArmSamples>> = {};
  for (const model of PARALLEL_MODELS) {
    if (c.unavailable[model]) continue;
    const candidates = modelArms(c.arms, model);
    if (candidates.length === 0) continue;
    const facts = modelFacts(c, model, candidates, serialSeries, time, raced);
    models[model] = facts.facts;
    bestArms[model] = facts.arm;
  }
  // Pairs are oriented cheaper / costlier (COST_ORDER), so 'a-faster' always means "the cheaper one is faster".
  const pairSeries = (m: ParallelModel) => series(bestArms[m]!, c.rounds, time);
  const pairs: PairFacts[] = PAIRS.filter(([a, b]) => bestArms[a] && bestArms[b]).map(([a, b]) => ({
    a,
    b,
    comparison: compareTimes(pairSeries(a), pairSeries(b), c.margin, c.policy),
  }));
  const pairOf = (a: ParallelModel, b: ParallelModel): PairFacts | null => pairComparison({ models, pairs }, a, b);
  return { ...decide(c, models, pairOf), models, pairs, raced };
}

function modelFacts(
  c: DecisionContext,
  model: ParallelModel,
  candidates: readonly ArmSamples[],
  serialSeries: readonly number[],
  time: (m: Parameters<typeof wallOf>[0]) => number,
  raced: ReadonlyMap<string, Race>,
): { facts: ModelFacts; arm: ArmSamples } {
  // Winner's curse: α is split over the model's arms too (Bonferroni), so an arm that wins only by
  // luck among several does not make the model "help".
  const armPolicy: SequentialPolicy = { ...c.policy, alpha: c.policy.alpha / candidates.length };
  const tested = candidates.map((arm) => ({ arm, comparison: compareTimes(series(arm, c.rounds, time), serialSeries, c.margin, armPolicy) }));
  const oneAtATime = model === 'threads' && candidates.every((arm) => runOneAtATime(c, arm));
  // Raced arms were shown slower than the side's best beyond the margin: they cannot be recommended.
  const isRaced = (t: (typeof tested)[number]) => raced.has(armLabel(t.arm.arm));
  const helping = oneAtATime ? [] : tested.filter((t) => !isRaced(t) && t.comparison.outcome === 'a-faster');
  const races = tested.map((t) => raced.get(armLabel(t.arm.arm))).filter((r): r is Race => r !== undefined);
  const allRaced = races.length === tested.length ? races.reduce((a, b) => (b.round > a.round ? b : a)) : null;
  // Fastest by the paired estimate the test used (arm/serial, lower is faster), and the speedup shown
  // is that estimate's: the figure, its interval and the verdict come from the same numbers.
  const fastest = (list: typeof tested) => list.reduce((a, b) => (b.comparison.estimate.ratio < a.comparison.estimate.ratio ? b : a));
  const best = fastest(helping.length > 0 ? helping : tested);
  const speedup = 1 / best.comparison.estimate.ratio;
  // The arm's row already holds its paired speedups under both lifetimes (armResult).
  const row = c.armResults.find((a) => a.model === model && a.workers === best.arm.arm.workers);
  const wallSpeedup = row?.speedup ?? Number.NaN;
  const steadySpeedup = row?.steadySpeedup ?? Number.NaN;
  const startupSeconds = medianOf(measurements(best.arm).map((m) => m.startupSeconds));
  const capacity = capacityAt(c.machine, best.arm.arm.workers);
  const e = best.comparison.estimate;
  const cpuPerWall = row?.cpuPerWall ?? Number.NaN;
  return {
    arm: best.arm,
    facts: {
      model,
      workers: best.arm.arm.workers,
      armsTested: candidates.length,
      speedup,
      lower: e.upper > 0 ? 1 / e.upper : 0,
      upper: e.lower > 0 ? 1 / e.lower : Number.POSITIVE_INFINITY,
      vsSerial: best.comparison,
      helps: helping.length > 0,
      ruledOut: oneAtATime || tested.every((t) => isRaced(t) || rulesOut(t.comparison, 'a-faster', c.margin, armPolicy)),
      oneAtATime,
      ...(allRaced ? { raced: { round: allRaced.round, by: allRaced.by } } : {}),
      cpuPerWall,
      wallSpeedup,
      steadySpeedup,
      startupSeconds,
      breakEven: breakEven(startupSeconds, steadySpeedup, c.margin),
      capacity,
      capacityShare: capacityShare(speedup, capacity),
    },
  };
}

/** Serial CPU/wall at or above which the code computes, rather than waits, for the CPU bound below. */
const COMPUTES_CPU_PER_WALL = 0.9;

/**
 * Whether CPU accounting alone rules out this threads arm being faster than serial beyond the margin.
 * A batch's wall time is its CPU time over its CPU/wall, so the speedup is (threads' CPU/wall ÷
 * serial's) × (serial's CPU seconds ÷ the threads'). The second factor exceeds 1 only when the same
 * work took less CPU time: a faster CPU (this runner's vCPUs differ by up to ×1.7), which is
 * placement, not the code. So when the first factor is within half the margin (two threads used no
 * more CPU per second than one: the GIL ran them one at a time), no honest speedup beyond the margin
 * is left, and a timing test that says otherwise measured the CPUs. Only for code that computes
 * (serial CPU/wall ≥ 0.9): code that waits spends too little CPU for the ratio to mean anything.
 * Needs as many rounds as a timing test's first look, so that the medians are not one trial's.
 */
function runOneAtATime(c: DecisionContext, arm: ArmSamples): boolean {
  const serialRow = c.armResults.find((a) => a.model === 'serial');
  const row = c.armResults.find((a) => a.model === arm.arm.model && a.workers === arm.arm.workers);
  if (!serialRow || !row || row.wall.n < c.policy.minRounds || !(serialRow.cpuPerWall >= COMPUTES_CPU_PER_WALL)) return false;
  return row.cpuPerWall / serialRow.cpuPerWall <= 1 + c.margin / 2;
}

/**
 * The rule that fires. A model is recommended when it helps, is faster beyond the margin than every
 * cheaper model that may help, and no costlier model that may help is faster beyond the margin
 * (one within the margin loses to the cheaper). At the cap, "the costlier cannot be faster beyond
 * the margin" is enough: "cheaper wins" and "equivalent" give the same advice.
 */
function decide(
  c: DecisionContext,
  models: Partial<Record<ParallelModel, ModelFacts>>,
  pairOf: (a: ParallelModel, b: ParallelModel) => PairFacts | null,
): Pick<Decision, 'recommendation' | 'rule' | 'settled' | 'deciding' | 'open'> {
  const availableAll = COST_ORDER.filter((m) => models[m] !== undefined);
  // A model raced out although it beats serial lost to a faster one: that one is the fastest, not the only helper.
  const beatenHelper = availableAll.find((m) => models[m]!.raced && models[m]!.vsSerial.outcome === 'a-faster');
  const available = COST_ORDER.filter((m) => models[m] !== undefined);
  const helps = available.filter((m) => models[m]!.helps);
  const candidates = available.filter((m) => models[m]!.helps || !models[m]!.ruledOut);
  const undecided = (): Pick<Decision, 'recommendation' | 'rule' | 'settled' | 'deciding' | 'open'> => ({
    recommendation: 'inconclusive',
    rule: 'undecided',
    settled: false,
    deciding: null,
    open: openQuestion(available, models, pairOf),
  });
  if (helps.length === 0) {
    return candidates.length === 0 ? { recommendation: 'serial', rule: 'no-model-helps', settled: true, deciding: null, open: null } : undecided();
  }
  if (candidates.length === 1) {
    if (beatenHelper) return { recommendation: helps[0]!, rule: 'fastest', settled: true, deciding: pairOf(helps[0]!, beatenHelper), open: null };
    return { recommendation: helps[0]!, rule: 'only-helper', settled: true, deciding: null, open: null };
  }

  for (const model of helps) {
    const rank = COST_ORDER.indexOf(model);
    let atLeastAsFast: PairFacts | null = null;
    let withinMargin: PairFacts | null = null;
    let beaten: PairFacts | null = null;
    let wins = true;
    for (const other of candidates) {
      if (other === model) continue;
      const p = pairOf(model, other);
      if (!p) {
        wins = false;
        break;
      }
      const outcome = p.comparison.outcome;
      if (COST_ORDER.indexOf(other) < rank) {
        // A cheaper model that may help: this one must be faster than it beyond the margin.
        if (outcome !== 'b-faster') wins = false;
        else beaten ??= p;
      } else if (outcome === 'a-faster') {
        beaten ??= p;
      } else if (outcome === 'equivalent') {
        if (models[other]!.speedup > models[model]!.speedup) withinMargin ??= p;
        else beaten ??= p;
      } else if (outcome === 'unknown' && rulesOut(p.comparison, 'b-faster', c.margin, c.policy)) {
        // The costlier cannot be faster beyond the margin: "cheaper wins" and "equivalent", the two
        // answers still open, both say "use the cheaper", so the question is answered now.
        atLeastAsFast ??= p;
      } else wins = false;
      if (!wins) break;
    }
    if (!wins) continue;
    const processesAlike = model === 'threads' && helps.includes('processes') && pairOf('threads', 'processes')?.comparison.outcome === 'equivalent';
    if (processesAlike) return { recommendation: 'either', rule: 'either', settled: true, deciding: pairOf('threads', 'processes'), open: null };
    if (atLeastAsFast) return { recommendation: model, rule: 'at-least-as-fast', settled: true, deciding: atLeastAsFast, open: null };
    if (withinMargin) return { recommendation: model, rule: 'within-margin-prefer-cheaper', settled: true, deciding: withinMargin, open: null };
    return { recommendation: model, rule: 'fastest', settled: true, deciding: beaten, open: null };
  }
  return undecided();
}

/** Serial CPU seconds per wall second below which a workload mostly waits: its character is 'io-wait'. */
export const WAITING_CPU_PER_WALL = 0.5;
/** Threads' CPU seconds per wall second above which they ran in parallel (the code releases the GIL,
 *  or the build has none); at or below it the GIL serialized them. */
export const PARALLEL_THREADS_CPU_PER_WALL = 1.3;

export function threadsRunInParallel(threadsCpuPerWall: number): boolean {
  return threadsCpuPerWall > PARALLEL_THREADS_CPU_PER_WALL;
}

/** The first comparison not yet clearly inside or outside the margin: pairs first, then vs serial. */
function openQuestion(
  available: readonly ParallelModel[],
  models: Partial<Record<ParallelModel, ModelFacts>>,
  pairOf: (a: ParallelModel, b: ParallelModel) => PairFacts | null,
): PairFacts | null {
  const pairs: PairFacts[] = [];
  for (const [i, a] of PARALLEL_MODELS.entries()) for (const b of PARALLEL_MODELS.slice(i + 1)) {
    const p = available.includes(a) && available.includes(b) ? pairOf(a, b) : null;
    if (p) pairs.push(p);
  }
  const vsSerial: PairFacts[] = PARALLEL_MODELS.filter((m) => models[m]).map((m) => ({ a: m as Model, b: 'serial' as Model, comparison: models[m]!.vsSerial }));
  return [...pairs, ...vsSerial].find((p) => p.comparison.outcome === 'unknown') ?? null;
}

function unavailableModels(
  probe: WorkloadProbe,
  arms: readonly ArmSamples[],
  environment: VerdictInput['environment'],
): Partial<Record<ParallelModel, string>> {
  const out: Partial<Record<ParallelModel, string>> = {};
  if (probe.processesUnavailable) out.processes = probe.processesUnavailable;
  const interpreters = environment?.interpretersUnavailable ?? probe.interpretersUnavailable;
  if (interpreters) out.interpreters = interpreters;
  for (const model of PARALLEL_MODELS) {
    if (out[model]) continue;
    const ofModel = arms.filter((a) => a.arm.model === model);
    // A model that failed in every arm it ran is an answer ("cannot run"), not a crash of the run;
    // so is one whose every arm failed once (a failed arm runs no more rounds), said with the count.
    const failed = ofModel.flatMap((a) => failures(a).map((f) => ({ arm: a.arm, f })));
    if (ofModel.length > 0 && ofModel.every((a) => failures(a).length > 0)) {
      const first = failed[0]!;
      const trials = ofModel.reduce((n, a) => n + measurements(a).length + failures(a).length, 0);
      const partly = ofModel.some((a) => measurements(a).length > 0) ? `; failed in ${failed.length} of ${trials} trials` : '';
      out[model] = `${describeFailure(first.f)} (${armLabel(first.arm)}, ${first.f.kind}${partly})`;
    }
  }
  return out;
}

function classify(
  arms: readonly ArmResult[],
  models: Partial<Record<ParallelModel, ModelFacts>>,
  probe: WorkloadProbe,
  margin: number,
): WorkloadCharacter {
  const serial = arms.find((a) => a.model === 'serial');
  if (!serial) return 'unknown';
  const at = (model: ParallelModel) => (models[model] ? arms.find((a) => a.model === model && a.workers === models[model]!.workers) : undefined);
  const threadsArm = at('threads');
  const processesArm = at('processes');
  if (serial.cpuPerWall < WAITING_CPU_PER_WALL) return 'io-wait';
  const perTask = probe.taskCount > 0 ? serial.wall.median / probe.taskCount : Infinity;
  const noGain = (s: number | undefined) => s === undefined || s < 1 + margin;
  if (perTask < TINY_TASK_SECONDS && PARALLEL_MODELS.every((m) => noGain(models[m]?.speedup))) return 'overhead-bound';
  if (threadsArm && threadsRunInParallel(threadsArm.cpuPerWall)) return 'gil-releasing';
  if (threadsArm && !threadsRunInParallel(threadsArm.cpuPerWall) && noGain(models.threads?.speedup)) {
    if (processesArm && processesArm.peakRssBytes > 4 * serial.peakRssBytes && processesArm.peakRssBytes > 512 * 2 ** 20) return 'memory-heavy';
    return 'cpu-bound-gil';
  }
  return 'unknown';
}

function warningsFor(probe: WorkloadProbe, arms: readonly ArmSamples[], serial: ArmSamples, build: SideFacts['build']): WarningFact[] {
  const warnings: WarningFact[] = [];
  if (build?.freeThreadedBuild && probe.gilEnabledAfterImport) warnings.push({ kind: 'gil-reenabled', module: probe.gilReenabledBy ?? null });
  if (probe.spawnProblem) warnings.push({ kind: 'spawn', problem: probe.spawnProblem });
  const serialDigests = measurements(serial);
  if (serialDigests.some((m) => !m.digestStable)) return warnings;
  const reference = new Set(serialDigests.map((m) => m.digest));
  if (reference.size > 1) {
    warnings.push({ kind: 'nondeterministic', distinct: reference.size });
    return warnings;
  }
  const expected = [...reference][0];
  for (const model of PARALLEL_MODELS) {
    const runs = arms.filter((a) => a.arm.model === model).flatMap(measurements);
    const differing = runs.filter((m) => m.digestStable && m.digest !== expected);
    if (differing.length > 0) warnings.push({ kind: 'race', model, differing: differing.length, trials: runs.length });
  }
  return warnings;
}

function errorResult(
  failure: Failure,
  arms: readonly ArmSamples[],
  rounds: number,
  pool: PoolLifetime,
  margin: number,
  build: SideFacts['build'],
  describe: (facts: SideFacts) => SideWords,
): SideResult {
  const message = describeFailure(failure);
  const facts: SideFacts = {
    rule: 'error',
    recommendation: 'error',
    character: 'unknown',
    pool,
    margin,
    rounds,
    final: true,
    build,
    serial: null,
    models: {},
    unavailable: {},
    everywhere: {},
    pairs: [],
    deciding: null,
    open: null,
    otherLifetime: null,
    warnings: [],
    error: { kind: failure.kind, message },
  };
  const words = describe(facts);
  return {
    recommendation: 'error',
    reason: words.reason,
    pool,
    character: 'unknown',
    arms: arms.filter((a) => measurements(a).length > 0).map((a) => armResult(a, null)),
    unavailable: {},
    warnings: words.warnings,
    error: { kind: failure.kind, message: message + (failure.stderrTail ? `\n${failure.stderrTail}` : ''), traceback: failure.traceback },
    rounds,
    facts,
  };
}

function missingSerial(): Failure {
  return { ok: false, kind: 'runner', type: 'NoData', message: 'no serial trial completed', traceback: '', stderrTail: '' };
}
