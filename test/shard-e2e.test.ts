// The matrix recipe end to end: three legs run the bundled action (dist/index.js) with `shard: i/3`
// as a runner would, each writing its results file (the artifact); then a final step merges them with
// `merge:` and writes one sticky comment to the GitHub API stand-in. Real git history (base and
// head), real Python trials. The workloads sleep, so their verdicts (threads) and the head's
// regression (one workload sleeps 4× longer) do not depend on the machine's speed. Without
// shard-costs every leg splits alike by equal costs (round robin in name order).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runnerEnvironment, runnerFiles, runStep } from './helpers/runner-step.js';
import { startGitHubApiServer, type GitHubApiServer } from './helpers/github-api-server.js';

const ACTION = resolve('dist/index.js');
const CLI = resolve('dist/cli/index.js');
const TOKEN = 'ghs_shardtoken';
const OWNER = 'octo';
const REPO = 'widgets';
const MARKER = '<!-- gilgate:gilgate.yml -->';
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

// Seconds each task sleeps; 8 tasks a pass (the head: nap-d sleeps 4× longer). The split of three
// legs by equal costs: {nap-a, nap-d}, {nap-b}, {nap-c}. Naps much shorter than this drown in a busy
// machine's thread start-up noise.
const NAPS = { 'nap-a': 0.128, 'nap-b': 0.064, 'nap-c': 0.032, 'nap-d': 0.016 };
const WORKLOADS = Object.keys(NAPS);

const config = () => `python: ${PYTHON}
workloads:
${WORKLOADS.map((name) => `  - name: ${name}\n    run: naps:${name.replace('-', '_')}\n    tasks: 8\n    timeout: 60\n    workers: [4]`).join('\n')}
rounds: {min: 3, max: 6}
`;

const naps = (seconds: Record<string, number>) =>
  `import time\n\n${Object.entries(seconds)
    .map(([name, s]) => `def ${name.replace('-', '_')}(task):\n    time.sleep(${s})\n    return task\n`)
    .join('\n')}`;

interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

let server: GitHubApiServer;
let work: string;
let repo: string;
let artifacts: string;
let baseSha: string;
let headSha: string;
const legRuns: ActionRun[] = [];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' },
  }).trim();
}

const payload = () => ({
  action: 'synchronize',
  number: 9,
  pull_request: { number: 9, base: { sha: baseSha, ref: 'main' }, head: { sha: headSha, ref: 'feature', repo: { full_name: `${OWNER}/${REPO}` } } },
});

/** action.yml's defaults with the `${{ }}` expressions evaluated against the event, as a runner does. */
function inputs(event: unknown, given: Record<string, string>): Record<string, string> {
  const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> };
  const evaluate = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      if (expression === 'github.token') return TOKEN;
      let value: unknown = event;
      for (const key of expression.replace(/^github\.event\./, '').split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
      return value === undefined || value === null ? '' : String(value);
    });
  return Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [`INPUT_${name.toUpperCase()}`, given[name] ?? evaluate(String(input.default ?? ''))]));
}

async function runAction(given: Record<string, string>): Promise<ActionRun> {
  const dir = mkdtempSync(join(work, 'run-'));
  const files = runnerFiles(dir, payload());
  const env = {
    ...runnerEnvironment('pull_request', files, dir),
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_RUN_ID: '77',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: server.url,
    GITHUB_WORKSPACE: repo,
    // No history here (test/history-e2e.test.ts has it): nothing reaches for github.com.
    ...inputs(payload(), { history: 'off', ...given }),
  };
  return runStep(ACTION, repo, env, files);
}

interface LegFile {
  shard?: { index: number; count: number; assignment: Record<string, number> };
  git: { head: string; base: string };
  regressions: number;
  workloads: { name: string; recommendation: string; regressions: { kind: string }[] }[];
  merge?: { legs: { file: string; shard: string }[] };
}
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as LegFile;
const explain = (run: ActionRun) => `exit ${run.code}; output:\n${run.stdout.slice(-4000)}`;
const ourComments = () => server.comments(OWNER, REPO, 9).filter((c) => c.body.includes(MARKER));

