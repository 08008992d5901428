// Invariants: what every results file must satisfy, physically or by construction. One impossible
// figure (×2.76 from 2 CPUs) makes a reviewer distrust all the others, so a broken invariant is
// never silent: the report names the figure and says why it cannot be (report/markdown.ts,
// terminal.ts), whichever command produced the file (run, merge, report).
//
// Pure: a Results value in, the violations out. Tolerances cover what measuring honestly allows
// (a clock's grain, a parent process's own CPU), not disturbed measurements.
import type { ArmResult, Comparison, ModelFacts, RatioEstimate, Results, SideResult, WorkloadResult } from './types.js';
import { PARALLEL_MODELS } from './types.js';

export type InvariantRule =
  | 'capacity-within-cpus' // what N busy workers deliver cannot exceed the usable CPUs, nor N
  | 'cpu-within-workers' // CPU/wall cannot exceed the workers running (plus the pool's parent thread), nor the CPUs
  | 'startup-nonnegative' // a pool's start-up is a duration
  | 'gil-threads-serialize' // threads holding the GIL on a GIL build cannot beat serial beyond the margin
  | 'interval-contains-estimate' // lower ≤ estimate ≤ upper, a level in (0, 1), a p-value in [0, 1]
  | 'speedup-positive' // a speedup is a positive finite ratio (serial's is 1)
  | 'wall-ordered' // min ≤ median ≤ max of the wall times, all ≥ 0
  | 'regressions-counted'; // the file's regression count is the sum of its workloads'

export interface InvariantViolation {
  rule: InvariantRule;
  /** Which figure, as a reader finds it: "fetch-pages · threads×4 · capacity". */
  figure: string;
  /** The figure and the bound it breaks, e.g. "×2.76 exceeds the 2 usable CPUs". */
  detail: string;
}

/** Capacity and CPU/wall may exceed their bound by this much before it counts (clock grain, rounding). */
export const BOUND_TOLERANCE = 0.05;
/** A pool's parent (the process or main thread feeding tasks and collecting results) is one more
 *  thread that may be busy beside the workers: tiny tasks keep it so. */
export const PARENT_CPU_ALLOWANCE = 1;
/** Serial at or above this CPU/wall computes (verdict.ts uses the same line for threads that run one at a time). */
const COMPUTES_CPU_PER_WALL = 0.9;
/** Relative slack for lower ≤ estimate ≤ upper: rounding in files, not a wrong interval. */
const INTERVAL_SLACK = 1e-9;

/** Every invariant, over every figure of the file (head, base detail, matrix variants). */
export function checkInvariants(results: Results): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const cores = results.environment.cores;
  for (const w of results.workloads) {
    const name = variantLabel(results, w);
    checkSide(out, name, w, cores, gilBuild(results, w), results.settings.margin);
    if (w.base) checkSide(out, `${name} (base)`, w.base.detail, cores, gilBuild(results, w), results.settings.margin);
    if (w.vsBase) checkComparison(out, `${name} · vs base`, w.vsBase);
    for (const r of w.regressions) if (r.estimate) checkEstimate(out, `${name} · ${r.kind} regression`, r.estimate);
    for (const i of w.improvements) if (i.estimate) checkEstimate(out, `${name} · ${i.kind} improvement`, i.estimate);
  }
  const counted = results.workloads.reduce((sum, w) => sum + w.regressions.length, 0);
  if (results.regressions !== counted) {
    out.push({ rule: 'regressions-counted', figure: 'regressions', detail: `the file says ${results.regressions}, its workloads list ${counted}` });
  }
  return out;
}

function variantLabel(results: Results, w: WorkloadResult): string {
  const pythons = new Set(results.workloads.map((x) => x.python));
  return pythons.size > 1 ? `${w.name} [${w.python}]` : w.name;
}

/** Whether this workload ran with the GIL on: the verdict's build facts, else the run's environment. */
function gilBuild(results: Results, w: WorkloadResult): boolean {
  const build = w.facts.build;
  if (build) return build.gilEnabled && !build.freeThreadedBuild;
  const index = results.values?.setup.pythons.indexOf(w.python) ?? -1;
  const environment = (index >= 0 ? results.values?.environments[index] : undefined) ?? results.environment;
  return environment.gilEnabled && !environment.freeThreadedBuild;
}

