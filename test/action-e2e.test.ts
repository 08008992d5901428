// The bundled action (dist/index.js) run as a child process exactly as a runner runs it: INPUT_*
// variables with action.yml's defaults applied, an event payload file, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, and GITHUB_API_URL pointing at a GitHub API stand-in on 127.0.0.1.
// The measured repository is a real git repo with two commits; the head makes its workload ~3× slower.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGitHubApiServer, type GitHubApiServer } from './helpers/github-api-server.js';
import { runnerEnvironment, runnerFiles, runStep } from './helpers/runner-step.js';

const ACTION = resolve('dist/index.js');
const TOKEN = 'ghs_testtoken123';
const OWNER = 'octo';
const REPO = 'widgets';
const MARKER = '<!-- gilgate:gilgate.yml -->';

interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

let server: GitHubApiServer;
let work: string;
let repo: string;
let envDumps: string;
let baseSha: string;
let headSha: string;

// ------------------------------------------------------------------------------------------------
// The measured repository

// One workload keeps the file fast: it spins (the head makes it ~3× slower) and records what every
// process it runs in can see of the environment.
const CONFIG = `python: python3
workloads:
  - name: spin
    run: workload:spin
    tasks: 4
    timeout: 60
    workers: [2]
rounds: {min: 3, max: 6}
`;

