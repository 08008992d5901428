// Retrying GitHub API calls with octokit's own plugins rather than a hand-written loop:
// @octokit/plugin-retry retries transient failures (5xx, 429) with growing waits, and
// @octokit/plugin-throttling honours primary and secondary rate limits (retry-after, reset time) and
// spaces writes. Everything else (401, 404, a read-only token's 403) fails at once with the API's message.
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export interface RetryOptions {
  /** Attempts after the first one, for server errors and for rate limits alike. */
  retries: number;
  /** Unit of every wait: plugin-retry waits (attempt²) units, throttling waits retry-after units. 1000 = seconds. */
  baseDelayMs: number;
  onRetry?: (info: { attempt: number; delaySeconds: number; reason: 'rate-limit' | 'secondary-rate-limit' }) => void;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 1000 };

/** The plugins to pass to getOctokit(token, options, ...plugins). */
export const RETRY_PLUGINS = [retry, throttling] as const;

/** The octokit options that configure RETRY_PLUGINS. */
export function retryClientOptions(options: RetryOptions) {
  const decide = (reason: 'rate-limit' | 'secondary-rate-limit') => (retryAfter: number, _request: unknown, _octokit: unknown, retryCount: number) => {
    if (retryCount >= options.retries) return false;
    options.onRetry?.({ attempt: retryCount + 1, delaySeconds: retryAfter, reason });
    return true;
  };
  return {
    retry: { retries: options.retries, retryAfterBaseValue: options.baseDelayMs },
    throttle: {
      retryAfterBaseValue: options.baseDelayMs,
      onRateLimit: decide('rate-limit'),
      onSecondaryRateLimit: decide('secondary-rate-limit'),
    },
  };
}

/** The parts of an HTTP failure worth showing (octokit's RequestError carries these). */
export interface HttpFailure {
  status: number | null;
  message: string;
}

export function describeHttpFailure(error: unknown): HttpFailure {
  if (typeof error !== 'object' || error === null) return { status: null, message: String(error) };
  const status = 'status' in error && typeof error.status === 'number' ? error.status : null;
  const response = 'response' in error ? error.response : undefined;
  const data = typeof response === 'object' && response !== null && 'data' in response ? response.data : undefined;
  const dataMessage = typeof data === 'object' && data !== null && 'message' in data ? data.message : undefined;
  const ownMessage = 'message' in error ? error.message : undefined;
  const message = typeof dataMessage === 'string' ? dataMessage : typeof ownMessage === 'string' ? ownMessage : String(error);
  return { status, message };
}

/** True for the 403 a read-only token gets (fork pull requests, missing `permissions:`). */
export function isReadOnlyTokenFailure(error: unknown): boolean {
  const failure = describeHttpFailure(error);
  return failure.status === 403 && /resource not accessible by integration|not accessible by personal access token/i.test(failure.message);
}
