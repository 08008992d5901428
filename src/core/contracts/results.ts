// The results JSON (docs/results.md), validated when read back (`gilgate report`, the action's
// `report` input) instead of cast, and written by resultsFile. Version 1 holds the summaries;
// version 2 adds `values`, every measured value, so a file can be judged again; version 3 stores
// each figure once, in the facts, and writes the per-model `speedup` users read as a view of them.
// Readers accept all three (older sides through contracts/older-results.ts); objects are loose: a
// newer writer's extra fields pass through untouched.
import { z } from 'zod';
import type {
  ArmResult,
  ChangeFact,
  Comparison,
  Improvement,
  ModelFacts,
  ModelFigures,
  PairFacts,
  PythonEnvironment,
  RatioEstimate,
  Regression,
  Results,
  SampleSummary,
  ResultValues,
  SideFacts,
  SideResult,
  WorkloadResult,
} from '../types.js';
import { FAILURE_KINDS } from '../types.js';
import { environmentSchema, failureSchema, machineSchema, probeSchema, trialSchema } from './runner.js';
import { sideFromStored, type StoredSide } from './older-results.js';
import { modelFigures } from '../side-facts.js';

const MODELS = ['serial', 'threads', 'processes', 'interpreters'] as const;
const RECOMMENDATIONS = ['threads', 'processes', 'interpreters', 'either', 'serial', 'inconclusive', 'error'] as const;
const SIDES = ['head', 'base'] as const;

/**
 * A figure JSON could not hold: JSON.stringify writes NaN and ±Infinity as null (an interval after
 * one round is open to +∞). Read back as NaN, "not a finite number", which every reader treats as
 * unknown; rejecting the whole file made `report` and `merge` fail on a run the budget cut short.
 */
const statistic = z.union([z.number(), z.null().transform(() => Number.NaN)]);

const ratioEstimateSchema = z.looseObject({
  ratio: statistic,
  lower: statistic,
  upper: statistic,
  level: statistic,
  pValue: statistic,
  n: z.number(),
}) satisfies z.ZodType<RatioEstimate>;

const comparisonSchema = z.looseObject({
  outcome: z.enum(['a-faster', 'b-faster', 'equivalent', 'unknown']),
  estimate: ratioEstimateSchema,
}) satisfies z.ZodType<Comparison>;

const sampleSummarySchema = z.looseObject({
  n: z.number(),
  median: z.number(),
  min: z.number(),
  max: z.number(),
  cv: z.number(),
}) satisfies z.ZodType<SampleSummary>;

const armResultSchema = z.looseObject({
  model: z.enum(MODELS),
  workers: z.number().int().positive(),
  wall: sampleSummarySchema,
  startupSeconds: z.number(),
  cpuPerWall: z.number(),
  peakRssBytes: z.number(),
  speedup: z.number(),
  steadySpeedup: z.number().optional(),
  capacity: z.number().nullable().optional(),
  startupInterval: z.looseObject({ estimate: z.number(), lower: z.number(), upper: z.number(), repetitions: z.number().int().nonnegative() }).optional(),
  chunksize: z.number().nullable(),
  failures: z.number(),
}) satisfies z.ZodType<ArmResult>;

// One figure per parallel model. Version 1 files know only threads and processes: interpreters
// reads as not measured (null), as do the figures version 1 did not have at all.
const figuresSchema = z.looseObject({
  threads: z.number().nullable().default(null),
  processes: z.number().nullable().default(null),
  interpreters: z.number().nullable().default(null),
});
const NO_FIGURES = { threads: null, processes: null, interpreters: null };
const speedupSchema = figuresSchema;
const figures = () => figuresSchema.default(NO_FIGURES);
// The facts behind a reason are figures for people, re-derived by `gilgate report` from the values;
// a reader only checks that they are an object.
const factsSchema = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null);

