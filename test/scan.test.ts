// The scanner (python/gilgate_scan.py) on plain source strings, run by a real interpreter: every
// executor form, aliases, `from … import … as …`, and the call sites it refuses, with the reason.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanSchema, type CallSite } from '../src/core/contracts/scan.js';
import { requirePython } from './helpers/pythons.js';

const SCRIPT = path.resolve('python/gilgate_scan.py');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gilgate-scan-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Scan `source` as the module pkg/mod.py (package pkg) with `python`. */
async function scan(source: string, python = 'python3', file = 'pkg/mod.py'): Promise<CallSite[]> {
  const spec = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  const result = `${spec}.out`;
  await writeFile(spec, JSON.stringify({ root: dir, sources: { [file]: source } }));
  await promisify(execFile)(python, [SCRIPT, 'scan', spec, result]);
  const parsed = scanSchema.parse(JSON.parse(await readFile(result, 'utf8')));
  expect(parsed.errors).toEqual([]);
  return parsed.sites;
}

const one = async (source: string) => {
  const sites = await scan(source);
  expect(sites).toHaveLength(1);
  return sites[0]!;
};

const HEADER = 'ITEMS = [1, 2, 3]\n\ndef work(x):\n    return x * x\n\n';

describe('the scanner finds every executor form', () => {
  it.each([
    ['import concurrent.futures\n', 'concurrent.futures.ProcessPoolExecutor()', 'processes', 'concurrent.futures.ProcessPoolExecutor'],
    ['import concurrent.futures as cf\n', 'cf.ThreadPoolExecutor(4)', 'threads', 'concurrent.futures.ThreadPoolExecutor'],
    ['from concurrent import futures\n', 'futures.InterpreterPoolExecutor()', 'interpreters', 'concurrent.futures.InterpreterPoolExecutor'],
    ['from concurrent.futures import ProcessPoolExecutor as PPE\n', 'PPE(max_workers=2)', 'processes', 'concurrent.futures.ProcessPoolExecutor'],
    ['import multiprocessing\n', 'multiprocessing.Pool(2)', 'processes', 'multiprocessing.Pool'],
    ['import multiprocessing as mp\n', 'mp.get_context("spawn").Pool()', 'processes', 'multiprocessing.Pool'],
    ['from multiprocessing import Pool as P\n', 'P()', 'processes', 'multiprocessing.Pool'],
    ['from multiprocessing.pool import ThreadPool\n', 'ThreadPool(8)', 'threads', 'multiprocessing.pool.ThreadPool'],
  ])('%s with %s as ex', async (imports, constructor, model, executor) => {
    const site = await one(`${imports}${HEADER}def main():\n    with ${constructor} as ex:\n        return list(ex.map(work, ITEMS))\n`);
    expect(site).toMatchObject({ model, executor, method: 'map', function: 'work', run: 'pkg.mod:work', refused: null, line: 9, enclosing: 'main' });
    expect(site.tasks).toEqual({ kind: 'expression', module: 'pkg.mod', source: 'ITEMS' });
  });

  it('follows a pool bound by assignment, a get_context() variable, and a factory that returns a pool', async () => {
    const sites = await scan(
      'import multiprocessing as mp\nimport multiprocessing.pool\n' +
        HEADER +
        'def make_pool(n):\n    return multiprocessing.Pool(n)\n\n' +
        'def main():\n    ctx = mp.get_context("forkserver")\n    p = ctx.Pool(2)\n    p.imap_unordered(work, range(100))\n' +
        '    q = make_pool(2)\n    q.imap(work, ITEMS, chunksize=4)\n',
    );
    expect(sites.map((s) => [s.method, s.model, s.run])).toEqual([
      ['imap_unordered', 'processes', 'pkg.mod:work'],
      ['imap', 'processes', 'pkg.mod:work'],
    ]);
    expect(sites[0]!.tasks).toEqual({ kind: 'range', count: 100 });
  });

  it('reads each method: submit in a loop or a comprehension, starmap, apply_async, map over several iterables', async () => {
    const sites = await scan(
      'from concurrent.futures import ThreadPoolExecutor as TPE\nfrom multiprocessing import Pool\n' +
        HEADER +
        'def pair(a, b):\n    return a + b\n\n' +
        'def main():\n    with TPE() as ex:\n        futures = [ex.submit(work, i) for i in ITEMS]\n' +
        '        for a, b in zip(ITEMS, ITEMS):\n            ex.submit(pair, a, b)\n' +
        '        ex.map(pair, ITEMS, ITEMS)\n' +
        '    with Pool() as p:\n        p.starmap(pair, [(1, 2), (3, 4)])\n        for i in ITEMS:\n            p.apply_async(work, (i,))\n' +
        '        for i, x in enumerate(ITEMS):\n            p.apply_async(work, (x,))\n',
    );
    const summary = sites.map((s) => ({ method: s.method, run: s.run, star: s.star, tasks: s.tasks?.kind === 'expression' ? s.tasks.source : s.tasks }));
    expect(summary).toEqual([
      { method: 'submit', run: 'pkg.mod:work', star: false, tasks: 'ITEMS' },
      { method: 'submit', run: 'pkg.mod:pair', star: true, tasks: 'zip(ITEMS, ITEMS)' },
      { method: 'map', run: 'pkg.mod:pair', star: true, tasks: 'zip(ITEMS, ITEMS)' },
      { method: 'starmap', run: 'pkg.mod:pair', star: true, tasks: '[(1, 2), (3, 4)]' },
      { method: 'apply_async', run: 'pkg.mod:work', star: false, tasks: 'ITEMS' },
      { method: 'apply_async', run: 'pkg.mod:work', star: false, tasks: '[x for i, x in enumerate(ITEMS)]' },
    ]);
  });

  it('finds loop.run_in_executor on a known pool or the default executor', async () => {
    const sites = await scan(
      'import asyncio\nfrom concurrent.futures import ProcessPoolExecutor\n' +
        HEADER +
        'async def main():\n    loop = asyncio.get_running_loop()\n    ex = ProcessPoolExecutor()\n' +
        '    await asyncio.gather(*[loop.run_in_executor(ex, work, x) for x in ITEMS])\n' +
        '    await loop.run_in_executor(None, work, 3)\n',
    );
    expect(sites.map((s) => [s.model, s.method, s.run, s.tasks?.kind ?? s.tasksNote])).toEqual([
      ['processes', 'run_in_executor', 'pkg.mod:work', 'expression'],
      ['threads', 'run_in_executor', 'pkg.mod:work', "each call passes 3, not an enclosing loop's items"],
    ]);
  });

  it('finds threading.Thread targets and asyncio.to_thread', async () => {
    const sites = await scan(
      'import threading\nfrom threading import Thread as T\nimport asyncio\n' +
        HEADER +
        'async def main():\n    for x in ITEMS:\n        threading.Thread(target=work, args=(x,)).start()\n' +
        '    T(None, work).start()\n' +
        '    await asyncio.gather(*[asyncio.to_thread(work, x) for x in ITEMS])\n',
    );
    expect(sites.map((s) => [s.executor, s.method, s.run, s.tasks?.kind ?? s.refused])).toEqual([
      ['threading.Thread', 'target', 'pkg.mod:work', 'expression'],
      ['threading.Thread', 'target', null, 'one thread started once (not in a loop or comprehension): a background task, not work spread over workers'],
      ['asyncio.to_thread', 'to_thread', 'pkg.mod:work', 'expression'],
    ]);
    expect(sites.every((s) => s.model === 'threads')).toBe(true);
  });

  it('resolves imported functions, relative imports and static methods to their module', async () => {
    const sites = await scan(
      'from concurrent.futures import ProcessPoolExecutor\nfrom .helpers import crunch as cr\nfrom pkg import tools\nimport pkg.more as more\n' +
        'class K:\n    @staticmethod\n    def s(x):\n        return x\n\n' +
        'def main(items):\n    with ProcessPoolExecutor() as ex:\n        ex.map(cr, items)\n        ex.map(tools.grind, items)\n        ex.map(more.mill, items)\n        ex.map(K.s, items)\n',
    );
    expect(sites.map((s) => s.run)).toEqual(['pkg.helpers:crunch', 'pkg.tools:grind', 'pkg.more:mill', 'pkg.mod:K.s']);
    // `items` is a parameter: the function is importable, the items are not known.
    expect(sites[0]!.tasks).toBeNull();
    expect(sites[0]!.tasksNote).toContain('`items`, local to main()');
  });
});

