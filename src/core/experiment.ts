// Experiment: a whole run as a pure state machine. The shell (measure/run.ts) asks `next` what to
// do, does it (a machine probe or one round of trials), hands back what it learned with `record`,
// and repeats until `next` says stop; `finish` judges and assembles the Results. Every decision of
// a run lives here: which workloads and interpreters run, which arms, on which CPU, in what order,
// when to stop (settled, time budget, round cap), which arms are dropped, and Holm across workloads.
//
// The state is plain data plus the seeded generator. `next` and `record` update it in place and
// return it (copying every round's samples would cost for nothing); nothing outside it is touched:
// no clock (the shell passes `nowSeconds`), no I/O, no randomness but the seeded generator.
//
// A workload is measured once per interpreter (Config.pythons): a *variant* is (workload,
// interpreter), with its own head and base sides, arms, verdict and settling. Position i of head's
// interpreters is paired with position i of base's (setup.base.pythons: the base config's, absent
// when base runs head's), so comparisons compare like with like, and when the two differ a flip
// says the interpreter changed (interpreterChange).
//
// Sentences: verdict and compare return facts; `finish` and `rejudge` take the `Words` that report/
// (explain.ts) writes from them, so that judging and re-judging word reasons the same way; core never
// imports report/.
import { notComparedReason, provenanceSummary } from './provenance.js';
import { aggregateMachine } from './machine.js';
import { comparedArms, compareSides, holmFilter, type ComparisonReport } from './compare.js';
import { armLabel, armRepetitions, machineProbeDue, planArms, repetitionsFor, roundSchedule, sameArm, seededRandom, serialCpus } from './plan.js';
import { medianOf, type ArmSamples } from './samples.js';
import { DEFAULT_BETA, type SequentialPolicy } from './stats/sequential.js';
import type {
  Arm,
  ExperimentSetup,
  Failure,
  InterpreterChange,
  InterpreterFact,
  MachineProbe,
  Observation,
  ProbeRecord,
  PythonEnvironment,
  Results,
  Side,
  ChangeFact,
  SideFacts,
  SideResult,
  SideWords,
  Step,
  StopReason,
  TrialRecord,
  TrialRequest,
  WorkloadConfig,
  WorkloadProbe,
  WorkloadResult,
} from './types.js';
import { outlookOf } from './outlook.js';
import { judge, type Verdict, type VerdictInput } from './verdict.js';
import { VERSION } from './version.js';
import { totals } from './totals.js';
import { variantKey } from './variant-key.js';

export interface ExperimentInput {
  setup: ExperimentSetup;
  settings: Results['settings'];
  /** One per interpreter (index = interpreter), as the shell probed and resolved them. */
  environments: PythonEnvironment[];
  /** Every workload probe the shell ran: one per entry of probePlan(setup). */
  probes: ProbeRecord[];
  startedAt: string;
  git: Results['git'];
  config: string;
}

/** A workload probe the shell must run before start(): this workload, on this interpreter and side. */
export interface ProbeRequest {
  workload: WorkloadConfig;
  interpreter: number;
  python: string;
  side: Side;
}

/** Turns a workload's facts into the reason sentence (report/explain.ts); default: the verdict's. */
/**
 * The sentences, written in report/explain.ts from the verdict's and the comparison's facts. Core
 * never imports report/, so finish and rejudge take them as a value; without them every reason is
 * the bare name of the rule that fired (what unit tests of decisions look at).
 */
export interface Words {
  side: (facts: SideFacts) => SideWords;
  change: (fact: ChangeFact) => string;
}

interface SideState {
  side: Side;
  workload: WorkloadConfig;
  probe: WorkloadProbe | Failure | null;
  arms: ArmSamples[];
  /** Arms that failed once: a failing model is an answer, running it again only costs time. */
  dropped: Set<string>;
  rounds: number;
  verdict: Verdict | null;
  /**
   * The rounds at which the verdict settled, null while it is open. From then on the verdict is
   * judged on those rounds alone: a sequential test stops at its first decision, and the rounds
   * that follow run for the head/base comparison only.
   */
  settledAt: number | null;
}