// Versions 1 and 2: each model's figures stored beside the facts (StoredSide).
const storedSideShape = {
  recommendation: z.enum(RECOMMENDATIONS),
  reason: z.string(),
  speedup: speedupSchema,
  pool: z.enum(['per-batch', 'long-lived']).default('per-batch'),
  steadySpeedup: figures(),
  startupSeconds: figures(),
  breakEven: figures(),
  capacity: figures(),
  capacityShare: figures(),
  character: z.enum(['cpu-bound-gil', 'gil-releasing', 'io-wait', 'overhead-bound', 'memory-heavy', 'unknown']),
  arms: z.array(armResultSchema),
  unavailable: z.looseObject({ threads: z.string().optional(), processes: z.string().optional(), interpreters: z.string().optional() }),
  warnings: z.array(z.string()),
  error: z.looseObject({ kind: z.enum(FAILURE_KINDS), message: z.string(), traceback: z.string() }).nullable(),
  rounds: z.number().int().nonnegative(),
  comparisons: z.looseObject({
    threadsVsSerial: comparisonSchema.nullable(),
    processesVsSerial: comparisonSchema.nullable(),
    interpretersVsSerial: comparisonSchema.nullable().default(null),
    threadsVsProcesses: comparisonSchema.nullable(),
    threadsVsInterpreters: comparisonSchema.nullable().default(null),
    interpretersVsProcesses: comparisonSchema.nullable().default(null),
  }),
  facts: factsSchema<NonNullable<StoredSide['facts']>>().optional(),
};
const storedSideSchema = z.looseObject(storedSideShape) satisfies z.ZodType<StoredSide>;

// Version 3: the figures live in the facts alone. Their numbers are read like any statistic (a NaN
// or an open interval's ∞ was written as null); the rest of the facts is checked for its shape only.
const pairSchema = z.looseObject({ a: z.enum(MODELS), b: z.enum(MODELS), comparison: comparisonSchema }) satisfies z.ZodType<PairFacts>;
const modelFactsSchema = z.looseObject({
  model: z.enum(['threads', 'processes', 'interpreters']),
  workers: z.number(),
  armsTested: z.number(),
  speedup: statistic,
  lower: statistic,
  upper: statistic,
  vsSerial: comparisonSchema,
  helps: z.boolean(),
  ruledOut: z.boolean(),
  oneAtATime: z.boolean(),
  raced: z.looseObject({ round: z.number(), by: z.string() }).optional(),
  cpuPerWall: statistic,
  wallSpeedup: statistic,
  steadySpeedup: statistic,
  startupSeconds: statistic,
  breakEven: z.number().nullable(),
  capacity: z.number().nullable(),
  capacityShare: z.number().nullable(),
}) satisfies z.ZodType<ModelFacts>;
const sideFactsSchema = z.looseObject({
  rule: z.string(),
  recommendation: z.enum(RECOMMENDATIONS),
  pool: z.enum(['per-batch', 'long-lived']),
  margin: z.number(),
  models: z.looseObject({ threads: modelFactsSchema.optional(), processes: modelFactsSchema.optional(), interpreters: modelFactsSchema.optional() }),
  pairs: z.array(pairSchema),
  deciding: pairSchema.nullable(),
  open: pairSchema.nullable(),
  unavailable: z.record(z.string(), z.string()),
  everywhere: z.record(z.string(), z.string()),
  warnings: z.array(z.looseObject({ kind: z.string() })),
});
const sideResultShape = {
  recommendation: z.enum(RECOMMENDATIONS),
  reason: z.string(),
  pool: z.enum(['per-batch', 'long-lived']),
  character: storedSideShape.character,
  arms: storedSideShape.arms,
  unavailable: storedSideShape.unavailable,
  warnings: storedSideShape.warnings,
  error: storedSideShape.error,
  rounds: storedSideShape.rounds,
  facts: sideFactsSchema.transform((facts) => facts as unknown as SideFacts),
};
const sideResultSchema = z.looseObject(sideResultShape) satisfies z.ZodType<SideResult>;

