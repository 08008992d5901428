// Phase 2 of a measurement: each side's tree, paths, environment and interpreters. Head runs in
// the working tree; base in a temporary git worktree of its commit (tracked files only). With
// `install:`, each side gets its own virtual environment per interpreter and the command runs in
// the side's tree inside it, so that each side imports its own build; the trials of a side run its
// environment's interpreter.
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { formatIssue, parseConfig } from '../core/config.js';
import { isUnder, relativeTo } from '../core/provenance.js';
import { addWorktree, changedFiles, GitError, type Worktree } from './git.js';
import { prepareEnvironment, type SideEnvironment } from './install.js';
import { isFailure, probeEnvironment, type PythonTarget } from './python.js';
import { UsageError } from './usage-error.js';
import type { Resolved } from './resolve.js';
import type { Config, Failure, PythonEnvironment, Side, SidesSetup } from '../core/types.js';

export interface PreparedSides {
  /** Head's interpreters' environments (index = interpreter). */
  environments: PythonEnvironment[];
  /** Base's, when base runs other interpreters than head. */
  baseEnvironments: PythonEnvironment[];
  /** The base config's interpreters when base runs them (paired with head's by position), else null. */
  basePythons: string[] | null;
  baseConfig: Config | null;
  baseConfigMissing: boolean;
  targets: Record<Side, PythonTarget[]>;
  /** Where each side's code lives (null without --base). */
  sides: SidesSetup | null;
  /** Removes the worktree and the environments; safe to call once whatever happened. */
  cleanup(): Promise<void>;
}

/**
 * Check out base, read its config, resolve each side's paths, make each side's environments and
 * run `install:`, and describe the interpreters. On failure everything made so far is removed.
 */
