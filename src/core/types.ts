import type { Outlook } from './outlook.js';
import type { ShardRecord } from './shard.js';

// The nouns every stage shares. Pure data: no functions with side effects live here.
// The Results value at the bottom is the single input every report renderer takes; the results
// JSON (schemaVersion 3, see docs/results.md) is it plus views derived when written.

export type Model = 'serial' | 'threads' | 'processes' | 'interpreters';
export type ParallelModel = Exclude<Model, 'serial'>;
/** Every parallel model, in report order. */
export const PARALLEL_MODELS: readonly ParallelModel[] = ['threads', 'processes', 'interpreters'];
/**
 * Cheapest first: threads share memory and need no pickling; interpreters need no second process
 * but copy what they share; processes hold a whole interpreter and pickle every argument and result.
 * Within the margin of each other, the cheaper model is recommended.
 */
export const COST_ORDER: readonly ParallelModel[] = ['threads', 'interpreters', 'processes'];

/** `either`: threads and processes are equivalent within the margin (threads preferred in words). */
export type Recommendation = 'threads' | 'processes' | 'interpreters' | 'either' | 'serial' | 'inconclusive' | 'error';

/** Per-batch: a pool is created for each batch, so its start-up counts; long-lived: it is not. */
export type PoolLifetime = 'per-batch' | 'long-lived';

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

/** The numbers every decision uses: from the config, recorded in the results' settings. */
export interface DecisionSettings {
  /** Relative slowdown that counts as a regression (0.10 = 10%). */
  threshold: number;
  /** Relative difference under which two models count as equivalent (0.10 = 10%). */
  margin: number;
  /** Relative peak-RSS growth that counts as a memory regression (0.20 = 20%). */
  memoryThreshold: number;
  /** Family-wise false-alarm rate for each comparison, spent across sequential looks. */
  alpha: number;
  /**
   * The gate's miss rate: the chance that a head exactly `threshold` slower passes as "no
   * regression", spent across looks. Absent in results written before it existed (then 0.05).
   */
  beta?: number;
  minRounds: number;
  maxRounds: number;
}

export interface Config extends DecisionSettings {
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
  /** A command run in each side's tree inside its own virtual environment before probing
   *  (e.g. `pip install --no-deps --no-build-isolation -e .`); null: none. */
  install?: string | null;
  workloads: WorkloadConfig[];
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
  /** Usable CPU ids (the affinity mask, as many as `cores`); 0..cores-1 where there is no mask. */
  cpus: number[];
  /** 'unsupported' where trials cannot be pinned to a CPU (no os.sched_setaffinity, e.g. macOS). */
  placement: 'affinity' | 'unsupported';
  python: string;
  implementation: string;
  /** sys.executable, not resolved through links (a venv's python stays the venv's). Every call
   *  after the environment probe runs this path. */
  executable: string;
  gilEnabled: boolean;
  /** True when the build is free-threaded (Py_GIL_DISABLED), whatever the runtime GIL state. */
  freeThreadedBuild: boolean;
  /** The interpreter's default multiprocessing start method. */
  startMethod: string;
  /** multiprocessing.get_all_start_methods(), default first. */
  startMethods: string[];
  /** Why InterpreterPoolExecutor cannot run here (e.g. "needs Python 3.14 or later (this is
   *  CPython 3.11.7)"), or null. */
  interpretersUnavailable: string | null;
  os: string;
  cpuModel: string;
}

/** One CPU's speed: the median time of the machine probe's loop pinned to it. */
export interface CpuSpeed {
  cpu: number;
  loopSeconds: number;
}

/**
 * What N busy processes deliver against one, from one probe: the median over runs of
 * N × wall(1) / wall(N) (older probes: N × singleLoopSeconds / wall(N), median of 3).
 */
export interface CapacityPoint {
  workers: number;
  ratio: number;
  /** Every run's ratio (absent in probes before they were kept): the probe's own spread. */
  ratios?: number[];
  /** How many times the probe was taken: more than 1 when a median broke min(N, CPUs). */
  attempts?: number;
  /** Every attempt broke min(N, CPUs): the machine was disturbed throughout. */
  disturbed?: boolean;
}

/** What the machine can deliver: per-CPU speed, and N processes' throughput against one. */
export interface MachineProbe {
  ok: true;
  /** One entry per usable CPU (unpinned times where placement is unsupported). */
  cpus: CpuSpeed[];
  /** capacity(N): what N busy processes deliver against one (see CapacityPoint). */
  capacity: CapacityPoint[];
  /** Mean of the per-CPU medians: t1 in the capacity ratio. */
  singleLoopSeconds: number;
}