const regressionSchema = z.looseObject({
  kind: z.enum(['slower', 'flip', 'scaling', 'memory', 'failing', 'not-compared']),
  detail: z.string(),
  estimate: ratioEstimateSchema.optional(),
  facts: factsSchema<ChangeFact>().optional(),
}) satisfies z.ZodType<Regression>;

const improvementSchema = z.looseObject({
  kind: z.enum(['faster', 'scaling', 'memory', 'fixed']),
  detail: z.string(),
  estimate: ratioEstimateSchema.optional(),
  facts: factsSchema<ChangeFact>().optional(),
}) satisfies z.ZodType<Improvement>;

const workloadShape = {
  name: z.string(),
  /** Version 1 measured one interpreter and did not name it: "" until readResults fills it in. */
  python: z.string().default(''),
  status: z.enum(['measured', 'new', 'removed']),
  vsBase: comparisonSchema.nullable(),
  regressions: z.array(regressionSchema),
  improvements: z.array(improvementSchema),
};
const storedWorkloadSchema = z.looseObject({
  ...storedSideShape,
  ...workloadShape,
  base: z.looseObject({ recommendation: z.enum(RECOMMENDATIONS), speedup: speedupSchema, detail: storedSideSchema }).nullable(),
});
// `speedup` (here and in `base`) is written as a view of the facts: read, it is dropped (readResults).
const workloadResultSchema = z.looseObject({
  ...sideResultShape,
  ...workloadShape,
  base: z.looseObject({ recommendation: z.enum(RECOMMENDATIONS), detail: sideResultSchema }).nullable(),
}) satisfies z.ZodType<WorkloadResult>;

const commonShape = {
  tool: z.looseObject({ name: z.literal('gilgate'), version: z.string() }),
  environment: environmentSchema satisfies z.ZodType<PythonEnvironment>,
  settings: z.looseObject({
    seed: z.number(),
    threshold: z.number(),
    margin: z.number(),
    memoryThreshold: z.number(),
    alpha: z.number(),
    beta: z.number().optional(),
    minRounds: z.number(),
    maxRounds: z.number(),
    maxTimeSeconds: z.number().nullable(),
    trialEnvironment: z.record(z.string(), z.string()),
  }),
  git: z.looseObject({ head: z.string().nullable(), base: z.string().nullable(), baseRef: z.string().nullable() }),
  config: z.string(),
  regressions: z.number().int().nonnegative(),
  improvements: z.number().int().nonnegative(),
  rounds: z.number().int().nonnegative(),
  totalSeconds: z.number().nonnegative(),
  startedAt: z.string(),
  budgetExhausted: z.boolean(),
};
const storedSummaryShape = { ...commonShape, workloads: z.array(storedWorkloadSchema) };
const summaryShape = { ...commonShape, workloads: z.array(workloadResultSchema) };

/**
 * Every measured value (version 2). Its exact shape is the engine's (ResultValues in
 * src/core/types.ts, written by finish() in src/core/experiment.ts); this schema checks the parts
 * rejudge() relies on and lets the rest through.
 */
const workloadConfigSchema = z.looseObject({
  name: z.string(),
  run: z.string(),
  tasks: z.union([z.string(), z.number()]),
  timeout: z.number(),
  workers: z.array(z.number().int().positive()).optional(),
  startMethod: z.enum(['fork', 'forkserver', 'spawn']).nullable(),
  pool: z.enum(['per-batch', 'long-lived']),
});
const armSchema = z.looseObject({ model: z.enum([...MODELS, 'interpreters']), workers: z.number().int().positive() });
export const resultValuesSchema = z.looseObject({
  setup: z.looseObject({
    pythons: z.array(z.string()).min(1),
    workloads: z.array(workloadConfigSchema),
    base: z.looseObject({ workloads: z.array(workloadConfigSchema).nullable(), configMissing: z.boolean() }).nullable(),
  }),
  trials: z.array(
    z.looseObject({
      workload: z.string(),
      python: z.string(),
      side: z.enum(SIDES),
      round: z.number().int().nonnegative(),
      arm: armSchema,
      cpu: z.number().int().nonnegative().nullable(),
      outcome: z.union([trialSchema, failureSchema]),
    }),
  ),
  probes: z.array(z.looseObject({ workload: z.string(), python: z.string(), side: z.enum(SIDES), probe: z.union([probeSchema, failureSchema]) })),
  environments: z.array(environmentSchema).min(1),
  machine: z.array(machineSchema),
  stopReason: z.enum(['settled', 'budget', 'cap']).nullable(),
}) satisfies z.ZodType<ResultValues>;
export type ResultValuesRead = z.infer<typeof resultValuesSchema>;

