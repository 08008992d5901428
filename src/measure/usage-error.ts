/** A mistake in how gilgate was called or configured: CLI exit 2, a failed action step. */
export class UsageError extends Error {
  override name = 'UsageError';
}
