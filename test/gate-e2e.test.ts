// The base-vs-head gate end to end: real git repositories, real Python trials, the real engine.
// Workloads are tiny (~50–150 ms per serial trial) and rounds are capped low so the file finishes
// in a few minutes on 2 shared cores. Assertions are about verdicts, never about timings.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateFails } from '../src/core/gate.js';
import { measure, UsageError, type MeasureOptions } from '../src/measure/run.js';
import type { Results, WorkloadResult } from '../src/core/types.js';
import { createRepo, worktreePaths, type RepoFiles, type TempRepo } from './helpers/temp-repo.js';

const RUN_TIMEOUT = 300_000;

// Trials write bytecode caches next to the modules (deliberately, see trial-environment.ts);
// every real Python repository ignores them, and so do these.
const GITIGNORE = '__pycache__/\n';

// Loop counts are module constants so a "change" is a one-line diff, as in a real PR.
// `checksum` is built so that its verdicts do not depend on the machine: its results are closures,
// which cannot be pickled, so processes are unavailable on both commits. Sleeping tasks overlap in
// threads on any machine (base: threads); pure-Python work holds the GIL, so threads cannot beat
// serial on any machine (head: serial). The flip threads → serial is certain wherever it runs.
// `grows` returns a closure too, so that its verdict cannot flip either: a 40% larger batch of 39 ms
// crosses the per-batch break-even of a process pool here (processes ×1.03 in base, ×1.21 in head:
// a true flip, not the one the test is about), while serial against GIL-bound threads is serial on
// both commits wherever it runs.
function workModule(loops: { spin: number; grow: number }, checksum: 'sleep' | 'pure'): string {
  const checksumBody =
    checksum === 'sleep'
      ? '    time.sleep(0.01)\n    s = i\n'
      : '    s = i\n' +
        '    for b in BUFFERS[i % len(BUFFERS)][:80000]:\n' +
        '        s = (s * 31 + b) & 0xFFFFFFFF\n';
  return [
    'import time',
    '',
    `SPIN_LOOPS = ${loops.spin}`,
    `GROW_LOOPS = ${loops.grow}`,
    '# Built once at import and inherited or rebuilt by workers, so tasks carry only an index.',
    'BUFFERS = [bytes([n + 1]) * (1 << 17) for n in range(4)]',
    '',
    '',
    'def _loop(seed, loops):',
    '    s = seed',
    '    for k in range(loops):',
    '        s = (s * 31 + k) & 0xFFFFFFFF',
    '    return s',
    '',
    '',
    'def spin(i):',
    '    return _loop(i, SPIN_LOOPS)',
    '',
    '',
    'def grow(i):',
    '    s = _loop(i, GROW_LOOPS)',
    '    return lambda: s  # a closure: processes cannot ship it back',
    '',
    '',
    'def checksum(i):',
    checksumBody + '    return lambda: s  # a closure: processes cannot ship it back\n',
  ].join('\n');
}

const BASE_LOOPS = { spin: 70_000, grow: 70_000 };

function config(workloads: string, rounds = '{min: 3, max: 8}', extra = ''): string {
  return `${extra}rounds: ${rounds}\nworkloads:\n${workloads}`;
}

const THREE_WORKLOADS = (settings: { rounds?: string; extra?: string } = {}): string =>
  config(
    [
      '  - {name: steady, run: "bench.work:spin", tasks: 10, workers: [2], timeout: 60}',
      '  - {name: grows, run: "bench.work:grow", tasks: 10, workers: [2], timeout: 60}',
      '  - {name: checksum, run: "bench.work:checksum", tasks: 16, workers: [4], timeout: 60}',
      '',
    ].join('\n'),
    settings.rounds,
    settings.extra,
  );

function baseFiles(settings: { rounds?: string; extra?: string } = {}): RepoFiles {
  return {
    '.gitignore': GITIGNORE,
    'README.md': '# fixture\n',
    'bench/__init__.py': '',
    'bench/work.py': workModule(BASE_LOOPS, 'sleep'),
    'gilgate.yml': THREE_WORKLOADS(settings),
  };
}

