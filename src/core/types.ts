// The nouns every stage shares. Pure data: no functions with side effects live here.
// The Results value at the bottom is both the results JSON (schemaVersion 2, see docs/results.md)
// and the single input every report renderer takes.

// 'interpreters' (InterpreterPoolExecutor, Python >= 3.14) is planned by the engine; the verdict
// judges threads and processes until verdict.ts learns the third model (the verdict engineer's part).
export type Model = 'serial' | 'threads' | 'processes' | 'interpreters';
export type ParallelModel = 'threads' | 'processes';
export const PARALLEL_MODELS: readonly ParallelModel[] = ['threads', 'processes'];

export type Recommendation = 'threads' | 'processes' | 'either' | 'serial' | 'inconclusive' | 'error';

/** One way of running a workload: serial (workers = 1) or a pool of N workers. */
export interface Arm {
  model: Model;
  workers: number;
}

/** Which commit a measurement belongs to. Without --base every trial is `head`. */
export type Side = 'head' | 'base';

// ---------------------------------------------------------------- config

export interface WorkloadConfig {
  name: string;
  /** "module:function", called once per task with the task's argument. */
  run: string;
  /** "module:function" returning a list or an int N, or a literal int. */
  tasks: string | number;
  /** Seconds per trial before the whole process tree is killed. */
  timeout: number;
  /** Worker counts to sweep instead of the automatic sweep (optional). */
  workers?: number[];
  // engine: minimal stand-ins for the plumbing engineer's fields (same names); absent = default.
  /** Which pool cost the verdict answers (default per-batch). */
  pool?: 'per-batch' | 'long-lived';
  /** Start method for process pools; null/absent = the interpreter's default. */
  startMethod?: 'fork' | 'forkserver' | 'spawn' | null;
}

export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute directory of the config file: `paths` and module imports are relative to it. */
  dir: string;
  /** The interpreter command: pythons[0]. */
  python: string;
  // engine: stand-in for the plumbing engineer's field; absent = [python].
  /** Every interpreter to measure, interleaved in one run. */
  pythons?: string[];
  /** Absolute paths added to sys.path. */
  paths: string[];
  workloads: WorkloadConfig[];
  /** Relative slowdown that counts as a regression (0.10 = 10%). */
  threshold: number;
  /** Relative difference under which two models count as equivalent (0.10 = 10%). */
  margin: number;
  /** Relative peak-RSS growth that counts as a memory regression (0.20 = 20%). */
  memoryThreshold: number;
  /** Family-wise false-alarm rate for each comparison, spent across sequential looks. */
  alpha: number;
  minRounds: number;
  maxRounds: number;
}

export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted key path, e.g. "workloads[1].run". */
  key: string;
  message: string;
}

// ---------------------------------------------------------------- python side

export interface PythonEnvironment {
  cores: number;
  /** How cores was found: "affinity", "cgroup cpu.max", ... */
  coresSource: string;
  python: string;
  implementation: string;
  executable: string;
  gilEnabled: boolean;
  /** True when the build is free-threaded (Py_GIL_DISABLED), whatever the runtime GIL state. */
  freeThreadedBuild: boolean;
  startMethod: string;
  os: string;
  cpuModel: string;
  // engine: stand-ins for the runner engineer's fields (same names). A runner that does not report
  // them is read as: no placement, no interpreters.
  /** Usable CPUs (the affinity mask). */
  cpus: number[];
  /** Whether trials can be pinned to a CPU. */
  placement: 'affinity' | 'unsupported';
  /** Why InterpreterPoolExecutor cannot run here, or null. */
  interpretersUnavailable: string | null;
}

/** The machine probe (runner engineer): each CPU's speed and what N workers deliver. */
export interface MachineProbe {
  cpus: Array<{ cpu: number; loopSeconds: number }>;
  capacity: Array<{ workers: number; ratio: number }>;
  singleLoopSeconds: number;
}

/** What one probe of a workload learned before any timed trial (import, tasks, pickling, spawn). */
export interface WorkloadProbe {
  ok: true;
  taskCount: number;
  /** Why processes cannot run this workload (pickling), or null. */
  processesUnavailable: string | null;
  /** Why the code would break under the `spawn` start method (macOS/Windows default), or null. */
  spawnProblem: string | null;
  /** One serial pass, untimed for decisions, used to plan: wall and CPU seconds. */
  pilotWallSeconds: number;
  pilotCpuSeconds: number;
  // engine: stand-in for the runner engineer's field; absent is read as unavailable.
  /** Why this workload cannot run in subinterpreters, or null. */
  interpretersUnavailable?: string | null;
}

