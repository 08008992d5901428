// The engine's shell: config → plan → trials → verdict → compare → Results. All I/O of a
// measurement happens here or below (python runner, git); every decision is made by the pure core.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { CONFIG_CANDIDATES, formatIssue, parseConfig } from '../core/config.js';
import { addWorktree, GitError, headCommit, isDirty, repoRoot, resolveCommit, type Worktree } from './git.js';
import { finish, next, probePlan, record, rejudge, start, type ExperimentState } from '../core/experiment.js';
import { readResults } from '../core/contracts/results.js';
import { armLabel } from '../core/plan.js';
import { WORDS } from '../report/explain.js';
import { isFailure, probeEnvironment, probeMachine, probeWorkload, runLockstep, runTrial, type PythonTarget } from './python.js';
import { TRIAL_VARIABLES, trialEnvironment } from './trial-environment.js';
import { allWorkloadNames, costsFromResults, shardRecord, shardSetup, type ShardRecord, type ShardSpec } from '../core/shard.js';
import type {
  Config,
  ExperimentSetup,
  Failure,
  MachineProbe,
  ProbeRecord,
  PythonEnvironment,
  Results,
  Side,
  TrialOutcome,
  TrialRequest,
} from '../core/types.js';

/** A mistake in how gilgate was called or configured: CLI exit 2, a failed action step. */
export class UsageError extends Error {
  override name = 'UsageError';
}

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
  seed?: number | null;
  maxTimeSeconds?: number | null;
  threshold?: number | null;
  /** Values that must never reach workload processes (the GitHub token). */
  secrets?: readonly string[];
  /** Parent environment for trials (default process.env); credentials are stripped. */
  env?: Record<string, string | undefined>;
  onProgress?: (p: Progress) => void;
  onWarning?: (message: string) => void;
  /** Measure only this leg's part of the workloads (`--shard i/n`); the split is recorded in the results. */
  shard?: ShardSpec | null;
  /** An earlier results file's contents (`--shard-costs`): costs every leg agrees on, instead of probing. */
  shardCosts?: Parameters<typeof costsFromResults>[0] | null;
}

/** Find the config file: the given path, else the first default candidate that exists. */
export function locateConfig(cwd: string, given?: string | null): string {
  if (given) {
    const file = path.resolve(cwd, given);
    if (!existsSync(file)) throw new UsageError(`config file not found: ${file}`);
    return file;
  }
  for (const candidate of CONFIG_CANDIDATES) {
    const file = path.resolve(cwd, candidate);
    if (existsSync(file)) return file;
  }
  throw new UsageError(`no config found: looked for ${CONFIG_CANDIDATES.join(' and ')} in ${cwd} (or pass --config FILE)`);
}

export async function loadConfig(file: string): Promise<Config> {
  const parsed = parseConfig(await readFile(file, 'utf8'), file);
  if (!parsed.ok) {
    throw new UsageError(`invalid config (${parsed.issues.length} problem${parsed.issues.length === 1 ? '' : 's'}):\n${parsed.issues.map(formatIssue).join('\n')}`);
  }
  return parsed.config;
}