/** What one probe of a workload learned before any timed trial (import, tasks, pickling, spawn). */
export interface WorkloadProbe {
  ok: true;
  taskCount: number;
  /** Why processes cannot run this workload with `startMethod` (pickling, a failing pool), or null. */
  processesUnavailable: string | null;
  /** Why the code would break under the `spawn` start method (macOS/Windows default), or null. */
  spawnProblem: string | null;
  /** Why interpreters cannot run it: the Python version, pickling, or the module that cannot be
   *  imported in a subinterpreter; null when a 1-worker interpreter pool ran the first tasks. */
  interpretersUnavailable: string | null;
  /** The start method the processes check used (the spec's, else the interpreter's default). */
  startMethod: string;
  /** sys._is_gil_enabled() after importing the workload and building its tasks (true before 3.13). */
  gilEnabledAfterImport: boolean;
  /** On a free-threaded build, the module whose import turned the GIL back on, or null. */
  gilReenabledBy: string | null;
  /** One serial pass, untimed for decisions, used to plan: wall and CPU seconds. */
  pilotWallSeconds: number;
  pilotCpuSeconds: number;
  /** Where the workload's code came from (null in files written before provenance was recorded). */
  provenance?: Provenance | null;
}

/**
 * Where a probe's or trial's code came from (python/gilgate_runner.py, provenance): what proves
 * that each side ran its own code (src/core/provenance.ts).
 */
export interface Provenance {
  /** The run and tasks modules and the files they were loaded from. */
  workload: { module: string; file: string | null }[];
  /** The repository's top-level packages the workload imported (named in the side's tree, or
   *  loaded from one of its roots) and the file each was loaded from. */
  packages: { name: string; file: string | null }[];
  /** sha256 over those modules' names and file contents: equal exactly when the code was. */
  digest: string;
  fileCount: number;
  /** Probes only (trials repeat the digest): every imported module of the repository, and the
   *  other top-level packages imported (dependencies, repository: false), with their files. */
  modules?: { name: string; file: string; repository: boolean }[];
}

/** Every kind of failure, spelled once: the type below and the contracts' enums (contracts/) read it. */
export const FAILURE_KINDS = [
  'python-missing', // interpreter not found
  'import', // module/function missing or import error
  'tasks', // the tasks function failed or returned nonsense
  'task', // an exception inside a task
  'timeout', // trial ran past `timeout`
  'crash', // interpreter or worker died (segfault, os._exit, BrokenProcessPool)
  'pickle', // could not pickle function, argument or result
  'runner', // the runner itself broke (a gilgate bug)
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

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
  /** For an import failure, the module that could not be found (ImportError.name), when known. */
  missingModule?: string | null;
}

/** One timed repetition of a trial. */
export interface RepetitionValues {
  /** Seconds from creating the pool to the end of its shutdown: what a per-batch pool pays. For
   *  serial, the loop. */
  wallSeconds: number;
  /** Seconds of the map over every task: what a long-lived pool pays per batch (serial: wall). */
  steadySeconds: number;
  /** Seconds until the workers ran and had the workload's function loaded (0 for serial). */
  startupSeconds: number;
  /** CPU seconds: this interpreter plus reaped children. */
  cpuSeconds: number;
}

