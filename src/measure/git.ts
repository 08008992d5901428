// The git side of the gate: find the repository, resolve the base commit, and check it out in a
// temporary worktree that leaves nothing behind. Shell code: it runs `git` through execa.

import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** A git failure whose message says what happened and how to fix it. */
export class GitError extends Error {
  override name = 'GitError';
}

interface GitOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  /** Set when git itself could not be started (not installed, cwd missing). */
  spawnError: string | null;
}

// LC_ALL=C keeps messages parseable and in English; GIT_TERMINAL_PROMPT=0 makes a git that would
// ask for credentials fail at once instead of hanging a CI job. GIT_OPTIONAL_LOCKS=0 stops
// read-only commands (status) from refreshing the index, so we never race the user's own git.
const GIT_ENV = { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };

async function git(cwd: string, args: readonly string[]): Promise<GitOutput> {
  const result = await execa('git', args, {
    cwd,
    env: GIT_ENV,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: true,
  });
  // No exit code means git never ran (not installed, cwd missing), as opposed to git saying no.
  const spawnError = result.failed && result.exitCode === undefined ? describeSpawnFailure(result.cause, cwd) : null;
  return {
    ok: !result.failed,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    exitCode: result.exitCode,
    spawnError,
  };
}

function describeSpawnFailure(cause: unknown, cwd: string): string {
  const code = cause instanceof Error && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  if (code === 'ENOENT') {
    return `could not run git in ${cwd}: git is not installed or ${cwd} does not exist — install git and check the working directory`;
  }
  return `could not run git in ${cwd}: ${cause instanceof Error ? cause.message : String(cause)}`;
}

