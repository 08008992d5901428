// The CLI's report: a compact table, then each workload's explanation and anything a reviewer must
// act on. ANSI colour only when asked (the shell decides from the stream, see src/cli/cli.ts), written by
// node:util's styleText; every user-supplied string loses its control characters so a workload name
// cannot repaint the terminal.
import { styleText } from 'node:util';
import { checkInvariants } from '../core/invariants.js';
import type { Recommendation, Results, WorkloadResult } from '../core/types.js';
import { stripControl } from './escape.js';
import {
  interpretersNews,
  machineSummary,
  formatChangeShort,
  formatSeconds,
  interpreterChanges,
  interpreterLabel,
  interpretersOf,
  isMatrix,
  lifetimeSummary,
  localUnavailable,
  matrixSpeedupAt,
  overallCounts,
  pageModels,
  plural,
  REGRESSION_WORDS,
  shortSha,
  speedupAt,
  truncate,
  variantName,
} from './format.js';
import { outlookText } from './outlook.js';

export interface TerminalOptions {
  color: boolean;
  /** Columns available; default 100. The workload column shrinks to fit. */
  width?: number;
}

type Style = Parameters<typeof styleText>[0];
type Paint = (style: Style, text: string) => string;

const RECOMMENDATION_COLOR: Record<Recommendation, Style> = {
  threads: 'cyan',
  processes: 'magenta',
  interpreters: 'magenta',
  either: 'green',
  serial: 'blue',
  inconclusive: 'yellow',
  error: ['bold', 'red'],
};

function oneLine(text: string): string {
  return stripControl(text).replace(/\s*\n\s*/g, ' ');
}


/** Visible width: code points, which is right for the characters this report uses. */
function widthOf(text: string): number {
  return [...text].length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - widthOf(text)));
}

function vsBase(results: Results, w: WorkloadResult): string {
  if (w.status === 'new') return 'new';
  if (w.status === 'removed') return 'removed';
  if (w.regressions.some((r) => r.kind === 'not-compared')) return 'not compared';
  if (!w.vsBase) return results.git.base && w.base ? 'n/a' : '-';
  return formatChangeShort(w.vsBase, w.rounds);
}

