// The python runner's JSON outputs (python/gilgate_runner.py), validated at the boundary instead of
// cast: one schema per mode. The fields of today's runner are required; the fields the runner is
// gaining (placement, CPUs, repetitions, steady state, interpreters, the GIL after import, the
// machine probe) are optional here so either runner parses; the integrator makes them required
// when both sides have merged.
import { z } from 'zod';
import type { Failure, PythonEnvironment, TrialMeasurement, WorkloadProbe } from '../types.js';

const FAILURE_KINDS = ['python-missing', 'import', 'tasks', 'task', 'timeout', 'crash', 'pickle', 'runner'] as const;

export const failureSchema = z.looseObject({
  ok: z.literal(false),
  kind: z.enum(FAILURE_KINDS),
  type: z.string(),
  message: z.string(),
  traceback: z.string(),
  /** The runner writes ""; the TypeScript side fills it from the interpreter's stderr. */
  stderrTail: z.string().default(''),
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
  // being added by the runner
  cpus: z.array(z.number().int().nonnegative()).optional(),
  placement: z.enum(['affinity', 'unsupported']).optional(),
  startMethods: z.array(z.string()).optional(),
  interpretersUnavailable: z.string().nullable().optional(),
});

export const probeSchema = z.looseObject({
  ok: z.literal(true),
  taskCount: z.number().int().nonnegative(),
  processesUnavailable: z.string().nullable(),
  spawnProblem: z.string().nullable(),
  pilotWallSeconds: z.number().nonnegative(),
  pilotCpuSeconds: z.number().nonnegative(),
  // being added by the runner
  interpretersUnavailable: z.string().nullable().optional(),
  startMethod: z.string().optional(),
  gilEnabledAfterImport: z.boolean().optional(),
  gilReenabledBy: z.string().nullable().optional(),
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
  // being added by the runner
  cpu: z.number().int().nonnegative().nullable().optional(),
  repetitions: z.array(repetitionSchema).optional(),
  steadySeconds: z.number().nonnegative().optional(),
  repetitionsDiffer: z.boolean().optional(),
});

/** The machine probe (a new runner mode): each CPU's loop time and what N processes deliver. */
export const machineSchema = z.looseObject({
  ok: z.literal(true),
  cpus: z.array(z.looseObject({ cpu: z.number().int().nonnegative(), loopSeconds: z.number().positive() })),
  capacity: z.array(z.looseObject({ workers: z.number().int().positive(), ratio: z.number().positive() })),
  singleLoopSeconds: z.number().positive(),
});

const OUTPUT_SCHEMAS = {
  environment: environmentSchema,
  probe: probeSchema,
  trial: trialSchema,
  machine: machineSchema,
} as const;

export type RunnerMode = keyof typeof OUTPUT_SCHEMAS;
export type RunnerFailure = z.infer<typeof failureSchema>;
export type RunnerEnvironment = z.infer<typeof environmentSchema>;
export type RunnerProbe = z.infer<typeof probeSchema>;
export type RunnerTrial = z.infer<typeof trialSchema>;
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

/** Validate one parsed runner result: a failure (any mode) or the mode's own output. */
export function parseRunnerOutput(mode: 'environment', json: unknown): RunnerEnvironment | RunnerFailure;
export function parseRunnerOutput(mode: 'probe', json: unknown): RunnerProbe | RunnerFailure;
export function parseRunnerOutput(mode: 'trial', json: unknown): RunnerTrial | RunnerFailure;
export function parseRunnerOutput(mode: 'machine', json: unknown): RunnerMachine | RunnerFailure;
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
  failure: (value: RunnerFailure) => Failure;
} = { environment: (v) => v, probe: (v) => v, trial: (v) => v, failure: (v) => v };
