// History in words and pictures: the comment's compact section (sparklines in a table, the verdict
// timeline, creep), the `gilgate history` terminal table, and the page behind `gilgate history
// --html` (Mermaid line charts, drawn by the same htmlPage as the comment preview). Pure.
import type { Creep } from '../core/creep.js';
import type { SeriesPoint } from '../core/history.js';
import type { HistoryView, Timeline, WorkloadHistory } from '../core/trend.js';
import { codeFence, codeSpan, escapeMarkdown, escapeMermaidLabel } from './escape.js';
import { formatSeconds, plural, shortSha } from './format.js';

const BARS = '▁▂▃▄▅▆▇█';

/** Unicode bars scaled to the values' range; a gap (no value) is a space. */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return '';
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      // Under 0.5% apart is flat: rounding must not draw a cliff.
      if (hi - lo <= 0.005 * Math.max(Math.abs(hi), Math.abs(lo))) return BARS[3]!;
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))]!;
    })
    .join('');
}

function sha(commit: string): string {
  return codeSpan(shortSha(commit) ?? commit);
}

function speedupText(x: number | null): string {
  return x === null ? '—' : `×${x.toFixed(2)}`;
}

function secondsText(x: number | null): string {
  return x === null ? '—' : formatSeconds(x);
}

/** "▂▃▃▄▅ │ ▅ 10.2 ms → 10.6 ms · this PR 10.5 ms": the branch, then the head after a bar. */
function trendCell(points: readonly SeriesPoint[], value: (p: SeriesPoint) => number | null, text: (x: number | null) => string): string {
  const branch = points.filter((p) => !p.head);
  const head = points.find((p) => p.head);
  if (points.length === 0) return '—';
  const line = sparkline(points.map(value));
  const spark = head ? `${line.slice(0, branch.length)}│${line.slice(branch.length)}` : line;
  const parts = [codeSpan(spark)];
  if (branch.length > 0) {
    const first = value(branch[0]!);
    const last = value(branch.at(-1)!);
    parts.push(branch.length > 1 ? `${text(first)} → ${text(last)}` : text(last));
  }
  if (head) parts.push(`this PR ${text(value(head))}`);
  return parts.join(' ');
}

/** "threads since `3f2a1c0`, 14 commits; flipped processes → threads at `9b0e7d2`". */
export function timelineText(t: Timeline, maxFlips = 2): string {
  if (t.current === null || t.since === null) return t.commits > 0 ? `undecided in all ${plural(t.commits, 'commit')}` : 'no decided verdict yet';
  const parts = [`${t.current} since ${sha(t.since)}, ${plural(t.commits, 'commit')}`];
  const flips = t.flips.slice(-maxFlips).reverse();
  for (const f of flips) parts.push(`flipped ${f.from} → ${f.to} at ${sha(f.commit)}`);
  if (t.flips.length > maxFlips) parts.push(`${t.flips.length - maxFlips} earlier ${t.flips.length - maxFlips === 1 ? 'flip' : 'flips'}`);
  return parts.join('; ');
}

function percent(ratio: number): string {
  return `${((ratio - 1) * 100).toFixed(1)}%`;
}

/** "12.4% slower since `abc1234`, in steps at `…` (+4.1%), …". */
export function creepText(c: Creep): string {
  const steps = c.steps.map((s) => `${sha(s.commit)} (+${percent(s.ratio)})`).join(', ');
  const at = c.steps.length === 1 ? 'in one step at' : 'in steps at';
  return `${percent(c.ratio)} slower since ${sha(c.since)}${steps ? `, ${at} ${steps}` : ''} (the recommended arm, ${plural(c.commits, 'commit')} read)`;
}

function label(w: WorkloadHistory, pythons: number): string {
  return pythons > 1 ? `${escapeMarkdown(w.name)} · ${escapeMarkdown(w.python)}` : escapeMarkdown(w.name);
}

export interface HistorySectionOptions {
  /** The data branch, named in the heading. */
  branch: string;
  /** Whether `fail-on: creep` is set: the creep line says whether it gates. */
  creepGates?: boolean;
}

/**
 * The comment's section: one row per workload (trend of the recommended arm's time and of the best
 * speedup, verdict timeline), then creep. It says it is context and never decides the gate.
 */
