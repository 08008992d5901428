// The scaling chart: speedup against worker count, one line per parallel model plus the ideal line,
// as a Mermaid xychart-beta block that GitHub renders in place. The ideal line is what this machine
// measurably delivers with N busy workers (its capacity), not y = x: on a runner whose vCPUs are
// hyper-threads or throttled, ×2 on 2 workers is not on offer. Without a capacity probe (older
// results), it falls back to y = x.
//
// xychart-beta lines carry no names, so colours are pinned with an init directive and named in a
// legend line the caller puts above the chart (see chartLegend).
//
// Missing points: every line needs a value at every x. The x axis is the union of the worker counts
// any model ran at. A model absent altogether (unavailable, or every trial failed) gets no line.
// A model with a gap is drawn honestly-but-approximately: interior gaps are interpolated linearly
// between its measured neighbours, and counts beyond its last measured one repeat that last value.
// Every such filled point is listed in a note under the chart so no-one mistakes it for a measurement.
import type { ArmResult, ParallelModel } from '../core/types.js';
import { PARALLEL_MODELS } from '../core/types.js';
import { codeFence, escapeMermaidLabel } from './escape.js';

export const MODEL_COLORS: Record<ParallelModel | 'ideal', { hex: string; swatch: string; name: string }> = {
  threads: { hex: '#2563eb', swatch: '🟦', name: 'blue' },
  processes: { hex: '#ea580c', swatch: '🟧', name: 'orange' },
  interpreters: { hex: '#16a34a', swatch: '🟩', name: 'green' },
  ideal: { hex: '#9ca3af', swatch: '⬜', name: 'grey' },
};

export interface ChartPlan {
  workers: number[];
  /** Head's lines (side 'head'), then base's (side 'base', drawn dashed), then the ideal line last. */
  lines: { series: ParallelModel | 'ideal'; side: 'head' | 'base'; values: number[] }[];
  /** Points not measured but drawn anyway, per model (and side). */
  filled: { model: ParallelModel; workers: number; side: 'head' | 'base' }[];
  yMax: number;
  /** True when the ideal line was cut at the top of the y axis. */
  idealClipped: boolean;
  /** True when the ideal line is the measured capacity; false when it is y = x. */
  idealMeasured: boolean;
}

/**
 * Decide what to draw: shared by the Mermaid text and the legend/notes around it. With `baseArms`
 * head and base share one chart (one x axis: both sides' worker counts), base's lines dashed in
 * the same colours, so a reader compares them in one place.
 */
export function planChart(arms: readonly ArmResult[], baseArms: readonly ArmResult[] | null = null): ChartPlan {
  const usable = arms.filter((a) => Number.isFinite(a.speedup) && a.speedup > 0);
  const usableBase = (baseArms ?? []).filter((a) => Number.isFinite(a.speedup) && a.speedup > 0);
  const workers = [...new Set([1, ...usable.map((a) => a.workers), ...usableBase.map((a) => a.workers)])].sort((a, b) => a - b);
  const lines: ChartPlan['lines'] = [];
  const filled: ChartPlan['filled'] = [];
  for (const [side, sideArms] of [['head', usable], ['base', usableBase]] as const) {
    const serial = sideArms.find((a) => a.model === 'serial');
    for (const model of PARALLEL_MODELS) {
      const measured = new Map<number, number>();
      for (const arm of sideArms) if (arm.model === model) measured.set(arm.workers, arm.speedup);
      if (measured.size === 0) continue;
      // One worker of any model is serial by definition: anchor every line at the serial point.
      if (!measured.has(1) && serial) measured.set(1, serial.speedup);
      const known = [...measured.keys()].sort((a, b) => a - b);
      const values = workers.map((w) => {
        const exact = measured.get(w);
        if (exact !== undefined) return exact;
        filled.push({ model, workers: w, side });
        const below = known.filter((k) => k < w).at(-1);
        const above = known.find((k) => k > w);
        if (below === undefined) return measured.get(above!)!;
        if (above === undefined) return measured.get(below)!;
        // Interpolate by position on the (categorical) axis, which is how the line is drawn.
        const i = workers.indexOf(w), i0 = workers.indexOf(below), i1 = workers.indexOf(above);
        const y0 = measured.get(below)!, y1 = measured.get(above)!;
        return y0 + ((y1 - y0) * (i - i0)) / (i1 - i0);
      });
      lines.push({ series: model, side, values });
    }
  }

  const maxMeasured = Math.max(1, ...lines.flatMap((l) => l.values));
  // Enough head-room to read the measured lines; the ideal line may be cut at the top rather than
  // squash every real line into the bottom when the sweep goes to 32 workers.
  const capacity = measuredCapacity(arms, workers);
  const idealValues = capacity ?? workers;
  const yMax = Math.max(2, Math.ceil(maxMeasured * 1.15), Math.ceil(Math.min(Math.max(...idealValues), 8)));
  const ideal = idealValues.map((v) => Math.min(v, yMax));
  lines.push({ series: 'ideal', side: 'head', values: ideal });
  return { workers, lines, filled, yMax, idealClipped: idealValues.some((v) => v > yMax), idealMeasured: capacity !== null };
}