// A private temp dir for this file, so a leaked worktree directory is ours to see (other test
// files create theirs in parallel). os.tmpdir() reads TMPDIR on every call.
let privateTmp = '';
let savedTmp: string | undefined;
beforeAll(async () => {
  privateTmp = await mkdtemp(join(tmpdir(), 'gilgate-e2e-tmp-'));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await rm(privateTmp, { recursive: true, force: true });
});

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.cleanup();
});

async function repoWith(files: RepoFiles): Promise<TempRepo> {
  const r = await createRepo(files);
  repos.push(r);
  return r;
}

function run(r: TempRepo, options: Partial<MeasureOptions>): Promise<Results> {
  return measure({ cwd: r.dir, seed: 1, ...options });
}

/** Nothing left behind: one worktree, a clean status, no temporary worktree directory. */
async function expectNothingLeftBehind(r: TempRepo): Promise<void> {
  expect(await worktreePaths(r.dir)).toHaveLength(1);
  expect(await r.git('status', '--porcelain')).toBe('');
  expect(await r.git('branch', '--list')).toBe('* main');
  const leftovers = (await readdir(privateTmp)).filter((name) => name.startsWith('gilgate-base-'));
  expect(leftovers).toEqual([]);
}

function workload(results: Results, name: string): WorkloadResult {
  const found = results.workloads.find((w) => w.name === name);
  if (found === undefined) throw new Error(`no workload ${name} in ${results.workloads.map((w) => w.name).join(', ')}`);
  return found;
}

/** What a failing assertion should print: enough to tell noise from a wrong verdict. */
function explain(w: WorkloadResult): string {
  const arms = (side: { arms: WorkloadResult['arms'] }) =>
    side.arms.map((a) => `${a.model}×${a.workers}=${a.wall.median.toFixed(3)}s`).join(' ');
  return JSON.stringify(
    {
      name: w.name,
      status: w.status,
      head: `${w.recommendation} (${w.reason}) ${arms(w)} rounds=${w.rounds}`,
      base: w.base ? `${w.base.recommendation} (${w.base.detail.reason}) ${arms(w.base.detail)}` : null,
      vsBase: w.vsBase,
      regressions: w.regressions,
      improvements: w.improvements,
      error: w.error?.message ?? null,
      baseError: w.base?.detail.error?.message ?? null,
    },
    null,
    1,
  );
}

const kinds = (w: WorkloadResult): string[] => w.regressions.map((r) => r.kind).sort();

describe('a docs-only change', () => {
  let r: TempRepo;
  let base = '';
  let results: Results;
  beforeAll(async () => {
    r = await repoWith(baseFiles());
    base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'README.md': '# fixture\n\nNow with more words.\n' }, 'docs');
    results = await run(r, { base });
  }, RUN_TIMEOUT);

  it('flags nothing', () => {
    expect(results.workloads.map((w) => w.name).sort()).toEqual(['checksum', 'grows', 'steady']);
    for (const w of results.workloads) {
      expect(w.status, explain(w)).toBe('measured');
      expect(w.base, explain(w)).not.toBeNull();
      expect(kinds(w), explain(w)).toEqual([]);
    }
    expect(results.regressions).toBe(0);
    expect(gateFails(results, 'regression')).toBe(false);
    expect(gateFails(results, 'flip')).toBe(false);
  });

  it('records both commits', async () => {
    expect(results.git.base).toBe(base);
    expect(results.git.head).toBe((await r.git('rev-parse', 'HEAD')).trim());
  });

  it('leaves nothing behind', async () => {
    await expectNothingLeftBehind(r);
  });
});