interface VariantState {
  name: string;
  interpreter: number;
  python: string;
  status: WorkloadResult['status'];
  head: SideState | null;
  base: SideState | null;
  compare: ComparisonReport | null;
  /**
   * Labels of the arms the head/base comparison reads (compare.comparedArms), fixed once both
   * verdicts have settled; null before. Later rounds run only these arms.
   */
  compared: Set<string> | null;
  settled: boolean;
  repetitions: number;
  startMethod: TrialRequest['startMethod'];
}

export interface ExperimentState {
  readonly input: ExperimentInput;
  readonly policy: SequentialPolicy;
  readonly random: () => number;
  readonly variants: VariantState[];
  /** Rounds recorded; the index of the next round. */
  round: number;
  /** The round asked for by next() and not yet recorded. */
  pending: TrialRequest[] | null;
  roundStartedAt: number | null;
  lastRoundSeconds: number;
  /** The round before which a machine probe was last asked for (-1: none yet). */
  machineAskedBefore: number;
  elapsedSeconds: number;
  stopped: StopReason | null;
  trials: TrialRecord[];
  machine: MachineProbe[];
}

/** The variants a setup measures, without probes: shared by probePlan and start. */
function variantsOf(setup: ExperimentSetup): VariantState[] {
  const side = (which: Side, workload: WorkloadConfig): SideState => ({
    side: which, workload, probe: null, arms: [], dropped: new Set(), rounds: 0, verdict: null, settledAt: null,
  });
  const variant = (name: string, interpreter: number, status: WorkloadResult['status'], head: SideState | null, base: SideState | null, w: WorkloadConfig): VariantState => ({
    name, interpreter, python: setup.pythons[interpreter]!, status, head, base, compare: null, compared: null, settled: false,
    repetitions: 1, startMethod: w.startMethod ?? null,
  });
  const variants: VariantState[] = [];
  const base = setup.base;
  for (const w of setup.workloads) {
    const inBase = base !== null && (base.workloads === null || base.workloads.some((b) => b.name === w.name));
    setup.pythons.forEach((_, i) => {
      variants.push(variant(w.name, i, base !== null && !inBase ? 'new' : 'measured', side('head', w), inBase ? side('base', w) : null, w));
    });
  }
  for (const b of base?.workloads ?? []) {
    if (setup.workloads.some((w) => w.name === b.name)) continue;
    setup.pythons.forEach((_, i) => variants.push(variant(b.name, i, 'removed', null, side('base', { ...b }), b)));
  }
  return variants;
}

/** The workload probes start() needs, in a stable order. */
export function probePlan(setup: ExperimentSetup): ProbeRequest[] {
  return variantsOf(setup).flatMap((v) =>
    [v.head, v.base].filter((s): s is SideState => s !== null).map((s) => ({ workload: s.workload, interpreter: v.interpreter, python: v.python, side: s.side })),
  );
}