function checkSide(out: InvariantViolation[], name: string, side: SideResult, cores: number, gil: boolean, margin: number): void {
  const serial = side.arms.find((a) => a.model === 'serial');
  for (const arm of side.arms) checkArm(out, `${name} · ${arm.model}×${arm.workers}`, arm, cores);
  if (serial && gil) checkGilThreads(out, name, side.arms, serial, margin);
  // Each figure once, where it is stored: each model's facts, then the comparisons between models.
  for (const model of PARALLEL_MODELS) {
    const facts = side.facts.models[model];
    if (!facts) continue;
    checkModelFacts(out, `${name} · ${model}`, facts);
    // NaN: a figure an older file did not record (unknown, not broken).
    if (!Number.isNaN(facts.steadySpeedup)) checkSpeedup(out, `${name} · ${model} speedup once started`, facts.steadySpeedup);
    if (typeof facts.capacity === 'number') checkCapacity(out, `${name} · ${model} capacity`, facts.capacity, facts.workers || Infinity, cores);
  }
  for (const pair of side.facts.pairs) checkComparison(out, `${name} · ${pair.a} vs ${pair.b}`, pair.comparison);
}

function checkArm(out: InvariantViolation[], figure: string, arm: ArmResult, cores: number): void {
  if (arm.model === 'serial') {
    if (arm.speedup !== 1) out.push({ rule: 'speedup-positive', figure: `${figure} · speedup`, detail: `serial's speedup is 1 by definition, not ${arm.speedup}` });
  } else {
    checkSpeedup(out, `${figure} · speedup`, arm.speedup);
    if (arm.steadySpeedup !== undefined) checkSpeedup(out, `${figure} · speedup once started`, arm.steadySpeedup);
  }
  checkStartup(out, `${figure} · start-up`, arm.startupSeconds);
  const startup = arm.startupInterval;
  if (startup && [startup.estimate, startup.lower, startup.upper].every(Number.isFinite)) {
    checkStartup(out, `${figure} · start-up`, startup.lower);
    if (!contains(startup.lower, startup.estimate, startup.upper)) {
      out.push({ rule: 'interval-contains-estimate', figure: `${figure} · start-up`, detail: `${fmt(startup.estimate * 1000)} ms lies outside its interval ${fmt(startup.lower * 1000)}–${fmt(startup.upper * 1000)} ms` });
    }
  }
  if (typeof arm.capacity === 'number' && arm.model !== 'serial') checkCapacity(out, `${figure} · capacity`, arm.capacity, arm.workers, cores);
  if (Number.isFinite(arm.cpuPerWall) && arm.wall.n > 0) {
    // A pool's parent (or main thread) runs beside its workers; serial is one thread.
    const workers = arm.model === 'serial' ? arm.workers : arm.workers + PARENT_CPU_ALLOWANCE;
    const bound = Math.min(workers, cores) * (1 + BOUND_TOLERANCE);
    if (arm.cpuPerWall > bound || arm.cpuPerWall < 0) {
      out.push({
        rule: 'cpu-within-workers',
        figure: `${figure} · CPU/wall`,
        detail: arm.cpuPerWall < 0 ? `${fmt(arm.cpuPerWall)} is negative` : `${fmt(arm.cpuPerWall)} exceeds what ${arm.workers} worker${arm.workers === 1 ? '' : 's'} on ${cores} CPU${cores === 1 ? '' : 's'} can use`,
      });
    }
  }
  const { min, median, max } = arm.wall;
  if (arm.wall.n > 0 && [min, median, max].every(Number.isFinite) && !(min >= 0 && min <= median && median <= max)) {
    out.push({ rule: 'wall-ordered', figure: `${figure} · wall`, detail: `min ${fmt(min)} ≤ median ${fmt(median)} ≤ max ${fmt(max)} does not hold` });
  }
}

/**
 * On a GIL build, threads of code that computes and holds the GIL (their CPU/wall no higher than
 * serial's: one thread runs at a time) cannot finish a batch faster than serial beyond the margin.
 * Slower is possible (switching costs); faster means a disturbed serial or a faster CPU.
 */
