// Each side runs its own code, end to end: real git repositories, real virtual environments, real
// `pip install` and a real C build with the system compiler, the real engine. Head is made 2×
// slower than base by a one-line change; the gate must flag it, or say `not compared` when the
// sides did not each run their own code, never pass and never call base's failure a fix.
// Tiny workloads and few rounds: a 2× slowdown decides in a few rounds. Assertions are verdicts.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { gateFails } from '../src/core/gate.js';
import { measure, UsageError } from '../src/measure/run.js';
import { renderTerminal } from '../src/report/terminal.js';
import { renderMarkdown } from '../src/report/markdown.js';
import type { Results, WorkloadResult } from '../src/core/types.js';
import { createRepo, type RepoFiles, type TempRepo } from './helpers/temp-repo.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'sides');
const fixture = (name: string) => readFile(join(FIXTURES, name), 'utf8');
const RUN_TIMEOUT = 300_000;
const EDITABLE = 'pip install --no-deps --no-build-isolation -e .';

/**
 * An interpreter that can make virtual environments and build offline: GILGATE_PYTHON_BUILD, else
 * Debian's /usr/bin/python3 (venv, pip, setuptools and Python.h from its packages). A missing one
 * is an error saying what to install: these tests never pass by skipping.
 */
function buildPython(): string {
  const candidate = process.env['GILGATE_PYTHON_BUILD'] || '/usr/bin/python3';
  try {
    execFileSync(candidate, ['-c', 'import setuptools, venv, pip, sysconfig, os; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))'], { stdio: 'ignore' });
  } catch {
    throw new Error(`these tests need ${candidate} with venv, pip, setuptools and Python.h (apt-get install python3-venv python3-pip python3-setuptools python3-dev), or GILGATE_PYTHON_BUILD naming such an interpreter`);
  }
  return candidate;
}
const PYTHON = buildPython();

const config = (lines: string[]) =>
  [`python: ${PYTHON}`, 'alpha: 0.05', 'rounds: {min: 3, max: 10}', ...lines, 'workloads:', '  - {name: spin, run: "slowpkg:spin", tasks: 8, workers: [2], timeout: 60}', ''].join('\n');
const slower = (source: string) => source.replace('LOOPS = 40000', 'LOOPS = 80000');

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** A repository with `base` committed, then `head` committed on top. */
async function twoCommits(base: RepoFiles, head: RepoFiles): Promise<{ repo: TempRepo; baseSha: string }> {
  const repo = await createRepo(base);
  cleanups.push(repo.cleanup);
  const baseSha = (await repo.git('rev-parse', 'HEAD')).trim();
  await repo.commit(head, 'head: 2x slower');
  return { repo, baseSha };
}

async function gate(repo: TempRepo, baseSha: string, extra: { python?: string; install?: string } = {}) {
  const warnings: string[] = [];
  const log: string[] = [];
  const results = await measure({
    cwd: repo.dir,
    base: baseSha,
    seed: 19,
    ...extra,
    onWarning: (m) => warnings.push(m),
    onLog: (t) => log.push(t),
  });
  return { results, warnings, log: log.join('') };
}

const only = (results: Results): WorkloadResult => {
  expect(results.workloads).toHaveLength(1);
  return results.workloads[0]!;
};
const kinds = (w: WorkloadResult) => w.regressions.map((r) => r.kind);
const explain = (w: WorkloadResult) => JSON.stringify({ head: w.recommendation, base: w.base?.recommendation, error: w.error?.message, regressions: w.regressions, improvements: w.improvements, provenance: w.provenance });

const SRC_LAYOUT = async (configLines: string[]): Promise<RepoFiles> => ({
  '.gitignore': '__pycache__/\n*.egg-info/\nbuild/\n',
  'pyproject.toml': await fixture('pyproject.toml'),
  'src/slowpkg/__init__.py': await fixture('spin.py'),
  'gilgate.yml': config(configLines),
});

