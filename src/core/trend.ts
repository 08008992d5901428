// Trends and verdict timelines over the default branch's history, with a pull request's head as the
// last point. Pure. History is context measured on other runners: nothing here feeds the gate except
// creep, and that only under an explicit `fail-on: creep`.
import { detectCreep, type Creep } from './creep.js';
import { orderEntries, seriesOf, workloadKeys, workloadPoint, type HistoryEntry, type SeriesPoint } from './history.js';
import type { Recommendation, Results } from './types.js';

export interface Flip {
  commit: string;
  from: Recommendation;
  to: Recommendation;
}

export interface Timeline {
  /** The current decided verdict on the default branch, null when none was ever decided. */
  current: Recommendation | null;
  /** The first commit of the current verdict's streak. */
  since: string | null;
  /** Commits in the streak (undecided ones inside it count: they did not change it). */
  commits: number;
  /** Every change of decided verdict, oldest first. */
  flips: Flip[];
}

export interface WorkloadHistory {
  name: string;
  python: string;
  /** Default-branch points, oldest first (the window), then the head's point when there is one. */
  points: SeriesPoint[];
  timeline: Timeline;
  creep: Creep | null;
}

export interface HistoryView {
  /** Default-branch commits the window holds (of any workload). */
  commits: number;
  /** Newest default-branch commit in the window. */
  newest: string | null;
  workloads: WorkloadHistory[];
  creeps: number;
}

const UNDECIDED: readonly Recommendation[] = ['inconclusive', 'error'];

export function timelineOf(points: readonly SeriesPoint[]): Timeline {
  const flips: Flip[] = [];
  let current: Recommendation | null = null;
  let since: string | null = null;
  let commits = 0;
  for (const { commit, point } of points) {
    const r = point.recommendation as Recommendation;
    if (UNDECIDED.includes(r)) {
      // Undecided commits do not change the verdict; before any decision they are counted as such.
      commits++;
      continue;
    }
    if (current !== null && r !== current) flips.push({ commit, from: current, to: r });
    if (r !== current) {
      current = r;
      since = commit;
      commits = 0;
    }
    commits++;
  }
  return { current, since, commits, flips };
}

/**
 * The newest recommended arm's time at every commit: creep compares like with like, so a verdict
 * that flipped to another arm (a different time by design) is not a step. Commits without that arm
 * in their summary (squashed entries keep none) count only where it was the recommended one.
 */
export function sameArmSeries(points: readonly SeriesPoint[]): { commit: string; seconds: number | null }[] {
  const arm = points.at(-1)?.point.arm;
  return points.map(({ commit, point }) => {
    if (point.arm === arm) return { commit, seconds: point.seconds };
    const found = point.arms.find((a) => (a.model === 'serial' ? 'serial' : `${a.model}×${a.workers}`) === arm);
    return { commit, seconds: found && Number.isFinite(found.median) && found.median > 0 ? found.median : null };
  });
}

export interface HistoryViewOptions {
  /** Default-branch commits shown in trends (default 20). */
  window?: number;
  /** Commits creep is judged over (default 50). */
  creepWindow?: number;
  threshold: number;
  /** The results are a default-branch commit's (a push run): its point belongs to the branch's series. */
  headOnBranch?: boolean;
}

/**
 * The view a report draws: per workload of `results` (or, without results, every workload history
 * knows), its window of points, timeline and creep. The head's point is added last when `results`
 * is a pull request's (its head commit is not itself in history).
 */
export function historyView(entries: readonly HistoryEntry[], results: Results | null, options: HistoryViewOptions): HistoryView {
  const window = options.window ?? 20;
  const ordered = orderEntries(entries);
  const keys = results
    ? results.workloads.filter((w) => w.status !== 'removed').map((w) => ({ name: w.name, python: w.python }))
    : workloadKeys(ordered);
  const headCommit = results?.git.head ?? null;
  const workloads = keys.map(({ name, python }) => {
    // History never holds two points of one commit: a re-run's point replaces nothing.
    const stored = seriesOf(ordered, name, python).filter((p) => p.commit !== headCommit);
    const headResult = results?.workloads.find((w) => w.name === name && w.python === python);
    const headPoint = headResult ? workloadPoint(headResult) : null;
    const head: SeriesPoint | null = headPoint && headCommit ? { commit: headCommit, point: headPoint, head: !options.headOnBranch } : null;
    // A push to the default branch: its own point is the branch's newest; a pull request's is not.
    const branch = head && options.headOnBranch ? [...stored, head] : stored;
    const shown = branch.slice(Math.max(0, branch.length - window));
    const points = head && !options.headOnBranch ? [...shown, head] : shown;
    const creepSeries = branch.slice(-(options.creepWindow ?? 50));
    const creep = detectCreep(sameArmSeries(creepSeries), { threshold: options.threshold });
    return { name, python, points, timeline: timelineOf(branch), creep };
  });
  const commits = [...new Set(ordered.map((e) => e.commit))];
  const inWindow = commits.slice(Math.max(0, commits.length - window));
  return { commits: inWindow.length, newest: inWindow.at(-1) ?? null, workloads, creeps: workloads.filter((w) => w.creep !== null).length };
}
