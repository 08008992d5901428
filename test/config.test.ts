import { describe, expect, it } from 'vitest';
import { formatIssue, parseConfig } from '../src/core/config.js';

const FILE = '/repo/gilgate.yml';

function issues(text: string) {
  const result = parseConfig(text, FILE);
  if (result.ok) throw new Error('expected config errors');
  return result.issues;
}

describe('parseConfig', () => {
  it('reads a minimal config with defaults and resolves paths against the config file', () => {
    const result = parseConfig('workloads:\n  - name: a\n    run: mod:fn\n    tasks: 8\n', FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.python).toBe('python3');
    expect(result.config.paths).toEqual(['/repo']);
    expect(result.config.pythons).toEqual(['python3']);
    expect(result.config.workloads).toEqual([{ name: 'a', run: 'mod:fn', tasks: 8, timeout: 300, startMethod: null, pool: 'per-batch' }]);
    expect(result.config).toMatchObject({ threshold: 0.1, margin: 0.1, memoryThreshold: 0.2, alpha: 0.01, minRounds: 3, maxRounds: 30 });
  });

  it('reads every optional key', () => {
    const text = [
      'python: /usr/bin/python3.12',
      'paths: [src, bench]',
      'install: pip install --no-deps -e .',
      'threshold: 0.05',
      'margin: 0.15',
      'memory-threshold: 0.3',
      'alpha: 0.05',
      'rounds: {min: 4, max: 9}',
      'workloads:',
      '  - name: resize-images',
      '    run: bench.images:resize',
      '    tasks: bench.images:inputs',
      '    timeout: 30',
      '    workers: [4, 2, 4]',
    ].join('\n');
    const result = parseConfig(text, FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      python: '/usr/bin/python3.12',
      paths: ['/repo/src', '/repo/bench'],
      install: 'pip install --no-deps -e .',
      threshold: 0.05,
      margin: 0.15,
      memoryThreshold: 0.3,
      alpha: 0.05,
      minRounds: 4,
      maxRounds: 9,
    });
    expect(result.config.workloads[0]).toEqual({ name: 'resize-images', run: 'bench.images:resize', tasks: 'bench.images:inputs', timeout: 30, workers: [2, 4], startMethod: null, pool: 'per-batch' });
  });

  it('names file, line, column and key of an unknown key, with a did-you-mean', () => {
    const [issue, ...rest] = issues('workloads:\n  - name: a\n    run: mod:fn\n    taks: 3\n');
    expect(rest.map(formatIssue)).toEqual([`${FILE}:2:5: workloads[0].tasks: missing (required): "module:function" returning the task arguments, or a task count`]);
    expect(issue).toMatchObject({ file: FILE, line: 4, col: 5, key: 'workloads[0].taks' });
    expect(issue!.message).toContain('did you mean "tasks"?');
  });

  it('suggests top-level keys too', () => {
    const [issue] = issues('workload:\n  - name: a\n');
    expect(formatIssue(issue!)).toBe(`${FILE}:1:1: workload: unknown key (did you mean "workloads"?); allowed: python, paths, install, workloads, threshold, margin, memory-threshold, alpha, beta, rounds, start-method, pool`);
  });

  it('rejects duplicate names, an empty list and a run not in module:function form', () => {
    const dup = issues('workloads:\n  - {name: a, run: m:f, tasks: 1}\n  - {name: a, run: m:f, tasks: 1}\n');
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ line: 3, key: 'workloads[1].name' });
    expect(dup[0]!.message).toContain('duplicate workload name "a" (also workloads[0])');

    const empty = issues('workloads: []\n');
    expect(empty[0]).toMatchObject({ line: 1, col: 12, key: 'workloads' });
    expect(empty[0]!.message).toContain('empty');

    const run = issues('workloads:\n  - name: a\n    run: mymodule.fn\n    tasks: 1\n');
    expect(run[0]).toMatchObject({ line: 3, col: 10, key: 'workloads[0].run' });
    expect(run[0]!.message).toContain('"module:function"');
  });

  it('reports YAML syntax errors with their position', () => {
    const [issue] = issues('workloads:\n  - name: [unclosed\n');
    expect(issue!.key).toBe('(yaml)');
    expect(issue!.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects bad values with what was expected', () => {
    const all = issues(
      'threshold: -1\nrounds: {min: 5, max: 3}\nworkloads:\n  - {name: a, run: "m:f", tasks: 0, timeout: "soon", workers: [0]}\n',
    );
    const byKey = Object.fromEntries(all.map((i) => [i.key, i.message]));
    expect(byKey['threshold']).toContain('above 0');
    expect(byKey['rounds.max']).toContain('at least rounds.min');
    expect(byKey['workloads[0].tasks']).toContain('at least 1');
    expect(byKey['workloads[0].timeout']).toContain('positive number of seconds');
    expect(byKey['workloads[0].workers']).toContain('from 1 to 256');
  });

  it('rejects a config that is not a mapping, and one without workloads', () => {
    expect(issues('- a\n- b\n')[0]!.key).toBe('(root)');
    expect(issues('python: python3\n')[0]).toMatchObject({ key: 'workloads', message: expect.stringContaining('missing') });
  });

  it('takes a list of interpreters (a matrix); python stays the first', () => {
    const result = parseConfig('python: [python3.12, /opt/py/bin/python3.14]\nworkloads:\n  - {name: a, run: "m:f", tasks: 1}\n', FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.pythons).toEqual(['python3.12', '/opt/py/bin/python3.14']);
    expect(result.config.python).toBe('python3.12');

    const [empty] = issues('python: []\nworkloads:\n  - {name: a, run: "m:f", tasks: 1}\n');
    expect(empty).toMatchObject({ line: 1, col: 9, key: 'python' });
    const [notString] = issues('python: 3\nworkloads:\n  - {name: a, run: "m:f", tasks: 1}\n');
    expect(notString).toMatchObject({ line: 1, col: 9, key: 'python', message: expect.stringContaining('interpreter command') });
  });

  it('reads start-method and pool globally and per workload; the workload wins', () => {
    const text = [
      'start-method: spawn',
      'pool: long-lived',
      'workloads:',
      '  - {name: a, run: "m:f", tasks: 1}',
      '  - {name: b, run: "m:f", tasks: 1, start-method: forkserver, pool: per-batch}',
    ].join('\n');
    const result = parseConfig(text, FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.workloads.map((w) => [w.startMethod, w.pool])).toEqual([
      ['spawn', 'long-lived'],
      ['forkserver', 'per-batch'],
    ]);
  });

  it('names the place of a bad start-method or pool, with the choices', () => {
    const all = issues('workloads:\n  - name: a\n    run: m:f\n    tasks: 1\n    start-method: vfork\n    pool: forever\n');
    expect(all.map(formatIssue)).toEqual([
      `${FILE}:5:19: workloads[0].start-method: expected one of fork, forkserver, spawn`,
      `${FILE}:6:11: workloads[0].pool: expected one of per-batch, long-lived`,
    ]);
  });
});
