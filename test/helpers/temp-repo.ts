// Real git repositories in temporary directories, for tests that need history (base vs head).
// Identity and signing are set locally so the tests behave the same on any machine or CI runner.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/** Path (relative to the repository root, '/'-separated) → content. `null` deletes the file. */
export type RepoFiles = Record<string, string | null>;

export interface TempRepo {
  /** Absolute path of the repository's top directory. */
  dir: string;
  /** Writes (or deletes) files, commits everything, returns the new commit's full SHA. */
  commit(files: RepoFiles, message?: string): Promise<string>;
  /** Writes (or deletes) files without committing. */
  write(files: RepoFiles): Promise<void>;
  /** Runs git in the repository and returns stdout. */
  git(...args: string[]): Promise<string>;
  /** Removes the repository directory. */
  cleanup(): Promise<void>;
}

const GIT_ENV = {
  LC_ALL: 'C',
  GIT_TERMINAL_PROMPT: '0',
  // Keep the user's global config (hooks, templates, signing) out of test repositories.
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function runGit(cwd: string, args: readonly string[]): Promise<string> {
  const result = await execa('git', args, { cwd, env: GIT_ENV, stdin: 'ignore' });
  return String(result.stdout);
}

/** Creates a repository and, when `files` has entries, commits them as the first commit. */
export async function createRepo(files: RepoFiles = {}, prefix = 'gilgate-repo-'): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await runGit(dir, ['init', '--quiet', '--initial-branch=main']);
  await runGit(dir, ['config', 'user.name', 'gilgate tests']);
  await runGit(dir, ['config', 'user.email', 'tests@gilgate.invalid']);
  await runGit(dir, ['config', 'commit.gpgsign', 'false']);

  const write = async (changes: RepoFiles): Promise<void> => {
    for (const [path, content] of Object.entries(changes)) {
      const target = join(dir, path);
      if (content === null) {
        await rm(target, { force: true });
      } else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
  };
  const commit = async (changes: RepoFiles, message = 'change'): Promise<string> => {
    await write(changes);
    await runGit(dir, ['add', '--all']);
    await runGit(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
    return (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
  };
  if (Object.keys(files).length > 0) await commit(files, 'initial');

  return {
    dir,
    commit,
    write,
    git: (...args: string[]) => runGit(dir, args),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Lines of `git worktree list --porcelain` that name a worktree: one per worktree. */
export async function worktreePaths(dir: string): Promise<string[]> {
  const out = await runGit(dir, ['worktree', 'list', '--porcelain']);
  return out
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}
