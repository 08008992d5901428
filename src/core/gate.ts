// Gate: whether the build fails, from the results and the user's --fail-on. Pure.
import type { Results } from './types.js';

export type FailOn = 'regression' | 'flip' | 'never' | 'creep';
export const FAIL_ON_VALUES: readonly FailOn[] = ['regression', 'flip', 'never', 'creep'];

export function parseFailOn(value: string): FailOn {
  const v = value.trim().toLowerCase();
  if ((FAIL_ON_VALUES as readonly string[]).includes(v)) return v as FailOn;
  throw new Error(`fail-on must be one of ${FAIL_ON_VALUES.join(', ')}; got ${JSON.stringify(value)}`);
}

/**
 * `regression` fails on any regression (flips included); `flip` only on flips; `never` never;
 * `creep` on what `regression` fails on and also on creep in the default branch's history
 * (`creeps`: workloads the history reports as creeping; history never gates otherwise).
 */
export function gateFails(results: Results, failOn: FailOn, creeps = 0): boolean {
  if (failOn === 'never') return false;
  const kinds = results.workloads.flatMap((w) => w.regressions.map((r) => r.kind));
  if (failOn === 'creep') return kinds.length > 0 || creeps > 0;
  return failOn === 'flip' ? kinds.includes('flip') : kinds.length > 0;
}