const resultsFileSchema = z.discriminatedUnion('schemaVersion', [
  z.looseObject({ schemaVersion: z.literal(1), ...storedSummaryShape }),
  z.looseObject({ schemaVersion: z.literal(2), ...storedSummaryShape, values: resultValuesSchema.optional() }),
  z.looseObject({ schemaVersion: z.literal(3), ...summaryShape, values: resultValuesSchema.optional() }),
]);

/** Results as read from a file: today's Results, plus the values a version 2 or 3 file carries. */
export type ResultsRead = Results & { values?: ResultValuesRead };

export class ResultsFileError extends Error {
  constructor(readonly issues: string[]) {
    super(`not a gilgate results file (schemaVersion 1, 2 or 3): ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`);
    this.name = 'ResultsFileError';
  }
}

/**
 * Validate a parsed results JSON and bring it to the in-memory shape. Sides of version 1 and 2 files
 * get facts built from their stored figures (older-results.ts), so they render as they did; version
 * 1 files name their one interpreter by its version. Version 2 and 3 files keep their values, which
 * `rejudge` (src/core/experiment.ts) judges again with today's code. The `speedup` views a version
 * 3 file carries are dropped: the facts hold those figures.
 */
export function readResults(json: unknown): ResultsRead {
  const parsed = resultsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ResultsFileError(parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`));
  }
  const file = parsed.data;
  if (file.schemaVersion === 3) {
    const workloads = file.workloads.map((w) => ({ ...withoutView(w), base: w.base ? withoutView(w.base) : null }));
    return { ...file, workloads } as ResultsRead;
  }
  const margin = file.settings.margin;
  const workloads = file.workloads.map(({ base, ...stored }) => ({
    ...sideFromStored(stored, margin),
    python: stored.python || (file.schemaVersion === 1 ? file.environment.python : ''),
    base: base ? { recommendation: base.recommendation, detail: sideFromStored(base.detail, margin) } : null,
  }));
  // Each row keeps its name, python, status and changes (sideFromStored passes them through).
  return { ...file, workloads } as unknown as ResultsRead;
}

/** A row or base of a version 3 file without its `speedup` view (the facts hold those figures). */
function withoutView<T extends object>(row: T): T {
  const copy = { ...row } as T & { speedup?: unknown };
  delete copy.speedup;
  return copy;
}

/**
 * The results file for a Results value: version 3, with `speedup` per workload and in `base` written
 * as views of the facts (each model's best-arm speedup under the verdict's pool lifetime), the fields
 * users and the action's consumers read; nothing else is stored twice.
 */
export function resultsFile(results: Results): Omit<Results, 'schemaVersion'> & { schemaVersion: 3 } {
  const view = (side: SideResult): ModelFigures => modelFigures(side, 'speedup');
  return {
    ...results,
    schemaVersion: 3,
    workloads: results.workloads.map((w) => {
      const { name, python, status, recommendation, reason, ...rest } = w;
      return {
        name,
        python,
        status,
        recommendation,
        reason,
        speedup: view(w),
        ...rest,
        base: w.base ? { recommendation: w.base.recommendation, speedup: view(w.base.detail), detail: w.base.detail } : null,
      };
    }),
  };
}