export interface TrialMeasurement {
  ok: true;
  /** The CPU the interpreter was pinned to, null when unpinned (pools, or no affinity). */
  cpu: number | null;
  /** Every timed repetition, in order, after one untimed warm-up call. */
  repetitions: RepetitionValues[];
  /** trialValue() over the repetitions of each field (src/core/repetitions.ts). */
  wallSeconds: number;
  steadySeconds: number;
  startupSeconds: number;
  cpuSeconds: number;
  /** Peak RSS of the parent interpreter, bytes. */
  peakRssSelfBytes: number;
  /** Peak RSS of the largest reaped child, bytes (0 when none). */
  peakRssChildBytes: number;
  tasks: number;
  /** sha256 of repr(results) of the first repetition, in task order. */
  digest: string;
  /** False when repr(results) holds object addresses, so digests cannot be compared. */
  digestStable: boolean;
  /** True when a later repetition's (stable) digest differed from the first's: nondeterminism. */
  repetitionsDiffer: boolean;
  chunksize: number | null;
  /** Where the trial's code came from (absent in files written before provenance was recorded). */
  provenance?: Provenance | null;
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
  /**
   * Trials of one round with the same group run in lockstep: all started and warmed, then taking
   * turns repetition by repetition, so that a burst of the shared CPU hits every trial of the group
   * alike instead of the one that happened to run then (docs/engine.md, "Lockstep"). A group is one
   * workload variant: its arms, head and base.
   */
  group: number;
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
  /**
   * null without --base. workloads null: the base config was missing or invalid, so base runs head's.
   * pythons: the interpreters base ran (the base config's, position i ↔ head's i); absent when base
   * ran head's. environments: their probes, same positions (absent: head's environments).
   */
  base: { workloads: WorkloadConfig[] | null; configMissing: boolean; pythons?: string[]; environments?: PythonEnvironment[] } | null;
  /** Where each side's code lives (absent without --base, and in files written before it was recorded). */
  sides?: SidesSetup;
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
  /** The t statistic of the paired (trimmed) mean and its degrees of freedom, where there was a spread. */
  t?: number;
  df?: number;
  /** The rounds of the sequential look the bounds were taken at (absent before the first look). */
  look?: number;
}

/** Three outcomes plus "not yet": how a compares with b in time. */
export type ComparisonOutcome = 'a-faster' | 'b-faster' | 'equivalent' | 'unknown';

export interface Comparison {
  outcome: ComparisonOutcome;
  estimate: RatioEstimate;
}

/** How value a compares with value b when lower is not "faster" (memory, speedups). */
export type ValueOutcome = 'lower' | 'higher' | 'equivalent' | 'unknown';

