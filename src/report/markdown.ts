// The PR comment and job summary: one Markdown document rendered from Results alone.
//
// Layout: marker, a one-line verdict, one summary table, a collapsible section per workload, footer.
// GitHub rejects comments over 65,536 characters, so the per-workload sections are folded, least
// interesting first, until the whole fits (see fitToLimit). Folding only ever drops whole blocks,
// so no tag or code fence is cut in half.
//
// An interpreter matrix (several `python`): one summary row per (workload, interpreter), labelled
// "resize · CPython 3.14.0", and one section per workload with a per-interpreter table and each
// interpreter's reasons. With one interpreter the document is what it always was.
import { checkInvariants } from '../core/invariants.js';
import type { ParallelModel, Results, WorkloadResult } from '../core/types.js';
import { totals } from '../core/totals.js';
import { chartLegend, chartNotes, planChart, scalingChart } from './chart.js';
import { codeFence, codeSpan, escapeHtml, escapeMarkdown } from './escape.js';
import {
  computes,
  interpretersNews,
  machineSummary,
  armLabel,
  defaultReproduce,
  formatBytes,
  contractLine,
  formatChange,
  formatVerdictRounds,
  formatSeconds,
  gilState,
  interpreterChanges,
  interpreterLabel,
  interpretersOf,
  isMatrix,
  matrixSpeedupAt,
  variantName,
  workloadName,
  lifetimeSummary,
  localUnavailable,
  pageModels,
  overallCounts,
  plural,
  REGRESSION_WORDS,
  shortSha,
  speedupAt,
  percentOfCapacity,
} from './format.js';
import { outlookText } from './outlook.js';

export const COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Hidden HTML comment that identifies the sticky comment, placed first. */
  marker?: string;
  runUrl?: string | null;
  /** Where the full report lives when this one had to be folded. */
  summaryUrl?: string | null;
  /** Default COMMENT_LIMIT. */
  maxChars?: number;
  /** CLI command to reproduce locally; default built from the results. */
  reproduce?: string;
  /** A section placed above the footer (the default branch's history, report/history.ts). */
  appendix?: string;
}

/** How much of a workload's section to show; folding walks down this list. */
type Detail = 'full' | 'no-chart' | 'short' | 'brief' | 'none';
const DETAIL_ORDER: readonly Detail[] = ['full', 'no-chart', 'short', 'brief', 'none'];

// Caps on user-controlled text, so one pathological name or message cannot crowd out the rest.
const NAME_CAP = 120;
const MESSAGE_CAP = 2_000;
const SHORT_TRACEBACK_LINES = 20;
/** Broken invariants listed by name in the footer; the rest are counted. */
const INVARIANT_LINES = 10;

export function renderMarkdown(results: Results, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? COMMENT_LIMIT;
  const head = [options.marker ?? null, headline(results)].filter((x): x is string => x !== null).join('\n');
  const footer = options.appendix ? `${options.appendix}\n\n${renderFooter(results, options)}` : renderFooter(results, options);
  return fitToLimit(results, head, footer, options, maxChars);
}

// ------------------------------------------------------------------ headline and table