describe('the scanner refuses what cannot be a workload, saying why', () => {
  it.each([
    ['a lambda', 'ex.map(lambda x: x + 1, ITEMS)', /a lambda: a pool in another process or interpreter cannot import it/],
    ['a nested function', 'def inner(x):\n            return x\n        ex.map(inner, ITEMS)', /`inner` is a nested function \(a closure\) defined inside main\(\): .* move it to module level/],
    ['a bound method of a local object', 'obj = Worker()\n        ex.map(obj.run, ITEMS)', /a bound method of `obj`, an object made when the code runs/],
    ['an instance method through its class', 'ex.map(Worker.run, ITEMS)', /`Worker.run` is an instance method/],
    ['a function parameter', 'ex.map(fn, ITEMS)', /`fn` is a parameter of main\(\): which function runs depends on its caller/],
    ['functools.partial', 'ex.map(functools.partial(work, 2), ITEMS)', /built by a call \(functools.partial\(\.\.\.\)\)/],
  ])('%s', async (_what, body, reason) => {
    const source =
      'import functools\nfrom concurrent.futures import ProcessPoolExecutor as PPE\n' +
      HEADER +
      'class Worker:\n    def run(self, x):\n        return x\n\n' +
      `def main(fn):\n    with PPE() as ex:\n        ${body}\n`;
    const site = await one(source);
    expect(site.run).toBeNull();
    expect(site.refused).toMatch(reason);
  });

  it('ignores map() calls on things that are not pools', async () => {
    expect(await scan(`${HEADER}def main(executor):\n    executor.map(work, ITEMS)\n    list(map(work, ITEMS))\n`)).toEqual([]);
  });

  it('runs under Python 3.8', async () => {
    const site = (await scan('from concurrent.futures import ProcessPoolExecutor as PPE\n' + HEADER + 'with PPE() as ex:\n    ex.map(work, ITEMS)\n', requirePython('3.8')))[0]!;
    expect(site).toMatchObject({ run: 'pkg.mod:work', enclosing: null, tasks: { kind: 'expression', source: 'ITEMS' } });
  });
});
