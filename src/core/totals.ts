// The results' totals, counted in one place (the engine, merge and the report's per-workload badges).

import type { WorkloadResult } from './types.js';

export interface Totals {
  regressions: number;
  improvements: number;
}

export function totals(workloads: readonly Pick<WorkloadResult, 'regressions' | 'improvements'>[]): Totals {
  return {
    regressions: workloads.reduce((n, w) => n + w.regressions.length, 0),
    improvements: workloads.reduce((n, w) => n + w.improvements.length, 0),
  };
}