export async function prepareSides(
  resolved: Resolved,
  options: { install?: string | null; warn: (message: string) => void; log: (text: string) => void },
): Promise<PreparedSides> {
  const { config, configFile, root, env, baseSha, headSha, given } = resolved;
  const { warn, log } = options;
  const install = options.install?.trim() || null;
  const made: SideEnvironment[] = [];
  let worktree: Worktree | null = null;
  const cleanup = async () => {
    await Promise.all(made.map((m) => m.remove()));
    await worktree?.remove();
  };
  try {
    if (baseSha !== null) {
      try {
        worktree = await addWorktree(root, baseSha);
      } catch (error) {
        if (error instanceof GitError) throw new UsageError(error.message);
        throw error;
      }
    }
    const configRoot = await realpath(path.dirname(configFile)).then((dir) => path.join(dir, path.basename(configFile)));
    const inBase = (p: string) => path.join(worktree!.dir, path.relative(root, p));
    let baseConfig: Config | null = null;
    let baseConfigMissing = false;
    if (worktree) {
      const baseConfigFile = inBase(configRoot);
      if (existsSync(baseConfigFile)) {
        const parsed = parseConfig(await readFile(baseConfigFile, 'utf8'), baseConfigFile);
        if (parsed.ok) baseConfig = parsed.config;
        else warn(`the base commit's config is invalid (${parsed.issues.map(formatIssue).join('; ')}): measuring base with the head's config`);
      } else {
        baseConfigMissing = true;
        warn(`the base commit has no ${path.relative(root, configRoot)}: measuring base with the head's config; workloads that do not import there count as new`);
      }
    }

    // Paths: those inside the repository are each side's own (base's re-rooted into its worktree,
    // or the base config's own); those outside it are used as they are by both sides.
    const headPaths = await Promise.all(config.paths.map(real));
    const headDir = path.dirname(configRoot);
    const shared = new Set<string>();
    for (const p of headPaths) if (!isUnder(p, root)) shared.add(p);
    checkPaths(headPaths, 'head', `head's working tree ${root}`);
    let basePaths: string[] = [];
    if (worktree) {
      basePaths = baseConfig ? await Promise.all(baseConfig.paths.map(real)) : headPaths.map((p) => (isUnder(p, root) ? inBase(p) : p));
      for (const p of basePaths) if (!isUnder(p, worktree.dir)) shared.add(p);
      checkPaths(basePaths, 'base', `base's worktree of ${baseSha!.slice(0, 12)}`);
      if (shared.size > 0) warn(`paths outside the repository are imported as they are by both sides (the same code on both): ${[...shared].join(', ')}`);
    }

    // Each interpreter is resolved once: its probe reports sys.executable, and every later call
    // runs that path (never a shim or a PATH lookup per trial).
    //
    // Like with like: base runs the base config's interpreters (position i ↔ head's i), so a PR that
    // only changes `python` shows what the new interpreter does. --python overrides both sides; a base
    // list of another length cannot be paired, so base then runs head's, with a warning.
    const basePythons = worktree ? pairedBasePythons(config.pythons, given.length > 0 ? null : baseConfig, warn) : null;
    const environments: PythonEnvironment[] = [];
    const baseEnvironments: PythonEnvironment[] = [];
    const targets: Record<Side, PythonTarget[]> = { head: [], base: [] };
    const headRoots = [root];
    const baseRoots = worktree ? [worktree.dir, root] : [];
    const installed: Record<Side, SideEnvironment[]> = { head: [], base: [] };
    const ownPython = async (side: Side, executable: string, tree: string, commit: string | null) => {
      if (!install || !executable) return executable;
      const environment = await prepareEnvironment({ side, commit, executable, tree, command: install, env, log });
      made.push(environment);
      installed[side].push(environment);
      return environment.python;
    };
    for (const [i, command] of config.pythons.entries()) {
      const environment = describeEnvironment(await probeEnvironment({ python: command, cwd: config.dir, paths: headPaths, roots: headRoots, env }));
      environments.push(environment);
      const headPython = await ownPython('head', environment.executable, root, headSha);
      targets.head.push({ python: headPython || command, cwd: headDir, paths: headPaths, roots: headRoots, env });
      if (!worktree) continue;
      const baseCommand = basePythons?.[i] ?? command;
      const baseDir = inBase(headDir);
      const baseEnvironment = baseCommand === command
        ? environment
        : describeEnvironment(await probeEnvironment({ python: baseCommand, cwd: baseDir, paths: basePaths, roots: baseRoots, env }));
      baseEnvironments.push(baseEnvironment);
      const basePython = await ownPython('base', baseEnvironment.executable, worktree.dir, baseSha);
      targets.base.push({ python: basePython || baseCommand, cwd: baseDir, paths: basePaths, roots: baseRoots, env });
    }

    const seconds = (side: Side) => installed[side].reduce((s, e) => s + e.seconds, 0);
    const sides: SidesSetup | null = worktree
      ? {
          head: { root, commit: headSha, venvs: installed.head.map((e) => e.venv), installSeconds: seconds('head') },
          base: { root: worktree.dir, commit: baseSha, venvs: installed.base.map((e) => e.venv), installSeconds: seconds('base') },
          install,
          shared: [...shared],
          changed: await changedFiles(root, baseSha!),
          untracked: [],
        }
      : null;
    return { environments, baseEnvironments, basePythons, baseConfig, baseConfigMissing, targets, sides, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A path as the runner will see its modules' files: symbolic links resolved, when it exists. */
async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

/** Every path of a side must exist there: a missing one would make that side import something else. */
function checkPaths(paths: readonly string[], side: Side, where: string): void {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new UsageError(`paths: ${missing.join(', ')} does not exist on the ${side} side (${where}); every entry of \`paths:\` must exist on both sides`);
  }
}

/** Head's files (relative to the root) that its probes imported from its tree. */
export function headRepositoryFiles(files: readonly string[], root: string): string[] {
  return [...new Set(files.map((f) => relativeTo(f, root)).filter((r): r is string => r !== null))];
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