export function renderTerminal(results: Results, options: TerminalOptions): string {
  // validateStream: false because whether to colour was decided by the caller, from its stream.
  const paint: Paint = options.color ? (style, text) => styleText(style, text, { validateStream: false }) : (_style, text) => text;
  const width = Math.max(40, options.width ?? 100);
  const lines: string[] = [headline(results, paint), ''];

  const models = pageModels(results);
  // An interpreter matrix: one row per (workload, interpreter), "resize · CPython 3.14.0".
  const matrix = isMatrix(results);
  const nameOf = (w: WorkloadResult) => oneLine(matrix ? variantName(results, w) : w.name);
  const header = ['workload', 'recommendation', ...models, 'vs base (time)', 'rounds'];
  const rows = results.workloads.map((w) => [
    nameOf(w),
    w.base && w.base.recommendation !== w.recommendation ? `${w.recommendation} (was ${w.base.recommendation})` : w.recommendation,
    ...models.map((m) => (matrix ? matrixSpeedupAt(results, w, m) : speedupAt(w, m))),
    vsBase(results, w),
    String(w.rounds),
  ]);
  const widths = header.map((h, c) => Math.max(widthOf(h), ...rows.map((r) => widthOf(r[c]!))));
  const gap = 2;
  const others = widths.slice(1).reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  widths[0] = Math.max(10, Math.min(widths[0]!, width - others));
  const line = (cells: string[], colors: (Style | null)[]) =>
    cells
      .map((cell, c) => {
        const padded = pad(c === 0 ? truncate(cell, widths[0]!) : cell, c === cells.length - 1 ? 0 : widths[c]!);
        const code = colors[c];
        return code ? paint(code, padded) : padded;
      })
      .join(' '.repeat(gap))
      .trimEnd();

  lines.push(line(header, header.map((): Style => 'bold')));
  results.workloads.forEach((w, r) => {
    const slower = w.regressions.some((x) => x.kind === 'slower');
    const faster = w.improvements.some((x) => x.kind === 'faster');
    const deltaColor: Style | null = slower ? 'red' : faster ? 'green' : null;
    lines.push(line(rows[r]!, [w.regressions.length > 0 ? 'red' : null, RECOMMENDATION_COLOR[w.recommendation], ...models.map(() => null), deltaColor, null]));
  });

  for (const w of results.workloads) {
    lines.push('');
    lines.push(`${paint('bold', nameOf(w))}: ${oneLine(w.reason)}`);
    for (const r of w.regressions) lines.push(paint('red', `  ✗ ${REGRESSION_WORDS[r.kind]}: ${oneLine(r.detail)}`));
    for (const i of w.improvements) lines.push(paint('green', `  ✓ ${i.kind}: ${oneLine(i.detail)}`));
    const lifetime = lifetimeSummary(w);
    if (lifetime) lines.push(`  start-up: ${oneLine(lifetime)}`);
    const outlook = outlookText(w.outlook);
    if (outlook) lines.push(paint('dim', `  ${oneLine(outlook)}`));
    for (const m of localUnavailable(w)) lines.push(`  - ${m} unavailable: ${oneLine(w.unavailable[m]!)}`);
    for (const warning of w.warnings) lines.push(paint('yellow', `  ! ${oneLine(warning)}`));
    if (w.error) lines.push(paint('red', `  error (${w.error.kind}): ${oneLine(w.error.message)}`));
  }

  const s = results.settings;
  lines.push('');
  if (matrix) {
    lines.push(`interpreters: ${interpretersOf(results).map((p) => `${oneLine(interpreterLabel(results, p))} (${oneLine(p)})`).join(', ')}`);
    if (results.budgetExhausted) {
      const undecided = results.workloads.filter((w) => w.recommendation === 'inconclusive').map(nameOf);
      lines.push(paint('yellow', `left undecided by the time budget: ${undecided.length > 0 ? undecided.join(', ') : 'none'}`));
    }
  }
  for (const change of interpreterChanges(results)) lines.push(`base ran another interpreter: ${oneLine(change)}`);
  const machine = machineSummary(results);
  if (machine) lines.push(`machine: ${oneLine(machine)}`);
  for (const v of checkInvariants(results)) lines.push(paint('yellow', `! ${oneLine(v.figure)} cannot be right: ${oneLine(v.detail)}`));
  const interpretersWhy = interpretersNews(results.environment);
  if (interpretersWhy && !matrix) lines.push(`interpreters cannot run on this interpreter: ${oneLine(interpretersWhy)}`);
  lines.push(paint('dim', `seed ${s.seed} · ${s.minRounds}–${s.maxRounds} rounds · total ${formatSeconds(results.totalSeconds)}${results.budgetExhausted ? ' · time budget ran out' : ''}`));
  return `${lines.join('\n')}\n`;
}

function headline(results: Results, paint: Paint): string {
  const { regressions, inconclusive, errors } = overallCounts(results);
  let status: string;
  if (regressions > 0) status = paint(['bold', 'red'], `✗ ${plural(regressions, 'regression')}`);
  else if (inconclusive + errors > 0) {
    const parts = [inconclusive > 0 ? `${inconclusive} inconclusive` : '', errors > 0 ? plural(errors, 'error') : ''].filter(Boolean);
    status = paint(['bold', 'yellow'], `! no regressions, ${parts.join(', ')}`);
  } else status = paint(['bold', 'green'], '✓ no regressions');
  const env = results.environment;
  const head = shortSha(results.git.head);
  const base = shortSha(results.git.base);
  const bits = [`gilgate: ${status}`];
  if (base && head) bits.push(`${base} → ${head}`);
  else if (head) bits.push(head);
  bits.push(plural(env.cores, 'core'));
  bits.push(isMatrix(results) ? oneLine(interpretersOf(results).map((p) => interpreterLabel(results, p)).join(', ')) : oneLine(`${env.implementation} ${env.python}`));
  return bits.join(' · ');
}
