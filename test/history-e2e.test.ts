// History end to end through the bundled action (node dist/index.js), with the environment a runner
// sets, against a real git server (git http-backend on 127.0.0.1) and the GitHub API stand-in:
// 5 sequential pushes to the default branch, then 3 concurrent ones (separate runners: separate
// clones and RUNNER_TEMPs), must leave 8 files on the data branch; then a pull request's comment
// shows a trend and a timeline for every workload. The first push run measures for real; the others
// publish stored results (the `report:` input) for other commits, which keeps the file cheap.
// A protected data branch and a read-only token are warnings, never failed runs.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGitHubApiServer, type GitHubApiServer } from './helpers/github-api-server.js';
import { startGitHttpServer, type GitHttpServer } from './helpers/git-http-server.js';
import { runnerEnvironment, runnerFiles, runStep } from './helpers/runner-step.js';

const ACTION = resolve('dist/index.js');
const TOKEN = 'ghs_history_write_token';
const READ_ONLY = 'ghs_history_read_only';
const OWNER = 'octo';
const REPO = 'widgets';
const MARKER = '<!-- gilgate:gilgate.yml -->';

// Two tiny workloads, one worker count, three rounds: the one real measurement stays short.
const CONFIG = `python: python3
workloads:
  - name: spin
    run: workload:spin
    tasks: 4
    timeout: 60
    workers: [2]
  - name: sleepy
    run: workload:sleepy
    tasks: 4
    timeout: 60
    workers: [2]
rounds: {min: 3, max: 3}
`;

const WORKLOAD = `import time

def spin(task):
    total = 0
    for i in range(20_000):
        total += i * i % 7
    return total + task

def sleepy(task):
    time.sleep(0.002)
    return task
`;

interface Run {
  code: number | null;
  stdout: string;
  summary: string;
  results: string | null;
}

let api: GitHubApiServer;
let gitServer: GitHttpServer;
let work: string;
let origin: string;
const mainCommits: string[] = [];
let featureSha = '';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

function inputsWithDefaults(given: Record<string, string>): Record<string, string> {
  const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> };
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    const fallback = String(input.default ?? '');
    env[`INPUT_${name.toUpperCase()}`] = given[name] ?? (fallback.includes('${{') ? (name === 'github-token' ? TOKEN : '') : fallback);
  }
  return env;
}

/** A runner: its own clone of the repository at `sha`, its own RUNNER_TEMP, then node dist/index.js. */
async function runAction(eventName: string, payload: unknown, sha: string, given: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(work, 'runner-'));
  const workspace = join(dir, 'workspace');
  git(dir, 'clone', '--quiet', origin, workspace);
  git(workspace, 'checkout', '--quiet', '--detach', sha);
  const files = runnerFiles(dir, payload);
  const env: Record<string, string> = {
    ...runnerEnvironment(eventName, files, dir),
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_RUN_ID: '77',
    GITHUB_SERVER_URL: gitServer.url,
    GITHUB_API_URL: api.url,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: sha,
    GITHUB_TOKEN: given['github-token'] ?? TOKEN,
    ...inputsWithDefaults(given),
  };
  const { code, stdout, summary } = await runStep(ACTION, workspace, env, files);
  const resultsPath = join(files.temp, 'gilgate-results.json');
  return { code, stdout, summary, results: existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : null };
}

function pushPayload(sha: string, before: string) {
  return { ref: 'refs/heads/main', before, after: sha, repository: { full_name: `${OWNER}/${REPO}`, default_branch: 'main' }, head_commit: { id: sha } };
}

/**
 * Stored results for another commit: run 1's measurement without its values (summaries only, so
 * they are published as given, not judged again), its times scaled, its verdicts set, head renamed.
 */
function storedResults(measured: string, sha: string, scale: number, file: string, recommendation = 'threads'): string {
  const results = JSON.parse(measured) as { schemaVersion: number; values?: unknown; git: { head: string }; workloads: { recommendation: string; arms: { wall: { median: number } }[] }[] };
  delete results.values;
  results.git.head = sha;
  for (const w of results.workloads) {
    w.recommendation = recommendation;
    for (const a of w.arms) a.wall.median *= scale;
  }
  writeFileSync(file, JSON.stringify(results));
  return file;
}