describe('src layout, editable install through install:', { timeout: RUN_TIMEOUT }, () => {
  it('flags head 2x slower, each side importing its own tree, and records provenance', async () => {
    const base = await SRC_LAYOUT([`install: ${EDITABLE}`]);
    const { repo, baseSha } = await twoCommits(base, { 'src/slowpkg/__init__.py': slower(base['src/slowpkg/__init__.py']!) });
    const { results, log } = await gate(repo, baseSha);
    const w = only(results);
    expect(kinds(w), explain(w)).toContain('slower');
    expect(gateFails(results, 'regression')).toBe(true);
    // Each side imported its package from its own tree, through its own environment.
    const sides = results.sides!;
    expect(sides.install).toBe(EDITABLE);
    expect(w.provenance?.head?.packages.find((p) => p.name === 'slowpkg')?.file).toBe(join(sides.head.root, 'src/slowpkg/__init__.py'));
    expect(w.provenance?.base?.packages.find((p) => p.name === 'slowpkg')?.file).toBe(join(sides.base.root, 'src/slowpkg/__init__.py'));
    expect(w.provenance?.head?.digest).not.toBe(w.provenance?.base?.digest);
    // Trials record theirs too.
    const baseTrial = results.values!.trials.find((t) => t.side === 'base' && t.outcome.ok);
    expect(baseTrial?.outcome.ok && baseTrial.outcome.provenance?.digest).toBe(w.provenance?.base?.digest);
    expect(sides.head.installSeconds).toBeGreaterThan(0);
    expect(log).toContain('Successfully installed slowpkg');
  });
});