export function start(input: ExperimentInput): ExperimentState {
  const { settings, setup } = input;
  const variants = variantsOf(setup);
  for (const v of variants) {
    for (const side of [v.head, v.base]) {
      if (!side) continue;
      side.probe = input.probes.find((p) => p.workload === v.name && p.python === v.python && p.side === side.side)?.probe ?? null;
    }
    // With no base config, a workload that cannot even be imported in base did not exist there.
    if (setup.base?.configMissing && v.head && v.base?.probe && !v.base.probe.ok && v.base.probe.kind === 'import') {
      v.base = null;
      v.status = 'new';
    }
    const measured = [v.head, v.base].filter((s): s is SideState => s !== null);
    const pilots = measured.map((s) => s.probe).filter((p): p is WorkloadProbe => p !== null && p.ok);
    const pilotCpuPerWall = Math.min(...pilots.map((p) => (p.pilotWallSeconds > 0 ? p.pilotCpuSeconds / p.pilotWallSeconds : 1)));
    const taskCount = Math.max(0, ...pilots.map((p) => p.taskCount));
    // One count per variant, from its faster side's pilot, so both sides reach the target.
    v.repetitions = pilots.length > 0 ? repetitionsFor(Math.min(...pilots.map((p) => p.pilotWallSeconds))) : 1;
    for (const side of measured) {
      if (!side.probe?.ok) continue;
      const environment = sideEnvironment(input, side.side, v.interpreter);
      side.arms = planArms({
        cores: environment?.cores ?? 1,
        pilotCpuPerWall,
        taskCount,
        ...(side.workload.workers ? { workers: side.workload.workers } : {}),
        processesAvailable: side.probe.processesUnavailable === null,
        interpretersAvailable: environment?.interpretersUnavailable === null && side.probe.interpretersUnavailable === null,
      }).map((arm) => ({ arm, outcomes: [] }));
    }
  }
  return {
    input,
    policy: { alpha: settings.alpha, beta: settings.beta ?? DEFAULT_BETA, minRounds: settings.minRounds, maxRounds: settings.maxRounds },
    random: seededRandom(settings.seed),
    variants,
    round: 0,
    pending: null,
    roundStartedAt: null,
    lastRoundSeconds: 0,
    machineAskedBefore: -1,
    elapsedSeconds: 0,
    stopped: null,
    trials: [],
    machine: [],
  };
}

const runnable = (s: SideState | null): s is SideState =>
  s !== null && s.probe !== null && s.probe.ok && s.verdict?.result.recommendation !== 'error';

export function next(state: ExperimentState, nowSeconds: number): Step {
  state.elapsedSeconds = nowSeconds;
  if (state.stopped) return { kind: 'stop', reason: state.stopped };
  if (state.pending) throw new Error('experiment: next() called before record() of the round it asked for');
  if (state.roundStartedAt !== null) {
    state.lastRoundSeconds = nowSeconds - state.roundStartedAt;
    state.roundStartedAt = null;
  }
  const { settings } = state.input;
  const stop = (reason: StopReason): Step => {
    state.stopped = reason;
    return { kind: 'stop', reason };
  };
  if (state.round >= settings.maxRounds) return stop('cap');
  if (state.round > 0) for (const v of state.variants) evaluate(state, v, false);
  const active = state.variants.filter((v) => !v.settled && [v.head, v.base].some(runnable));
  if (active.length === 0) return stop('settled');
  // The budget check uses the last round's duration: would one more round still fit?
  if (settings.maxTimeSeconds !== null && nowSeconds + state.lastRoundSeconds > settings.maxTimeSeconds) return stop('budget');
  if (machineProbeDue(state.round) && state.machineAskedBefore !== state.round) {
    state.machineAskedBefore = state.round;
    return { kind: 'machine' };
  }

  const byKey = new Map<string, VariantState>(active.map((v) => [variantKey({ workload: v.name, interpreter: v.interpreter }), v]));
  const entries = active.flatMap((v) => {
    const environment = state.input.environments[v.interpreter];
    const cpus = environment ? serialCpus(environment.cpus, environment.cores, environment.placement, state.round) : [null];
    return [v.head, v.base].filter(runnable).map((side) => ({
      workload: variantKey({ workload: v.name, interpreter: v.interpreter }),
      side: side.side,
      // Arms raced out by the side's verdict (verdict.ts, racedArms) run no more rounds.
      arms: side.arms.map((a) => a.arm).filter((arm) => !side.dropped.has(armLabel(arm)) && !side.verdict?.raced?.has(armLabel(arm)) && (v.compared === null || v.compared.has(armLabel(arm)))),
      serialCpus: cpus,
    }));
  });
  const groups = new Map<string, number>();
  const trials: TrialRequest[] = roundSchedule(entries, state.random).map((t) => {
    const v = byKey.get(t.workload)!;
    if (!groups.has(t.workload)) groups.set(t.workload, groups.size);
    const serialProcesses = entries.find((e) => e.workload === t.workload)?.serialCpus.length ?? 1;
    return {
      workload: v.name,
      interpreter: v.interpreter,
      side: t.side,
      arm: t.arm,
      cpu: t.cpu,
      repetitions: armRepetitions(v.repetitions, repetitionSeconds(v, t.arm), t.arm.model === 'serial' ? serialProcesses : 1),
      startMethod: v.startMethod,
      group: groups.get(t.workload)!,
    };
  });
  state.pending = trials;
  state.roundStartedAt = nowSeconds;
  return { kind: 'trials', round: state.round, trials };
}

