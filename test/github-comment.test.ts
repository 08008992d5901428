import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, stickyMarker, upsertStickyComment, findStickyComment } from '../src/github/comment.js';
import { isReadOnlyTokenFailure, type RetryOptions } from '../src/github/retry.js';
import { startGitHubApiServer, type GitHubApiServer } from './helpers/github-api-server.js';

const target = { owner: 'octo', repo: 'widgets', issueNumber: 7 };
const fastRetry: RetryOptions = { retries: 3, baseDelayMs: 1 };
const marker = stickyMarker('gilgate.yml');

let server: GitHubApiServer;
beforeEach(async () => {
  server = await startGitHubApiServer();
  server.expectedToken = 'ghs_testtoken123';
});
afterEach(async () => {
  await server.close();
});

const client = (retry = fastRetry) => createGitHubClient('ghs_testtoken123', server.url, retry);
const others = (n: number) => Array.from({ length: n }, (_, i) => `LGTM ${i}`);

describe('stickyMarker', () => {
  it('keeps one marker per config and cannot end the HTML comment early', () => {
    expect(stickyMarker('gilgate.yml')).toBe('<!-- gilgate:gilgate.yml -->');
    expect(stickyMarker('bench\\gilgate.yml')).toBe('<!-- gilgate:bench/gilgate.yml -->');
    expect(stickyMarker('a-->b\nc')).toBe('<!-- gilgate:a-b c -->');
    expect(stickyMarker('a.yml')).not.toBe(stickyMarker('b.yml'));
  });
});

describe('upsertStickyComment', () => {
  it('creates the comment when missing and updates it in place afterwards, beyond the first page', async () => {
    server.seedComments('octo', 'widgets', 7, others(120));
    const first = await upsertStickyComment(client(), target, marker, `${marker}\nfirst`);
    expect(first.action).toBe('created');
    server.seedComments('octo', 'widgets', 7, others(30));

    const second = await upsertStickyComment(client(), target, marker, `${marker}\nsecond`);
    expect(second.action).toBe('updated');
    expect(second.comment?.id).toBe(first.comment?.id);

    const ours = server.comments('octo', 'widgets', 7).filter((c) => c.body.includes(marker));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toBe(`${marker}\nsecond`);
    // Our comment is the 121st of 151: it was found on page 2 of 100, so paging happened.
    const pages = server.requests.filter((r) => r.method === 'GET').map((r) => new URL(r.url, server.url).searchParams.get('page') ?? '1');
    expect(pages).toContain('2');
    expect(server.requests.every((r) => r.authorization === 'token ghs_testtoken123')).toBe(true);
  });

  it('keeps separate comments for separate configs', async () => {
    await upsertStickyComment(client(), target, stickyMarker('a.yml'), 'report a');
    await upsertStickyComment(client(), target, stickyMarker('b.yml'), 'report b');
    await upsertStickyComment(client(), target, stickyMarker('a.yml'), 'report a again');
    const bodies = server.comments('octo', 'widgets', 7).map((c) => c.body);
    expect(bodies).toEqual(['<!-- gilgate:a.yml -->\nreport a again', '<!-- gilgate:b.yml -->\nreport b']);
  });

  it('leaves an identical comment alone', async () => {
    await upsertStickyComment(client(), target, marker, `${marker}\nsame`);
    const again = await upsertStickyComment(client(), target, marker, `${marker}\nsame`);
    expect(again.action).toBe('unchanged');
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('only refreshes, never creates, when asked not to create', async () => {
    const result = await upsertStickyComment(client(), target, marker, 'nothing to report', { createIfMissing: false });
    expect(result).toEqual({ action: 'skipped', comment: null });
    expect(server.comments('octo', 'widgets', 7)).toHaveLength(0);
  });

  it('prefers the bot comment when a person quoted the marker', async () => {
    server.seedComments('octo', 'widgets', 7, [`quoting ${marker}`]);
    server.seedComments('octo', 'widgets', 7, [`${marker}\nbot`], { login: 'github-actions[bot]', type: 'Bot' });
    const found = await findStickyComment(client(), target, marker);
    expect(found?.body).toBe(`${marker}\nbot`);
  });

  it('retries a 502 and a secondary rate limit, then succeeds', async () => {
    server.failNext(
      { status: 502, message: 'Bad Gateway' },
      { status: 403, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '0' } },
    );
    const result = await upsertStickyComment(client(), target, marker, 'hello');
    expect(result.action).toBe('created');
    expect(server.requests.map((r) => r.status)).toEqual([502, 403, 200, 201]);
  });

  it('gives up after the configured retries with the API message', async () => {
    server.failNext(...Array.from({ length: 5 }, () => ({ status: 503, message: 'Service Unavailable' })));
    await expect(upsertStickyComment(client({ ...fastRetry, retries: 2 }), target, marker, 'x')).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a read-only token and lets the caller recognise it', async () => {
    server.denyWrites = true;
    const error = await upsertStickyComment(client(), target, marker, 'x').catch((e: unknown) => e);
    expect(isReadOnlyTokenFailure(error)).toBe(true);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('does not retry bad credentials', async () => {
    server.expectedToken = 'something-else';
    const error = await upsertStickyComment(client(), target, marker, 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    expect(isReadOnlyTokenFailure(error)).toBe(false);
    expect(server.requests).toHaveLength(1);
  });
});
