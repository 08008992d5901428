// History: what one default-branch commit's run leaves behind for trends, timelines, creep and shard
// costs. Pure: values in, values out (the git I/O is src/history/store.ts).
//
// One file per (commit, interpreter set), written once and never changed, holding only what the
// trends read: per workload the recommendation, the recommended arm and its median time, the best
// speedup, the rounds and a summary per arm (median, CV, n). No raw values: a file of ten workloads
// is a few KiB, so even thousands of commits stay far from GitHub's limits.
import { median } from 'simple-statistics';
import { z } from 'zod';
import { headTrialSeconds } from './shard.js';
import type { ArmResult, Recommendation, Results, WorkloadResult } from './types.js';

export const HISTORY_FORMAT = 1;
/** The data branch's default name: a branch of its own, never one with code or a site. */
export const DEFAULT_HISTORY_BRANCH = 'gilgate-data';
/** Commits whose files stay on the branch by default; older ones are squashed into one file. */
export const DEFAULT_HISTORY_KEEP = 200;

const RECOMMENDATIONS = ['threads', 'processes', 'interpreters', 'either', 'serial', 'inconclusive', 'error'] as const;
const MODELS = ['serial', 'threads', 'processes', 'interpreters'] as const;

const armSummarySchema = z.looseObject({
  model: z.enum(MODELS),
  workers: z.number().int().positive(),
  /** Median seconds per batch (pool start-up included). */
  median: z.number(),
  cv: z.number(),
  n: z.number().int().nonnegative(),
});

const workloadPointSchema = z.looseObject({
  name: z.string().min(1),
  /** The interpreter's label (its command in the config): a matrix has one point per interpreter. */
  python: z.string(),
  recommendation: z.enum(RECOMMENDATIONS),
  /** The arm the recommendation names ("processes×4"; serial for serial and undecided verdicts). */
  arm: z.string(),
  /** Median seconds per batch of that arm: the figure the trend draws and creep watches. */
  seconds: z.number().nullable(),
  /** Best speedup over serial of any parallel model, null when none ran. */
  speedup: z.number().nullable(),
  /** Serial median seconds: the cost a shard split balances by. */
  serialSeconds: z.number().nullable(),
  rounds: z.number().int().nonnegative(),
  arms: z.array(armSummarySchema),
  /**
   * Seconds measuring it took on that commit (trialSeconds over its trials): what a shard leg
   * spends on it. Absent in entries written before 2026-12-05.
   */
  measuringSeconds: z.number().nullable().optional(),
});

export const historyEntrySchema = z.looseObject({
  format: z.literal(HISTORY_FORMAT),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/),
  /** Committer date of the commit (ISO 8601): the order of the series. */
  committedAt: z.string(),
  /** The commit's first parent on the default branch, when known: ties in committedAt are ordered by it. */
  parent: z.string().nullable(),
  /** Interpreter labels this file covers, in the run's order. */
  pythons: z.array(z.string()),
  tool: z.string(),
  cores: z.number().int().nonnegative(),
  threshold: z.number(),
  workloads: z.array(workloadPointSchema),
});

export type ArmSummary = z.infer<typeof armSummarySchema>;
export type WorkloadPoint = z.infer<typeof workloadPointSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** Older entries folded into one file by retention (`history-keep`): the same points, fewer files. */
export const squashedSchema = z.looseObject({
  format: z.literal(HISTORY_FORMAT),
  entries: z.array(historyEntrySchema),
});
export type SquashedHistory = z.infer<typeof squashedSchema>;

export class HistoryFileError extends Error {
  override name = 'HistoryFileError';
}

/** Parse one stored file (an entry or a squashed file) into entries; a bad file names its path. */
export function readHistoryFile(path: string, parsed: unknown): HistoryEntry[] {
  const asEntry = historyEntrySchema.safeParse(parsed);
  if (asEntry.success) return [asEntry.data];
  const asSquashed = squashedSchema.safeParse(parsed);
  if (asSquashed.success) return asSquashed.data.entries;
  const issue = asEntry.error.issues[0];
  throw new HistoryFileError(`${path}: not a gilgate history file (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown shape'})`);
}