export type FailureKind =
  | 'python-missing' // interpreter not found
  | 'import' // module/function missing or import error
  | 'tasks' // the tasks function failed or returned nonsense
  | 'task' // an exception inside a task
  | 'timeout' // trial ran past `timeout`
  | 'crash' // interpreter or worker died (segfault, os._exit, BrokenProcessPool)
  | 'pickle' // could not pickle function, argument or result
  | 'runner'; // the runner itself broke (a gilgate bug)

export interface Failure {
  ok: false;
  kind: FailureKind;
  /** Exception type name, e.g. "ZeroDivisionError". */
  type: string;
  message: string;
  /** Python traceback text, "" when none. */
  traceback: string;
  /** Last lines of the interpreter's stderr, for context. */
  stderrTail: string;
}

export interface TrialMeasurement {
  ok: true;
  /** Seconds from creating the pool to its shutdown: what users pay. For serial, the loop. */
  wallSeconds: number;
  /** Seconds the pool took to start its workers (0 for serial). */
  startupSeconds: number;
  /** CPU seconds: this interpreter plus reaped children, during the timed region. */
  cpuSeconds: number;
  /** Peak RSS of the parent interpreter, bytes. */
  peakRssSelfBytes: number;
  /** Peak RSS of the largest reaped child, bytes (0 when none). */
  peakRssChildBytes: number;
  tasks: number;
  /** sha256 of repr(results) in task order. */
  digest: string;
  /** False when repr(results) holds object addresses, so digests cannot be compared. */
  digestStable: boolean;
  chunksize: number | null;
  startMethod: string | null;
}

export type TrialOutcome = TrialMeasurement | Failure;

// ---------------------------------------------------------------- plan

export interface ScheduledTrial {
  workload: string;
  side: Side;
  arm: Arm;
  /** The CPU a serial trial is pinned to; null = unpinned (pools, or no affinity). */
  cpu: number | null;
}

// ---------------------------------------------------------------- experiment (engine)

/** One trial the experiment asks the shell to run. */
export interface TrialRequest {
  workload: string;
  /** Index into the run's interpreters (Config.pythons, Results.values.environments). */
  interpreter: number;
  side: Side;
  arm: Arm;
  cpu: number | null;
  /** Timed repetitions inside the trial (after one untimed warm-up). */
  repetitions: number;
  startMethod: 'fork' | 'forkserver' | 'spawn' | null;
}

/** Every measured value, as kept in the results (schemaVersion 2). */
export interface TrialRecord {
  workload: string;
  /** The interpreter's label: its command in the config. */
  python: string;
  side: Side;
  round: number;
  arm: Arm;
  cpu: number | null;
  outcome: TrialOutcome;
}

/** What one workload probe returned, for one interpreter and side. */
export interface ProbeRecord {
  workload: string;
  python: string;
  side: Side;
  probe: WorkloadProbe | Failure;
}

export type StopReason = 'settled' | 'budget' | 'cap';

/** What the experiment wants next: a machine probe, one round of trials, or nothing more. */
export type Step =
  | { kind: 'machine' }
  | { kind: 'trials'; round: number; trials: TrialRequest[] }
  | { kind: 'stop'; reason: StopReason };

/** What was learned by running a step; trial outcomes in the order of the step's trials. */
export type Observation =
  | { kind: 'trials'; outcomes: TrialOutcome[] }
  | { kind: 'machine'; probe: MachineProbe | null };

/** What the run was asked to measure: enough, with the values, to judge it again. */
export interface ExperimentSetup {
  /** Interpreter labels (their commands), index = interpreter. */
  pythons: string[];
  /** Head workloads (or, without --base, the only side). */
  workloads: WorkloadConfig[];
  /** null without --base. workloads null: the base config was missing or invalid, so base runs head's. */
  base: { workloads: WorkloadConfig[] | null; configMissing: boolean } | null;
}

/** Every value measured, beside the summaries (schemaVersion 2): rejudge() reads only these. */
export interface ResultValues {
  setup: ExperimentSetup;
  trials: TrialRecord[];
  probes: ProbeRecord[];
  /** One per interpreter, index = interpreter. */
  environments: PythonEnvironment[];
  machine: MachineProbe[];
  /** Why rounds stopped (null when finish() was called before next() said stop). */
  stopReason: StopReason | null;
}