/**
 * The median wall time of one repetition of `arm` over every successful trial of it so far, both
 * sides together (head and base of an arm keep one count, so that their pairs do equal work); null
 * before it has run.
 */
function repetitionSeconds(v: VariantState, arm: Arm): number | null {
  const walls: number[] = [];
  for (const side of [v.head, v.base]) {
    const samples = side?.arms.find((a) => sameArm(a.arm, arm));
    for (const outcome of (samples?.outcomes ?? []).flat()) {
      // Results of schemaVersion 1 kept no repetitions: the trial's summary is one repetition's time.
      if (outcome?.ok) walls.push(...(outcome.repetitions?.length ? outcome.repetitions.map((r) => r.wallSeconds) : [outcome.wallSeconds]));
    }
  }
  return walls.length === 0 ? null : medianOf(walls);
}

/** Hand back what the last step learned: a machine probe (null when it failed) or the round's outcomes, in the step's order. */
export function record(state: ExperimentState, observation: Observation): ExperimentState {
  if (observation.kind === 'machine') {
    if (observation.probe) state.machine.push(observation.probe);
    return state;
  }
  const pending = state.pending;
  if (!pending) throw new Error('experiment: record() of trials that next() did not ask for');
  if (observation.outcomes.length !== pending.length) {
    throw new Error(`experiment: ${observation.outcomes.length} outcomes for ${pending.length} trials`);
  }
  const records: TrialRecord[] = pending.map((t, i) => ({
    workload: t.workload,
    python: state.input.setup.pythons[t.interpreter]!,
    side: t.side,
    round: state.round,
    arm: t.arm,
    cpu: t.cpu,
    outcome: observation.outcomes[i]!,
  }));
  state.pending = null;
  applyRound(state, records);
  return state;
}

/** The one place trial values enter the state: live (record) and from a results file (rejudge). */
function applyRound(state: ExperimentState, records: readonly TrialRecord[]): void {
  const round = state.round;
  for (const r of records) {
    const v = state.variants.find((x) => x.name === r.workload && x.python === r.python);
    const side = v && (r.side === 'head' ? v.head : v.base);
    if (!side) throw new Error(`experiment: a trial of ${r.workload} (${r.python}, ${r.side}) that this setup does not measure`);
    let samples = side.arms.find((a) => sameArm(a.arm, r.arm));
    if (!samples) {
      samples = { arm: r.arm, outcomes: [] };
      side.arms.push(samples);
    }
    samples.outcomes[round] = [...(samples.outcomes[round] ?? []), r.outcome];
    if (!r.outcome.ok) side.dropped.add(armLabel(r.arm));
    side.rounds = round + 1;
    state.trials.push(r);
  }
  state.round = round + 1;
}

/** The environment a side ran in: base's own where base ran another interpreter, else head's. */
function sideEnvironment(input: ExperimentInput, side: Side, interpreter: number): PythonEnvironment | null {
  const own = side === 'base' ? input.setup.base?.environments?.[interpreter] : undefined;
  return own ?? input.environments[interpreter] ?? null;
}