/** The arm a recommendation names: the best-speedup arm of that model (either: of threads or processes). */
function recommendedArm(w: Pick<WorkloadResult, 'recommendation' | 'arms'>): ArmResult | null {
  const serial = w.arms.find((a) => a.model === 'serial') ?? null;
  const models: readonly string[] =
    w.recommendation === 'either' ? ['threads', 'processes'] : ['threads', 'processes', 'interpreters'].includes(w.recommendation) ? [w.recommendation] : [];
  const candidates = w.arms.filter((a) => models.includes(a.model) && Number.isFinite(a.wall.median) && a.wall.median > 0);
  if (candidates.length === 0) return serial;
  return candidates.reduce((best, a) => (a.wall.median < best.wall.median ? a : best));
}

function armName(arm: Pick<ArmResult, 'model' | 'workers'>): string {
  return arm.model === 'serial' ? 'serial' : `${arm.model}×${arm.workers}`;
}

function finite(x: number | undefined | null): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null;
}

/** One workload's point from its result. Removed workloads describe base, not this commit: none. */
export function workloadPoint(w: WorkloadResult, rounds?: number, measuringSeconds?: number): WorkloadPoint | null {
  if (w.status === 'removed') return null;
  const arm = recommendedArm(w);
  const speedups = w.arms.filter((a) => a.model !== 'serial').map((a) => a.speedup).filter((s) => Number.isFinite(s) && s > 0);
  return {
    name: w.name,
    python: w.python,
    recommendation: w.recommendation as Recommendation,
    arm: arm ? armName(arm) : 'serial',
    seconds: finite(arm?.wall.median),
    speedup: speedups.length > 0 ? Math.max(...speedups) : null,
    serialSeconds: finite(w.arms.find((a) => a.model === 'serial')?.wall.median),
    rounds: rounds ?? w.rounds,
    arms: w.arms.map((a) => ({ model: a.model, workers: a.workers, median: a.wall.median, cv: round(a.wall.cv, 4), n: a.wall.n })),
    ...(measuringSeconds !== undefined ? { measuringSeconds } : {}),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : 0;
}

/** The entry a finished run writes for its head commit. */
export function historyEntry(results: Results, commit: { sha: string; committedAt: string; parent: string | null }): HistoryEntry {
  const pythons = [...new Set(results.workloads.map((w) => w.python))];
  // What measuring each (workload, interpreter) took: its point's measuringSeconds, the shard cost.
  const key = (python: string, name: string) => `${python}\u0000${name}`;
  const spent = headTrialSeconds(results.values?.trials ?? [], (t) => key(t.python, t.workload));
  return {
    format: HISTORY_FORMAT,
    commit: commit.sha,
    committedAt: commit.committedAt,
    parent: commit.parent,
    pythons: results.values?.setup.pythons ?? pythons,
    tool: `${results.tool.name} ${results.tool.version}`,
    cores: results.environment.cores,
    threshold: results.settings.threshold,
    workloads: results.workloads.map((w) => workloadPoint(w, undefined, spent.get(key(w.python, w.name)))).filter((p): p is WorkloadPoint => p !== null),
  };
}

/**
 * The file an entry is stored in: `commits/<sha>/<interpreters>.json`. The interpreter part keeps the
 * legs of an unmerged interpreter matrix (one job per Python) from writing the same path.
 */
export function entryPath(entry: Pick<HistoryEntry, 'commit' | 'pythons'>): string {
  return `commits/${entry.commit}/${interpreterSlug(entry.pythons)}.json`;
}

export const SQUASHED_PATH = 'squashed.json';

/** File-name-safe and stable: "python3.12+pypy3". */
export function interpreterSlug(pythons: readonly string[]): string {
  const slug = pythons
    .map((p) => p.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, ''))
    .filter((p) => p !== '')
    .join('+');
  return slug === '' ? 'default' : slug.slice(0, 120);
}

/**
 * Serialized compactly: one line, no indentation, fractions to 5 significant digits (0.01%: far
 * below any runner's noise; halves the file against 17-digit floats).
 */
export function serializeEntry(entry: HistoryEntry): string {
  return `${JSON.stringify(entry, compactNumber)}\n`;
}

export function compactNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(5)) : value;
}

/**
 * Entries in commit order, oldest first: by committer date, then parent links, then sha. Several
 * files of one commit (an interpreter matrix run as separate jobs) stay separate entries.
 */
