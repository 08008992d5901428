// Retrying GitHub API calls: transient server errors (5xx, including octokit's 500 for a dropped
// connection) and secondary rate limits (403/429 with retry-after or "secondary rate limit" text) are
// retried with exponential backoff; everything else fails at once with the API's own message.

export interface RetryOptions {
  /** Attempts after the first one. */
  retries: number;
  /** First backoff delay; doubles each attempt. */
  baseDelayMs: number;
  /** No single wait is longer than this, even when retry-after asks for more. */
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; delayMs: number; status: number | null; message: string }) => void;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** The parts of an HTTP failure that decide a retry (octokit's RequestError carries these). */
export interface HttpFailure {
  status: number | null;
  message: string;
  headers: Readonly<Record<string, string | number | undefined>>;
}

export function describeHttpFailure(error: unknown): HttpFailure {
  const record = (error ?? {}) as { status?: unknown; message?: unknown; response?: { headers?: unknown; data?: unknown } };
  const status = typeof record.status === 'number' ? record.status : null;
  const data = record.response?.data as { message?: unknown } | undefined;
  const message =
    typeof data?.message === 'string' ? data.message : typeof record.message === 'string' ? record.message : String(error);
  const headers = (record.response?.headers ?? {}) as Record<string, string | number | undefined>;
  return { status, message, headers };
}

/** Milliseconds to wait before the next attempt, or null when the failure is not worth retrying. */
export function retryDelayMs(failure: HttpFailure, attempt: number, options: RetryOptions): number | null {
  if (attempt > options.retries || failure.status === null) return null;
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const retryAfter = Number(failure.headers['retry-after']);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(options.maxDelayMs, retryAfter * 1000) : null;

  if (failure.status >= 500) return retryAfterMs ?? backoff;
  if (failure.status === 403 || failure.status === 429) {
    const secondary = /secondary rate limit|abuse detection/i.test(failure.message);
    if (retryAfterMs !== null) return Math.max(retryAfterMs, secondary ? backoff : 0);
    if (secondary || failure.status === 429) return backoff;
  }
  return null;
}

/** True for the 403 a read-only token gets (fork pull requests, missing `permissions:`). */
export function isReadOnlyTokenFailure(error: unknown): boolean {
  const failure = describeHttpFailure(error);
  return failure.status === 403 && /resource not accessible by integration|not accessible by personal access token/i.test(failure.message);
}

export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      const failure = describeHttpFailure(error);
      const delay = retryDelayMs(failure, attempt, options);
      if (delay === null) throw error;
      options.onRetry?.({ attempt, delayMs: delay, status: failure.status, message: failure.message });
      await sleep(delay);
    }
  }
}