function interpreterFact(command: string, environment: PythonEnvironment | null | undefined): InterpreterFact {
  const known = environment && environment.implementation !== 'unknown';
  return {
    command,
    implementation: known ? environment.implementation : null,
    version: known ? environment.python : null,
    freeThreadedBuild: environment?.freeThreadedBuild ?? false,
  };
}

/**
 * Whether head and base of a variant ran different interpreters (the base config's python list
 * differs at this position), as facts for the comparison; null when they ran the same one.
 */
export function interpreterChange(input: Pick<ExperimentInput, 'setup' | 'environments'>, interpreter: number): InterpreterChange | null {
  const headCommand = input.setup.pythons[interpreter]!;
  const baseCommand = input.setup.base?.pythons?.[interpreter];
  if (baseCommand === undefined) return null;
  const before = interpreterFact(baseCommand, input.setup.base?.environments?.[interpreter]);
  const after = interpreterFact(headCommand, input.environments[interpreter]);
  const sameBuild = before.implementation !== null && after.implementation !== null
    ? before.implementation === after.implementation && before.version === after.version && before.freeThreadedBuild === after.freeThreadedBuild
    : baseCommand === headCommand;
  return sameBuild ? null : { before, after };
}

function evaluate(state: ExperimentState, v: VariantState, final: boolean, words?: Words): void {
  const { settings } = state.input;
  // Every probe of the run, pooled and bounded by the CPUs (core/machine.ts), not the last alone.
  const machine = aggregateMachine(state.machine, state.input.environments[v.interpreter]?.cores ?? state.input.environments[0]?.cores ?? 0);
  for (const side of [v.head, v.base]) {
    if (!side?.probe) continue;
    const frozen = side.settledAt;
    const input: VerdictInput = {
      probe: side.probe,
      arms: frozen === null ? side.arms : side.arms.map((a) => ({ arm: a.arm, outcomes: a.outcomes.slice(0, frozen) })),
      rounds: frozen ?? side.rounds,
      margin: settings.margin, policy: state.policy,
      // A settled verdict is judged as it was when it settled, so that the end of the run cannot reopen it.
      final: frozen === null ? final : false,
      pool: side.workload.pool ?? 'per-batch', machine, environment: sideEnvironment(state.input, side.side, v.interpreter),
      ...(words ? { describe: words.side } : {}),
    };
    side.verdict = judge(input);
    if (frozen === null && !final && side.verdict.settled) side.settledAt = side.rounds;
  }
  if (v.head?.verdict && v.base?.verdict) {
    const pool = v.head.workload.pool ?? 'per-batch';
    const head = { result: v.head.verdict.result, arms: v.head.arms };
    const base = { result: v.base.verdict.result, arms: v.base.arms };
    if (v.compared === null && v.head.settledAt !== null && v.base.settledAt !== null) {
      v.compared = new Set(comparedArms(head, base, pool).map(armLabel));
    }
    const kept = (arms: ArmSamples[]) => (v.compared === null ? arms : arms.filter((a) => v.compared!.has(armLabel(a.arm))));
    v.compare = compareSides({
      head: { ...head, arms: kept(head.arms) },
      base: { ...base, arms: kept(base.arms) },
      rounds: Math.min(v.head.rounds, v.base.rounds),
      threshold: settings.threshold,
      memoryThreshold: settings.memoryThreshold,
      policy: state.policy,
      pool,
      interpreter: interpreterChange(state.input, v.interpreter),
      notCompared: notComparedReason(v.head.probe, v.base.probe, state.input.setup.sides),
      ...(words ? { describe: words.change } : {}),
    });
  }
  const sidesSettled = [v.head, v.base].every((s) => s === null || s.verdict === null || s.verdict.settled);
  v.settled = final || (sidesSettled && (v.compare === null || v.compare.settled));
}

