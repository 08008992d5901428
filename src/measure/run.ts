// The engine's shell: config → plan → trials → verdict → compare → Results. All I/O of a
// measurement happens here or below (python runner, git); every decision is made by the pure core.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { compareSides, holmFilter, type ComparisonReport } from '../core/compare.js';
import { CONFIG_CANDIDATES, formatIssue, parseConfig } from '../core/config.js';
import { addWorktree, GitError, headCommit, isDirty, repoRoot, resolveCommit, type Worktree } from './git.js';
import { planArms, roundSchedule, seededRandom, armLabel } from '../core/plan.js';
import { costsFromResults, shardRecord, type ShardRecord, type ShardSpec } from '../core/shard.js';
import { probeEnvironment, probeWorkload, runTrial, type PythonTarget } from './python.js';
import { TRIAL_VARIABLES, trialEnvironment } from './trial-environment.js';
import type { ArmSamples } from '../core/samples.js';
import type { SequentialPolicy } from '../core/stats/sequential.js';
import type {
  Config,
  Failure,
  PythonEnvironment,
  Results,
  Side,
  SideResult,
  WorkloadConfig,
  WorkloadProbe,
  WorkloadResult,
} from '../core/types.js';
import { judge, type Verdict } from '../core/verdict.js';
import { VERSION } from '../core/version.js';

/** A mistake in how gilgate was called or configured: CLI exit 2, a failed action step. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Progress {
  done: number;
  total: number;
  elapsedSeconds: number;
  label: string;
}

export interface MeasureOptions {
  /** Repository root (or the action's working-directory). */
  cwd: string;
  /** Config path; default gilgate.yml, then .github/gilgate.yml (relative to cwd). */
  config?: string | null;
  /** Git ref to re-run as base in a temporary worktree, interleaved with head. */
  base?: string | null;
  python?: string | null;
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
  const config: Config = {
    ...loaded,
    python: options.python || loaded.python,
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
    let baseTarget: PythonTarget | null = null;
    if (worktree) {
      const inBase = (p: string) => path.join(worktree!.dir, path.relative(root, p));
      baseTarget = { python: config.python, cwd: inBase(config.dir), paths: config.paths.map(inBase), env };
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
    const headTarget: PythonTarget = { python: config.python, cwd: config.dir, paths: config.paths, env };
    const sharded = options.shard ? await shardConfigs(options.shard, config, baseConfig, headTarget, options.shardCosts ?? null) : null;
    const results = await experiment({
      config: sharded?.config ?? config,
      baseConfig: sharded ? sharded.baseConfig : baseConfig,
      baseConfigMissing,
      headTarget,
      baseTarget,
      seed,
      maxTimeSeconds: options.maxTimeSeconds ?? null,
      onProgress: options.onProgress,
      startedAt,
    });
    const measured: Results & { shard?: ShardRecord } = {
      ...results,
      git: { head: headSha, base: baseSha, baseRef: options.base ?? null },
      config: path.relative(cwd, configFile) || configFile,
      ...(sharded ? { shard: sharded.record } : {}),
    };
    return measured;
  } finally {
    await worktree?.remove();
  }
}

/**
 * This leg's part of the workloads. Every leg probes every workload's cost (the pilot pass) and
 * computes the whole split itself (src/core/shard.ts); workloads only the base has get cost 0 so
 * exactly one leg reports them as removed.
 */
async function shardConfigs(
  shard: ShardSpec,
  config: Config,
  baseConfig: Config | null,
  headTarget: PythonTarget,
  previous: Parameters<typeof costsFromResults>[0] | null,
): Promise<{ config: Config; baseConfig: Config | null; record: ShardRecord }> {
  const costs = previous ? costsFromResults(previous, config.workloads.map((w) => w.name)) : [];
  for (const workload of previous ? [] : config.workloads) {
    const probe = await probeWorkload(headTarget, workload);
    costs.push({ name: workload.name, cost: probe.ok ? probe.pilotWallSeconds : 0 });
  }
  for (const workload of baseConfig?.workloads ?? []) {
    if (!costs.some((c) => c.name === workload.name)) costs.push({ name: workload.name, cost: 0 });
  }
  const record = shardRecord(shard, costs);
  const mine = (w: WorkloadConfig) => record.assignment[w.name] === shard.index;
  return {
    config: { ...config, workloads: config.workloads.filter(mine) },
    baseConfig: baseConfig ? { ...baseConfig, workloads: baseConfig.workloads.filter(mine) } : null,
    record,
  };
}

// ------------------------------------------------------------------------------------------------

interface SideState {
  side: Side;
  target: PythonTarget;
  workload: WorkloadConfig;
  probe: WorkloadProbe | Failure | null;
  arms: ArmSamples[];
  /** Arms that failed once: a failing model is an answer, running it again only costs time. */
  dropped: Set<string>;
  rounds: number;
  verdict: Verdict | null;
}

