// The sticky pull-request comment: one per PR and config, found again by a hidden marker among all
// of the PR's comments (every page), updated in place, created only when missing.
import { getOctokit } from '@actions/github';
import { COMMENT_LIMIT } from '../report/markdown.js';
import { DEFAULT_RETRY, RETRY_PLUGINS, retryClientOptions, type RetryOptions } from './retry.js';

export type GitHubClient = ReturnType<typeof getOctokit>;


/**
 * An octokit whose every request (each page of a pagination too) is retried on transient failures and
 * rate limits by octokit's retry and throttling plugins.
 * baseUrl is explicit because @actions/github reads GITHUB_API_URL once, when its module loads.
 */
export function createGitHubClient(token: string, baseUrl: string, retry: RetryOptions = DEFAULT_RETRY): GitHubClient {
  return getOctokit(token, { baseUrl, ...retryClientOptions(retry) }, ...RETRY_PLUGINS);
}

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface StickyComment {
  id: number;
  url: string;
  body: string;
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'unchanged' | 'skipped';
  comment: StickyComment | null;
}

/**
 * The hidden marker for one config. The key is sanitised so it cannot close the HTML comment early
 * (`--`, `>`) or span lines, which would make the marker unfindable.
 */
export function stickyMarker(configKey: string): string {
  const key = configKey.replace(/\\/g, '/').replace(/[\r\n]+/g, ' ').replace(/-{2,}/g, '-').replace(/>/g, '').trim();
  return `<!-- gilgate:${key || 'default'} -->`;
}

interface ApiComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { type?: string } | null;
}

/** Looks through every page of the PR's comments; prefers a bot's comment if a person quoted the marker. */
export async function findStickyComment(
  client: GitHubClient,
  target: CommentTarget,
  marker: string,
): Promise<StickyComment | null> {
  const comments = (await client.paginate(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })) as ApiComment[];
  const matching = comments.filter((comment) => (comment.body ?? '').includes(marker));
  const chosen = matching.find((comment) => comment.user?.type === 'Bot') ?? matching[0];
  return chosen ? { id: chosen.id, url: chosen.html_url, body: chosen.body ?? '' } : null;
}

export interface UpsertOptions {
  /** False: only refresh an existing comment (comment: on-regression with nothing to report). */
  createIfMissing?: boolean;
}

export async function upsertStickyComment(
  client: GitHubClient,
  target: CommentTarget,
  marker: string,
  body: string,
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const text = fitToLimit(body.includes(marker) ? body : `${marker}\n${body}`);
  const existing = await findStickyComment(client, target, marker);
  if (existing) {
    if (existing.body === text) return { action: 'unchanged', comment: existing };
    const { data } = await client.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body: text,
    });
    return { action: 'updated', comment: { id: data.id, url: data.html_url, body: data.body ?? text } };
  }
  if (options.createIfMissing === false) return { action: 'skipped', comment: null };
  const { data } = await client.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body: text,
  });
  return { action: 'created', comment: { id: data.id, url: data.html_url, body: data.body ?? text } };
}

/** Last line of defence: the renderer truncates properly; this only keeps the API from refusing. */
function fitToLimit(body: string): string {
  if (body.length <= COMMENT_LIMIT) return body;
  const note = '\n\n… (truncated)';
  return body.slice(0, COMMENT_LIMIT - note.length) + note;
}