beforeAll(async () => {
  if (!existsSync(ACTION)) throw new Error(`${ACTION} does not exist: run "npm run build" before this test (CI builds before testing)`);
  work = mkdtempSync(join(tmpdir(), 'gilgate-shard-e2e-'));
  repo = join(work, 'repo');
  artifacts = join(work, 'artifacts');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'gilgate.yml'), config());
  writeFileSync(join(repo, 'naps.py'), naps(NAPS));
  writeFileSync(join(repo, '.gitignore'), '__pycache__/\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  baseSha = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(join(repo, 'naps.py'), naps({ ...NAPS, 'nap-d': 0.064 }));
  git(repo, 'commit', '-q', '-am', 'head: nap-d sleeps four times as long');
  headSha = git(repo, 'rev-parse', 'HEAD');
  server = await startGitHubApiServer();
  server.expectedToken = TOKEN;

  // The matrix: three legs at once, each uploading its results as an artifact of its own
  // (actions/download-artifact then lays them out one folder per artifact).
  legRuns.push(...(await Promise.all([1, 2, 3].map((i) => runAction({ shard: `${i}/3` })))));
  legRuns.forEach((run, i) => {
    if (run.outputs['results'] && existsSync(run.outputs['results'])) {
      mkdirSync(join(artifacts, `gilgate-shard-${i + 1}`), { recursive: true });
      cpSync(run.outputs['results'], join(artifacts, `gilgate-shard-${i + 1}`, 'gilgate-results.json'));
    }
  });
}, 240_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a sharded matrix, then one merge step', () => {
  it('each leg measures its own part of the workloads, agrees on the split, and neither comments nor gates', () => {
    for (const run of legRuns) expect(run.code, explain(run)).toBe(0);
    const legs = legRuns.map((run) => readJson(run.outputs['results']!));
    const expected = { 'nap-a': 1, 'nap-b': 2, 'nap-c': 3, 'nap-d': 1 };
    legs.forEach((leg, i) => {
      expect(leg.shard, `leg ${i + 1}`).toMatchObject({ index: i + 1, count: 3, assignment: expected });
      expect(leg.workloads.map((w) => w.name)).toEqual(WORKLOADS.filter((name) => expected[name as keyof typeof expected] === i + 1));
      expect(leg.git).toMatchObject({ head: headSha, base: baseSha });
    });
    // The regression (nap-d) is in leg 1 only, and that leg still exits 0: the merge gates.
    const napD = legs[0]!.workloads.find((w) => w.name === 'nap-d')!;
    expect(napD.regressions.length, JSON.stringify(napD)).toBeGreaterThanOrEqual(1);
    expect(legRuns[0]!.stdout).toContain('shard 1/3: no comment and no gate here');
    expect(server.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH')).toHaveLength(0);
  });

  it('merges the legs into one comment holding every workload, and the gate fails on the one leg\'s regression', async () => {
    const run = await runAction({ merge: artifacts });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toMatch(/::error::gilgate: \d+ regressions? against base/);
    expect(run.stdout).toMatch(/::error title=gilgate regression::nap-d: /);

    const merged = readJson(run.outputs['results']!);
    expect(merged.workloads.map((w) => w.name)).toEqual(WORKLOADS);
    expect(merged.merge!.legs.map((l) => l.shard)).toEqual(['1/3', '2/3', '3/3']);
    expect(merged.regressions).toBeGreaterThanOrEqual(1);
    expect(Number(run.outputs['regressions'])).toBe(merged.regressions);
    expect(Object.keys(JSON.parse(run.outputs['recommendations']!) as object)).toEqual(WORKLOADS);

    // The merged values are judged again as one run of all four: the verdicts and the regression
    // kinds are the legs' (nap-d's 4× regression survives Holm across all four workloads).
    const legRows = legRuns.flatMap((leg) => readJson(leg.outputs['results']!).workloads);
    const verdictOf = (row: (typeof legRows)[number]) => ({ name: row.name, recommendation: row.recommendation, regressions: row.regressions.map((r) => r.kind) });
    for (const row of merged.workloads) expect(verdictOf(row)).toEqual(verdictOf(legRows.find((r) => r.name === row.name)!));

    const comments = ourComments();
    expect(comments).toHaveLength(1);
    for (const name of WORKLOADS) expect(comments[0]!.body).toContain(name);
    expect(comments[0]!.body).toMatch(/\d+ regressions?/);
    for (const name of WORKLOADS) expect(run.summary).toContain(name);
  });

  it('fails the merge naming the missing leg, and writes no comment', async () => {
    const before = server.requests.length;
    const run = await runAction({ merge: `${artifacts}/gilgate-shard-1\n${artifacts}/gilgate-shard-3/*.json` });
    expect(run.code, explain(run)).toBe(1);
    expect(run.stdout).toContain('shard 2/3 is missing');
    expect(run.stdout).toContain('2 of 3 legs arrived');
    expect(run.stdout).toContain('these workloads have no results: "nap-b"');
    expect(server.requests.length).toBe(before);
  });

  it('gilgate merge on the command line: the same merge, exit 1 on the regression, exit 2 naming a missing leg', () => {
    const cli = (...args: string[]) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (error) {
        const e = error as { status: number; stdout: string; stderr: string };
        return { code: e.status, out: `${e.stdout}${e.stderr}` };
      }
    };
    const merged = cli('merge', 'artifacts', '--json', 'merged.json');
    expect(merged.code, merged.out).toBe(1);
    expect(readJson(join(work, 'merged.json')).workloads.map((w) => w.name)).toEqual(WORKLOADS);
    expect(cli('merge', 'artifacts', '--fail-on', 'never').code).toBe(0);

    const missing = cli('merge', 'artifacts/gilgate-shard-2', 'artifacts/gilgate-shard-3');
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('shard 1/3 is missing');
    expect(missing.out).toContain('"nap-a"');
  });
});