interface WorkloadState {
  name: string;
  status: WorkloadResult['status'];
  head: SideState | null;
  base: SideState | null;
  compare: ComparisonReport | null;
  settled: boolean;
}

interface ExperimentInput {
  config: Config;
  baseConfig: Config | null;
  baseConfigMissing: boolean;
  headTarget: PythonTarget;
  baseTarget: PythonTarget | null;
  seed: number;
  maxTimeSeconds: number | null;
  onProgress?: ((p: Progress) => void) | undefined;
  startedAt: Date;
}

async function experiment(input: ExperimentInput): Promise<Omit<Results, 'git' | 'config'>> {
  const { config, headTarget, baseTarget, seed, maxTimeSeconds } = input;
  const policy: SequentialPolicy = { alpha: config.alpha, minRounds: config.minRounds, maxRounds: config.maxRounds };
  const clock = () => (Date.now() - input.startedAt.getTime()) / 1000;
  const report = (done: number, total: number, label: string) =>
    input.onProgress?.({ done, total, elapsedSeconds: clock(), label });

  const environment = describeEnvironment(await probeEnvironment(headTarget));

  // Which workloads exist on which side.
  const sideState = (side: Side, target: PythonTarget, workload: WorkloadConfig): SideState => ({
    side, target, workload, probe: null, arms: [], dropped: new Set(), rounds: 0, verdict: null,
  });
  const states: WorkloadState[] = config.workloads.map((w) => {
    const inBase = baseTarget !== null && (input.baseConfig === null || input.baseConfig.workloads.some((b) => b.name === w.name));
    return {
      name: w.name,
      status: baseTarget !== null && !inBase ? 'new' : 'measured',
      head: sideState('head', headTarget, w),
      base: baseTarget !== null && inBase ? sideState('base', baseTarget, w) : null,
      compare: null,
      settled: false,
    };
  });
  if (baseTarget && input.baseConfig) {
    for (const b of input.baseConfig.workloads) {
      if (config.workloads.some((w) => w.name === b.name)) continue;
      const baseWorkload: WorkloadConfig = { ...b };
      const baseSide = sideState('base', { ...baseTarget, python: config.python }, baseWorkload);
      states.push({ name: b.name, status: 'removed', head: null, base: baseSide, compare: null, settled: false });
    }
  }

  // Probe every side: import, tasks, pickling, spawn, and a pilot pass that shapes the plan.
  const sides = states.flatMap((s) => [s.head, s.base].filter((x): x is SideState => x !== null));
  let done = 0;
  for (const side of sides) {
    report(done, sides.length, `probe ${side.workload.name}${side.side === 'base' ? ' (base)' : ''}`);
    side.probe = await probeWorkload(side.target, side.workload);
    done++;
  }
  for (const state of states) {
    // With no base config, a workload that cannot even be imported in base did not exist there.
    if (input.baseConfigMissing && state.base?.probe && !state.base.probe.ok && state.base.probe.kind === 'import') {
      state.base = null;
      state.status = 'new';
    }
    const measured = [state.head, state.base].filter((x): x is SideState => x !== null);
    const pilots = measured.map((s) => s.probe).filter((p): p is WorkloadProbe => p !== null && p.ok);
    const pilotCpuPerWall = Math.min(...pilots.map((p) => (p.pilotWallSeconds > 0 ? p.pilotCpuSeconds / p.pilotWallSeconds : 1)));
    const taskCount = Math.max(0, ...pilots.map((p) => p.taskCount));
    for (const side of measured) {
      if (!side.probe?.ok) continue;
      side.arms = planArms({
        cores: environment.cores,
        pilotCpuPerWall,
        taskCount,
        ...(side.workload.workers ? { workers: side.workload.workers } : {}),
        processesAvailable: side.probe.processesUnavailable === null,
      }).map((arm) => ({ arm, outcomes: [] }));
    }
  }

  const evaluate = (state: WorkloadState, final: boolean) => {
    for (const side of [state.head, state.base]) {
      if (side?.probe) {
        side.verdict = judge({ probe: side.probe, arms: side.arms, rounds: side.rounds, margin: config.margin, policy, final });
      }
    }
    if (state.head?.verdict && state.base?.verdict) {
      state.compare = compareSides({
        head: { result: state.head.verdict.result, arms: state.head.arms },
        base: { result: state.base.verdict.result, arms: state.base.arms },
        rounds: Math.min(state.head.rounds, state.base.rounds),
        threshold: config.threshold,
        memoryThreshold: config.memoryThreshold,
        policy,
      });
    }
    const sidesSettled = [state.head, state.base].every((s) => s === null || s.verdict === null || s.verdict.settled);
    state.settled = final || (sidesSettled && (state.compare === null || state.compare.settled));
  };

  const random = seededRandom(seed);
  let budgetExhausted = false;
  let lastRoundSeconds = 0;
  let roundsRun = 0;
  done = 0;
  for (let round = 0; round < config.maxRounds; round++) {
    for (const state of states) if (round > 0) evaluate(state, false);
    const runnable = (s: SideState | null): s is SideState =>
      s !== null && s.probe !== null && s.probe.ok && !(s.verdict?.result.recommendation === 'error');
    const active = states.filter((s) => !s.settled && [s.head, s.base].some(runnable));
    if (active.length === 0) break;
    if (maxTimeSeconds !== null && clock() + lastRoundSeconds > maxTimeSeconds) {
      budgetExhausted = true;
      break;
    }
    const entries = active.flatMap((s) =>
      [s.head, s.base].filter(runnable).map((side) => ({
        workload: s.name,
        side: side.side,
        arms: side.arms.filter((a) => !side.dropped.has(armLabel(a.arm))).map((a) => a.arm),
      })),
    );
    const schedule = roundSchedule(entries, random);
    const roundStart = clock();
    const remainingRounds = config.maxRounds - round;
    const total = done + schedule.length * remainingRounds;
    for (const trial of schedule) {
      const state = active.find((s) => s.name === trial.workload)!;
      const side = (trial.side === 'head' ? state.head : state.base)!;
      const samples = side.arms.find((a) => a.arm.model === trial.arm.model && a.arm.workers === trial.arm.workers)!;
      report(done, total, `round ${round + 1}: ${trial.workload}${trial.side === 'base' ? ' (base)' : ''} ${armLabel(trial.arm)}`);
      const outcome = await runTrial(side.target, side.workload, trial.arm);
      samples.outcomes[round] = outcome;
      if (!outcome.ok) side.dropped.add(armLabel(trial.arm));
      done++;
    }
    for (const state of active) for (const side of [state.head, state.base]) if (side && runnable(side)) side.rounds = round + 1;
    roundsRun = round + 1;
    lastRoundSeconds = clock() - roundStart;
  }
  for (const state of states) evaluate(state, true);
  report(done, done, 'done');

  const workloads = states.map(toWorkloadResult);
  const keep = holmFilter(workloads.map((w) => w.regressions), config.alpha, policy);
  workloads.forEach((w, i) => {
    const dropped = w.regressions.filter((_, j) => !keep[i]![j]);
    w.regressions = w.regressions.filter((_, j) => keep[i]![j]);
    for (const r of dropped) w.warnings.push(`possible ${r.kind} regression (${r.detail}) did not survive the Holm correction across ${workloads.length} workloads`);
  });

  return {
    schemaVersion: 1,
    tool: { name: 'gilgate', version: VERSION },
    environment,
    settings: {
      seed,
      threshold: config.threshold,
      margin: config.margin,
      memoryThreshold: config.memoryThreshold,
      alpha: config.alpha,
      minRounds: config.minRounds,
      maxRounds: config.maxRounds,
      maxTimeSeconds,
      trialEnvironment: { ...TRIAL_VARIABLES },
    },
    workloads,
    regressions: workloads.reduce((n, w) => n + w.regressions.length, 0),
    improvements: workloads.reduce((n, w) => n + w.improvements.length, 0),
    totalSeconds: clock(),
    startedAt: input.startedAt.toISOString(),
    budgetExhausted,
    rounds: roundsRun,
  };
}

