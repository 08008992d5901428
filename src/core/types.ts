// The nouns every stage shares. Pure data: no functions with side effects live here.
// The Results value at the bottom is both the results JSON (schemaVersion 1, see docs/results.md)
// and the single input every report renderer takes.

export type Model = 'serial' | 'threads' | 'processes';
export type ParallelModel = Exclude<Model, 'serial'>;
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
  /** multiprocessing start method for the pools (`start-method`, the workload's over the global one); null = the interpreter's default. */
  startMethod: StartMethod | null;
  /** Which cost the verdict answers: a pool created per batch (start-up paid every time) or a long-lived one (steady state). */
  pool: PoolLifetime;
}

export type StartMethod = 'fork' | 'forkserver' | 'spawn';
export type PoolLifetime = 'per-batch' | 'long-lived';

export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute directory of the config file: `paths` and module imports are relative to it. */
  dir: string;
  /** The first of `pythons`: the interpreter a single run uses. */
  python: string;
  /** Every interpreter command of the config's `python` (a string or a list: a matrix), at least one. */
  pythons: string[];
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
  /** `new`: absent in base; `removed`: absent in head (then head fields describe base). */
  status: 'measured' | 'new' | 'removed';
  base: (Pick<SideResult, 'recommendation' | 'speedup'> & { detail: SideResult }) | null;
  /** Head vs base for the recommended model at its best worker count. */
  vsBase: Comparison | null;
  regressions: Regression[];
  improvements: Improvement[];
}

export interface Results {
  /** The file format: writers write the newest; readers (contracts/results.ts) accept 1 and 2. */
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
}