describe('a change that slows one workload and makes another hold the GIL', () => {
  let r: TempRepo;
  let results: Results;
  beforeAll(async () => {
    // Detecting a change needs more rounds than confirming none on 2 shared, noisy cores; α = 5%
    // (spent over the looks) keeps the intervals narrow enough to decide in time.
    r = await repoWith(baseFiles({ rounds: '{min: 3, max: 20}', extra: 'alpha: 0.05\n' }));
    const base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit(
      { 'bench/work.py': workModule({ spin: BASE_LOOPS.spin, grow: Math.round(BASE_LOOPS.grow * 1.4) }, 'pure') },
      'slower grow, pure-Python checksum',
    );
    results = await run(r, { base });
  }, RUN_TIMEOUT);

  it('flags the ~40% slower workload as slower, and not as a flip', () => {
    const w = workload(results, 'grows');
    expect(kinds(w), explain(w)).toContain('slower');
    expect(kinds(w), explain(w)).not.toContain('flip');
    expect(w.vsBase?.estimate.ratio ?? 0, explain(w)).toBeGreaterThan(1);
  });

  it('flags the sleeping → pure-Python change as a flip from threads to serial', () => {
    const w = workload(results, 'checksum');
    expect(w.unavailable.processes, explain(w)).toMatch(/pickle/i);
    expect(w.base?.recommendation, explain(w)).toBe('threads');
    expect(w.recommendation, explain(w)).toBe('serial');
    expect(kinds(w), explain(w)).toContain('flip');
    expect(gateFails(results, 'flip')).toBe(true);
  });

  it('leaves the unchanged workload alone', () => {
    const w = workload(results, 'steady');
    expect(kinds(w), explain(w)).toEqual([]);
  });

  it('counts the regressions and fails the gate', () => {
    expect(results.regressions).toBe(results.workloads.reduce((n, w) => n + w.regressions.length, 0));
    expect(results.regressions).toBeGreaterThanOrEqual(1);
    expect(gateFails(results, 'regression')).toBe(true);
    expect(gateFails(results, 'never')).toBe(false);
  });

  it('leaves nothing behind', async () => {
    await expectNothingLeftBehind(r);
  });
});

// Short, cheap workloads for the cases that are about bookkeeping rather than measurement.
const TINY = 'bench.tiny:work';
const tinyModule = 'def work(i):\n    s = 0\n    for k in range(20000):\n        s += k * i\n    return s\n';
const tinyConfig = (names: string[]) =>
  config(
    names.map((name) => `  - {name: ${name}, run: "${TINY}", tasks: 4, workers: [2], timeout: 60}\n`).join(''),
    '{min: 3, max: 3}',
  );

describe('workloads that come and go', () => {
  let r: TempRepo;
  let results: Results;
  beforeAll(async () => {
    r = await repoWith({
      '.gitignore': GITIGNORE,
      'bench/__init__.py': '',
      'bench/tiny.py': tinyModule,
      'gilgate.yml': tinyConfig(['kept', 'old']),
    });
    const base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'gilgate.yml': tinyConfig(['kept', 'fresh']) }, 'replace old with fresh');
    results = await run(r, { base });
  }, RUN_TIMEOUT);

  it('marks a workload absent in base as new, with no base and no regressions', () => {
    const w = workload(results, 'fresh');
    expect(w.status, explain(w)).toBe('new');
    expect(w.base).toBeNull();
    expect(w.regressions).toEqual([]);
  });

  it('marks a workload absent in head as removed, without failing the gate', () => {
    const w = workload(results, 'old');
    expect(w.status, explain(w)).toBe('removed');
    expect(w.regressions).toEqual([]);
    expect(gateFails(results, 'regression')).toBe(false);
  });

  it('compares the workload both sides have', () => {
    const w = workload(results, 'kept');
    expect(w.status).toBe('measured');
    expect(w.base).not.toBeNull();
  });

  it('leaves nothing behind', async () => {
    await expectNothingLeftBehind(r);
  });
});

