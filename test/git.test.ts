import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GitError,
  addWorktree,
  headCommit,
  isDirty,
  repoRoot,
  resolveCommit,
  withWorktree,
} from '../src/measure/git.js';
import { createRepo, runGit, worktreePaths, type TempRepo } from './helpers/temp-repo.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function repo(files: Record<string, string> = { 'README.md': 'hello\n' }): Promise<TempRepo> {
  const r = await createRepo(files);
  cleanups.push(r.cleanup);
  return r;
}

async function plainDir(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'gilgate-nogit-')));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('repoRoot / headCommit', () => {
  it('finds the top of the repository from a subdirectory', async () => {
    const r = await repo({ 'pkg/mod.py': 'x = 1\n' });
    expect(await repoRoot(join(r.dir, 'pkg'))).toBe(await realpath(r.dir));
  });

  it('says how to fix running outside a repository', async () => {
    const dir = await plainDir();
    const error = await caught(repoRoot(dir));
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain(`not a git repository: ${dir}`);
    expect(error.message).toContain('actions/checkout');
    expect(error.message).toContain('drop --base');
    expect(await headCommit(dir)).toBeNull();
  });

  it('returns HEAD, and null for a repository without commits', async () => {
    const r = await repo();
    expect(await headCommit(r.dir)).toBe((await r.git('rev-parse', 'HEAD')).trim());
    const empty = await createRepo();
    cleanups.push(empty.cleanup);
    expect(await headCommit(empty.dir)).toBeNull();
  });
});

describe('resolveCommit', () => {
  it('resolves branches, tags, short SHAs and relative refs to the full SHA', async () => {
    const r = await repo();
    const first = (await r.git('rev-parse', 'HEAD')).trim();
    await r.git('tag', 'v1');
    const second = await r.commit({ 'README.md': 'changed\n' });
    expect(await resolveCommit(r.dir, 'main')).toBe(second);
    expect(await resolveCommit(r.dir, 'HEAD~1')).toBe(first);
    expect(await resolveCommit(r.dir, 'v1')).toBe(first);
    expect(await resolveCommit(r.dir, first.slice(0, 10))).toBe(first);
  });

  it('rejects an unknown ref with a GitError naming it', async () => {
    const r = await repo();
    const error = await caught(resolveCommit(r.dir, 'no-such-branch'));
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain('unknown git ref no-such-branch');
    expect(error.message).not.toContain('fetch-depth');
  });

  it('rejects a ref that git would read as an option', async () => {
    const r = await repo();
    const error = await caught(resolveCommit(r.dir, '--output=/tmp/x'));
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain('invalid git ref');
  });

  it('tells a shallow clone missing the base commit to fetch the history', async () => {
    const r = await repo({ 'a.txt': '1\n' });
    const first = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'a.txt': '2\n' });
    await r.commit({ 'a.txt': '3\n' });
    const parent = await plainDir();
    const clone = join(parent, 'clone');
    await runGit(parent, ['clone', '--quiet', '--depth', '1', `file://${r.dir}`, clone]);
    expect((await runGit(clone, ['rev-parse', '--is-shallow-repository'])).trim()).toBe('true');

    const error = await caught(resolveCommit(clone, first));
    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toContain('fetch-depth: 0');
    expect(error.message).toContain('git fetch --unshallow');
    // The commit the shallow clone does have still resolves.
    expect(await resolveCommit(clone, 'HEAD')).toBe((await r.git('rev-parse', 'HEAD')).trim());
  });
});

describe('isDirty', () => {
  it('is false for a clean checkout and true for modified, staged or untracked files', async () => {
    const r = await repo({ 'README.md': 'hello\n', '.gitignore': 'build/\n' });
    expect(await isDirty(r.dir)).toBe(false);

    await r.write({ 'build/out.bin': 'ignored output\n' });
    expect(await isDirty(r.dir)).toBe(false);

    await r.write({ 'new_module.py': 'x = 1\n' });
    expect(await isDirty(r.dir)).toBe(true);
    await r.write({ 'new_module.py': null });
    expect(await isDirty(r.dir)).toBe(false);

    await r.write({ 'README.md': 'edited\n' });
    expect(await isDirty(r.dir)).toBe(true);
    await r.git('add', 'README.md');
    expect(await isDirty(r.dir)).toBe(true);
  });

  it('fails with a GitError outside a repository', async () => {
    const error = await caught(isDirty(await plainDir()));
    expect(error).toBeInstanceOf(GitError);
  });
});