export async function measure(options: MeasureOptions): Promise<Results> {
  const startedAt = new Date();
  const cwd = path.resolve(options.cwd);
  const warn = options.onWarning ?? (() => {});
  const configFile = locateConfig(cwd, options.config);
  const loaded = await loadConfig(configFile);
  const given = typeof options.python === 'string' ? [options.python] : [...(options.python ?? [])];
  const pythons = given.length > 0 ? given : loaded.pythons;
  const config: Config = {
    ...loaded,
    python: pythons[0]!,
    pythons,
    threshold: options.threshold ?? loaded.threshold,
  };
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const env = trialEnvironment(options.env ?? process.env, options.secrets ?? []);

  let headSha = await headCommit(cwd);
  let worktree: Worktree | null = null;
  let baseSha: string | null = null;
  let baseConfig: Config | null = null;
  let baseConfigMissing = false;
  let root = cwd;
  if (options.base) {
    try {
      root = await repoRoot(cwd);
      // The base side finds its code at the same place inside a worktree of this repository, so
      // the config (and its paths) must live in it.
      if (path.relative(root, configFile).startsWith('..')) {
        throw new UsageError(`--base needs the config inside the repository ${root}, but it is ${configFile}: run gilgate from the config's repository`);
      }
      baseSha = await resolveCommit(cwd, options.base);
      if (await isDirty(cwd)) {
        warn(`the working tree has uncommitted changes: head is measured as the working tree, not as commit ${headSha?.slice(0, 12)}`);
        headSha = headSha ? `${headSha}+dirty` : null;
      }
      worktree = await addWorktree(root, baseSha);
    } catch (error) {
      if (error instanceof GitError) throw new UsageError(error.message);
      throw error;
    }
  }

  try {
    const inBase = (p: string) => path.join(worktree!.dir, path.relative(root, p));
    if (worktree) {
      const baseConfigFile = inBase(configFile);
      if (existsSync(baseConfigFile)) {
        const parsed = parseConfig(await readFile(baseConfigFile, 'utf8'), baseConfigFile);
        if (parsed.ok) baseConfig = parsed.config;
        else warn(`the base commit's config is invalid (${parsed.issues.map(formatIssue).join('; ')}): measuring base with the head's config`);
      } else {
        baseConfigMissing = true;
        warn(`the base commit has no ${path.relative(root, configFile)}: measuring base with the head's config; workloads that do not import there count as new`);
      }
    }
    const clock: Clock = () => (Date.now() - startedAt.getTime()) / 1000;
    const report = (done: number, total: number, label: string) => options.onProgress?.({ done, total, elapsedSeconds: clock(), label, phase: 'probes' });

    // Each interpreter is resolved once: its probe reports sys.executable, and every later call
    // runs that path (never a shim or a PATH lookup per trial).
    //
    // Like with like: base runs the base config's interpreters (position i ↔ head's i), so a PR that
    // only changes `python` shows what the new interpreter does. --python overrides both sides; a base
    // list of another length cannot be paired, so base then runs head's, with a warning.
    const basePythons = worktree ? pairedBasePythons(pythons, given.length > 0 ? null : baseConfig, warn) : null;
    const environments: PythonEnvironment[] = [];
    const baseEnvironments: PythonEnvironment[] = [];
    const targets: Record<Side, PythonTarget[]> = { head: [], base: [] };
    for (const [i, command] of pythons.entries()) {
      const environment = describeEnvironment(await probeEnvironment({ python: command, cwd: config.dir, paths: config.paths, env }));
      environments.push(environment);
      const python = environment.executable || command;
      targets.head.push({ python, cwd: config.dir, paths: config.paths, env });
      if (!worktree) continue;
      const baseCommand = basePythons?.[i] ?? command;
      const baseEnvironment = baseCommand === command
        ? environment
        : describeEnvironment(await probeEnvironment({ python: baseCommand, cwd: inBase(config.dir), paths: config.paths.map(inBase), env }));
      baseEnvironments.push(baseEnvironment);
      targets.base.push({ python: baseEnvironment.executable || baseCommand, cwd: inBase(config.dir), paths: config.paths.map(inBase), env });
    }
    const baseDiffers = basePythons !== null && basePythons.some((p, i) => p !== pythons[i]);

    // Probe every side: import, tasks, pickling, spawn, and a pilot pass that shapes the plan.
    let setup: ExperimentSetup = {
      pythons,
      workloads: config.workloads,
      base: worktree
        ? {
            workloads: baseConfig?.workloads ?? null,
            configMissing: baseConfigMissing,
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
      shard = shardRecord(options.shard, options.shardCosts ? costsFromResults(options.shardCosts, names) : names.map((name) => ({ name, cost: 1 })));
      setup = shardSetup(setup, shard);
    }
    const requests = probePlan(setup);
    const workloadOf = new Map(requests.map((r) => [`${r.side}\u0000${r.interpreter}\u0000${r.workload.name}`, r.workload]));
    const probes: ProbeRecord[] = [];
    for (const [i, r] of requests.entries()) {
      report(i, requests.length, `probe ${r.workload.name}${r.side === 'base' ? ' (base)' : ''}${pythons.length > 1 ? ` [${r.python}]` : ''}`);
      probes.push({ workload: r.workload.name, python: r.python, side: r.side, probe: await probeWorkload(targets[r.side][r.interpreter]!, r.workload, r.workload.startMethod ?? null) });
    }

    const state = start({
      setup,
      settings: {
        seed,
        threshold: config.threshold,
        margin: config.margin,
        memoryThreshold: config.memoryThreshold,
        alpha: config.alpha,
        minRounds: config.minRounds,
        maxRounds: config.maxRounds,
        maxTimeSeconds: options.maxTimeSeconds ?? null,
        trialEnvironment: { ...TRIAL_VARIABLES },
      },
      environments,
      probes,
      startedAt: startedAt.toISOString(),
      git: { head: headSha, base: baseSha, baseRef: options.base ?? null },
      config: path.relative(cwd, configFile) || configFile,
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
    await worktree?.remove();
  }
}

/**
 * The interpreters base runs: the base config's when it has as many as head runs (paired by
 * position), else null (base runs head's), with a warning when they could not be paired.
 */
export function pairedBasePythons(headPythons: readonly string[], baseConfig: Config | null, warn: (message: string) => void): string[] | null {
  if (!baseConfig) return null;
  if (baseConfig.pythons.length !== headPythons.length) {
    warn(
      `the base config lists ${baseConfig.pythons.length} interpreter(s) (${baseConfig.pythons.join(', ')}) and head ${headPythons.length} (${headPythons.join(', ')}): they cannot be paired, so base runs head's interpreters`,
    );
    return null;
  }
  return [...baseConfig.pythons];
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

/** When the interpreter cannot even describe itself, say so in the fields and go on: every workload will report why. */
function describeEnvironment(probe: PythonEnvironment | Failure): PythonEnvironment {
  if (!isFailure(probe)) return probe;
  return {
    cores: availableParallelism(),
    coresSource: 'node availableParallelism (the Python probe failed)',
    cpus: [],
    placement: 'unsupported',
    python: 'unknown',
    implementation: 'unknown',
    executable: '',
    gilEnabled: true,
    freeThreadedBuild: false,
    startMethod: 'unknown',
    startMethods: [],
    interpretersUnavailable: `the interpreter could not be described: ${probe.message}`,
    os: process.platform,
    cpuModel: 'unknown',
  };
}

/**
 * A results file read back for publishing (`gilgate report`, the action's `report` input):
 * validated, and, when it keeps every value (schemaVersion 2), judged again with this version's
 * code and words, so a report never shows verdicts the values do not support.
 */
export function loadResults(json: unknown): Results {
  const read = readResults(json);
  return read.schemaVersion === 2 && read.values ? rejudge(read, WORDS) : read;
}