describe('src layout installed into the interpreter, without install: (the old recipe)', { timeout: RUN_TIMEOUT }, () => {
  it('is not compared, names the path and the fix, and fails the gate', async () => {
    const venv = await mkdtemp(join(tmpdir(), 'gilgate-user-venv-'));
    cleanups.push(() => rm(venv, { recursive: true, force: true }));
    await execa(PYTHON, ['-m', 'venv', '--system-site-packages', '--without-pip', venv]);
    const base = await SRC_LAYOUT([]);
    base['gilgate.yml'] = base['gilgate.yml']!.replace(`python: ${PYTHON}`, `python: ${venv}/bin/python`);
    const { repo, baseSha } = await twoCommits(base, { 'src/slowpkg/__init__.py': slower(base['src/slowpkg/__init__.py']!) });
    await execa(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--no-deps', '--no-build-isolation', '-e', '.'], { cwd: repo.dir });
    const { results } = await gate(repo, baseSha);
    const w = only(results);
    expect(kinds(w), explain(w)).toEqual(['not-compared']);
    expect(w.vsBase).toBeNull();
    const detail = w.regressions[0]!.detail;
    expect(detail).toContain("head's working tree");
    expect(detail).toContain(join(repo.dir, 'src/slowpkg/__init__.py'));
    expect(detail).toContain('install:');
    expect(gateFails(results, 'regression')).toBe(true);
    expect(renderTerminal(results, { color: false })).toContain('not compared');
    expect(renderMarkdown(results)).toContain('not compared');
  });
});

describe('src layout, non-editable install through install:', { timeout: RUN_TIMEOUT }, () => {
  it('flags head 2x slower, each side importing its own installed copy', async () => {
    const base = await SRC_LAYOUT(['install: pip install --no-deps --no-build-isolation .']);
    const { repo, baseSha } = await twoCommits(base, { 'src/slowpkg/__init__.py': slower(base['src/slowpkg/__init__.py']!) });
    const { results } = await gate(repo, baseSha);
    const w = only(results);
    expect(kinds(w), explain(w)).toContain('slower');
    const baseFile = w.provenance?.base?.packages.find((p) => p.name === 'slowpkg')?.file ?? '';
    expect(results.sides!.base.venvs.some((venv) => baseFile.startsWith(`${venv}/`)), baseFile).toBe(true);
  });
});

describe('flat layout', { timeout: RUN_TIMEOUT }, () => {
  it('flags head 2x slower without any install', async () => {
    const spin = await fixture('spin.py');
    const { repo, baseSha } = await twoCommits(
      { '.gitignore': '__pycache__/\n', 'slowpkg/__init__.py': spin, 'gilgate.yml': config([]) },
      { 'slowpkg/__init__.py': slower(spin) },
    );
    const { results } = await gate(repo, baseSha);
    const w = only(results);
    expect(kinds(w), explain(w)).toContain('slower');
  });
});

describe('a C extension built by setuptools', { timeout: RUN_TIMEOUT }, () => {
  it('flags head 2x slower when each side builds its own', async () => {
    const source = await fixture('c-extension/cslow.c');
    const files: RepoFiles = {
      '.gitignore': '__pycache__/\nbuild/\n*.so\n',
      'setup.py': await fixture('c-extension/setup.py'),
      'cslow.c': source,
      'gilgate.yml': config(['install: python setup.py -q build_ext --inplace']).replace('slowpkg:spin', 'cslow:spin'),
    };
    const { repo, baseSha } = await twoCommits(files, { 'cslow.c': source.replace('3000000UL', '6000000UL') });
    const { results } = await gate(repo, baseSha);
    const w = only(results);
    expect(kinds(w), explain(w)).toContain('slower');
    expect(w.provenance?.base?.packages.find((p) => p.name === 'cslow')?.file).toMatch(new RegExp(`^${results.sides!.base.root}/cslow\\..*\\.so$`));
  });
});

describe('a git-ignored generated module', { timeout: RUN_TIMEOUT }, () => {
  it('names it, is not compared, and is never a fix', async () => {
    const spin = await fixture('spin.py');
    const files: RepoFiles = {
      '.gitignore': '__pycache__/\nslowpkg/_version.py\n',
      'slowpkg/__init__.py': `from ._version import VERSION\n${spin}`,
      'gilgate.yml': config([]),
    };
    const { repo, baseSha } = await twoCommits(files, { 'slowpkg/__init__.py': slower(files['slowpkg/__init__.py']!) });
    // Generated in head's tree, as a build step would: git never sees it, so base's worktree lacks it.
    await writeFile(join(repo.dir, 'slowpkg', '_version.py'), 'VERSION = "1.0"\n');
    const { results, warnings } = await gate(repo, baseSha);
    const w = only(results);
    expect(kinds(w), explain(w)).toEqual(['not-compared']);
    expect(w.improvements.map((i) => i.kind)).not.toContain('fixed');
    const detail = w.regressions[0]!.detail;
    expect(detail).toContain('slowpkg._version');
    expect(detail).toContain(join(repo.dir, 'slowpkg/_version.py'));
    expect(detail).toContain('git does not track');
    expect(warnings.join('\n')).toContain('slowpkg/_version.py');
    expect(results.sides!.untracked).toContain('slowpkg/_version.py');
    expect(gateFails(results, 'regression')).toBe(true);
  });
});

describe('an absolute paths: entry outside the repository', { timeout: RUN_TIMEOUT }, () => {
  it('is imported by both sides as it is: no false fix, head 2x slower flagged', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'gilgate-outside-'));
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    await writeFile(join(outside, 'extlib.py'), await fixture('spin.py'));
    const bench = 'import extlib\n\nLOOPS = 40000\n\n\ndef spin(i):\n    return extlib.spin(i, LOOPS)\n';
    const files: RepoFiles = {
      '.gitignore': '__pycache__/\n',
      'slowpkg/__init__.py': bench,
      'gilgate.yml': config([`paths: [${outside}, .]`]),
    };
    const { repo, baseSha } = await twoCommits(files, { 'slowpkg/__init__.py': slower(bench) });
    const { results, warnings } = await gate(repo, baseSha);
    const w = only(results);
    expect(w.improvements.map((i) => i.kind), explain(w)).not.toContain('fixed');
    expect(w.base?.recommendation, explain(w)).not.toBe('error');
    expect(kinds(w), explain(w)).toContain('slower');
    expect(results.sides!.shared).toEqual([outside]);
    expect(warnings.join('\n')).toContain(outside);
  });
});

describe('setup mistakes are per-side errors', { timeout: RUN_TIMEOUT }, () => {
  it('a paths: entry missing on one side names it and the side; a failing install names the side', async () => {
    const spin = await fixture('spin.py');
    const { repo, baseSha } = await twoCommits(
      { 'slowpkg/__init__.py': spin, 'gilgate.yml': config([]) },
      { 'lib/keep.txt': '', 'gilgate.yml': config(['paths: [., lib]']) },
    );
    // Base runs its own config (paths: [.]) fine; head's lib exists. Delete it in head: head's error.
    await rm(join(repo.dir, 'lib'), { recursive: true });
    await expect(gate(repo, baseSha)).rejects.toThrow(/paths: .*\/lib does not exist on the head side/);
    await expect(gate(repo, baseSha, { install: 'exit 3' })).rejects.toSatisfy((e) => e instanceof UsageError);
    await repo.git('checkout', '--', '.');
    await expect(gate(repo, baseSha, { install: 'test -e lib || exit 3' })).rejects.toThrow(/install: `test -e lib \|\| exit 3` failed for base/);
  });
});
