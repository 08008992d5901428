// `gilgate init` in-process on a real git repository with real Python: what it proposes, what it
// writes (never over existing files without --force), what its checks find, and that the config
// passes gilgate's own validation and the workflow uses only inputs the action defines.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main, type CliIo } from '../src/cli/cli.js';
import { parseConfig } from '../src/core/config.js';
import { createRepo, type TempRepo } from './helpers/temp-repo.js';

const SOURCES = {
  'src/demo/__init__.py': '',
  'src/demo/work.py': [
    'import concurrent.futures as cf',
    'from multiprocessing import Pool',
    '',
    'SIZES = [20000, 30000, 40000]',
    '',
    'def crunch(n):',
    '    return sum(i * i for i in range(n))',
    '',
    'def pair(a, b):',
    '    return a * b',
    '',
    'def run_all(paths):',
    '    with cf.ProcessPoolExecutor() as ex:',
    '        totals = list(ex.map(crunch, SIZES))',
    '        lengths = list(ex.map(len, paths))',
    '        doubled = list(ex.map(lambda n: 2 * n, SIZES))',
    '    with Pool(2) as pool:',
    '        products = pool.starmap(pair, [(1, 2), (3, 4)])',
    '    with cf.ThreadPoolExecutor() as ex:',
    '        sizes = [len(p) for p in paths]',
    '        return list(ex.map(crunch, sizes))',
    '',
  ].join('\n'),
  'pyproject.toml': '[project]\nname = "demo"\nversion = "0"\n',
};

let repo: TempRepo;

function io(cwd: string) {
  let stdout = '';
  let stderr = '';
  const value: CliIo = {
    cwd,
    env: { ...process.env, GITHUB_TOKEN: 'not-for-workloads' },
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
  };
  return { io: value, stdout: () => stdout, stderr: () => stderr };
}

beforeAll(async () => {
  repo = await createRepo(SOURCES, 'gilgate-init-');
});
afterAll(async () => {
  await repo.cleanup();
});

describe('gilgate init', () => {
  let first: ReturnType<typeof io>;
  beforeAll(async () => {
    first = io(repo.dir);
    expect(await main(['init'], first.io)).toBe(0);
  });

  it('proposes a workload per usable call site, checks it, and lists the refused with the reason', () => {
    const out = first.stdout();
    expect(out).toContain('5 pool call sites found');
    // Wired from the module constant: imports, pickles, one task ran.
    expect(out).toMatch(/✓ work-crunch {2}run demo\.work:crunch {2}tasks gilgate_bench:tasks_work_crunch .*src\/demo\/work\.py:14 map; processes/);
    expect(out).toMatch(/imports, 3 tasks, pickles, one task ran in \d/);
    // starmap: an adapter unpacks each argument tuple.
    expect(out).toMatch(/✓ work-pair {2}run gilgate_bench:run_work_pair {2}tasks gilgate_bench:tasks_work_pair/);
    // Items local to the function: a stub to fill in, the function itself imports.
    expect(out).toMatch(/✎ work-crunch-2 .*\n {6}fill in tasks: the items \(`sizes`\) come from `sizes`, local to run_all\(\): known only when the code runs; run imports/);
    expect(out).toContain('src/demo/work.py:15 map(len, …): `len` is a builtin');
    expect(out).toContain('src/demo/work.py:16 map(lambda n: 2 * n, …): a lambda');
    expect(out).toContain('2 of 3 ran one task with no edit; 1 needs only tasks: filled in.');
  });

  it('writes a config that passes gilgate\'s own validation', async () => {
    const file = path.join(repo.dir, 'gilgate.yml');
    const parsed = parseConfig(await readFile(file, 'utf8'), file);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.config.paths).toEqual([repo.dir, path.join(repo.dir, 'src')]);
    expect(parsed.config.workloads.map((w) => [w.name, w.run, w.tasks])).toEqual([
      ['work-crunch', 'demo.work:crunch', 'gilgate_bench:tasks_work_crunch'],
      ['work-pair', 'gilgate_bench:run_work_pair', 'gilgate_bench:tasks_work_pair'],
      ['work-crunch-2', 'demo.work:crunch', 'gilgate_bench:tasks_work_crunch_2'],
    ]);
    const bench = await readFile(path.join(repo.dir, 'gilgate_bench.py'), 'utf8');
    expect(bench).toContain('TODO(gilgate): fill in. src/demo/work.py:21');
  });

  it('writes a workflow that uses only inputs the action defines', async () => {
    const workflow = parse(await readFile(path.join(repo.dir, '.github/workflows/gilgate.yml'), 'utf8'));
    const action = parse(await readFile('action.yml', 'utf8'));
    const steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] = workflow.jobs.gilgate.steps;
    const gilgate = steps.filter((s) => s.uses?.includes('/gilgate@'));
    expect(gilgate).toHaveLength(1);
    const inputs = Object.keys(action.inputs);
    for (const key of Object.keys(gilgate[0]!.with ?? {})) expect(inputs).toContain(key);
    expect(gilgate[0]!.with).toEqual({ config: 'gilgate.yml', 'fail-on': 'regression' });
    expect(workflow.on).toBe('pull_request');
    expect(workflow.permissions['pull-requests']).toBe('write');
    // The base is re-run from history, and a pyproject.toml means the project installs itself.
    expect(steps[0]).toMatchObject({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    expect(steps.some((s) => s.run?.startsWith('pip install -e .'))).toBe(true);
  });

  it('never overwrites without --force', async () => {
    await repo.write({ 'gilgate.yml': '# mine\n' });
    const again = io(repo.dir);
    expect(await main(['init'], again.io)).toBe(2);
    expect(again.stderr()).toContain('gilgate.yml, gilgate_bench.py, .github/workflows/gilgate.yml already exist; nothing written (--force overwrites)');
    expect(await readFile(path.join(repo.dir, 'gilgate.yml'), 'utf8')).toBe('# mine\n');
    const forced = io(repo.dir);
    expect(await main(['init', '--force', '--no-check'], forced.io)).toBe(0);
    expect(await readFile(path.join(repo.dir, 'gilgate.yml'), 'utf8')).toContain('name: "work-crunch"');
    expect(forced.stdout()).toContain('(not checked: --no-check)');
  });

  it('writes nothing where no call site can be a workload', async () => {
    const bare = await createRepo({ 'only.py': 'from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor() as ex:\n    ex.map(lambda x: x, [1])\n' });
    try {
      const t = io(bare.dir);
      expect(await main(['init'], t.io)).toBe(0);
      expect(t.stdout()).toContain('No call site can be a workload as it stands, so nothing was written.');
      expect(await bare.git('status', '--porcelain')).toBe('');
    } finally {
      await bare.cleanup();
    }
  });
});