function checkGilThreads(out: InvariantViolation[], name: string, arms: readonly ArmResult[], serial: ArmResult, margin: number): void {
  if (!(serial.cpuPerWall >= COMPUTES_CPU_PER_WALL)) return;
  for (const arm of arms) {
    if (arm.model !== 'threads' || arm.wall.n === 0) continue;
    const holdsGil = arm.cpuPerWall / serial.cpuPerWall <= 1 + margin / 2;
    if (holdsGil && arm.speedup > 1 + margin) {
      out.push({
        rule: 'gil-threads-serialize',
        figure: `${name} · threads×${arm.workers} · speedup`,
        detail: `×${fmt(arm.speedup)} from threads that hold the GIL (CPU/wall ${fmt(arm.cpuPerWall)}) is beyond the ${Math.round(margin * 100)}% margin of ×1: serial was disturbed or ran on a slower CPU`,
      });
    }
  }
}

function checkModelFacts(out: InvariantViolation[], figure: string, facts: ModelFacts): void {
  checkSpeedup(out, `${figure} speedup`, facts.speedup);
  if (Number.isFinite(facts.lower) && Number.isFinite(facts.upper) && !contains(facts.lower, facts.speedup, facts.upper)) {
    out.push({ rule: 'interval-contains-estimate', figure: `${figure} speedup`, detail: `×${fmt(facts.speedup)} lies outside its interval ×${fmt(facts.lower)}–×${fmt(facts.upper)}` });
  }
  checkStartup(out, `${figure} start-up`, facts.startupSeconds);
  checkComparison(out, `${figure} vs serial`, facts.vsSerial);
}

function checkCapacity(out: InvariantViolation[], figure: string, capacity: number, workers: number, cores: number): void {
  const bound = Math.min(workers, cores);
  if (!(capacity > 0) || capacity > bound * (1 + BOUND_TOLERANCE)) {
    const limit = workers < cores ? `${workers} workers` : `the ${cores} usable CPU${cores === 1 ? '' : 's'}`;
    out.push({ rule: 'capacity-within-cpus', figure, detail: capacity > 0 ? `×${fmt(capacity)} exceeds what ${limit} can deliver (×${bound})` : `×${fmt(capacity)} is not positive` });
  }
}

function checkStartup(out: InvariantViolation[], figure: string, seconds: number): void {
  if (Number.isFinite(seconds) && seconds < 0) out.push({ rule: 'startup-nonnegative', figure, detail: `${fmt(seconds * 1000)} ms is negative` });
}

function checkSpeedup(out: InvariantViolation[], figure: string, speedup: number): void {
  if (!(Number.isFinite(speedup) && speedup > 0)) out.push({ rule: 'speedup-positive', figure, detail: `${speedup} is not a positive finite ratio` });
}

function checkComparison(out: InvariantViolation[], figure: string, comparison: Comparison): void {
  checkEstimate(out, figure, comparison.estimate);
}

function checkEstimate(out: InvariantViolation[], figure: string, e: RatioEstimate): void {
  // A comparison with no data yet carries NaN; that is "unknown", not a broken interval.
  if (![e.ratio, e.lower, e.upper].every(Number.isFinite)) return;
  const problems: string[] = [];
  if (!contains(e.lower, e.ratio, e.upper)) problems.push(`${fmt(e.ratio)} lies outside its interval ${fmt(e.lower)}–${fmt(e.upper)}`);
  if (Number.isFinite(e.level) && !(e.level > 0 && e.level < 1)) problems.push(`confidence level ${e.level} is not in (0, 1)`);
  if (Number.isFinite(e.pValue) && !(e.pValue >= 0 && e.pValue <= 1)) problems.push(`p-value ${e.pValue} is not in [0, 1]`);
  if (problems.length > 0) out.push({ rule: 'interval-contains-estimate', figure, detail: problems.join('; ') });
}

function contains(lower: number, value: number, upper: number): boolean {
  const slack = INTERVAL_SLACK * Math.max(1, Math.abs(value));
  return lower <= value + slack && value - slack <= upper;
}

function fmt(value: number): string {
  return Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : String(value);
}