export function orderEntries(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const unique = new Map<string, HistoryEntry>();
  for (const e of entries) unique.set(`${e.commit}/${interpreterSlug(e.pythons)}`, e);
  const parentOf = new Map([...unique.values()].map((e) => [e.commit, e.parent]));
  const isAncestor = (a: string, b: string): boolean => {
    let at: string | null | undefined = parentOf.get(b);
    for (let steps = 0; at && steps < 10_000; steps++) {
      if (at === a) return true;
      at = parentOf.get(at);
    }
    return false;
  };
  return [...unique.values()].sort((a, b) => {
    const t = Date.parse(a.committedAt) - Date.parse(b.committedAt);
    if (Number.isFinite(t) && t !== 0) return t;
    if (isAncestor(a.commit, b.commit)) return -1;
    if (isAncestor(b.commit, a.commit)) return 1;
    return a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : 0;
  });
}

/** Retention: which entries keep their own file (the newest `keep` commits) and which are squashed. */
export function retain(entries: readonly HistoryEntry[], keep: number): { kept: HistoryEntry[]; squashed: HistoryEntry[] } {
  const ordered = orderEntries(entries);
  const commits = [...new Set(ordered.map((e) => e.commit))];
  const keptCommits = new Set(commits.slice(Math.max(0, commits.length - keep)));
  return { kept: ordered.filter((e) => keptCommits.has(e.commit)), squashed: ordered.filter((e) => !keptCommits.has(e.commit)) };
}

/** One point of a workload's series: the commit and the point there. */
export interface SeriesPoint {
  commit: string;
  point: WorkloadPoint;
  /** True for the pull request's head (not on the default branch). */
  head?: boolean;
}

/** A workload's series under one interpreter, oldest first, the last `window` commits. */
export function seriesOf(entries: readonly HistoryEntry[], name: string, python: string, window = Infinity): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const e of orderEntries(entries)) {
    const p = e.workloads.find((w) => w.name === name && w.python === python);
    if (p) points.push({ commit: e.commit, point: p });
  }
  return Number.isFinite(window) ? points.slice(Math.max(0, points.length - window)) : points;
}

/** Every (workload, interpreter) any entry names, in first-seen order of the newest entry first. */
export function workloadKeys(entries: readonly HistoryEntry[]): { name: string; python: string }[] {
  const seen = new Map<string, { name: string; python: string }>();
  for (const e of [...orderEntries(entries)].reverse()) {
    for (const w of e.workloads) {
      const key = `${w.python}\u0000${w.name}`;
      if (!seen.has(key)) seen.set(key, { name: w.name, python: w.python });
    }
  }
  return [...seen.values()];
}

/**
 * What measuring a workload cost on that commit: the seconds its trials took (measuringSeconds),
 * else, in entries written before those were kept, rounds × the sum of its arms' median times — a
 * proxy that missed repetitions, serial's run on every CPU and pools' second batches, and was off
 * by ×2.4–×5.5 between workloads of bench/stdlib.
 */
export function measuringCost(point: WorkloadPoint): number | null {
  if (typeof point.measuringSeconds === 'number' && point.measuringSeconds > 0) return point.measuringSeconds;
  const perRound = point.arms.reduce((sum, a) => sum + (Number.isFinite(a.median) && a.median > 0 ? a.median : 0), 0);
  const cost = perRound * Math.max(1, point.rounds);
  return cost > 0 ? cost : point.serialSeconds;
}

/** How many of a workload's newest entries its shard cost is the median of. */
export const SHARD_COST_ENTRIES = 5;

/**
 * Shard costs from history: each workload's measuring cost (summed over interpreters: a leg measures
 * every interpreter), the median over the newest SHARD_COST_ENTRIES entries that measured it. A
 * workload's rounds vary from run to run (bench/stdlib's regex-scan-small: 6 rounds in one run, 30
 * in the next, its processes ×1.08 beside the 10% margin), so one entry's cost is one draw; the
 * median of a few is what a leg can expect. Shaped like a leg's `shard.measured` so core/shard.ts's
 * costsFromResults reads it unchanged.
 */
export function shardCostsFromHistory(entries: readonly HistoryEntry[]): { shard: { measured: Record<string, number> } } | null {
  const costs = new Map<string, number[]>();
  for (const e of [...orderEntries(entries)].reverse()) {
    const here: Record<string, number> = {};
    for (const w of e.workloads) {
      const cost = measuringCost(w);
      if (cost !== null && cost > 0) here[w.name] = (here[w.name] ?? 0) + cost;
    }
    for (const [name, cost] of Object.entries(here)) {
      const list = costs.get(name) ?? [];
      if (list.length < SHARD_COST_ENTRIES) costs.set(name, [...list, cost]);
    }
  }
  const measured = Object.fromEntries([...costs].map(([name, list]) => [name, median(list)]));
  return Object.keys(measured).length > 0 ? { shard: { measured } } : null;
}