function dataFiles(): string[] {
  const bare = join(gitServer.root, OWNER, `${REPO}.git`);
  return execFileSync('git', ['-C', bare, 'ls-tree', '-r', '--name-only', 'gilgate-data'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

const explain = (run: Run) => `exit ${run.code}\n${run.stdout.slice(-3000)}`;

beforeAll(async () => {
  if (!existsSync(ACTION)) throw new Error(`${ACTION} does not exist: run "npm run build" before this test`);
  work = mkdtempSync(join(tmpdir(), 'gilgate-history-e2e-'));
  api = await startGitHubApiServer();
  gitServer = await startGitHttpServer(join(work, 'server'));
  gitServer.writeTokens.add(TOKEN);
  gitServer.readTokens.add(READ_ONLY);
  gitServer.createRepository(OWNER, REPO);
  origin = join(work, 'origin');
  mkdirSync(origin);
  git(origin, 'init', '-q', '-b', 'main');
  writeFileSync(join(origin, 'gilgate.yml'), CONFIG);
  writeFileSync(join(origin, 'workload.py'), WORKLOAD);
  writeFileSync(join(origin, '.gitignore'), '__pycache__/\n');
  for (let i = 0; i < 10; i++) {
    writeFileSync(join(origin, 'CHANGES'), `change ${i}\n`);
    git(origin, 'add', '.');
    git(origin, 'commit', '-q', '-m', `main ${i}`, `--date=2026-01-01T00:${String(i).padStart(2, '0')}:00Z`);
    mainCommits.push(git(origin, 'rev-parse', 'HEAD'));
  }
  git(origin, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(origin, 'CHANGES'), 'feature\n');
  git(origin, 'commit', '-q', '-am', 'feature');
  featureSha = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', 'main');
  // The code also lives on the server, as on GitHub. (Asynchronously: the server is in this process.)
  await new Promise<void>((done, fail) =>
    execFile('git', ['push', '-q', gitServer.remote(OWNER, REPO, TOKEN), 'main', 'feature'], { cwd: origin, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error) => (error ? fail(error) : done())),
  );
});

afterAll(async () => {
  await api?.close();
  await gitServer?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('history through the bundled action', () => {
  let measured = '';

  it('5 sequential default-branch runs, then 3 concurrent ones: 8 files on gilgate-data, none lost', async () => {
    const first = await runAction('push', pushPayload(mainCommits[0]!, '0'.repeat(40)), mainCommits[0]!);
    expect(first.code, explain(first)).toBe(0);
    expect(first.stdout).toMatch(/history: added commits\/[0-9a-f]{40}\/python3\.json to gilgate-data/);
    measured = first.results!;
    for (let i = 1; i < 5; i++) {
      const report = storedResults(measured, mainCommits[i]!, 1 + i * 0.05, join(work, `stored-${i}.json`));
      const run = await runAction('push', pushPayload(mainCommits[i]!, mainCommits[i - 1]!), mainCommits[i]!, { report });
      expect(run.code, explain(run)).toBe(0);
    }
    expect(dataFiles()).toHaveLength(5);
    const concurrent = await Promise.all(
      [5, 6, 7].map((i) => {
        const report = storedResults(measured, mainCommits[i]!, 1 + i * 0.05, join(work, `stored-${i}.json`), 'processes');
        return runAction('push', pushPayload(mainCommits[i]!, mainCommits[i - 1]!), mainCommits[i]!, { report });
      }),
    );
    for (const run of concurrent) {
      expect(run.code, explain(run)).toBe(0);
      expect(run.stdout).toMatch(/history: added commits\//);
    }
    const files = dataFiles();
    expect(files).toHaveLength(8);
    expect(files.map((f) => f.split('/')[1]).sort()).toEqual(mainCommits.slice(0, 8).sort());
  });

  it('a pull request\'s comment shows the trend and the timeline for every workload, as context', async () => {
    const payload = {
      action: 'synchronize',
      number: 5,
      pull_request: {
        number: 5,
        base: { sha: mainCommits[7], ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
        head: { sha: featureSha, ref: 'feature', repo: { full_name: `${OWNER}/${REPO}` } },
      },
      repository: { full_name: `${OWNER}/${REPO}`, default_branch: 'main' },
    };
    const report = storedResults(measured, featureSha, 1.01, join(work, 'stored-pr.json'));
    const run = await runAction('pull_request', payload, featureSha, { report });
    expect(run.code, explain(run)).toBe(0);
    const comments = api.comments(OWNER, REPO, 5).filter((c) => c.body.includes(MARKER));
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    // For a reader of this test: the comment as posted.
    mkdirSync(resolve('test-output'), { recursive: true });
    writeFileSync(resolve('test-output/history-comment.md'), body);
    expect(body).toMatch(/History: the last 8 default-branch commits/);
    expect(body).toMatch(/Context, not the gate/);
    const section = body.slice(body.indexOf('History: the last'));
    for (const name of ['spin', 'sleepy']) {
      const row = section.split('\n').find((line) => line.startsWith(`| ${name} |`));
      expect(row, body).toBeDefined();
      // Eight branch points, then this PR's after the bar.
      expect(row).toMatch(/`[▁▂▃▄▅▆▇█]{8}│[▁▂▃▄▅▆▇█]`/);
      expect(row).toMatch(/this PR/);
      // Commits 1–4 said threads, 5–7 processes (the first measured, whatever it found).
      expect(row).toMatch(/processes since `[0-9a-f]{7}`, 3 commits; flipped threads → processes at `[0-9a-f]{7}`/);
    }
    // Stored times grew 5% a commit (the recommended arm, compared with itself across the flip).
    expect(section).toMatch(/⚠️ spin: \d+\.\d% slower since `[0-9a-f]{7}`/);
    // A pull request only reads: still 8 files.
    expect(dataFiles()).toHaveLength(8);
  });

  it('a shard leg takes its costs from history, without shard-costs', async () => {
    const payload = {
      action: 'synchronize',
      number: 6,
      pull_request: {
        number: 6,
        base: { sha: mainCommits[7], ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
        head: { sha: featureSha, ref: 'feature', repo: { full_name: `${OWNER}/${REPO}` } },
      },
      repository: { full_name: `${OWNER}/${REPO}`, default_branch: 'main' },
    };
    const run = await runAction('pull_request', payload, featureSha, { shard: '1/2', base: 'none' });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`shard: costs of 2 workloads from history up to the base ${mainCommits[7]!.slice(0, 7)}`));
    const leg = JSON.parse(run.results!) as { shard: { measured: Record<string, number>; assignment: Record<string, number> } };
    // The split was made from history's costs (positive seconds), not from equal ones.
    expect(Object.keys(leg.shard.measured).sort()).toEqual(['sleepy', 'spin']);
    for (const cost of Object.values(leg.shard.measured)) expect(cost).toBeGreaterThan(0);
    expect(leg.shard.measured).not.toEqual({ sleepy: 1, spin: 1 }); // what equal costs would record
    expect(new Set(Object.values(leg.shard.assignment))).toEqual(new Set([1, 2]));
  });

  it('a protected data branch is a warning, not a failed run', async () => {
    gitServer.protect(OWNER, REPO, 'gilgate-data');
    try {
      const report = storedResults(measured, mainCommits[8]!, 1, join(work, 'stored-8.json'));
      const run = await runAction('push', pushPayload(mainCommits[8]!, mainCommits[7]!), mainCommits[8]!, { report });
      expect(run.code, explain(run)).toBe(0);
      expect(run.stdout).toMatch(/::warning::gilgate: history: the server refused the push to gilgate-data: .*Protected branch/);
    } finally {
      gitServer.protect(OWNER, REPO, null);
    }
    expect(dataFiles()).toHaveLength(8);
  });

  it('a read-only token is a warning, not a failed run, and the token stays out of the log', async () => {
    const report = storedResults(measured, mainCommits[9]!, 1, join(work, 'stored-9.json'));
    const run = await runAction('push', pushPayload(mainCommits[9]!, mainCommits[8]!), mainCommits[9]!, { report, 'github-token': READ_ONLY });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toMatch(/::warning::gilgate: history: the server refused the push to gilgate-data: .*403/);
    expect(run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(READ_ONLY);
    expect(dataFiles()).toHaveLength(8);
  });
});
