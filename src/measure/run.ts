// The engine's shell: config → plan → trials → verdict → compare → Results. All I/O of a
// measurement happens here or below (python runner, git); every decision is made by the pure core.
import path from 'node:path';
import { finish, next, probePlan, record, rejudge, start, type ExperimentState } from '../core/experiment.js';
import { readResults } from '../core/contracts/results.js';
import { armLabel } from '../core/plan.js';
import { WORDS } from '../report/explain.js';
import { isFailure, probeMachine, runLockstep, runTrial } from './python.js';
import { TRIAL_VARIABLES } from './trial-environment.js';
import { allWorkloadNames, costsFromResults, shardRecord, shardSetup, type ShardRecord, type ShardSpec } from '../core/shard.js';
import { resolveRun } from './resolve.js';
import { prepareSides } from './sides.js';
import { probeWorkloads, untrackedImports } from './probe.js';
import type { ExperimentSetup, MachineProbe, Results, TrialOutcome, TrialRequest } from '../core/types.js';

export { UsageError } from './usage-error.js';
export { loadConfig, locateConfig } from './resolve.js';
export { pairedBasePythons } from './sides.js';

export interface Progress {
  done: number;
  total: number;
  elapsedSeconds: number;
  label: string;
  /** Probing the workloads, then the rounds of trials: each counts from 0 (absent: trials). */
  phase?: 'probes' | 'trials';
}

export interface MeasureOptions {
  /** Repository root (or the action's working-directory). */
  cwd: string;
  /** Config path; default gilgate.yml, then .github/gilgate.yml (relative to cwd). */
  config?: string | null;
  /** Git ref to re-run as base in a temporary worktree, interleaved with head. */
  base?: string | null;
  /** Interpreter commands from the command line (--python, possibly several: a matrix); override the config's. */
  python?: readonly string[] | string | null;
  /** A command run in each side's tree inside its own virtual environment (overrides the config's `install:`). */
  install?: string | null;
  seed?: number | null;
  maxTimeSeconds?: number | null;
  threshold?: number | null;
  /** Values that must never reach workload processes (the GitHub token). */
  secrets?: readonly string[];
  /** Parent environment for trials (default process.env); credentials are stripped. */
  env?: Record<string, string | undefined>;
  onProgress?: (p: Progress) => void;
  onWarning?: (message: string) => void;
  /** What the install steps print (default: gilgate's stderr). */
  onLog?: (text: string) => void;
  /** Measure only this leg's part of the workloads (`--shard i/n`); the split is recorded in the results. */
  shard?: ShardSpec | null;
  /** An earlier results file's contents (`--shard-costs`): costs every leg agrees on, instead of probing. */
  shardCosts?: Parameters<typeof costsFromResults>[0] | null;
}

/**
 * A measurement in four phases: resolve what to run (resolve.ts), prepare each side's tree,
 * environment and interpreters (sides.ts), probe every workload (probe.ts), then run the rounds
 * the experiment asks for (runExperiment) and judge them.
 */
export async function measure(options: MeasureOptions): Promise<Results> {
  const warn = options.onWarning ?? (() => {});
  const log = options.onLog ?? ((text: string) => void process.stderr.write(text));
  const resolved = await resolveRun(options, warn);
  const { config, startedAt } = resolved;
  const prepared = await prepareSides(resolved, { install: options.install ?? config.install ?? null, warn, log });
  try {
    const clock: Clock = () => (Date.now() - startedAt.getTime()) / 1000;
    const report = (done: number, total: number, label: string) => options.onProgress?.({ done, total, elapsedSeconds: clock(), label, phase: 'probes' });
    const { environments, baseEnvironments, basePythons, targets } = prepared;
    const pythons = config.pythons;
    const hasBase = resolved.baseSha !== null;
    const baseDiffers = basePythons !== null && basePythons.some((p, i) => p !== pythons[i]);

    let setup: ExperimentSetup = {
      pythons,
      workloads: config.workloads,
      base: hasBase
        ? {
            workloads: prepared.baseConfig?.workloads ?? null,
            configMissing: prepared.baseConfigMissing,
            ...(baseDiffers ? { pythons: basePythons!, environments: baseEnvironments } : {}),
          }
        : null,
    };
    // A shard leg measures its part of the workloads, split before anything is probed so that every
    // leg, without talking to the others, computes the same split: balanced by the costs an earlier
    // run probed (`--shard-costs`), or, without them, by equal costs (round robin in name order).
    // A leg's own pilot passes are not used: they differ between legs by tens of percent on shared
    // runners, and legs that split differently would measure a workload twice or not at all.
    let shard: ShardRecord | null = null;
    if (options.shard) {
      const names = allWorkloadNames(setup);
      // Every leg reads the same costs, so they are split as they are: rounding would only unbalance.
      shard = shardRecord(options.shard, options.shardCosts ? costsFromResults(options.shardCosts, names) : names.map((name) => ({ name, cost: 1 })), { step: null });
      setup = shardSetup(setup, shard);
    }
    const requests = probePlan(setup);
    const probes = await probeWorkloads(requests, targets, report, pythons.length > 1, Math.min(2, environments[0]?.cores ?? 1));
    if (prepared.sides) setup = { ...setup, sides: { ...prepared.sides, untracked: await untrackedImports(probes, prepared.sides, warn) } };

    const workloadOf = new Map(requests.map((r) => [`${r.side}\u0000${r.interpreter}\u0000${r.workload.name}`, r.workload]));
    const state = start({
      setup,
      settings: {
        seed: resolved.seed,
        threshold: config.threshold,
        margin: config.margin,
        memoryThreshold: config.memoryThreshold,
        alpha: config.alpha,
        beta: config.beta,
        minRounds: config.minRounds,
        maxRounds: config.maxRounds,
        maxTimeSeconds: options.maxTimeSeconds ?? null,
        trialEnvironment: { ...TRIAL_VARIABLES },
      },
      environments,
      probes,
      startedAt: startedAt.toISOString(),
      git: { head: resolved.headSha, base: resolved.baseSha, baseRef: options.base ?? null },
      config: path.relative(resolved.cwd, resolved.configFile) || resolved.configFile,
    });
    const member = (t: TrialRequest) => ({
      target: targets[t.side][t.interpreter]!,
      workload: workloadOf.get(`${t.side}\u0000${t.interpreter}\u0000${t.workload}`)!,
      settings: { model: t.arm.model, workers: t.arm.workers, cpu: t.cpu, repetitions: t.repetitions, startMethod: t.startMethod },
    });
    const runner: TrialRunner = {
      trial: (t) => {
        const { target, workload, settings } = member(t);
        return runTrial(target, workload, settings);
      },
      // Turns go forward then backward over the schedule's order (no seed), so head and base of an
      // arm, adjacent in the schedule, stay adjacent in every repetition.
      lockstep: (group) => runLockstep(group.map(member)),
      machine: async () => {
        const probe = await probeMachine(targets.head[0]!, [...new Set([2, environments[0]!.cores])]);
        if (isFailure(probe)) return null;
        // The runner probed again while the capacity broke min(N, CPUs); still broken: say so now.
        for (const point of probe.capacity.filter((p) => p.disturbed)) {
          warn(`the machine probe read ×${point.ratio.toFixed(2)} from ${point.workers} busy processes on ${environments[0]!.cores} CPUs in ${point.attempts ?? 1} attempts: the runner is disturbed (left out of the capacity)`);
        }
        return probe;
      },
    };
    const results = finish(await runExperiment(state, runner, clock, options.onProgress), WORDS);
    return shard ? { ...results, shard } : results;
  } finally {
    await prepared.cleanup();
  }
}