/** The machine's capacity at every charted worker count, or null when any is unknown. */
function measuredCapacity(arms: readonly ArmResult[], workers: readonly number[]): number[] | null {
  const known = new Map<number, number>([[1, 1]]);
  for (const arm of arms) {
    if (typeof arm.capacity === 'number' && Number.isFinite(arm.capacity) && arm.model !== 'serial') known.set(arm.workers, arm.capacity);
  }
  if (known.size === 1) return null;
  const values = workers.map((w) => known.get(w));
  return values.every((v): v is number => v !== undefined) ? values : null;
}

function formatValue(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** The Markdown legend for a chart: the colours as emoji swatches, since lines carry no names. */
export function chartLegend(arms: readonly ArmResult[], baseArms: readonly ArmResult[] | null = null): string {
  const plan = planChart(arms, baseArms);
  const seen = new Set<string>();
  const parts = plan.lines.flatMap((l) => {
    if (seen.has(l.series)) return [];
    seen.add(l.series);
    const c = MODEL_COLORS[l.series];
    const ideal = plan.idealMeasured ? 'ideal, what this runner delivers (measured capacity)' : 'ideal, speedup = workers';
    const what = l.series === 'ideal' ? `${ideal}${plan.idealClipped ? `, cut at ×${plan.yMax}` : ''}` : l.series;
    return [`${c.swatch} ${what} (${c.name})`];
  });
  const sides = plan.lines.some((l) => l.side === 'base') ? ' · head solid, base dashed' : '';
  return `${parts.join(' · ')}${sides}`;
}

/** Notes for points drawn without a measurement, or "" when every point was measured. */
export function chartNotes(arms: readonly ArmResult[], baseArms: readonly ArmResult[] | null = null): string {
  const { filled } = planChart(arms, baseArms);
  if (filled.length === 0) return '';
  const byModel = new Map<string, number[]>();
  for (const f of filled) {
    const key = f.side === 'base' ? `${f.model} (base)` : f.model;
    byModel.set(key, [...(byModel.get(key) ?? []), f.workers]);
  }
  const parts = [...byModel].map(([m, ws]) => `${m} at ${ws.join(', ')} workers`);
  return `Not measured, drawn from neighbouring points: ${parts.join('; ')}.`;
}

/**
 * A ```mermaid xychart-beta block. Base's lines (with `baseArms`) are dashed in their model's
 * colour; `dashedBase` dashes every measured line (a chart of base alone); the ideal line is always
 * dotted. Renderers that ignore themeCSS still draw solid lines in the same colours.
 */
export function scalingChart(title: string, arms: readonly ArmResult[], options: { dashedBase?: boolean; baseArms?: readonly ArmResult[] | null } = {}): string {
  const plan = planChart(arms, options.baseArms ?? null);
  const palette = plan.lines.map((l) => MODEL_COLORS[l.series].hex).join(', ');
  const idealIndex = plan.lines.length - 1;
  const css = [`.line-plot-${idealIndex} path { stroke-dasharray: 2 4; }`];
  for (let i = 0; i < idealIndex; i++) {
    if (options.dashedBase || plan.lines[i]!.side === 'base') css.push(`.line-plot-${i} path { stroke-dasharray: 8 4; }`);
  }
  // The default 700×500 dwarfs the comment; this keeps a chart about one screen-third tall.
  const init = {
    xyChart: { width: 640, height: 320 },
    themeVariables: { xyChart: { plotColorPalette: palette } },
    themeCSS: css.join(' '),
  };
  const body = [
    `%%{init: ${JSON.stringify(init)}}%%`,
    'xychart-beta',
    `    title "${escapeMermaidLabel(title)}"`,
    `    x-axis "workers" [${plan.workers.join(', ')}]`,
    `    y-axis "speedup vs serial" 0 --> ${plan.yMax}`,
    ...plan.lines.map((l) => `    line [${l.values.map(formatValue).join(', ')}]`),
  ].join('\n');
  return codeFence(body, 'mermaid');
}