// ---------------------------------------------------------------- stats

/** Ratio of times a/b with a confidence interval, from paired per-round log ratios. */
export interface RatioEstimate {
  ratio: number;
  lower: number;
  upper: number;
  /** Confidence level of [lower, upper], e.g. 0.999. */
  level: number;
  /** Two-sided p-value for ratio = 1. */
  pValue: number;
  n: number;
}

/** Three outcomes plus "not yet": how a compares with b in time. */
export type ComparisonOutcome = 'a-faster' | 'b-faster' | 'equivalent' | 'unknown';

export interface Comparison {
  outcome: ComparisonOutcome;
  estimate: RatioEstimate;
}

export interface SampleSummary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Coefficient of variation (sd / mean), 0 for fewer than two samples. */
  cv: number;
}

// ---------------------------------------------------------------- results (the contract)

export interface ArmResult {
  model: Model;
  workers: number;
  /** Total wall seconds per trial. */
  wall: SampleSummary;
  startupSeconds: number;
  /** CPU seconds / wall seconds (median). */
  cpuPerWall: number;
  /** Peak RSS estimate for the whole pool: parent + workers × largest child (median), bytes. */
  peakRssBytes: number;
  /** Speedup vs serial (median serial / median this), 1 for serial. */
  speedup: number;
  chunksize: number | null;
  failures: number;
}

export type WorkloadCharacter =
  | 'cpu-bound-gil' // pure-Python CPU work: threads serialize
  | 'gil-releasing' // C code that releases the GIL: threads scale
  | 'io-wait' // mostly waits
  | 'overhead-bound' // tasks too small: pools cost more than they give
  | 'memory-heavy'
  | 'unknown';

export type RegressionKind = 'slower' | 'flip' | 'scaling' | 'memory' | 'failing';

export interface Regression {
  kind: RegressionKind;
  detail: string;
  /** Ratio estimate behind it, when there is one. */
  estimate?: RatioEstimate;
}

export interface Improvement {
  kind: 'faster' | 'scaling' | 'memory' | 'fixed';
  detail: string;
  estimate?: RatioEstimate;
}

export interface SideResult {
  recommendation: Recommendation;
  reason: string;
  speedup: { threads: number | null; processes: number | null };
  character: WorkloadCharacter;
  arms: ArmResult[];
  /** Models that could not run, with the reason. */
  unavailable: Partial<Record<ParallelModel, string>>;
  /** Warnings a reviewer must see: spawn portability, race hints, nondeterminism. */
  warnings: string[];
  error: { kind: FailureKind; message: string; traceback: string } | null;
  rounds: number;
  /** The key comparisons behind the verdict (time ratios). */
  comparisons: {
    threadsVsSerial: Comparison | null;
    processesVsSerial: Comparison | null;
    threadsVsProcesses: Comparison | null;
  };
}

export interface WorkloadResult extends SideResult {
  name: string;
  /** The interpreter (its command in the config): one result per (workload, interpreter). */
  python: string;
  /** `new`: absent in base; `removed`: absent in head (then head fields describe base). */
  status: 'measured' | 'new' | 'removed';
  base: (Pick<SideResult, 'recommendation' | 'speedup'> & { detail: SideResult }) | null;
  /** Head vs base for the recommended model at its best worker count. */
  vsBase: Comparison | null;
  regressions: Regression[];
  improvements: Improvement[];
}

export interface Results {
  /** The engine writes 2; readers also accept 1 (no `values`, one interpreter). */
  schemaVersion: 1 | 2;
  tool: { name: 'gilgate'; version: string };
  environment: PythonEnvironment;
  settings: {
    seed: number;
    threshold: number;
    margin: number;
    memoryThreshold: number;
    alpha: number;
    minRounds: number;
    maxRounds: number;
    maxTimeSeconds: number | null;
    /** Variables set for every trial (OMP_NUM_THREADS=1, PYTHONHASHSEED=0, ...). */
    trialEnvironment: Record<string, string>;
  };
  git: { head: string | null; base: string | null; baseRef: string | null };
  config: string;
  workloads: WorkloadResult[];
  regressions: number;
  improvements: number;
  /** Rounds run (the most any workload took). */
  rounds: number;
  totalSeconds: number;
  startedAt: string;
  /** True when --max-time stopped rounds before every workload was decided. */
  budgetExhausted: boolean;
  /** Every measured value (schemaVersion 2; absent in version 1 files). */
  values?: ResultValues;
}