/** Runs git and returns stdout, or throws a GitError carrying git's own words plus a hint. */
async function gitOrThrow(cwd: string, args: readonly string[], hint: string): Promise<string> {
  const out = await git(cwd, args);
  if (out.spawnError !== null) throw new GitError(out.spawnError);
  if (!out.ok) {
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${firstLines(out.stderr)} — ${hintFor(out.stderr, hint)}`);
  }
  return out.stdout;
}

// Containers and CI runners often check out as another user; git then refuses the repository.
function hintFor(stderr: string, fallback: string): string {
  if (/dubious ownership/i.test(stderr)) {
    return 'git refuses a repository owned by another user: run `git config --global --add safe.directory <repo>`';
  }
  return fallback;
}

function firstLines(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '(no output)' : lines.slice(0, 3).join(' / ');
}

/** Absolute path of the top of the working tree that holds `cwd`. */
export async function repoRoot(cwd: string): Promise<string> {
  const out = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (out.spawnError !== null) throw new GitError(out.spawnError);
  if (!out.ok || out.stdout.trim() === '') {
    if (/dubious ownership/i.test(out.stderr)) {
      throw new GitError(`git refuses ${cwd}: ${hintFor(out.stderr, '')}`);
    }
    throw new GitError(
      `not a git repository: ${cwd} — run gilgate inside a git checkout (actions/checkout) or drop --base`,
    );
  }
  return out.stdout.trim();
}

/** Full SHA of HEAD, or null when `cwd` is not in a repository or HEAD has no commit yet. */
export async function headCommit(cwd: string): Promise<string | null> {
  const out = await git(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!out.ok) return null;
  const sha = out.stdout.trim();
  return sha === '' ? null : sha;
}

/**
 * Whether the working tree differs from HEAD. Untracked files count (ignored ones do not): gilgate
 * measures the working tree, and a new untracked module is code that runs, so results from such a
 * tree cannot be reproduced from the commit SHA alone. Ignored files (build output, __pycache__)
 * are the repository's own declaration of "not source", so they do not count.
 */
export async function isDirty(cwd: string): Promise<boolean> {
  const stdout = await gitOrThrow(
    cwd,
    ['status', '--porcelain', '--untracked-files=normal'],
    'run gilgate inside a git checkout',
  );
  return stdout.trim() !== '';
}

/** Full SHA of `ref^{commit}`. Throws a GitError that says how to fetch a missing commit. */
export async function resolveCommit(cwd: string, ref: string): Promise<string> {
  const trimmed = ref.trim();
  // A ref that starts with '-' would be read as an option by git.
  if (trimmed === '' || trimmed.startsWith('-')) {
    throw new GitError(`invalid git ref ${JSON.stringify(ref)} — pass a branch, tag or commit SHA as --base`);
  }
  await repoRoot(cwd);
  const out = await git(cwd, ['rev-parse', '--verify', '--quiet', `${trimmed}^{commit}`]);
  if (out.spawnError !== null) throw new GitError(out.spawnError);
  const sha = out.stdout.trim();
  if (out.ok && /^[0-9a-f]{40,64}$/.test(sha)) return sha;

  const shallow = await git(cwd, ['rev-parse', '--is-shallow-repository']);
  if (shallow.ok && shallow.stdout.trim() === 'true') {
    throw new GitError(
      `base commit ${trimmed} is not in this shallow clone — fetch the history: use actions/checkout with ` +
        '`fetch-depth: 0` (or run `git fetch --unshallow`, or fetch the base commit) before gilgate',
    );
  }
  throw new GitError(
    `unknown git ref ${trimmed} in ${cwd} — check the name, or fetch it first (e.g. \`git fetch origin ${trimmed}\`)`,
  );
}

/** A detached checkout of one commit in a temporary directory. */
export interface Worktree {
  /** Absolute path of the worktree's top directory. */
  dir: string;
  sha: string;
  /** Removes the worktree, its directory and git's bookkeeping. Safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Checks `sha` out with `git worktree add --detach` in a fresh temporary directory. Detached, so no
 * branch is created; remove() prunes git's record, so the repository ends as it started.
 */
export async function addWorktree(cwd: string, sha: string): Promise<Worktree> {
  const root = await repoRoot(cwd);
  // realpath: on macOS the temp dir is behind a symlink and git records the resolved path.
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'gilgate-base-')));
  const out = await git(root, ['worktree', 'add', '--detach', dir, sha]);
  if (!out.ok) {
    await rm(dir, { recursive: true, force: true });
    await git(root, ['worktree', 'prune']);
    if (out.spawnError !== null) throw new GitError(out.spawnError);
    throw new GitError(
      `could not check out ${sha} in a temporary worktree: ${firstLines(out.stderr)} — ` +
        hintFor(out.stderr, 'check that the commit exists (git cat-file -t <sha>) and that the temp directory is writable'),
    );
  }
  let removal: Promise<void> | null = null;
  const remove = (): Promise<void> => {
    // The same promise for every caller: a second remove() waits for the first instead of racing it.
    removal ??= (async () => {
      // --force: the trials may have left files (__pycache__, outputs) in the worktree.
      await git(root, ['worktree', 'remove', '--force', dir]);
      await rm(dir, { recursive: true, force: true });
      // Drops the .git/worktrees entry when `worktree remove` failed after the directory went.
      await git(root, ['worktree', 'prune']);
    })();
    return removal;
  };
  return { dir, sha, remove };
}

/** Runs `fn` with a temporary worktree of `sha`, removing it afterwards, also when `fn` throws. */
export async function withWorktree<T>(cwd: string, sha: string, fn: (w: Worktree) => Promise<T>): Promise<T> {
  const worktree = await addWorktree(cwd, sha);
  try {
    return await fn(worktree);
  } finally {
    await worktree.remove();
  }
}

/**
 * Files (relative to the root) that differ between `base` and the working tree (tracked files,
 * committed or not): what the PR changes. Empty when git cannot say.
 */
export async function changedFiles(root: string, base: string): Promise<string[]> {
  const out = await git(root, ['diff', '--name-only', '-z', base, '--']);
  return out.ok ? out.stdout.split('\0').filter((f) => f !== '') : [];
}

/** Of these files (relative to the root), those git does not track: ignored or untracked. */
export async function untrackedFiles(root: string, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const out = await git(root, ['ls-files', '-z', '--', ...files]);
  if (!out.ok) return [];
  const tracked = new Set(out.stdout.split('\0'));
  return files.filter((f) => !tracked.has(f));
}