export function renderHistorySection(view: HistoryView, options: HistorySectionOptions): string {
  const pythons = new Set(view.workloads.map((w) => w.python)).size;
  const lines = [
    `#### 📈 History: the last ${plural(view.commits, 'default-branch commit')}`,
    '',
    `Context, not the gate: measured on other runners (from the ${codeSpan(options.branch)} branch); the head-vs-base comparison above decides. ` +
      (view.workloads.some((w) => w.points.some((p) => p.head)) ? 'The last point after `│` is this run.' : ''),
    '',
    '| Workload | Time (recommended arm) | Best speedup | Verdict timeline |',
    '|---|---|---|---|',
    ...view.workloads.map((w) => `| ${label(w, pythons)} | ${trendCell(w.points, (p) => p.point.seconds, secondsText)} | ${trendCell(w.points, (p) => p.point.speedup, speedupText)} | ${timelineText(w.timeline)} |`),
  ];
  const creeping = view.workloads.filter((w) => w.creep !== null);
  if (creeping.length > 0) {
    lines.push('', `**Creep** (slower by more than the threshold over several commits${options.creepGates ? '; `fail-on: creep` gates on it' : '; reported only, `fail-on: creep` would gate on it'}):`, '');
    for (const w of creeping) lines.push(`- ⚠️ ${label(w, pythons)}: ${creepText(w.creep!)}`);
  } else {
    lines.push('', 'No creep: no workload got slower by more than the threshold over these commits.');
  }
  return lines.join('\n');
}

/** The plain table `gilgate history` prints. */
export function renderHistoryTable(view: HistoryView): string {
  const pythons = new Set(view.workloads.map((w) => w.python)).size;
  const rows = view.workloads.map((w) => {
    const last = w.points.at(-1)?.point;
    return [
      pythons > 1 ? `${w.name} · ${w.python}` : w.name,
      sparkline(w.points.map((p) => p.point.seconds)),
      last ? `${last.recommendation} (${last.arm})` : '—',
      secondsText(last?.seconds ?? null),
      speedupText(last?.speedup ?? null),
      timelineText(w.timeline).replace(/`/g, ''),
      w.creep ? `creep: ${creepText(w.creep).replace(/`/g, '')}` : '',
    ];
  });
  const header = ['workload', 'time trend', 'verdict', 'time', 'speedup', 'timeline', ''];
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ').trimEnd();
  return [`${plural(view.commits, 'commit')} of history, newest ${view.newest ? shortSha(view.newest) : '—'}`, line(header), ...rows.map(line), ''].join('\n');
}

/**
 * Short shas fit side by side for about eight points: beyond that every k-th is named (and the
 * newest), the others get labels of zero-width spaces, distinct so that no two points share a slot.
 */
function xLabels(points: readonly SeriesPoint[]): string[] {
  const every = Math.max(1, Math.ceil(points.length / 8));
  return points.map((p, i) => {
    const named = i === points.length - 1 || (i % every === 0 && points.length - 1 - i >= every);
    const text = named ? `${escapeMermaidLabel(shortSha(p.commit) ?? p.commit)}${p.head ? ' (PR)' : ''}` : '\u200b'.repeat(i + 1);
    return `"${text}"`;
  });
}

function chart(title: string, axis: string, points: readonly SeriesPoint[], value: (p: SeriesPoint) => number | null, scale: number): string {
  const values = points.map((p) => {
    const v = value(p);
    return v === null ? 0 : Math.round(v * scale * 1000) / 1000;
  });
  const top = Math.max(1e-9, ...values);
  const init = { xyChart: { width: 640, height: 240 }, themeVariables: { xyChart: { plotColorPalette: '#2563eb' } } };
  return codeFence(
    [
      `%%{init: ${JSON.stringify(init)}}%%`,
      'xychart-beta',
      `    title "${escapeMermaidLabel(title)}"`,
      `    x-axis "commits, oldest to newest" [${xLabels(points).join(', ')}]`,
      `    y-axis "${escapeMermaidLabel(axis)}" 0 --> ${Number((top * 1.15).toPrecision(3))}`,
      `    line [${values.join(', ')}]`,
    ].join('\n'),
    'mermaid',
  );
}

/** The Markdown of the history page: the table, then per workload its two charts. */
export function renderHistoryPage(view: HistoryView, options: HistorySectionOptions): string {
  const parts = [renderHistorySection(view, options)];
  const pythons = new Set(view.workloads.map((w) => w.python)).size;
  for (const w of view.workloads) {
    if (w.points.length === 0) continue;
    const name = pythons > 1 ? `${w.name} · ${w.python}` : w.name;
    const known = w.points.map((p) => p.point.seconds).filter((s): s is number => s !== null);
    const ms = known.length > 0 && Math.max(...known) < 1;
    parts.push(`#### ${escapeMarkdown(name)}`);
    parts.push(chart(`${name}: recommended arm, time per batch`, ms ? 'ms' : 's', w.points, (p) => p.point.seconds, ms ? 1000 : 1));
    parts.push(chart(`${name}: best speedup vs serial`, 'speedup', w.points, (p) => p.point.speedup, 1));
  }
  return `${parts.join('\n\n')}\n`;
}