/** Runs what the experiment asks for: one trial, a lockstep group, or one machine probe (null when it failed). */
export interface TrialRunner {
  trial(request: TrialRequest): Promise<TrialOutcome>;
  /** A group's trials alive at once, taking turns repetition by repetition; outcomes in the group's order. */
  lockstep(requests: readonly TrialRequest[]): Promise<TrialOutcome[]>;
  machine(): Promise<MachineProbe | null>;
}

/** Seconds since the run started. */
export type Clock = () => number;

/** The engine loop: ask the state machine for the next step, run it, record what it learned, until it says stop. */
export async function runExperiment(
  state: ExperimentState,
  runner: TrialRunner,
  clock: Clock,
  onProgress?: (p: Progress) => void,
): Promise<ExperimentState> {
  const report = (done: number, total: number, label: string) => onProgress?.({ done, total, elapsedSeconds: clock(), label, phase: 'trials' });
  const maxRounds = state.input.settings.maxRounds;
  let done = 0;
  for (let step = next(state, clock()); step.kind !== 'stop'; step = next(state, clock())) {
    if (step.kind === 'machine') {
      state = record(state, { kind: 'machine', probe: await runner.machine() });
      continue;
    }
    const total = done + step.trials.length * (maxRounds - step.round);
    const outcomes: TrialOutcome[] = [];
    const pythons = state.input.setup.pythons;
    for (const group of lockstepGroups(step.trials)) {
      const t = group[0]!;
      const interpreter = pythons.length > 1 ? ` [${pythons[t.interpreter]}]` : '';
      if (group.length === 1) {
        const where = `${interpreter}${t.side === 'base' ? ' (base)' : ''}${t.cpu !== null ? ` cpu${t.cpu}` : ''}`;
        report(done, total, `round ${step.round + 1}: ${t.workload}${where} ${armLabel(t.arm)}`);
        outcomes.push(await runner.trial(t));
      } else {
        report(done, total, `round ${step.round + 1}: ${t.workload}${interpreter}, ${group.length} trials in lockstep`);
        outcomes.push(...(await runner.lockstep(group)));
      }
      done += group.length;
    }
    state = record(state, { kind: 'trials', outcomes });
  }
  report(done, done, 'done');
  return state;
}

/** The step's trials cut into their lockstep groups (contiguous runs of one group number), in order. */
export function lockstepGroups(trials: readonly TrialRequest[]): TrialRequest[][] {
  const groups: TrialRequest[][] = [];
  for (const t of trials) {
    const last = groups.at(-1);
    if (last && last[0]!.group === t.group) last.push(t);
    else groups.push([t]);
  }
  return groups;
}

/**
 * A results file read back for publishing (`gilgate report`, the action's `report` input):
 * validated, and, when it keeps every value (schemaVersion 2 or 3), judged again with this version's
 * code and words, so a report never shows verdicts the values do not support.
 */
export function loadResults(json: unknown): Results {
  const read = readResults(json);
  return read.values ? rejudge(read, WORDS) : read;
}
