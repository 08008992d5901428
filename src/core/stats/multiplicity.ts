// Multiplicity across workloads for the gate. Pure.

/**
 * Holm–Bonferroni step-down: sort p-values ascending, compare the i-th smallest (0-based) with
 * α/(m − i), and reject until the first that fails. It controls the family-wise error rate at α
 * under any dependence between workloads, and is never less powerful than plain Bonferroni.
 * `adjusted` holds the Holm-adjusted p-values (max over j ≤ i of (m − j)·p_(j), capped at 1), in the
 * input order; rejected[i] ⇔ adjusted[i] ≤ α. NaN p-values are treated as 1 (never rejected).
 */
export function holm(pValues: readonly number[], alpha: number): { rejected: boolean[]; adjusted: number[] } {
  const m = pValues.length;
  const order = pValues
    .map((p, index) => ({ p: Number.isNaN(p) ? 1 : Math.min(1, Math.max(0, p)), index }))
    .sort((x, y) => x.p - y.p || x.index - y.index);
  const adjusted = new Array<number>(m).fill(1);
  let runningMax = 0;
  order.forEach(({ p, index }, rank) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - rank) * p));
    adjusted[index] = runningMax;
  });
  return { rejected: adjusted.map((p) => p <= alpha), adjusted };
}
