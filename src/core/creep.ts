// Creep: a workload that got slower by more than the threshold over several default-branch commits,
// each step too small for the per-PR gate (five PRs each 4% slower under a 10% threshold). Pure.
//
// The detector fits a piecewise-constant level to the log times by exact optimal partitioning under
// an L1 loss with a per-segment penalty (an L1 Potts fit, as asv does), then reads the steps off it.
//   - Log times: a 4% step is 4% whether the workload takes 10 ms or 10 s.
//   - L1 (medians), not squares: history comes from different shared runners, and one slow runner
//     is an outlier that least squares would follow and medians ignore.
//   - The penalty is BIC-like, β = γ·σ·ln n: ln n per extra segment (a level and a change point) in
//     units of the series' own noise σ, estimated robustly from successive differences (MAD), with a
//     floor (runners never agree to better than ~0.5%). So a series from noisy runners needs larger
//     steps before a split pays off, and a quiet one shows small true steps.
//   - Segments hold at least two commits: one commit on a slow runner is not a level.
//   - γ = 2: in 300 simulated series each (test/history-core.test.ts has the generator), three +4%
//     steps held three commits each under 1% noise were reported as creep in 259 (86%); with γ = 1.5
//     in 279 (93%), but A/A series of 20 commits with 5% noise then gave 2 false creeps, against 0
//     with γ = 2 (0 also at 3% noise). γ = 3 found only 187 (62%).
// Exact dynamic programming is O(n²) segments × O(n) medians; the windows read here are tens to a
// few hundred commits, so this is well under a millisecond to a few tens of milliseconds.
// Creep is reported when the newest level is above the lowest earlier level by more than the
// threshold; the commits named are the upward steps between the two.

export interface CreepStep {
  /** The first commit at the new level. */
  commit: string;
  /** New level / old level (1.04 = 4% slower). */
  ratio: number;
}

export interface Creep {
  /** Newest level / lowest earlier level. */
  ratio: number;
  /** The last commit of the lowest earlier level: "since". */
  since: string;
  steps: CreepStep[];
  /** Commits in the series the fit read. */
  commits: number;
}

export interface CreepOptions {
  /** Relative slowdown that counts (0.1 = 10%). */
  threshold: number;
  /** Penalty factor γ (default 2). */
  penalty?: number;
  /** Smallest noise σ the penalty assumes (default 0.005, in log units ≈ 0.5%). */
  noiseFloor?: number;
  /** Fewest commits in a level (default 2). */
  minSegment?: number;
}

export interface Segment {
  start: number;
  /** Exclusive. */
  end: number;
  /** Median of the log values. */
  level: number;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** σ of the noise, robustly: MAD of successive differences / (0.6745·√2), which steps barely move. */
export function noiseScale(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const diffs = values.slice(1).map((v, i) => Math.abs(v - values[i]!)).sort((a, b) => a - b);
  return median(diffs) / (0.6745 * Math.SQRT2);
}

/** The L1 Potts fit: levels minimising Σ|y − level| + β·segments, each segment ≥ minSegment long. */
export function fitLevels(values: readonly number[], beta: number, minSegment = 2): Segment[] {
  const n = values.length;
  if (n === 0) return [];
  if (n < 2 * minSegment) return [{ start: 0, end: n, level: median([...values].sort((a, b) => a - b)) }];
  // cost[i][j]: L1 deviation of values[i..j) from their median.
  const cost = (i: number, j: number): { cost: number; level: number } => {
    const part = values.slice(i, j).sort((a, b) => a - b);
    const m = median(part);
    return { cost: part.reduce((s, v) => s + Math.abs(v - m), 0), level: m };
  };
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(-1);
  best[0] = 0;
  for (let j = minSegment; j <= n; j++) {
    for (let i = 0; i <= j - minSegment; i++) {
      if (best[i] === Infinity) continue;
      if (i !== 0 && i < minSegment) continue;
      const total = best[i]! + cost(i, j).cost + beta;
      if (total < best[j]! - 1e-12) {
        best[j] = total;
        from[j] = i;
      }
    }
  }
  const segments: Segment[] = [];
  for (let j = n; j > 0; j = from[j]!) {
    const i = from[j]!;
    segments.unshift({ start: i, end: j, level: cost(i, j).level });
  }
  return segments;
}

/**
 * Creep in one series (oldest first; seconds per batch of the recommended arm), or null. Points
 * without a time are skipped.
 */
export function detectCreep(series: readonly { commit: string; seconds: number | null }[], options: CreepOptions): Creep | null {
  const points = series.filter((p): p is { commit: string; seconds: number } => p.seconds !== null && Number.isFinite(p.seconds) && p.seconds > 0);
  const minSegment = options.minSegment ?? 2;
  if (points.length < 2 * minSegment) return null;
  const logs = points.map((p) => Math.log(p.seconds));
  const sigma = Math.max(noiseScale(logs), options.noiseFloor ?? 0.005);
  const beta = (options.penalty ?? 2) * sigma * Math.log(points.length);
  const segments = fitLevels(logs, beta, minSegment);
  if (segments.length < 2) return null;
  const last = segments[segments.length - 1]!;
  let low = 0;
  for (let k = 1; k < segments.length - 1; k++) if (segments[k]!.level < segments[low]!.level) low = k;
  const ratio = Math.exp(last.level - segments[low]!.level);
  if (!(ratio > 1 + options.threshold)) return null;
  const steps: CreepStep[] = [];
  for (let k = low + 1; k < segments.length; k++) {
    const rise = segments[k]!.level - segments[k - 1]!.level;
    if (rise > 0) steps.push({ commit: points[segments[k]!.start]!.commit, ratio: Math.exp(rise) });
  }
  return { ratio, since: points[segments[low]!.end - 1]!.commit, steps, commits: points.length };
}
