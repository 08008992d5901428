// What the triggering event tells the action: where to comment and which commits to compare.
// Pure: takes the environment record and the parsed event payload (the shell reads GITHUB_EVENT_PATH).
// The pull request's head and base SHAs come from the payload, not GITHUB_SHA: on pull_request events
// GITHUB_SHA is the temporary merge commit, which is neither side of the comparison.

export interface PullRequestInfo {
  number: number;
  baseSha: string | null;
  headSha: string | null;
  baseRef: string | null;
  headRef: string | null;
  /** Head lives in another repository: the token is read-only there (see docs/fork-prs.md). */
  fromFork: boolean;
}

export interface EventContext {
  eventName: string;
  owner: string | null;
  repo: string | null;
  serverUrl: string;
  apiUrl: string;
  runId: string | null;
  /** Link to this workflow run: where the full report (job summary) lives. */
  runUrl: string | null;
  /** The pull request this run belongs to, or null (push, workflow_dispatch, schedule, ...). */
  pullRequest: PullRequestInfo | null;
  /** Commit under test: the PR head, else GITHUB_SHA. */
  headSha: string | null;
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review']);

export function parseEventContext(env: Readonly<Record<string, string | undefined>>, payload: unknown): EventContext {
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  const [owner, repo] = splitRepository(env['GITHUB_REPOSITORY']);
  const serverUrl = stripSlash(env['GITHUB_SERVER_URL'] || 'https://github.com');
  const apiUrl = stripSlash(env['GITHUB_API_URL'] || 'https://api.github.com');
  const runId = env['GITHUB_RUN_ID'] || null;
  const runUrl = owner && repo && runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : null;

  const pullRequest = PULL_REQUEST_EVENTS.has(eventName) ? readPullRequest(payload, owner, repo) : null;
  return {
    eventName,
    owner,
    repo,
    serverUrl,
    apiUrl,
    runId,
    runUrl,
    pullRequest,
    headSha: pullRequest?.headSha ?? (env['GITHUB_SHA'] || null),
  };
}

function readPullRequest(payload: unknown, owner: string | null, repo: string | null): PullRequestInfo | null {
  const pr = field(payload, 'pull_request');
  const number = field(pr, 'number') ?? field(payload, 'number');
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) return null;
  const base = field(pr, 'base');
  const head = field(pr, 'head');
  const headRepo = string(field(field(head, 'repo'), 'full_name'));
  const baseRepo = string(field(field(base, 'repo'), 'full_name')) ?? (owner && repo ? `${owner}/${repo}` : null);
  return {
    number,
    baseSha: string(field(base, 'sha')),
    headSha: string(field(head, 'sha')),
    baseRef: string(field(base, 'ref')),
    headRef: string(field(head, 'ref')),
    fromFork: headRepo !== null && baseRepo !== null && headRepo.toLowerCase() !== baseRepo.toLowerCase(),
  };
}

function splitRepository(value: string | undefined): [string | null, string | null] {
  const parts = (value ?? '').split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return [null, null];
  return [parts[0], parts[1]];
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function string(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
