// Results files of versions 1 and 2 stored each model's figures twice: per-model records beside the
// verdict (`speedup`, `steadySpeedup`, `startupSeconds`, `breakEven`, `capacity`, `capacityShare`)
// and six named `comparisons`, and (from version 2) the facts the reason was written from. Version 3
// keeps the facts alone. This builds those facts from what an older file stored, so every reader
// takes one shape: the stored figures are what the file's reports showed, so they win over an older
// writer's facts; what a file never recorded reads as unknown (NaN) or absent, never invented.
// A version 2 file that kept its values is judged again instead (rejudge): this is for the rest.
import type { ArmResult, Comparison, DecisionRule, ModelFacts, PairFacts, ParallelModel, PoolLifetime, Recommendation, SideFacts, SideResult } from '../types.js';
import { PARALLEL_MODELS } from '../types.js';

type Figures = Partial<Record<ParallelModel, number | null>>;

/** The comparisons an older file named, time ratios a/b of the best arms. */
export interface StoredComparisons {
  threadsVsSerial: Comparison | null;
  processesVsSerial: Comparison | null;
  interpretersVsSerial?: Comparison | null;
  threadsVsProcesses: Comparison | null;
  threadsVsInterpreters?: Comparison | null;
  interpretersVsProcesses?: Comparison | null;
}

/** One side as versions 1 and 2 stored it. */
export interface StoredSide extends Omit<SideResult, 'facts' | 'pool'> {
  pool?: PoolLifetime;
  speedup: Figures;
  steadySpeedup?: Figures;
  startupSeconds?: Figures;
  breakEven?: Figures;
  capacity?: Figures;
  capacityShare?: Figures;
  comparisons: StoredComparisons;
  /** Version 2 writers kept the facts too; their figures may lack what later writers added. */
  facts?: Partial<Omit<SideFacts, 'models'>> & { models?: Partial<Record<ParallelModel, Partial<ModelFacts>>> };
}

const STORED_KEYS = ['speedup', 'steadySpeedup', 'startupSeconds', 'breakEven', 'capacity', 'capacityShare', 'comparisons', 'facts'] as const;

/** The pairs of models as the comparisons named them: cheaper first, as SideFacts['pairs'] keeps them. */
const PAIRS: readonly { a: ParallelModel; b: ParallelModel; key: keyof StoredComparisons }[] = [
  { a: 'threads', b: 'processes', key: 'threadsVsProcesses' },
  { a: 'threads', b: 'interpreters', key: 'threadsVsInterpreters' },
  { a: 'interpreters', b: 'processes', key: 'interpretersVsProcesses' },
];

/** An older file's side (or workload row: its other fields pass through) in today's shape. */
export function sideFromStored<T extends StoredSide>(stored: T, margin: number): Omit<T, (typeof STORED_KEYS)[number] | 'pool'> & SideResult {
  const rest = { ...stored } as Record<string, unknown>;
  for (const key of STORED_KEYS) delete rest[key];
  const written = stored.facts ?? {};
  const pool = stored.pool ?? written.pool ?? 'per-batch';
  const models: Partial<Record<ParallelModel, ModelFacts>> = {};
  for (const model of PARALLEL_MODELS) {
    const speedup = stored.speedup[model] ?? null;
    // The file showed no speedup for a model that did not run (or was unavailable): no facts.
    if (speedup === null) continue;
    models[model] = modelFromStored(stored, model, speedup, written.models?.[model]);
  }
  const pairs: PairFacts[] = [];
  for (const { a, b, key } of PAIRS) {
    const comparison = stored.comparisons[key] ?? null;
    if (comparison) pairs.push({ a, b, comparison });
  }
  const facts: SideFacts = {
    rule: written.rule ?? ruleOf(stored.recommendation),
    recommendation: stored.recommendation,
    character: stored.character,
    pool,
    margin: written.margin ?? margin,
    rounds: stored.rounds,
    final: written.final ?? true,
    build: written.build ?? null,
    serial: written.serial ?? null,
    models,
    unavailable: stored.unavailable,
    everywhere: written.everywhere ?? {},
    pairs,
    deciding: written.deciding ?? null,
    open: written.open ?? null,
    otherLifetime: written.otherLifetime ?? null,
    ...(written.otherLifetimeOpen !== undefined ? { otherLifetimeOpen: written.otherLifetimeOpen } : {}),
    warnings: written.warnings ?? [],
    error: written.error ?? (stored.error ? { kind: stored.error.kind, message: stored.error.message } : null),
  };
  return { ...rest, pool, facts } as Omit<T, (typeof STORED_KEYS)[number] | 'pool'> & SideResult;
}

function modelFromStored(stored: StoredSide, model: ParallelModel, speedup: number, written: Partial<ModelFacts> | undefined): ModelFacts {
  const vsSerialKey = `${model}VsSerial` as const;
  const vsSerial = stored.comparisons[vsSerialKey] ?? written?.vsSerial ?? UNKNOWN;
  const arms = stored.arms.filter((a) => a.model === model);
  const best = bestArm(arms);
  // A figure the file did not record: NaN (unknown); break-even and capacity are null when absent.
  const figure = (figures: Figures | undefined, own: number | null | undefined): number => figures?.[model] ?? own ?? Number.NaN;
  const optional = (figures: Figures | undefined, own: number | null | undefined): number | null => figures?.[model] ?? own ?? null;
  return {
    armsTested: arms.length,
    lower: Number.NaN,
    upper: Number.NaN,
    helps: vsSerial.outcome === 'a-faster',
    // Faster beyond the margin is ruled out when serial won or the two are equivalent.
    ruledOut: vsSerial.outcome === 'b-faster' || vsSerial.outcome === 'equivalent',
    oneAtATime: false,
    cpuPerWall: best?.cpuPerWall ?? Number.NaN,
    wallSpeedup: best?.speedup ?? Number.NaN,
    ...written,
    model,
    workers: written?.workers ?? best?.workers ?? 0,
    speedup,
    vsSerial,
    steadySpeedup: figure(stored.steadySpeedup, written?.steadySpeedup),
    startupSeconds: figure(stored.startupSeconds, written?.startupSeconds),
    breakEven: optional(stored.breakEven, written?.breakEven),
    capacity: optional(stored.capacity, written?.capacity),
    capacityShare: optional(stored.capacityShare, written?.capacityShare),
  };
}

/** The model's arm with the highest speedup: the one an older report named ("×1.9 at 2"). */
function bestArm(arms: readonly ArmResult[]): ArmResult | undefined {
  let best: ArmResult | undefined;
  for (const arm of arms) if (Number.isFinite(arm.speedup) && (!best || arm.speedup > best.speedup)) best = arm;
  return best;
}

/** No comparison with serial was recorded: unknown, with no estimate. */
const UNKNOWN: Comparison = { outcome: 'unknown', estimate: { ratio: Number.NaN, lower: Number.NaN, upper: Number.NaN, level: Number.NaN, pValue: Number.NaN, n: 0 } };

/** Version 1 did not record which rule fired: the one its recommendation implies. */
function ruleOf(recommendation: Recommendation): DecisionRule {
  const rules: Record<Recommendation, DecisionRule> = {
    error: 'error',
    serial: 'no-model-helps',
    inconclusive: 'undecided',
    either: 'either',
    threads: 'fastest',
    processes: 'fastest',
    interpreters: 'fastest',
  };
  return rules[recommendation];
}
