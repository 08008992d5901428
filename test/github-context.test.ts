import { describe, expect, it } from 'vitest';
import { parseEventContext } from '../src/github/context.js';

const env = {
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_REPOSITORY: 'octo/widgets',
  GITHUB_SERVER_URL: 'https://github.example.com/',
  GITHUB_API_URL: 'http://127.0.0.1:9999',
  GITHUB_RUN_ID: '123456',
  GITHUB_SHA: 'mergecommit0000',
};

const pullRequestPayload = {
  action: 'synchronize',
  number: 7,
  pull_request: {
    number: 7,
    base: { sha: 'basesha111', ref: 'main', repo: { full_name: 'octo/widgets' } },
    head: { sha: 'headsha222', ref: 'feature', repo: { full_name: 'octo/widgets' } },
  },
};

describe('parseEventContext', () => {
  it('takes the PR number and both SHAs from the pull_request payload, not GITHUB_SHA', () => {
    const context = parseEventContext(env, pullRequestPayload);
    expect(context.pullRequest).toEqual({
      number: 7,
      baseSha: 'basesha111',
      headSha: 'headsha222',
      baseRef: 'main',
      headRef: 'feature',
      fromFork: false,
    });
    expect(context.headSha).toBe('headsha222');
    expect(context.owner).toBe('octo');
    expect(context.repo).toBe('widgets');
    expect(context.apiUrl).toBe('http://127.0.0.1:9999');
    expect(context.runUrl).toBe('https://github.example.com/octo/widgets/actions/runs/123456');
  });

  it('notices a pull request from a fork', () => {
    const payload = structuredClone(pullRequestPayload);
    payload.pull_request.head.repo.full_name = 'stranger/widgets';
    expect(parseEventContext(env, payload).pullRequest?.fromFork).toBe(true);
  });

  it.each(['push', 'workflow_dispatch', 'schedule'])('has no pull request on %s', (eventName) => {
    const context = parseEventContext({ ...env, GITHUB_EVENT_NAME: eventName }, { ref: 'refs/heads/main', after: 'abc' });
    expect(context.pullRequest).toBeNull();
    expect(context.headSha).toBe('mergecommit0000');
    expect(context.eventName).toBe(eventName);
  });

  it('ignores a pull_request key on events that are not pull requests', () => {
    const context = parseEventContext({ ...env, GITHUB_EVENT_NAME: 'push' }, pullRequestPayload);
    expect(context.pullRequest).toBeNull();
  });

  it('copes with a missing environment and payload', () => {
    const context = parseEventContext({}, undefined);
    expect(context).toEqual({
      eventName: '',
      owner: null,
      repo: null,
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      runId: null,
      runUrl: null,
      pullRequest: null,
      headSha: null,
    });
  });

  it('rejects a payload without a usable PR number', () => {
    expect(parseEventContext(env, { pull_request: { number: 'seven' } }).pullRequest).toBeNull();
  });
});