describe('worktrees', () => {
  it("checks out exactly the commit's content, detached, and removes every trace", async () => {
    const r = await repo({ 'bench/work.py': 'def run(x):\n    return x\n', 'README.md': 'v1\n' });
    const base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'bench/work.py': 'def run(x):\n    return 2 * x\n', 'README.md': null, 'NEW.md': 'new\n' });
    const branchesBefore = await r.git('branch', '--list', '--all');

    const w = await addWorktree(r.dir, base);
    expect(w.sha).toBe(base);
    expect(await readFile(join(w.dir, 'bench/work.py'), 'utf8')).toBe('def run(x):\n    return x\n');
    expect(await readFile(join(w.dir, 'README.md'), 'utf8')).toBe('v1\n');
    expect(existsSync(join(w.dir, 'NEW.md'))).toBe(false);
    expect((await runGit(w.dir, ['rev-parse', 'HEAD'])).trim()).toBe(base);
    expect(await worktreePaths(r.dir)).toHaveLength(2);

    // Trials leave files behind (bytecode caches, outputs): removal must not trip on them.
    await writeFile(join(w.dir, 'leftover.txt'), 'x');
    await w.remove();
    await w.remove(); // idempotent

    expect(await worktreePaths(r.dir)).toEqual([await realpath(r.dir)]);
    expect(existsSync(w.dir)).toBe(false);
    expect(existsSync(join(r.dir, '.git', 'worktrees')) ? await readdir(join(r.dir, '.git', 'worktrees')) : []).toEqual(
      [],
    );
    expect(await r.git('branch', '--list', '--all')).toBe(branchesBefore);
    expect(await r.git('status', '--porcelain')).toBe('');
  });

  it('works from a subdirectory of the repository', async () => {
    const r = await repo({ 'pkg/mod.py': 'x = 1\n' });
    const sha = (await r.git('rev-parse', 'HEAD')).trim();
    await withWorktree(join(r.dir, 'pkg'), sha, async (w) => {
      expect(await readFile(join(w.dir, 'pkg/mod.py'), 'utf8')).toBe('x = 1\n');
    });
    expect(await worktreePaths(r.dir)).toHaveLength(1);
  });

  it('returns the callback value and removes the worktree', async () => {
    const r = await repo();
    const sha = (await r.git('rev-parse', 'HEAD')).trim();
    let seen = '';
    const value = await withWorktree(r.dir, sha, async (w) => {
      seen = w.dir;
      return 42;
    });
    expect(value).toBe(42);
    expect(existsSync(seen)).toBe(false);
    expect(await worktreePaths(r.dir)).toHaveLength(1);
  });

  it('removes the worktree when the callback throws, and rethrows its error', async () => {
    const r = await repo();
    const sha = (await r.git('rev-parse', 'HEAD')).trim();
    let seen = '';
    const error = await caught(
      withWorktree(r.dir, sha, async (w) => {
        seen = w.dir;
        expect(existsSync(join(w.dir, 'README.md'))).toBe(true);
        throw new Error('workload exploded');
      }),
    );
    expect(error.message).toBe('workload exploded');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
    expect(await worktreePaths(r.dir)).toHaveLength(1);
    expect(await r.git('status', '--porcelain')).toBe('');
  });

  it('fails cleanly for a commit that does not exist, leaving nothing behind', async () => {
    const r = await repo();
    // A private temp dir, so worktrees made by tests running in parallel cannot be mistaken for a leak.
    const privateTmp = await plainDir();
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const error = await caught(addWorktree(r.dir, '0123456789abcdef0123456789abcdef01234567'));
      expect(error).toBeInstanceOf(GitError);
      expect(error.message).toContain('could not check out');
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    expect(await worktreePaths(r.dir)).toHaveLength(1);
    expect(await readdir(privateTmp)).toEqual([]);
  });
});
