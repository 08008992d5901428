// How a trial's repetitions become the one value per trial that rounds compare. One place, so
// the estimator can change (after recordings say which is best; see docs/statistics.md) without
// touching the runner or the engine. Pure.

/**
 * The per-trial value of one measure from its repetitions: their mean. Throws on an empty list: a
 * trial without repetitions measured nothing.
 *
 * Why the mean: trials run in lockstep (partners alive at once, taking turns repetition by
 * repetition), so a burst of the shared CPU slows the partners' repetitions of the same turns
 * alike, and averaging every turn keeps that pairing; the median keeps one turn and drops the rest.
 * On two lockstep recordings of bench/noise.mjs (2026-12-02) the A/A paired sd was 0.084 and 0.081
 * with the mean against 0.094 and 0.097 with the median (minimum 0.079 and 0.135, first repetition
 * alone 0.142 and 0.117), and replayed comparisons decided a 1.5× difference within 6 rounds in
 * 100% against 93% (bench/estimators.mjs). docs/statistics.md has the tables.
 */
export function trialValue(values: readonly number[]): number {
  if (values.length === 0) throw new Error('trialValue needs at least one repetition');
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}