function headline(results: Results): string {
  const { regressions, inconclusive, errors } = overallCounts(results);
  let icon: string;
  let status: string;
  if (regressions > 0) {
    icon = '❌';
    status = plural(regressions, 'regression');
  } else if (inconclusive + errors > 0) {
    const parts = [];
    if (inconclusive > 0) parts.push(`${inconclusive} inconclusive`);
    if (errors > 0) parts.push(plural(errors, 'error'));
    icon = '⚠️';
    status = `no regressions, ${parts.join(', ')}`;
  } else {
    icon = '✅';
    status = 'no regressions';
  }
  const env = results.environment;
  const bits = [`${icon} gilgate: ${status}`];
  const head = shortSha(results.git.head);
  const base = shortSha(results.git.base);
  if (base && head) bits.push(`${codeSpan(base)} → ${codeSpan(head)}`);
  else if (head) bits.push(codeSpan(head));
  bits.push(plural(env.cores, 'core'));
  if (isMatrix(results)) bits.push(escapeMarkdown(interpretersOf(results).map((p) => interpreterLabel(results, p)).join(', ')));
  else bits.push(escapeMarkdown(`${env.implementation} ${env.python}`));
  return `### ${bits.join(' · ')}`;
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function recommendationCell(w: WorkloadResult): string {
  const icon = w.recommendation === 'error' ? '❌ ' : w.recommendation === 'inconclusive' ? '⚠️ ' : '';
  const was = w.base && w.base.recommendation !== w.recommendation ? ` (was ${w.base.recommendation})` : '';
  return `${icon}**${w.recommendation}**${was}`;
}

function vsBaseCell(results: Results, w: WorkloadResult): string {
  if (w.status === 'new') return 'new';
  if (w.status === 'removed') return 'removed';
  if (w.regressions.some((r) => r.kind === 'not-compared')) return '❌ not compared';
  if (!w.vsBase) return results.git.base && w.base ? 'n/a' : '—';
  const icon = w.regressions.some((r) => r.kind === 'slower') ? '❌ ' : w.improvements.some((i) => i.kind === 'faster') ? '✅ ' : '';
  return `${icon}${formatChange(w.vsBase, results.settings.threshold)}`;
}

/** What the confidence means: the round the verdict was decided at and the α its claims hold at. */
function confidenceCell(results: Results, w: WorkloadResult): string {
  return formatVerdictRounds(w, results.settings.alpha);
}

function tableRow(results: Results, w: WorkloadResult): string {
  const flag = w.regressions.length > 0 ? '❌ ' : '';
  const name = isMatrix(results)
    ? `${escapeMarkdown(cap(workloadName(results, w), NAME_CAP))} · ${escapeMarkdown(interpreterLabel(results, w.python))}`
    : escapeMarkdown(cap(w.name, NAME_CAP));
  const cells = [
    `${flag}${name}`,
    recommendationCell(w),
    ...pageModels(results).map((m) => (isMatrix(results) ? matrixSpeedupAt(results, w, m) : speedupAt(w, m))),
    vsBaseCell(results, w),
    confidenceCell(results, w),
  ];
  return `| ${cells.join(' | ')} |`;
}

const MODEL_HEADING: Record<ParallelModel, string> = { threads: 'Threads', processes: 'Processes', interpreters: 'Interpreters' };

/** One speedup column per model some workload ran (interpreters only where the interpreter has them). */
function tableHead(results: Results): string {
  const header = ['Workload', 'Recommendation', ...pageModels(results).map((m) => MODEL_HEADING[m]), 'vs base (time)', 'Confidence'];
  return `| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`;
}

// ------------------------------------------------------------------ per-workload sections

/** 0 = fine and unchanged (folded first) … 3 = regressed or broken (folded last). */
function interest(w: WorkloadResult): number {
  if (w.regressions.length > 0 || w.recommendation === 'error' || w.error) return 3;
  if (w.recommendation === 'inconclusive') return 2;
  const flipped = w.base !== null && w.base.recommendation !== w.recommendation;
  if (flipped || w.improvements.length > 0 || w.warnings.length > 0 || localUnavailable(w).length > 0 || w.status !== 'measured') return 1;
  return 0;
}

function hasParallelLine(arms: WorkloadResult['arms']): boolean {
  return planChart(arms).lines.length > 1;
}

function renderSection(w: WorkloadResult, detail: Detail): string {
  if (detail === 'none') return '';
  const regressed = w.regressions.length > 0;
  const badge = regressed ? ` · ❌ ${plural(w.regressions.length, 'regression')}` : w.improvements.length > 0 ? ` · ✅ ${plural(w.improvements.length, 'improvement')}` : '';
  // Raw HTML lines: Markdown escapes do not apply inside them, HTML entities do.
  const summary = `<details${regressed || w.error ? ' open' : ''}><summary><b>${escapeHtml(cap(w.name, NAME_CAP))}</b> — ${escapeHtml(w.recommendation)}${badge}</summary>`;
  return [summary, ...sectionBody(w, detail, null, w.name), '</details>'].join('\n\n');
}

/** One workload measured under several interpreters: a per-interpreter table, then each interpreter's reasons and details. */
function renderMatrixSection(results: Results, ws: readonly WorkloadResult[], detail: Detail): string {
  if (detail === 'none') return '';
  const first = ws[0]!;
  const { regressions, improvements } = totals(ws);
  const badge = regressions > 0 ? ` · ❌ ${plural(regressions, 'regression')}` : improvements > 0 ? ` · ✅ ${plural(improvements, 'improvement')}` : '';
  const open = regressions > 0 || ws.some((w) => w.error);
  const verdicts = ws.map((w) => `${escapeHtml(interpreterLabel(results, w.python))}: ${escapeHtml(w.recommendation)}`).join(' · ');
  const parts = [`<details${open ? ' open' : ''}><summary><b>${escapeHtml(cap(workloadName(results, first), NAME_CAP))}</b> — ${verdicts}${badge}</summary>`];
  parts.push(interpreterTable(results, ws));
  for (const w of ws) parts.push(...sectionBody(w, detail, interpreterLabel(results, w.python), workloadName(results, w)));
  parts.push('</details>');
  return parts.join('\n\n');
}

/** Interpreter, recommendation, speedup per model and rounds: the matrix of one workload at a glance. */
function interpreterTable(results: Results, ws: readonly WorkloadResult[]): string {
  const models = pageModels(results);
  const header = ['Interpreter', 'Recommendation', ...models.map((m) => MODEL_HEADING[m]), 'vs base (time)', 'Verdict'];
  const rows = ws.map((w) => [
    `${w.regressions.length > 0 ? '❌ ' : ''}${escapeMarkdown(interpreterLabel(results, w.python))}`,
    recommendationCell(w),
    ...models.map((m) => matrixSpeedupAt(results, w, m)),
    vsBaseCell(results, w),
    confidenceCell(results, w),
  ]);
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * What a section says of one result, after its summary line: the reason, start-up, regressions,
 * improvements, warnings, what could not run, the error, charts and the arm table. `label` names
 * the interpreter in a matrix (null: the only one, said nowhere).
 */
function sectionBody(w: WorkloadResult, detail: Detail, label: string | null, name: string): string[] {
  const parts: string[] = [];
  const reason = escapeMarkdown(cap(w.reason, MESSAGE_CAP));
  parts.push(label === null ? reason : `**${escapeMarkdown(label)}** — ${escapeMarkdown(w.recommendation)}: ${reason}`);
  const lifetime = lifetimeSummary(w);
  if (lifetime) parts.push(`**Pool start-up:** ${escapeMarkdown(lifetime)}`);
  const outlook = outlookText(w.outlook);
  if (outlook) parts.push(`**Outlook** ${escapeMarkdown(outlook.replace(/^Outlook /, ''))}`);
  if (w.status === 'new') parts.push('New in this change: there is no base measurement to compare with.');
  if (w.status === 'removed') parts.push('Removed in this change: the numbers below are from the base commit.');

  if (w.regressions.length > 0) {
    parts.push(['**Regressions**', '', ...w.regressions.map((r) => `- ❌ **${REGRESSION_WORDS[r.kind]}**: ${escapeMarkdown(cap(r.detail, MESSAGE_CAP))}`)].join('\n'));
  }
  if (w.improvements.length > 0) {
    parts.push(['**Improvements**', '', ...w.improvements.map((i) => `- ✅ **${i.kind}**: ${escapeMarkdown(cap(i.detail, MESSAGE_CAP))}`)].join('\n'));
  }
  if (w.warnings.length > 0) {
    parts.push(['**Warnings**', '', ...w.warnings.map((x) => `- ⚠️ ${escapeMarkdown(cap(x, MESSAGE_CAP))}`)].join('\n'));
  }
  const unavailable = localUnavailable(w);
  if (unavailable.length > 0) {
    parts.push(['**Unavailable**', '', ...unavailable.map((m) => `- **${m}**: ${escapeMarkdown(cap(w.unavailable[m]!, MESSAGE_CAP))}`)].join('\n'));
  }
  if (w.error) {
    parts.push(`**Error** (${w.error.kind}): ${escapeMarkdown(cap(w.error.message, MESSAGE_CAP))}`);
    if (w.error.traceback && detail !== 'brief') {
      let tb = w.error.traceback.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
      const lines = tb.split('\n');
      if (detail !== 'full' && detail !== 'no-chart' && lines.length > SHORT_TRACEBACK_LINES) {
        tb = [`… ${lines.length - SHORT_TRACEBACK_LINES} earlier lines left out`, ...lines.slice(-SHORT_TRACEBACK_LINES)].join('\n');
      }
      parts.push(codeFence(tb, 'text'));
    }
  }

  if (detail === 'full') {
    const title = label === null ? name : `${name} · ${label}`;
    const baseArms = w.base && hasParallelLine(w.base.detail.arms) ? w.base.detail.arms : null;
    const head = hasParallelLine(w.arms) ? w.arms : null;
    // Head and base in one chart; where only one worker count beside serial exists (a 2-core
    // runner), a chart of two points per line says less than a two-row table.
    if (head && baseArms && planChart(head, baseArms).workers.length <= 2) parts.push(sideBySideTable(head, baseArms));
    else if (head) parts.push(chartBlock(`${title}: speedup vs workers`, head, baseArms));
    else if (baseArms) parts.push(chartBlock(`${title}: speedup vs workers (base)`, baseArms, null, true));
  }
  if ((detail === 'full' || detail === 'no-chart') && w.arms.length > 0) parts.push(armTable(w));
  return parts;
}

function chartBlock(title: string, arms: WorkloadResult['arms'], baseArms: WorkloadResult['arms'] | null, dashed = false): string {
  const notes = chartNotes(arms, baseArms);
  const legend = `${dashed ? '**Base** (dashed)' : '**Scaling**'}: ${chartLegend(arms, baseArms)}`;
  return [legend, scalingChart(title, arms, { dashedBase: dashed, baseArms }), ...(notes ? [notes] : [])].join('\n\n');
}

/** Head and base speedups side by side, one column per parallel arm (the compact form of the chart). */
function sideBySideTable(head: WorkloadResult['arms'], base: WorkloadResult['arms']): string {
  const modelOrder = { serial: 0, threads: 1, processes: 2, interpreters: 3 } as const;
  const labels = [...new Set([...head, ...base].filter((a) => a.model !== 'serial').sort((a, b) => modelOrder[a.model] - modelOrder[b.model] || a.workers - b.workers).map((a) => armLabel(a)))];
  const cell = (arms: WorkloadResult['arms'], label: string) => {
    const a = arms.find((x) => armLabel(x) === label);
    // As in the arm table: tiny speedups keep two significant digits instead of reading ×0.00.
    return a && Number.isFinite(a.speedup) ? `×${a.speedup < 0.1 ? Number(a.speedup.toPrecision(2)) : a.speedup.toFixed(2)}` : '—';
  };
  const header = ['Speedup vs serial', ...labels];
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    `| head | ${labels.map((l) => cell(head, l)).join(' | ')} |`,
    `| base | ${labels.map((l) => cell(base, l)).join(' | ')} |`,
  ].join('\n');
}

function armTable(w: WorkloadResult): string {
  const anyFailures = w.arms.some((a) => a.failures > 0);
  const anySteady = w.arms.some((a) => a.model !== 'serial' && typeof a.steadySpeedup === 'number');
  // Capacity bounds code that computes; a workload that waits is not limited by busy CPUs.
  const anyCapacity = computes(w) && w.arms.some((a) => a.model !== 'serial' && typeof a.capacity === 'number');
  const header = [
    'Arm',
    'Wall (median)',
    'CV',
    'Speedup',
    ...(anySteady ? ['Once started'] : []),
    ...(anyCapacity ? ['Of capacity'] : []),
    'CPU/wall',
    'Start-up',
    'Peak memory',
    ...(anyFailures ? ['Failed trials'] : []),
  ];
  const modelOrder = { serial: 0, threads: 1, processes: 2, interpreters: 3 } as const;
  const ratio = (x: number) => `×${x < 0.1 ? Number(x.toPrecision(2)) : x.toFixed(2)}`;
  const arms = [...w.arms].sort((a, b) => modelOrder[a.model] - modelOrder[b.model] || a.workers - b.workers);
  const rows = arms.map((a) => {
    const chunk = a.chunksize !== null && a.model === 'processes' ? ` (chunksize ${a.chunksize})` : '';
    return [
      `${armLabel(a)}${chunk}`,
      formatSeconds(a.wall.median),
      `${Math.round(a.wall.cv * 1000) / 10}%`,
      ratio(a.speedup),
      ...(anySteady ? [a.model === 'serial' || typeof a.steadySpeedup !== 'number' || !Number.isFinite(a.steadySpeedup) ? '—' : ratio(a.steadySpeedup)] : []),
      ...(anyCapacity ? [a.model === 'serial' || typeof a.capacity !== 'number' ? '—' : capacityCell(a.speedup, a.capacity)] : []),
      a.cpuPerWall.toFixed(2),
      a.model === 'serial' ? '—' : formatSeconds(a.startupSeconds),
      formatBytes(a.peakRssBytes),
      ...(anyFailures ? [String(a.failures)] : []),
    ];
  });
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ------------------------------------------------------------------ footer

function safeUrl(url: string | null | undefined): string | null {
  if (!url || !/^https?:\/\//i.test(url)) return null;
  return url.replace(/[\s()<>[\]"'`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function renderFooter(results: Results, options: MarkdownOptions): string {
  const env = results.environment;
  const s = results.settings;
  const matrix = isMatrix(results);
  // In a matrix each interpreter has its own line below; the machine's line is the same for all.
  const envLine = [
    `${plural(env.cores, 'core')} (${escapeMarkdown(env.coresSource)})`,
    escapeMarkdown(env.cpuModel),
    ...(matrix ? [] : [`${escapeMarkdown(`${env.implementation} ${env.python}`)} (${gilState(env)})`, `start method ${codeSpan(env.startMethod)}`]),
    escapeMarkdown(env.os),
  ].join(' · ');
  const trialEnv = Object.entries(s.trialEnvironment).map(([k, v]) => `${k}=${v}`).join(' ');
  const runUrl = safeUrl(options.runUrl);
  const runLine = [
    `${s.minRounds}–${s.maxRounds} rounds per workload`,
    `α ${s.alpha}, regression threshold ${Math.round(s.threshold * 100)}%, equivalence margin ${Math.round(s.margin * 100)}%`,
    `seed ${s.seed}`,
    `total ${formatSeconds(results.totalSeconds)}`,
    `${escapeMarkdown(results.tool.name)} ${escapeMarkdown(results.tool.version)}`,
    ...(runUrl ? [`[workflow run](${runUrl})`] : []),
  ].join(' · ');
  const lines = ['---', '', ...invariantLines(results), `- **Environment:** ${envLine}`];
  if (matrix) lines.push(`- **Interpreters:** ${interpreterLines(results).join(' · ')}`);
  const changes = interpreterChanges(results);
  if (changes.length > 0) lines.push(`- **Base ran other interpreters** (the base config's \`python\`): ${escapeMarkdown(changes.join(', '))}`);
  const machine = machineSummary(results);
  if (machine) lines.push(`- **Machine:** ${escapeMarkdown(machine)}`);
  if (trialEnv) lines.push(`- **Trial environment:** ${codeSpan(trialEnv)}`);
  const interpretersWhy = interpretersNews(env);
  if (interpretersWhy && !matrix) lines.push(`- **Interpreters** cannot run on this interpreter: ${escapeMarkdown(cap(interpretersWhy, MESSAGE_CAP))}`);
  lines.push(`- **Run:** ${runLine}`);
  if (results.git.base) lines.push(`- **Contract:** ${contractLine(s)}`);
  if (results.budgetExhausted) lines.push('- ⏱️ **Time budget ran out** before every workload was decided: undecided ones show as inconclusive.');
  if (results.budgetExhausted && matrix) {
    const undecided = results.workloads.filter((w) => w.recommendation === 'inconclusive').map((w) => escapeMarkdown(cap(variantName(results, w), NAME_CAP)));
    lines.push(`- ⏱️ **Left undecided by the budget:** ${undecided.length > 0 ? undecided.join(', ') : 'none'}`);
  }
  lines.push(`- **Reproduce locally:** ${codeSpan(options.reproduce ?? defaultReproduce(results))}`);
  return lines.join('\n');
}

/**
 * A figure that breaks an invariant (core/invariants.ts) is named, never hidden: one impossible
 * figure makes a reviewer doubt the rest, so the comment says which one and why it cannot be.
 */
function invariantLines(results: Results): string[] {
  const violations = checkInvariants(results);
  if (violations.length === 0) return [];
  const shown = violations.slice(0, INVARIANT_LINES);
  const more = violations.length - shown.length;
  return [
    `- ⚠️ **${plural(violations.length, 'figure')} cannot be right** (a disturbed measurement; read ${violations.length === 1 ? 'it' : 'them'} with care):`,
    ...shown.map((v) => `  - ${escapeMarkdown(cap(v.figure, NAME_CAP))}: ${escapeMarkdown(cap(v.detail, MESSAGE_CAP))}`),
    ...(more > 0 ? [`  - and ${more} more`] : []),
  ];
}

/** Each interpreter of a matrix: its label, command, GIL state, start method, and why interpreters cannot run on it. */
function interpreterLines(results: Results): string[] {
  return interpretersOf(results).map((python) => {
    const index = results.values?.setup.pythons.indexOf(python) ?? -1;
    const environment = index >= 0 ? results.values?.environments[index] : undefined;
    const label = escapeMarkdown(interpreterLabel(results, python));
    if (!environment) return `${label} (${codeSpan(python)})`;
    const no = environment.interpretersUnavailable ? `; interpreters cannot run: ${escapeMarkdown(cap(environment.interpretersUnavailable, MESSAGE_CAP))}` : '';
    return `${label} (${codeSpan(python)}, ${gilState(environment)}, start method ${codeSpan(environment.startMethod)}${no})`;
  });
}

// ------------------------------------------------------------------ fitting under the limit

function foldNotice(options: MarkdownOptions, maxChars: number): string {
  const url = safeUrl(options.summaryUrl);
  const where = url ? `the [job summary](${url}) has the full report` : 'the job summary has the full report';
  return `✂️ Some details were left out to fit the ${maxChars.toLocaleString('en-US')}-character comment limit: ${where}.`;
}

/** The units a document folds: one per workload result, or, in a matrix, one per workload with its interpreters. */
function sectionGroups(results: Results): WorkloadResult[][] {
  if (!isMatrix(results)) return results.workloads.map((w) => [w]);
  const groups = new Map<string, WorkloadResult[]>();
  for (const w of results.workloads) {
    const name = workloadName(results, w);
    groups.set(name, [...(groups.get(name) ?? []), w]);
  }
  return [...groups.values()];
}

function fitToLimit(results: Results, head: string, footer: string, options: MarkdownOptions, maxChars: number): string {
  const groups = sectionGroups(results);
  const matrix = isMatrix(results);
  const levels: Detail[] = groups.map(() => 'full');
  const cache = new Map<string, string>();
  const section = (i: number): string => {
    const key = `${i}:${levels[i]}`;
    let s = cache.get(key);
    if (s === undefined) {
      s = matrix ? renderMatrixSection(results, groups[i]!, levels[i]!) : renderSection(groups[i]![0]!, levels[i]!);
      cache.set(key, s);
    }
    return s;
  };
  const rowsOf = (keep: (i: number) => boolean) => groups.flatMap((g, i) => (keep(i) ? g.map((w) => tableRow(results, w)) : []));
  let rows = rowsOf(() => true);
  let hiddenRows = 0;

  const assemble = (notice: boolean): string => {
    const table = [tableHead(results), ...rows];
    const blanks = ' |'.repeat(pageModels(results).length + 2);
    if (hiddenRows > 0) table.push(`| … ${plural(hiddenRows, 'more workload')} | see the job summary |${blanks}`);
    const blocks = [head, table.join('\n')];
    if (notice) blocks.push(foldNotice(options, maxChars));
    for (let i = 0; i < groups.length; i++) {
      const s = section(i);
      if (s) blocks.push(s);
    }
    blocks.push(footer);
    return `${blocks.join('\n\n')}\n`;
  };

  let out = assemble(false);
  if (out.length <= maxChars) return out;

  // Least interesting first; among equals, later workloads fold before earlier ones.
  const order = groups.map((g, i) => ({ i, score: Math.max(...g.map(interest)) })).sort((a, b) => a.score - b.score || b.i - a.i);
  const fits = (): boolean => (out = assemble(true)).length <= maxChars;

  // 1. Fine-and-unchanged workloads lose their whole section: the table row says it all.
  for (const { i, score } of order) {
    if (score > 0) break;
    levels[i] = 'none';
    if (fits()) return out;
  }
  // 2. Then, one step at a time for everyone: charts, long tracebacks and arm tables, the rest.
  for (const target of DETAIL_ORDER.slice(1)) {
    for (const { i } of order) {
      if (DETAIL_ORDER.indexOf(levels[i]!) >= DETAIL_ORDER.indexOf(target)) continue;
      levels[i] = target;
      if (fits()) return out;
    }
  }
  // 3. Last resort (thousands of workloads): table rows, least interesting first.
  const keep = new Set(groups.map((_, i) => i));
  for (const { i } of order) {
    keep.delete(i);
    hiddenRows++;
    rows = rowsOf((j) => keep.has(j));
    if (fits()) return out;
  }
  return out;
}

/** The arms table's "Of capacity" cell: "98% of ×1.96", or "beyond ×1.61 (probe read low)". */
function capacityCell(speedup: number, capacity: number): string {
  const percent = percentOfCapacity(speedup, capacity);
  return percent === null ? `beyond ×${capacity.toFixed(2)} (probe read low)` : `${percent}% of ×${capacity.toFixed(2)}`;
}