// Pure-Python CPU work, ~8 ms a task at 100_000 loops on a typical core. Each process (serial
// interpreter, thread-pool parent, process-pool worker) writes its environment once, keyed by pid.
const workload = (loops: number, envDir: string) => `import json, os

LOOPS = ${loops}

def spin(task):
    path = os.path.join(${JSON.stringify(envDir)}, f"env-{os.getpid()}.json")
    if not os.path.exists(path):
        with open(path, "w") as f:
            json.dump(dict(os.environ), f)
    total = 0
    for i in range(LOOPS):
        total += i * i % 7
    return total + task
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
    },
  }).trim();
}

function createRepository(): void {
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'gilgate.yml'), CONFIG);
  writeFileSync(join(repo, 'workload.py'), workload(100_000, envDumps));
  writeFileSync(join(repo, '.gitignore'), '__pycache__/\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base: fast spin');
  baseSha = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(join(repo, 'workload.py'), workload(300_000, envDumps));
  git(repo, 'commit', '-q', '-am', 'head: spin three times as long');
  headSha = git(repo, 'rev-parse', 'HEAD');
}

// ------------------------------------------------------------------------------------------------
// Running the action like a runner does

function pullRequestPayload(number: number, headRepo = `${OWNER}/${REPO}`) {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      base: { sha: baseSha, ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
      head: { sha: headSha, ref: 'feature', repo: { full_name: headRepo } },
    },
  };
}

/** action.yml's defaults, with the `${{ }}` expressions a runner would evaluate against the event. */
function inputsWithDefaults(payload: unknown, given: Record<string, string>): Record<string, string> {
  const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> };
  const evaluate = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      if (expression === 'github.token') return TOKEN;
      if (expression.startsWith('github.event.')) {
        let value: unknown = payload;
        for (const key of expression.slice('github.event.'.length).split('.')) {
          value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
        }
        return value === undefined || value === null ? '' : String(value);
      }
      throw new Error(`the test cannot evaluate \${{ ${expression} }} from action.yml`);
    });
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    env[`INPUT_${name.toUpperCase()}`] = given[name] ?? evaluate(String(input.default ?? ''));
  }
  return env;
}

async function runAction(
  eventName: string,
  payload: unknown,
  given: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(work, 'run-'));
  const files = runnerFiles(dir, payload);
  const env: Record<string, string> = {
    ...runnerEnvironment(eventName, files, dir),
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: server.url,
    GITHUB_WORKSPACE: repo,
    GITHUB_SHA: 'f'.repeat(40), // the merge commit: must not be mistaken for the head
    // What a real runner also puts in the environment, and no workload may see.
    GITHUB_TOKEN: TOKEN,
    ACTIONS_RUNTIME_TOKEN: 'runtime-secret-456',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/oidc',
    // No history here (test/history-e2e.test.ts has it): nothing reaches for github.com.
    ...inputsWithDefaults(payload, { history: 'off', ...given }),
  };
  return { ...(await runStep(ACTION, repo, env, files)), runnerTemp: files.temp };
}

const ourComments = (issue: number) => server.comments(OWNER, REPO, issue).filter((c) => c.body.includes(MARKER));
const explain = (run: ActionRun) => {
  const results = run.outputs['results'] && existsSync(run.outputs['results']) ? readFileSync(run.outputs['results'], 'utf8') : '';
  const spinResult = results ? JSON.stringify((JSON.parse(results) as { workloads: unknown[] }).workloads[0]).slice(0, 3000) : '(no results)';
  return `exit ${run.code}; output:\n${run.stdout.slice(-4000)}\nspin: ${spinResult}`;
};

// ------------------------------------------------------------------------------------------------

beforeAll(async () => {
  if (!existsSync(ACTION)) {
    throw new Error(`${ACTION} does not exist: run "npm run build" before this test (CI builds before testing)`);
  }
  work = mkdtempSync(join(tmpdir(), 'gilgate-action-e2e-'));
  repo = join(work, 'repo');
  envDumps = join(work, 'env-dumps');
  mkdirSync(envDumps);
  createRepository();
  server = await startGitHubApiServer();
  server.expectedToken = TOKEN;
  // More than a page of other people's comments (the action asks for 100 a page).
  server.seedComments(OWNER, REPO, 7, Array.from({ length: 105 }, (_, i) => `review remark ${i}`));
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the action, run as a runner runs dist/index.js', () => {
  let firstCommentId: number | undefined;
  let regressionResults = '';

  it('creates the sticky comment on the first run, beyond the first page of comments', async () => {
    const run = await runAction('pull_request', pullRequestPayload(7), { base: 'none' });
    expect(run.code, explain(run)).toBe(0);

    const ours = ourComments(7);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body.startsWith(MARKER)).toBe(true);
    expect(ours[0]!.body).toContain('spin');
    firstCommentId = ours[0]!.id;
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);

    expect(run.outputs['comment-url']).toContain(`#issuecomment-${firstCommentId}`);
    expect(run.outputs['regressions']).toBe('0');
    expect(Object.keys(JSON.parse(run.outputs['recommendations'] ?? '{}') as object)).toEqual(['spin']);
    const resultsPath = run.outputs['results'];
    expect(resultsPath).toBe(join(run.runnerTemp, 'gilgate-results.json'));
    const results = JSON.parse(readFileSync(resultsPath!, 'utf8')) as { schemaVersion: number; git: { head: string } };
    expect(results.schemaVersion).toBe(3);
    expect(results.git.head).toBe(headSha);
    expect(run.summary).toContain('spin');
    // The runner consumes ::add-mask:: and masks the value everywhere else; nothing else may print it.
    const printed = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(printed.join('\n')).not.toContain(TOKEN);
  });

  it('updates the same comment on the next run, through a transient 502', async () => {
    // Other people keep commenting: the action's comment is now on page 2 of 100.
    server.seedComments(OWNER, REPO, 7, Array.from({ length: 10 }, (_, i) => `later remark ${i}`));
    const before = server.requests.length;
    server.failNext({ status: 502, message: 'Bad Gateway' });

    const run = await runAction('pull_request', pullRequestPayload(7), { base: 'none' });
    expect(run.code, explain(run)).toBe(0);

    const requests = server.requests.slice(before);
    expect(requests[0]?.status).toBe(502);
    expect(requests.some((r) => r.method === 'GET' && r.url.includes('page=2'))).toBe(true);
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(ourComments(7)).toHaveLength(1);
    expect(ourComments(7)[0]!.id).toBe(firstCommentId);
    expect(run.outputs['comment-url']).toContain(`#issuecomment-${firstCommentId}`);
  });

  it('fails on a regression against the base commit, still publishing everything', async () => {
    const run = await runAction('pull_request', pullRequestPayload(7), {});
    expect(run.code, explain(run)).toBe(1);

    expect(Number(run.outputs['regressions'])).toBeGreaterThanOrEqual(1);
    const results = JSON.parse(readFileSync(run.outputs['results']!, 'utf8')) as {
      git: { base: string; head: string };
      workloads: { name: string; regressions: unknown[] }[];
    };
    expect(results.git).toMatchObject({ base: baseSha, head: headSha });
    regressionResults = readFileSync(run.outputs['results']!, 'utf8');
    expect(results.workloads.find((w) => w.name === 'spin')?.regressions.length).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(/::error title=gilgate regression::spin: /);
    expect(run.stdout).toMatch(/::error::gilgate: \d+ regressions? against base \(fail-on: regression\)/);
    expect(run.summary).toContain('spin');
    // Still exactly one sticky comment, now carrying the regression.
    expect(ourComments(7)).toHaveLength(1);
    expect(ourComments(7)[0]!.id).toBe(firstCommentId);
    const body = ourComments(7)[0]!.body;
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toMatch(/\d+ regressions?/);
    expect(body).toContain('https://github.com/octo/widgets/actions/runs/4242');
  });

  it('treats a fork\'s read-only token as a warning: exit 0, summary and outputs still written', async () => {
    server.denyWrites = true;
    try {
      const run = await runAction('pull_request', pullRequestPayload(8, 'stranger/widgets'), { base: 'none' });
      expect(run.code, explain(run)).toBe(0);
      expect(run.stdout).toMatch(/::warning::gilgate: the token cannot write pull request comments/);
      expect(server.requests.filter((r) => r.method === 'POST' && r.status === 403)).toHaveLength(1);
      expect(server.comments(OWNER, REPO, 8)).toHaveLength(0);
      expect(run.outputs['regressions']).toBe('0');
      expect(run.outputs['comment-url']).toBe('');
      expect(existsSync(run.outputs['results']!)).toBe(true);
      expect(run.summary).toContain('spin');
    } finally {
      server.denyWrites = false;
    }
  });

  it('runs without a comment on push', async () => {
    const before = server.requests.length;
    const run = await runAction('push', { ref: 'refs/heads/main', after: headSha }, { base: 'none' });
    expect(run.code, explain(run)).toBe(0);
    expect(server.requests.length).toBe(before);
    expect(run.outputs['comment-url']).toBe('');
    expect(run.summary).toContain('spin');
  });

  it('publishes an existing report on workflow_run without measuring (the fork recipe\'s second half)', async () => {
    expect(regressionResults, 'needs the regression run before it').not.toBe('');
    const artifact = join(work, 'artifact-results.json');
    writeFileSync(artifact, regressionResults);
    const dumpsBefore = readdirSync(envDumps).length;
    const before = server.requests.length;
    const payload = { action: 'completed', workflow_run: { id: 99, event: 'pull_request', head_sha: headSha, pull_requests: [] } };

    const run = await runAction('workflow_run', payload, { report: artifact, 'pr-number': '7', 'fail-on': 'never' });
    expect(run.code, explain(run)).toBe(0);
    expect(readdirSync(envDumps).length, 'no workload may run').toBe(dumpsBefore);
    expect(server.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(ourComments(7)).toHaveLength(1);
    expect(run.outputs['comment-url']).toContain(`#issuecomment-${firstCommentId}`);
    expect(Number(run.outputs['regressions'])).toBeGreaterThanOrEqual(1);
    expect(run.stdout).toMatch(/::warning title=gilgate regression::spin: /);
  });

  it('refuses a report that is not a gilgate results file', async () => {
    const bogus = join(work, 'bogus.json');
    writeFileSync(bogus, JSON.stringify({ schemaVersion: 2, workloads: [] }));
    const run = await runAction('workflow_run', {}, { report: bogus, 'pr-number': '7' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/bogus\.json: not a gilgate results file \(schemaVersion 1, 2 or 3\): .*tool/);
  });

  it('never lets a workload see the token or the runner\'s INPUT_/ACTIONS_ variables', () => {
    const dumps = readdirSync(envDumps).filter((name) => name.startsWith('env-'));
    // Serial, thread and process trials of head and base all wrote one.
    expect(dumps.length).toBeGreaterThan(10);
    for (const name of dumps) {
      const seen = JSON.parse(readFileSync(join(envDumps, name), 'utf8')) as Record<string, string>;
      expect(seen['PATH'], name).toBeTruthy();
      for (const [key, value] of Object.entries(seen)) {
        expect(key.startsWith('INPUT_') || key.startsWith('ACTIONS_') || key === 'GITHUB_TOKEN', `${name}: ${key}`).toBe(false);
        expect(value.includes(TOKEN), `${name}: ${key}`).toBe(false);
        expect(value.includes('runtime-secret-456'), `${name}: ${key}`).toBe(false);
      }
    }
  });
});
