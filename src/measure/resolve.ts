// Phase 1 of a measurement: what to run. The config (with --python and --threshold applied), the
// seed, the trials' environment, and the commits of head and base. Nothing is started yet.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_CANDIDATES, formatIssue, parseConfig } from '../core/config.js';
import { GitError, headCommit, isDirty, repoRoot, resolveCommit } from './git.js';
import { trialEnvironment } from './trial-environment.js';
import { UsageError } from './usage-error.js';
import type { Config } from '../core/types.js';
import type { MeasureOptions } from './run.js';

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

export interface Resolved {
  startedAt: Date;
  cwd: string;
  configFile: string;
  config: Config;
  /** Interpreters given on the command line (they override both sides' configs); [] when none. */
  given: string[];
  seed: number;
  /** The environment of every workload process and install: credentials stripped. */
  env: Record<string, string>;
  /** The repository root (realpath; cwd without --base), head's tree. */
  root: string;
  headSha: string | null;
  /** Null without --base. */
  baseSha: string | null;
}

export async function resolveRun(options: MeasureOptions, warn: (message: string) => void): Promise<Resolved> {
  const startedAt = new Date();
  const cwd = path.resolve(options.cwd);
  const configFile = locateConfig(cwd, options.config);
  const loaded = await loadConfig(configFile);
  const given = typeof options.python === 'string' ? [options.python] : [...(options.python ?? [])];
  const pythons = given.length > 0 ? given : loaded.pythons;
  const config: Config = { ...loaded, python: pythons[0]!, pythons, threshold: options.threshold ?? loaded.threshold };
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const env = trialEnvironment(options.env ?? process.env, options.secrets ?? []);

  let headSha = await headCommit(cwd);
  let baseSha: string | null = null;
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
    } catch (error) {
      if (error instanceof GitError) throw new UsageError(error.message);
      throw error;
    }
  }
  return { startedAt, cwd, configFile, config, given, seed, env, root: await realpath(root), headSha, baseSha };
}
