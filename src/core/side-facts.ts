// Reading a side's figures. Each figure is stored once, in its facts (SideFacts: one ModelFacts per
// model that ran, the comparisons between models in `pairs`); every reader takes it from there
// through these, so no copy can drift from the value the verdict used. Pure.
import type { Model, ModelFacts, ModelFigures, PairFacts, ParallelModel, SideFacts } from './types.js';
import { PARALLEL_MODELS } from './types.js';

/** The per-model figures a report shows: the speedups (lifetime's, once started), start-up, break-even, capacity. */
export type FigureField = 'speedup' | 'steadySpeedup' | 'startupSeconds' | 'breakEven' | 'capacity' | 'capacityShare';

/** A model's figure, null when the model did not run (or, for break-even and capacity, has none). */
export function modelFigure(side: { facts: Pick<SideFacts, 'models'> }, model: ParallelModel, field: FigureField): number | null {
  const facts: ModelFacts | undefined = side.facts.models[model];
  return facts ? facts[field] : null;
}

/** One figure for every parallel model: what the results file writes as `speedup` (a view, not state). */
export function modelFigures(side: { facts: Pick<SideFacts, 'models'> }, field: FigureField): ModelFigures {
  const out = { threads: null, processes: null, interpreters: null } as ModelFigures;
  for (const m of PARALLEL_MODELS) out[m] = modelFigure(side, m, field);
  return out;
}

/**
 * The comparison of two models' best arms, oriented as stored (`a` the cheaper, COST_ORDER), or of
 * a model with serial (its `vsSerial`, `b` serial); null when one of them did not run.
 */
export function pairComparison(facts: Pick<SideFacts, 'models' | 'pairs'>, a: Model, b: Model): PairFacts | null {
  if (a === b) return null;
  if (a === 'serial' || b === 'serial') {
    const model = (a === 'serial' ? b : a) as ParallelModel;
    const f = facts.models[model];
    return f ? { a: model, b: 'serial', comparison: f.vsSerial } : null;
  }
  return facts.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a)) ?? null;
}