function toWorkloadResult(state: WorkloadState): WorkloadResult {
  const primary = state.head ?? state.base!;
  const result: SideResult = primary.verdict?.result ?? notRun();
  const base = state.head && state.base?.verdict ? state.base.verdict.result : null;
  return {
    name: state.name,
    status: state.status,
    ...result,
    warnings: [...result.warnings],
    base: base ? { recommendation: base.recommendation, speedup: base.speedup, detail: base } : null,
    vsBase: state.compare?.vsBase ?? null,
    regressions: state.compare?.regressions ?? [],
    improvements: state.compare?.improvements ?? [],
  };
}

function notRun(): SideResult {
  return {
    recommendation: 'error',
    reason: 'not run.',
    speedup: { threads: null, processes: null },
    character: 'unknown',
    arms: [],
    unavailable: {},
    warnings: [],
    error: { kind: 'runner', message: 'not run', traceback: '' },
    rounds: 0,
    comparisons: { threadsVsSerial: null, processesVsSerial: null, threadsVsProcesses: null },
  };
}

/** When the interpreter cannot even describe itself, say so in the fields and go on: every workload will report why. */
function describeEnvironment(probe: PythonEnvironment | Failure): PythonEnvironment {
  if (!('ok' in probe) || probe.ok !== false) return probe as PythonEnvironment;
  return {
    cores: availableParallelism(),
    coresSource: 'node availableParallelism (the Python probe failed)',
    python: 'unknown',
    implementation: 'unknown',
    executable: '',
    gilEnabled: true,
    freeThreadedBuild: false,
    startMethod: 'unknown',
    os: process.platform,
    cpuModel: 'unknown',
  };
}