export interface ValueComparison {
  outcome: ValueOutcome;
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
  /** Speedup vs serial (median serial / median this), 1 for serial: per batch, pool start-up included. */
  speedup: number;
  /** Speedup once started (steady time: the map alone), 1 for serial. Absent in files before v2. */
  steadySpeedup?: number;
  /** What this machine delivers with this many busy workers (MachineProbe capacity), null without a probe. */
  capacity?: number | null;
  /** The pool's start-up from every repetition of every trial (each wall − steady, unclamped): the
   *  median, its distribution-free 95% interval (both at least 0), and how many repetitions; absent
   *  in older files and for serial. */
  startupInterval?: { estimate: number; lower: number; upper: number; repetitions: number };
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

export type RegressionKind = 'slower' | 'flip' | 'scaling' | 'memory' | 'failing' | 'not-compared';

/** What changed between base and head, as figures: report/explain.ts turns it into words. */
export type ChangeFact =
  | { kind: 'failing'; message: string }
  | { kind: 'fixed'; message: string }
  | NotComparedFact
  | { kind: 'time'; direction: 'slower' | 'faster'; arm: string; estimate: RatioEstimate }
  | { kind: 'memory'; direction: 'more' | 'less'; arm: string; estimate: RatioEstimate; threshold: number }
  | { kind: 'flip'; before: Recommendation; after: Recommendation; interpreter?: InterpreterChange }
  | { kind: 'scaling'; direction: 'fell' | 'rose'; arm: string; estimate: RatioEstimate; baseSpeedup: number; headSpeedup: number };

/**
 * Head and base did not each run their own code, so nothing was compared (src/core/provenance.ts):
 * - head-tree: base imported `module` from head's working tree (an editable install of head);
 * - head-venv: base imported it from head's environment;
 * - same-files: both sides imported the same files (an installed copy outside both trees);
 * - outside-tree: base imported it from outside its worktree and its own environment;
 * - same-code: base's code is byte-identical to head's though git says those files changed;
 * - base-import: base could not import `module`, which head imported from `headFile`.
 */
export interface NotComparedFact {
  kind: 'not-compared';
  reason: 'head-tree' | 'head-venv' | 'same-files' | 'outside-tree' | 'same-code' | 'base-import';
  module: string | null;
  baseFile: string | null;
  headFile: string | null;
  /** headFile is a file git does not track (ignored or untracked): the base worktree lacks it. */
  untracked: boolean;
}

/** Where each side's code lives, what provenance is checked against (measure/sides.ts). */
export interface SideTree {
  /** Head's working tree or base's git worktree (the repository root on that side). */
  root: string;
  commit: string | null;
  /** The side's virtual environments (one per interpreter) made for `install:`; [] without it. */
  venvs: string[];
  /** Seconds the side's environments and `install:` took (0 without it). */
  installSeconds: number;
}

export interface SidesSetup {
  head: SideTree;
  base: SideTree;
  /** The `install:` command run in each side's tree and environment; null without one. */
  install: string | null;
  /** Absolute `paths:` outside the repository: both sides import them as they are. */
  shared: string[];
  /** Files (relative to the root) git says differ between base and head (working tree included). */
  changed: string[];
  /** Files head imported from its tree (relative to the root) that git does not track. */
  untracked: string[];
}

/** Which interpreter ran a side: its command and, when it was probed, what it is. */
export interface InterpreterFact {
  command: string;
  implementation: string | null;
  version: string | null;
  freeThreadedBuild: boolean;
}

/** Base ran another interpreter than head (the base config's `python` differs at this position). */
export interface InterpreterChange {
  before: InterpreterFact;
  after: InterpreterFact;
}

export interface Regression {
  kind: RegressionKind;
  detail: string;
  /** Ratio estimate behind it, when there is one. */
  estimate?: RatioEstimate;
  /** The figures `detail` was written from. */
  facts?: ChangeFact;
}

export interface Improvement {
  kind: 'faster' | 'scaling' | 'memory' | 'fixed';
  detail: string;
  estimate?: RatioEstimate;
  facts?: ChangeFact;
}

/** Which rule of the decision fired (docs/statistics.md, "Deciding"). */
export type DecisionRule =
  | 'error' // the probe or serial failed
  | 'no-model-helps' // every available model is ruled out as faster than serial beyond the margin
  | 'only-helper' // exactly one model helps and no other is still open
  | 'fastest' // several help; this one is faster than each other beyond the margin
  | 'within-margin-prefer-cheaper' // the fastest is within the margin of a cheaper helper: the cheaper one
  | 'either' // threads and processes help and are equivalent within the margin
  | 'at-least-as-fast' // a costlier model that helps cannot beat this cheaper one beyond the margin
  | 'threads-at-least-as-fast-at-cap' // the same, in results written before it could settle before the cap
  | 'undecided'; // the data cannot tell yet (or, at the cap, could not)

/** One parallel model's figures, from its best arm. */
export interface ModelFacts {
  model: ParallelModel;
  /** Worker count of the reported (best) arm. */
  workers: number;
  /** Arms of this model compared with serial: α was split over them (winner's curse). */
  armsTested: number;
  /** Speedup vs serial under the verdict's pool lifetime, and its interval. */
  speedup: number;
  lower: number;
  upper: number;
  /** The best arm against serial (time ratio model/serial). */
  vsSerial: Comparison;
  /** Some arm is faster than serial beyond the margin. */
  helps: boolean;
  /** Every arm is ruled out as faster than serial beyond the margin. */
  ruledOut: boolean;
  /**
   * Threads on code that computes ran one at a time: every arm's CPU/wall is within half the margin
   * of serial's, so none can be faster beyond the margin except on a faster CPU (verdict.ts,
   * runOneAtATime). Such threads neither help nor stay open, whatever the timing test says.
   */
  oneAtATime: boolean;
  /**
   * Racing (verdict.ts, racedArms): every arm of this model was shown slower than its side's best
   * arm beyond the margin at some look and stopped running there; the last of those looks and the
   * arm that beat it. Absent when some arm of the model still runs.
   */
  raced?: { round: number; by: string };
  cpuPerWall: number;
  /** Speedup per batch (start-up included) and once started (start-up excluded). */
  wallSpeedup: number;
  steadySpeedup: number;
  startupSeconds: number;
  /** Serial work per batch above which a per-batch pool pays off beyond the margin; null: never. */
  breakEven: number | null;
  /** What this machine delivers at the best arm's worker count, and the speedup's share of it. */
  capacity: number | null;
  capacityShare: number | null;
}

export type WarningFact =
  | { kind: 'spawn'; problem: string }
  | { kind: 'nondeterministic'; distinct: number }
  | { kind: 'race'; model: ParallelModel; differing: number; trials: number }
  | { kind: 'gil-reenabled'; module: string | null };

/** A pairwise comparison named by what it compares (a/b is a time ratio). */
export interface PairFacts {
  a: Model;
  b: Model;
  comparison: Comparison;
}

/** Everything a verdict's sentences are written from (report/explain.ts). */
export interface SideFacts {
  rule: DecisionRule;
  recommendation: Recommendation;
  character: WorkloadCharacter;
  pool: PoolLifetime;
  margin: number;
  rounds: number;
  final: boolean;
  /** The interpreter build: sentences speak of it (free-threaded builds run threads in parallel). */
  build: { freeThreadedBuild: boolean; gilEnabled: boolean } | null;
  /** Serial's median seconds per batch and CPU/wall; null when serial did not run. */
  serial: { seconds: number; cpuPerWall: number } | null;
  models: Partial<Record<ParallelModel, ModelFacts>>;
  unavailable: Partial<Record<ParallelModel, string>>;
  /** Of those, the models this interpreter cannot run for any workload (said once, not per workload). */
  everywhere: Partial<Record<ParallelModel, string>>;
  /** The comparisons between models whose best arms both ran, each pair once, cheaper model as
   *  `a` (COST_ORDER); the comparisons with serial are each model's `vsSerial`. */
  pairs: PairFacts[];
  /** The comparison behind the rule, when one is (fastest, within-margin, either, at-cap). */
  deciding: PairFacts | null;
  /** When undecided: the first comparison still open. */
  open: PairFacts | null;
  /** The verdict under the other pool lifetime, when it differs. */
  otherLifetime: { pool: PoolLifetime; recommendation: Recommendation } | null;
  /** The other lifetime's verdict is still open (e.g. two models that scale alike once started). */
  otherLifetimeOpen?: boolean;
  warnings: WarningFact[];
  error: { kind: FailureKind; message: string } | null;
}

/** The reason and the warnings of a side, in words. */
export interface SideWords {
  reason: string;
  warnings: string[];
}

/** One figure per parallel model, null where the model did not run: a view of the facts
 *  (modelFigures in side-facts.ts), written into the results file, never stored beside them. */
export type ModelFigures = Record<ParallelModel, number | null>;

/**
 * One side's verdict. Every figure lives once, in `facts` (each model's speedups, start-up,
 * break-even, capacity, its comparison with serial; the comparisons between models): readers take
 * them through modelFigure and pairComparison (src/core/side-facts.ts).
 */
export interface SideResult {
  recommendation: Recommendation;
  reason: string;
  /** Which lifetime the verdict answers (per-batch compares wall time, long-lived steady time). */
  pool: PoolLifetime;
  character: WorkloadCharacter;
  arms: ArmResult[];
  /** Models that could not run, with the reason. */
  unavailable: Partial<Record<ParallelModel, string>>;
  /** Warnings a reviewer must see: spawn portability, race hints, nondeterminism. */
  warnings: string[];
  error: { kind: FailureKind; message: string; traceback: string } | null;
  rounds: number;
  /** The figures and the rule behind `reason` (for files before v3, built from their stored figures:
   *  contracts/older-results.ts). */
  facts: SideFacts;
}

export interface WorkloadResult extends SideResult {
  name: string;
  /** The interpreter (its command in the config): one result per (workload, interpreter). */
  python: string;
  /** `new`: absent in base; `removed`: absent in head (then head fields describe base). */
  status: 'measured' | 'new' | 'removed';
  /** The file also carries `base.speedup`, derived from `detail` when written (resultsFile). */
  base: { recommendation: Recommendation; detail: SideResult } | null;
  /** Head vs base for the recommended model at its best worker count. */
  vsBase: Comparison | null;
  regressions: Regression[];
  improvements: Improvement[];
  /** What more cores could give, by Amdahl's law from the measured speedup (a model, not a
   *  measurement); null where it does not apply (not CPU-bound, no parallel recommendation).
   *  Absent in files written before it (src/core/outlook.ts). */
  outlook?: Outlook | null;
  /** Where each side's code came from, from its probe (with --base; absent in older files). */
  provenance?: { head: Provenance | null; base: Provenance | null };
}

export interface Results {
  /** The version of the file these results were read from (1, 2) or 3 when judged by this code;
   *  writers always write 3 (resultsFile in contracts/results.ts), readers accept 1, 2 and 3. */
  schemaVersion: 1 | 2 | 3;
  tool: { name: 'gilgate'; version: string };
  environment: PythonEnvironment;
  settings: DecisionSettings & {
    seed: number;
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
  /** Where each side's code lived and how it was installed (with --base). */
  sides?: SidesSetup;
  /** A matrix leg's part of the split (`--shard i/n`): the whole assignment, for the merge to check. */
  shard?: ShardRecord;
}