describe('a base whose module fails to import', () => {
  let r: TempRepo;
  let results: Results;
  beforeAll(async () => {
    r = await repoWith({
      '.gitignore': GITIGNORE,
      'bench/__init__.py': '',
      'bench/tiny.py': 'raise ImportError("base is broken on purpose")\n',
      'gilgate.yml': tinyConfig(['work']),
    });
    const base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'bench/tiny.py': tinyModule }, 'fix the module');
    results = await run(r, { base });
  }, RUN_TIMEOUT);

  it('reports the broken base instead of failing the run', () => {
    const w = workload(results, 'work');
    expect(w.base, explain(w)).not.toBeNull();
    expect(w.base?.recommendation, explain(w)).toBe('error');
    expect(w.base?.detail.error?.kind, explain(w)).toBe('import');
    expect(w.base?.detail.error?.message ?? '', explain(w)).toContain('broken on purpose');
  });

  it('still measures head, and a fixed workload is not a regression', () => {
    const w = workload(results, 'work');
    expect(w.recommendation, explain(w)).not.toBe('error');
    expect(w.error).toBeNull();
    expect(kinds(w), explain(w)).toEqual([]);
    expect(gateFails(results, 'regression')).toBe(false);
  });

  it('leaves nothing behind', async () => {
    await expectNothingLeftBehind(r);
  });
});

describe('a head whose workload now fails', () => {
  let r: TempRepo;
  let results: Results;
  beforeAll(async () => {
    r = await repoWith({
      '.gitignore': GITIGNORE,
      'bench/__init__.py': '',
      'bench/tiny.py': tinyModule,
      'gilgate.yml': tinyConfig(['work']),
    });
    const base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'bench/tiny.py': 'def work(i):\n    return 1 // (i - i)\n' }, 'break it');
    results = await run(r, { base });
  }, RUN_TIMEOUT);

  it('flags it as failing and fails the gate', () => {
    const w = workload(results, 'work');
    expect(w.recommendation, explain(w)).toBe('error');
    expect(w.error?.kind, explain(w)).toBe('task');
    expect(kinds(w), explain(w)).toContain('failing');
    expect(gateFails(results, 'regression')).toBe(true);
  });

  it('leaves nothing behind', async () => {
    await expectNothingLeftBehind(r);
  });
});

describe('a base without any config file', () => {
  let r: TempRepo;
  let results: Results;
  beforeAll(async () => {
    r = await repoWith({ '.gitignore': GITIGNORE, 'bench/__init__.py': '', 'bench/tiny.py': tinyModule });
    const base = (await r.git('rev-parse', 'HEAD')).trim();
    await r.commit({ 'gilgate.yml': tinyConfig(['work']) }, 'adopt gilgate');
    results = await run(r, { base });
  }, RUN_TIMEOUT);

  it("measures the base with the head's config", () => {
    const w = workload(results, 'work');
    expect(w.status, explain(w)).toBe('measured');
    expect(w.base?.recommendation, explain(w)).not.toBe('error');
    expect(w.base?.detail.rounds ?? 0, explain(w)).toBeGreaterThan(0);
    expect(kinds(w), explain(w)).toEqual([]);
  });

  it('leaves nothing behind', async () => {
    await expectNothingLeftBehind(r);
  });
});

describe('runs that fail', () => {
  let r: TempRepo;
  beforeAll(async () => {
    r = await repoWith({
      '.gitignore': GITIGNORE,
      'bench/__init__.py': '',
      'bench/tiny.py': tinyModule,
      'gilgate.yml': tinyConfig(['work']),
    });
    await r.commit({ 'README.md': 'x\n' }, 'second');
  });

  it('rejects an unknown base ref as a usage error and leaves nothing behind', async () => {
    const error = await run(r, { base: 'no-such-ref' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(String((error as Error).message)).toContain('no-such-ref');
    await expectNothingLeftBehind(r);
  });

  it('removes the base worktree when the run is aborted midway', async () => {
    let progressCalls = 0;
    const error = await run(r, {
      base: 'HEAD~1',
      onProgress: () => {
        progressCalls += 1;
        throw new Error('aborted by the test');
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    // An engine may choose to swallow a throwing progress callback; then the run must complete.
    if (error === null) expect(progressCalls).toBeGreaterThan(0);
    else expect(String((error as Error).message)).toContain('aborted by the test');
    await expectNothingLeftBehind(r);
  }, RUN_TIMEOUT);
});
