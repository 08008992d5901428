// Error spending across sequential looks (Lan & DeMets 1983). Pure.
//
// A comparison looks at its data at scheduled rounds and stops at the first decision. Splitting the
// error evenly over K looks (Bonferroni) bounds the chance that any look errs, but ignores that the
// looks share most of their data: the statistic at round 10 is mostly the statistic at round 6. A
// spending function α(t) says how much of the error may be spent by information fraction t (here
// rounds run / rounds.max); the boundary at each look is then the one at which the chance of a first
// crossing there, given no crossing before, is exactly α(t_k) − α(t_{k−1}) for a normal statistic
// with independent increments (a Brownian motion in the information). Because the looks are
// correlated, each look's nominal one-sided error is larger than the increment it spends: that is
// what buys the speed over Bonferroni.
//
// The boundaries are computed for a normal statistic. gilgate's statistics are (trimmed) t on few
// degrees of freedom, so each look turns its nominal error into a t quantile on that look's df (the
// usual t approximation of a group-sequential design); the achieved error rates are then checked by
// simulation and by replaying recorded trials (bench/estimators.mjs, docs/statistics.md).

/** A spending function: the share of `error` that may be spent by information fraction t ∈ [0, 1]. */
export type Spending = (error: number, t: number) => number;

/**
 * Lan–DeMets spending of Pocock type: error · ln(1 + (e − 1)·t). It spends early, close to evenly
 * per unit of information, so easy cases decide at the first looks (1.5× at round 3–6, an A/A pass
 * by round 6–10). The engine's choice: the early looks are where time is won.
 */
export const pocockSpending: Spending = (error, t) => (t <= 0 ? 0 : t >= 1 ? error : error * Math.log(1 + (Math.E - 1) * t));

/**
 * Lan–DeMets spending of O'Brien–Fleming type (one-sided): 2 − 2Φ(z_{1−error/2}/√t) — for a one-sided
 * error e, e(t) = 2(1 − Φ(Φ⁻¹(1 − e/2)/√t)). It spends almost nothing early; kept to check the
 * recursion against the published boundaries (2.963, 1.969 at t = ½, 1 for e = 0.025).
 */
export const obrienFlemingSpending: Spending = (error, t) => {
  if (t <= 0) return 0;
  if (t >= 1) return error;
  return 2 * (1 - normalCdf(normalUpperQuantile(error / 2) / Math.sqrt(t)));
};

export interface Boundary {
  /** Information fraction of each look, increasing, the last ≤ 1. */
  fractions: number[];
  /** Cumulative error spent by each look: spending(error, t_k). */
  spent: number[];
  /** The one-sided normal boundary z_k: stop at look k when the statistic exceeds it. */
  z: number[];
  /** The nominal one-sided error of each look, 1 − Φ(z_k): what one look alone would risk. */
  nominal: number[];
}

/** Grid points per look for the numerical integration (odd, for Simpson's rule). */
const GRID = 241;
/** The density below this many sd is negligible (Φ(−8) ≈ 6e-16). */
const TAIL_SD = 8;

/**
 * The one-sided group-sequential boundary that spends `error` over the looks at `fractions`
 * (Armitage, McPherson & Rowe 1969 recursion; Jennison & Turnbull, "Group Sequential Methods",
 * ch. 19): the sub-density of the score S_k = Z_k·√t_k on the paths that have not crossed yet is
 * carried from look to look on a grid, and each z_k is found by bisection so that the chance of a
 * first crossing at look k is the increment of the spending function. Exact up to the grid
 * (≈ 1e-6 of the error); the spent increments sum to spending(error, t_K), that is to `error` when
 * the last look is at full information.
 */
