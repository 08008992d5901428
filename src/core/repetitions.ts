// How a trial's repetitions become the one value per trial that rounds compare. One place, so
// the estimator can change (after recordings say which is best; see docs/statistics.md) without
// touching the runner or the engine. Pure.

/** The per-trial value of one measure from its repetitions: the median for now (robust to one
 *  disturbed repetition, and exact for a single one). Throws on an empty list: a trial without
 *  repetitions measured nothing. */
export function trialValue(values: readonly number[]): number {
  if (values.length === 0) throw new Error('trialValue needs at least one repetition');
  const ordered = [...values].sort((a, b) => a - b);
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2 === 1 ? ordered[middle]! : (ordered[middle - 1]! + ordered[middle]!) / 2;
}
