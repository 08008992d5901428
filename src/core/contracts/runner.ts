// The python runner's JSON outputs (python/gilgate_runner.py), validated at the boundary instead of
// cast: one schema per mode. Results files of schemaVersion 1 hold environments written before the
// runner measured placement and interpreters: those fields get the defaults that say so.
import { z } from 'zod';
import { FAILURE_KINDS, type Failure, type MachineProbe, type PythonEnvironment, type TrialMeasurement, type WorkloadProbe } from '../types.js';

export const failureSchema = z.looseObject({
  ok: z.literal(false),
  kind: z.enum(FAILURE_KINDS),
  type: z.string(),
  message: z.string(),
  traceback: z.string(),
  /** The runner writes ""; the TypeScript side fills it from the interpreter's stderr. */
  stderrTail: z.string().default(''),
  missingModule: z.string().nullable().default(null),
});

/** Where a probe's or trial's code came from; null in results written before it was recorded. */
export const provenanceSchema = z.looseObject({
  workload: z.array(z.looseObject({ module: z.string(), file: z.string().nullable() })),
  packages: z.array(z.looseObject({ name: z.string(), file: z.string().nullable() })),
  digest: z.string(),
  fileCount: z.number().int().nonnegative(),
  modules: z.array(z.looseObject({ name: z.string(), file: z.string(), repository: z.boolean() })).optional(),
});

export const environmentSchema = z.looseObject({
  cores: z.number().int().positive(),
  coresSource: z.string(),
  python: z.string(),
  implementation: z.string(),
  executable: z.string(),
  gilEnabled: z.boolean(),
  freeThreadedBuild: z.boolean(),
  startMethod: z.string(),
  os: z.string(),
  cpuModel: z.string(),
  cpus: z.array(z.number().int().nonnegative()).default([]),
  placement: z.enum(['affinity', 'unsupported']).default('unsupported'),
  startMethods: z.array(z.string()).default([]),
  interpretersUnavailable: z.string().nullable().default('not recorded (a results file from before interpreters were measured)'),
});

export const probeSchema = z.looseObject({
  ok: z.literal(true),
  taskCount: z.number().int().nonnegative(),
  processesUnavailable: z.string().nullable(),
  spawnProblem: z.string().nullable(),
  pilotWallSeconds: z.number().nonnegative(),
  pilotCpuSeconds: z.number().nonnegative(),
  interpretersUnavailable: z.string().nullable(),
  startMethod: z.string(),
  gilEnabledAfterImport: z.boolean(),
  gilReenabledBy: z.string().nullable(),
  provenance: provenanceSchema.nullable().default(null),
});

const repetitionSchema = z.looseObject({
  wallSeconds: z.number().nonnegative(),
  steadySeconds: z.number().nonnegative(),
  startupSeconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
});

export const trialSchema = z.looseObject({
  ok: z.literal(true),
  wallSeconds: z.number().nonnegative(),
  startupSeconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
  peakRssSelfBytes: z.number().nonnegative(),
  peakRssChildBytes: z.number().nonnegative(),
  tasks: z.number().int().nonnegative(),
  digest: z.string(),
  digestStable: z.boolean(),
  chunksize: z.number().int().positive().nullable(),
  startMethod: z.string().nullable(),
  cpu: z.number().int().nonnegative().nullable(),
  repetitions: z.array(repetitionSchema).min(1),
  steadySeconds: z.number().nonnegative(),
  repetitionsDiffer: z.boolean(),
  provenance: provenanceSchema.nullable().default(null),
});

/** A trial as the runner writes it: every repetition; the per-trial values are added by python.ts. */
export const runnerTrialSchema = trialSchema.omit({ wallSeconds: true, steadySeconds: true, startupSeconds: true, cpuSeconds: true });

/** The machine probe (a new runner mode): each CPU's loop time and what N processes deliver. */
export const machineSchema = z.looseObject({
  ok: z.literal(true),
  cpus: z.array(z.looseObject({ cpu: z.number().int().nonnegative(), loopSeconds: z.number().positive() })),
  capacity: z.array(
    z.looseObject({
      workers: z.number().int().positive(),
      ratio: z.number().positive(),
      ratios: z.array(z.number().positive()).optional(),
      attempts: z.number().int().positive().optional(),
      disturbed: z.boolean().optional(),
    }),
  ),
  singleLoopSeconds: z.number().positive(),
});

const OUTPUT_SCHEMAS = {
  environment: environmentSchema,
  probe: probeSchema,
  trial: runnerTrialSchema,
  machine: machineSchema,
} as const;

export type RunnerMode = keyof typeof OUTPUT_SCHEMAS;
export type RunnerFailure = z.infer<typeof failureSchema>;
export type RunnerEnvironment = z.infer<typeof environmentSchema>;
export type RunnerProbe = z.infer<typeof probeSchema>;
export type RunnerTrial = z.infer<typeof runnerTrialSchema>;
export type RunnerMachine = z.infer<typeof machineSchema>;

/** Thrown when the runner wrote JSON that is not what its mode promises: a gilgate bug, named precisely. */
export class RunnerOutputError extends Error {
  constructor(
    readonly mode: RunnerMode,
    readonly issues: string[],
  ) {
    super(`the runner's ${mode} output does not match its contract: ${issues.join('; ')}`);
    this.name = 'RunnerOutputError';
  }
}

/** What each mode writes when it succeeds. */
export interface RunnerOutputs {
  environment: RunnerEnvironment;
  probe: RunnerProbe;
  trial: RunnerTrial;
  machine: RunnerMachine;
}

/** Validate one parsed runner result: a failure (any mode) or the mode's own output. */
export function parseRunnerOutput<M extends RunnerMode>(mode: M, json: unknown): RunnerOutputs[M] | RunnerFailure;
export function parseRunnerOutput(
  mode: RunnerMode,
  json: unknown,
): RunnerEnvironment | RunnerProbe | RunnerTrial | RunnerMachine | RunnerFailure {
  const failure = failureSchema.safeParse(json);
  if (failure.success) return failure.data;
  const parsed = OUTPUT_SCHEMAS[mode].safeParse(json);
  if (parsed.success) return parsed.data;
  throw new RunnerOutputError(
    mode,
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

// Compile-time checks that a parsed output is what today's code consumes (no casts needed).
export const parsedAreTodaysTypes: {
  environment: (value: z.infer<typeof environmentSchema>) => PythonEnvironment;
  probe: (value: z.infer<typeof probeSchema>) => WorkloadProbe;
  trial: (value: z.infer<typeof trialSchema>) => TrialMeasurement;
  machine: (value: z.infer<typeof machineSchema>) => MachineProbe;
  failure: (value: RunnerFailure) => Failure;
} = { environment: (v) => v, probe: (v) => v, trial: (v) => v, machine: (v) => v, failure: (v) => v };
