// One key for "this workload, under this interpreter (index or label), on this side": the maps that
// find a variant again (experiment.ts, merge.ts, measure/run.ts) build it here, not by hand.

import type { Side } from './types.js';

export type VariantKey = string & { readonly __brand: 'VariantKey' };

export interface VariantId {
  workload: string;
  /** The interpreter's index in the run, or its label in a results file. */
  interpreter: number | string;
  /** Absent where head and base are one variant (the experiment's own state). */
  side?: Side;
}

/** NUL-separated: no config name or interpreter label holds one, so distinct ids never collide. */
export function variantKey({ workload, interpreter, side }: VariantId): VariantKey {
  return `${side === undefined ? '' : `${side}\u0000`}${interpreter}\u0000${workload}` as VariantKey;
}