export function spendingBoundary(error: number, fractions: readonly number[], spending: Spending = pocockSpending): Boundary {
  if (!(error > 0 && error < 1)) throw new Error(`error must be in (0, 1), got ${error}`);
  if (fractions.length === 0) throw new Error('a boundary needs at least one look');
  fractions.forEach((t, k) => {
    if (!(t > 0 && t <= 1) || (k > 0 && !(t > fractions[k - 1]!))) throw new Error(`information fractions must increase within (0, 1], got ${fractions.join(', ')}`);
  });
  const spent = fractions.map((t) => spending(error, t));
  const z: number[] = [];
  let grid: number[] = [];
  let density: number[] = [];
  let previous = 0;
  for (const [k, t] of fractions.entries()) {
    const increment = Math.max(0, spent[k]! - (k > 0 ? spent[k - 1]! : 0));
    if (k === 0) {
      const zk = increment > 0 ? normalUpperQuantile(increment) : Number.POSITIVE_INFINITY;
      z.push(zk);
      const sd = Math.sqrt(t);
      grid = line(-TAIL_SD * sd, Math.min(zk * sd, TAIL_SD * sd));
      density = grid.map((s) => normalDensity(s / sd) / sd);
    } else {
      const step = Math.sqrt(t - previous);
      // P(first crossing at look k with score boundary b) = ∫ f_{k−1}(u) · (1 − Φ((b − u)/step)) du.
      const crossing = (b: number) => simpson(grid, grid.map((u, i) => density[i]! * (1 - normalCdf((b - u) / step))));
      const sd = Math.sqrt(t);
      let b: number;
      if (increment <= 0) b = Number.POSITIVE_INFINITY;
      else {
        let lo = -TAIL_SD * sd;
        let hi = TAIL_SD * sd;
        if (crossing(hi) > increment) b = hi;
        else {
          for (let i = 0; i < 100 && hi - lo > 1e-10; i++) {
            const mid = (lo + hi) / 2;
            if (crossing(mid) > increment) lo = mid;
            else hi = mid;
          }
          b = (lo + hi) / 2;
        }
      }
      z.push(b / sd);
      const next = line(-TAIL_SD * sd, Math.min(b, TAIL_SD * sd));
      const carried = next.map((s) => simpson(grid, grid.map((u, i) => (density[i]! * normalDensity((s - u) / step)) / step)));
      grid = next;
      density = carried;
    }
    previous = t;
  }
  return { fractions: [...fractions], spent, z, nominal: z.map((zk) => (Number.isFinite(zk) ? 1 - normalCdf(zk) : 0)) };
}

/**
 * The chance of a first crossing at each look of a given boundary, by the same recursion: with the
 * boundary's own z it returns the spent increments (a test of the bisection), and with other z it
 * tells what a boundary spends (Bonferroni's, for instance).
 */
export function crossingProbabilities(z: readonly number[], fractions: readonly number[]): number[] {
  const out: number[] = [];
  let grid: number[] = [];
  let density: number[] = [];
  let previous = 0;
  for (const [k, t] of fractions.entries()) {
    const sd = Math.sqrt(t);
    const b = z[k]! * sd;
    if (k === 0) {
      out.push(1 - normalCdf(z[k]!));
      grid = line(-TAIL_SD * sd, Math.min(b, TAIL_SD * sd));
      density = grid.map((s) => normalDensity(s / sd) / sd);
    } else {
      const step = Math.sqrt(t - previous);
      out.push(simpson(grid, grid.map((u, i) => density[i]! * (1 - normalCdf((b - u) / step)))));
      const next = line(-TAIL_SD * sd, Math.min(b, TAIL_SD * sd));
      density = next.map((s) => simpson(grid, grid.map((u, i) => (density[i]! * normalDensity((s - u) / step)) / step)));
      grid = next;
    }
    previous = t;
  }
  return out;
}

function line(from: number, to: number): number[] {
  const hi = Math.max(to, from + 1e-9);
  return Array.from({ length: GRID }, (_, i) => from + ((hi - from) * i) / (GRID - 1));
}

/** Simpson's rule on an evenly spaced grid with an odd number of points. */
function simpson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const h = (xs[n - 1]! - xs[0]!) / (n - 1);
  let sum = ys[0]! + ys[n - 1]!;
  for (let i = 1; i < n - 1; i++) sum += (i % 2 === 1 ? 4 : 2) * ys[i]!;
  return (sum * h) / 3;
}

function normalDensity(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Φ(z), from the complementary error function (Numerical Recipes' erfcc, Chebyshev fit, relative
 * error < 1.2e-7 everywhere): the tails keep their relative precision, which the boundaries need
 * (simple-statistics' errorFunction and probit lose it below 1e-3).
 */
export function normalCdf(z: number): number {
  return z >= 0 ? 1 - 0.5 * erfc(z / Math.SQRT2) : 0.5 * erfc(-z / Math.SQRT2);
}

/** The z with 1 − Φ(z) = p, by bisection on the upper tail. */
export function normalUpperQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`probability must be in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (upperTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function upperTail(z: number): number {
  return z >= 0 ? 0.5 * erfc(z / Math.SQRT2) : 1 - 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