/** Judge every variant for the last time and assemble the Results (schemaVersion 3, every value kept). */
export function finish(state: ExperimentState, words?: Words): Results {
  const { input } = state;
  const { settings } = input;
  for (const v of state.variants) evaluate(state, v, true, words);
  const workloads = state.variants.map((v) => toWorkloadResult(state, v, words));
  const keep = holmFilter(workloads.map((w) => w.regressions), settings.alpha, state.policy);
  workloads.forEach((w, i) => {
    const dropped = w.regressions.filter((_, j) => !keep[i]![j]);
    w.regressions = w.regressions.filter((_, j) => keep[i]![j]);
    for (const r of dropped) w.warnings.push(`possible ${r.kind} regression (${r.detail}) did not survive the Holm correction across ${workloads.length} workloads`);
  });
  return {
    schemaVersion: 3,
    tool: { name: 'gilgate', version: VERSION },
    environment: input.environments[0]!,
    settings,
    git: input.git,
    config: input.config,
    workloads,
    ...totals(workloads),
    rounds: state.round,
    totalSeconds: state.elapsedSeconds,
    startedAt: input.startedAt,
    budgetExhausted: state.stopped === 'budget',
    ...(input.setup.sides ? { sides: input.setup.sides } : {}),
    values: {
      setup: input.setup,
      trials: [...state.trials],
      probes: input.probes,
      environments: input.environments,
      machine: [...state.machine],
      stopReason: state.stopped,
    },
  };
}

/**
 * Judge a results file again with today's code: rebuild the state from its values (setup, probes,
 * environments, every trial, machine probes) and call finish — the same code as a live run.
 */
export function rejudge(results: Results, words?: Words): Results {
  const values = results.values;
  if (!values) throw new Error('only results that kept their values (schemaVersion 2 or 3) can be judged again');
  const state = start({
    setup: values.setup,
    settings: results.settings,
    environments: values.environments,
    probes: values.probes,
    startedAt: results.startedAt,
    git: results.git,
    config: results.config,
  });
  const rounds = Math.max(0, ...values.trials.map((t) => t.round + 1));
  state.machine.push(...values.machine);
  // Judged after every round as the live run was (next() does it before each round), so that each
  // verdict settles, and is held, at the round it did.
  for (let round = 0; round < rounds; round++) {
    applyRound(state, values.trials.filter((t) => t.round === round));
    for (const v of state.variants) evaluate(state, v, false);
  }
  state.stopped = values.stopReason;
  state.elapsedSeconds = results.totalSeconds;
  return finish(state, words);
}

function toWorkloadResult(state: ExperimentState, v: VariantState, words?: Words): WorkloadResult {
  const primary = v.head ?? v.base!;
  const result: SideResult = primary.verdict?.result ?? notRun(state, words);
  const base = v.head && v.base?.verdict ? v.base.verdict.result : null;
  return {
    name: v.name,
    python: v.python,
    status: v.status,
    ...result,
    warnings: [...result.warnings],
    base: base ? { recommendation: base.recommendation, detail: base } : null,
    vsBase: v.compare?.vsBase ?? null,
    regressions: v.compare?.regressions ?? [],
    improvements: v.compare?.improvements ?? [],
    outlook: outlookOf(result),
    ...(state.input.setup.sides ? { provenance: { head: provenanceSummary(v.head?.probe ?? null), base: provenanceSummary(v.base?.probe ?? null) } } : {}),
  };
}

/** A variant that never got a verdict (no probe ran): an error result, worded like any other. */
function notRun(state: ExperimentState, words?: Words): SideResult {
  const failure: Failure = { ok: false, kind: 'runner', type: 'NotRun', message: 'not run', traceback: '', stderrTail: '' };
  return judge({
    probe: failure, arms: [], rounds: 0, margin: state.input.settings.margin, policy: state.policy, final: true,
    ...(words ? { describe: words.side } : {}),
  }).result;
}
