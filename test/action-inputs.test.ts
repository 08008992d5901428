import { describe, expect, it } from 'vitest';
import { ActionInputError, parseActionInputs } from '../src/github/inputs.js';

describe('parseActionInputs', () => {
  it('falls back to sensible values when every input is absent', () => {
    expect(parseActionInputs({})).toEqual({
      config: null,
      githubToken: null,
      python: null,
      install: null,
      base: null,
      baseDisabled: false,
      failOn: 'regression',
      threshold: null,
      maxTimeSeconds: null,
      comment: 'always',
      workingDirectory: '.',
      report: null,
      prNumber: null,
      shard: null,
      shardCosts: null,
      merge: null,
      history: 'gilgate-data',
      historyKeep: 200,
    });
  });

  it('treats blank strings like absent inputs', () => {
    const inputs = parseActionInputs({ config: '  ', base: '', 'fail-on': '', comment: ' ', 'working-directory': '' });
    expect(inputs.config).toBeNull();
    expect(inputs.base).toBeNull();
    expect(inputs.failOn).toBe('regression');
    expect(inputs.comment).toBe('always');
    expect(inputs.workingDirectory).toBe('.');
  });

  it('reads every input', () => {
    const inputs = parseActionInputs({
      config: 'examples/gilgate.yml',
      'github-token': 'ghs_abc',
      python: 'python3.12',
      install: 'pip install -e .',
      base: 'abc123',
      'fail-on': 'Flip',
      threshold: '0.15',
      'max-time': '10m',
      comment: 'on-regression',
      'working-directory': 'sub',
      report: 'results/gilgate-results.json',
      'pr-number': '#42\n',
    });
    expect(inputs).toEqual({
      config: 'examples/gilgate.yml',
      githubToken: 'ghs_abc',
      python: 'python3.12',
      install: 'pip install -e .',
      base: 'abc123',
      baseDisabled: false,
      failOn: 'flip',
      threshold: 0.15,
      maxTimeSeconds: 600,
      comment: 'on-regression',
      workingDirectory: 'sub',
      report: 'results/gilgate-results.json',
      prNumber: 42,
      shard: null,
      shardCosts: null,
      merge: null,
      history: 'gilgate-data',
      historyKeep: 200,
    });
  });

  it('reads the history inputs and refuses branches that hold code or a site', () => {
    expect(parseActionInputs({ history: 'off' }).history).toBeNull();
    expect(parseActionInputs({ history: 'perf-data', 'history-keep': '50' })).toMatchObject({ history: 'perf-data', historyKeep: 50 });
    expect(() => parseActionInputs({ history: 'gh-pages' })).toThrow(/history: "gh-pages" would write into a branch/);
    expect(() => parseActionInputs({ history: 'main' })).toThrow(/branch of its own/);
    expect(() => parseActionInputs({ 'history-keep': '0' })).toThrow(/history-keep/);
    expect(parseActionInputs({ 'fail-on': 'creep' }).failOn).toBe('creep');
  });

  it('reads the matrix inputs: shard i/n for a leg, merge (one a line) for the final job', () => {
    expect(parseActionInputs({ shard: ' 2/4 ' }).shard).toEqual({ index: 2, count: 4 });
    expect(parseActionInputs({ merge: 'legs/\n\n  more/*.json  \n' }).merge).toEqual(['legs/', 'more/*.json']);
  });

  it('refuses a bad shard and contradictory matrix inputs, all at once', () => {
    expect(() => parseActionInputs({ shard: '5/4' })).toThrow(/shard: the index must be from 1 to 4/);
    let problems: readonly string[] = [];
    try {
      parseActionInputs({ shard: '1/2', merge: 'legs', report: 'r.json' });
    } catch (error) {
      problems = (error as ActionInputError).problems;
    }
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('shard and merge cannot be used together');
  });

  it('lets base: none turn the base comparison off', () => {
    expect(parseActionInputs({ base: 'none' })).toMatchObject({ base: null, baseDisabled: true });
    expect(parseActionInputs({ base: 'main' })).toMatchObject({ base: 'main', baseDisabled: false });
  });

  it('accepts a threshold written as a percentage', () => {
    expect(parseActionInputs({ threshold: '10%' }).threshold).toBeCloseTo(0.1);
  });

  it.each([
    ['600', 600],
    ['90s', 90],
    ['1.5m', 90],
    ['1h', 3600],
  ])('reads max-time %s as %d seconds', (text, seconds) => {
    expect(parseActionInputs({ 'max-time': text }).maxTimeSeconds).toBe(seconds);
  });

  it('reports every invalid input at once', () => {
    let caught: unknown;
    try {
      parseActionInputs({ 'fail-on': 'sometimes', comment: 'loud', threshold: '-1', 'max-time': 'soon', 'pr-number': '0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ActionInputError);
    const problems = (caught as ActionInputError).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toContain('fail-on: "sometimes" is not one of regression | flip | never');
    expect((caught as Error).message).toMatch(/comment: "loud"/);
    expect((caught as Error).message).toMatch(/threshold: "-1"/);
    expect((caught as Error).message).toMatch(/max-time: "soon"/);
    expect((caught as Error).message).toMatch(/pr-number: "0"/);
  });
});
