// Verdict: from one side's samples, the recommendation, whether it is settled, and the sentence
// that explains it with the numbers. Pure.
//
// Three comparisons drive it, each a sequential three-outcome test on paired per-round time ratios:
// best threads arm vs serial, best processes arm vs serial, best threads vs best processes.
// A parallel model "helps" when it is faster than serial beyond the margin, significantly; it does
// not help when the interval rules that out (equivalent to serial, slower, or anything in between).
import { compareTimes, isFinalLook, rulesOut, type SequentialPolicy } from './stats/sequential.js';
import {
  armLabel,
  armResult,
  bestArm,
  describeFailure,
  failures,
  measurements,
  medianOf,
  medianWall,
  serialArm,
  series,
  wallOf,
  type ArmSamples,
} from './samples.js';
import type {
  ArmResult,
  Comparison,
  Failure,
  ParallelModel,
  Recommendation,
  SideResult,
  WorkloadCharacter,
  WorkloadProbe,
} from './types.js';
import { PARALLEL_MODELS } from './types.js';

export interface VerdictInput {
  probe: WorkloadProbe | Failure;
  arms: readonly ArmSamples[];
  rounds: number;
  margin: number;
  policy: SequentialPolicy;
  /** True when no more rounds will come (cap or time budget): undecided becomes inconclusive. */
  final: boolean;
}

export interface Verdict {
  /** True when the recommendation will not change with more rounds. */
  settled: boolean;
  result: SideResult;
}

/** Per-task time under which pools rarely pay off: the work is smaller than the hand-off. */
const TINY_TASK_SECONDS = 0.0005;

export function judge(input: VerdictInput): Verdict {
  const { probe, arms, rounds, margin, policy } = input;
  const final = input.final || isFinalLook(rounds, policy);
  if (!probe.ok) return { settled: true, result: errorResult(probe, arms, rounds) };

  const serial = serialArm(arms);
  const serialFailure = serial ? failures(serial)[0] : undefined;
  if (!serial || serialFailure || measurements(serial).length === 0) {
    const failure = serialFailure ?? missingSerial();
    return { settled: true, result: errorResult(failure, arms, rounds) };
  }

  const serialMedian = medianWall(serial);
  const armResults = arms.filter((a) => measurements(a).length > 0 || failures(a).length > 0).map((a) => armResult(a, serialMedian));
  const unavailable = unavailableModels(probe, arms);
  const best: Record<ParallelModel, ArmSamples | null> = {
    threads: unavailable.threads ? null : bestArm(arms, 'threads'),
    processes: unavailable.processes ? null : bestArm(arms, 'processes'),
  };
  const wall = (s: ArmSamples) => series(s, rounds, wallOf);
  const vsSerial = (model: ParallelModel): Comparison | null => {
    const arm = best[model];
    return arm ? compareTimes(wall(arm), wall(serial), margin, policy) : null;
  };
  const comparisons = {
    threadsVsSerial: vsSerial('threads'),
    processesVsSerial: vsSerial('processes'),
    threadsVsProcesses:
      best.threads && best.processes ? compareTimes(wall(best.threads), wall(best.processes), margin, policy) : null,
  };

  const decision = decide(comparisons, best, final, (c, outcome) => rulesOut(c, outcome, margin, policy));
  const recommendation: Recommendation = decision ?? 'inconclusive';
  const speedup = {
    threads: best.threads ? serialMedian / medianWall(best.threads) : null,
    processes: best.processes ? serialMedian / medianWall(best.processes) : null,
  };
  const character = classify(armResults, best, speedup, probe, margin);
  const result: SideResult = {
    recommendation,
    reason: explain({ recommendation, decided: decision !== null, character, speedup, best, comparisons, armResults, unavailable, rounds, margin, final }),
    speedup,
    character,
    arms: armResults,
    unavailable,
    warnings: warningsFor(probe, arms, serial),
    error: null,
    rounds,
    comparisons,
  };
  return { settled: decision !== null || final, result };
}

/** The recommendation when the comparisons settle it, or null while they do not. */
function decide(
  c: SideResult['comparisons'],
  best: Record<ParallelModel, ArmSamples | null>,
  final: boolean,
  ruledOut: (comparison: Comparison, outcome: 'a-faster' | 'b-faster') => boolean,
): Recommendation | null {
  const available = PARALLEL_MODELS.filter((m) => best[m] !== null);
  if (available.length === 0) return 'serial';
  const comparison = (m: ParallelModel) => (m === 'threads' ? c.threadsVsSerial : c.processesVsSerial)!;
  const vs = (m: ParallelModel) => comparison(m).outcome;
  const helps = available.filter((m) => vs(m) === 'a-faster');
  const undecided = available.filter((m) => vs(m) === 'unknown' && !ruledOut(comparison(m), 'a-faster'));
  if (helps.length === 0) return undecided.length === 0 ? 'serial' : null;
  if (available.length === 1) return helps[0]!;
  switch (c.threadsVsProcesses!.outcome) {
    case 'a-faster':
      return helps.includes('threads') ? 'threads' : null;
    case 'b-faster':
      return helps.includes('processes') ? 'processes' : null;
    case 'equivalent':
      return 'either';
    case 'unknown':
      // At the cap, "threads win" and "equivalent" give the same advice — use threads — so when both
      // help and processes cannot be faster than threads beyond the margin, say threads rather than
      // inconclusive. Not before the cap: the weaker condition would pre-empt a proper `either`.
      return final && helps.includes('threads') && ruledOut(c.threadsVsProcesses!, 'b-faster') ? 'threads' : null;
  }
}

function unavailableModels(probe: WorkloadProbe, arms: readonly ArmSamples[]): Partial<Record<ParallelModel, string>> {
  const out: Partial<Record<ParallelModel, string>> = {};
  if (probe.processesUnavailable) out.processes = probe.processesUnavailable;
  for (const model of PARALLEL_MODELS) {
    if (out[model]) continue;
    const modelArms = arms.filter((a) => a.arm.model === model);
    // A model that failed in every arm it ran is an answer ("cannot run"), not a crash of the run.
    const ran = modelArms.filter((a) => measurements(a).length > 0);
    const failed = modelArms.flatMap((a) => failures(a).map((f) => ({ arm: a.arm, f })));
    if (modelArms.length > 0 && ran.length === 0 && failed.length > 0) {
      const first = failed[0]!;
      out[model] = `${describeFailure(first.f)} (${armLabel(first.arm)}, ${first.f.kind})`;
    }
  }
  return out;
}

function classify(
  arms: readonly ArmResult[],
  best: Record<ParallelModel, ArmSamples | null>,
  speedup: SideResult['speedup'],
  probe: WorkloadProbe,
  margin: number,
): WorkloadCharacter {
  const serial = arms.find((a) => a.model === 'serial');
  if (!serial) return 'unknown';
  const threadsArm = best.threads ? arms.find((a) => a.model === 'threads' && a.workers === best.threads!.arm.workers) : undefined;
  const processesArm = best.processes ? arms.find((a) => a.model === 'processes' && a.workers === best.processes!.arm.workers) : undefined;
  if (serial.cpuPerWall < 0.5) return 'io-wait';
  const perTask = probe.taskCount > 0 ? serial.wall.median / probe.taskCount : Infinity;
  const noGain = (s: number | null) => s === null || s < 1 + margin;
  if (perTask < TINY_TASK_SECONDS && noGain(speedup.threads) && noGain(speedup.processes)) return 'overhead-bound';
  if (threadsArm && threadsArm.cpuPerWall > 1.3) return 'gil-releasing';
  if (threadsArm && threadsArm.cpuPerWall <= 1.3 && noGain(speedup.threads)) {
    if (processesArm && processesArm.peakRssBytes > 4 * serial.peakRssBytes && processesArm.peakRssBytes > 512 * 2 ** 20) return 'memory-heavy';
    return 'cpu-bound-gil';
  }
  return 'unknown';
}

const CHARACTER_PHRASE: Record<WorkloadCharacter, string> = {
  'cpu-bound-gil': 'CPU-bound and holds the GIL',
  'gil-releasing': 'CPU-bound in code that releases the GIL',
  'io-wait': 'mostly waiting (I/O or sleep)',
  'overhead-bound': 'tasks too small for a pool to pay off',
  'memory-heavy': 'CPU-bound, holds the GIL, and memory-heavy under processes',
  unknown: 'mixed character',
};

interface ExplainInput {
  recommendation: Recommendation;
  decided: boolean;
  character: WorkloadCharacter;
  speedup: SideResult['speedup'];
  best: Record<ParallelModel, ArmSamples | null>;
  comparisons: SideResult['comparisons'];
  armResults: readonly ArmResult[];
  unavailable: Partial<Record<ParallelModel, string>>;
  rounds: number;
  margin: number;
  final: boolean;
}

function explain(e: ExplainInput): string {
  const parts: string[] = [];
  const speed = PARALLEL_MODELS.map((m) => {
    const arm = e.best[m];
    const s = e.speedup[m];
    return arm && s !== null ? `${m} ×${fmt(s)} at ${arm.arm.workers} workers` : `${m} unavailable`;
  });
  parts.push(`${CHARACTER_PHRASE[e.character]}: ${speed.join(', ')}`);
  const serial = e.armResults.find((a) => a.model === 'serial');
  const threadsArm = e.best.threads ? e.armResults.find((a) => a.model === 'threads' && a.workers === e.best.threads!.arm.workers) : undefined;
  if (serial && threadsArm) {
    const ratio = threadsArm.cpuPerWall;
    const meaning =
      serial.cpuPerWall < 0.5
        ? 'the code waits more than it computes'
        : ratio <= 1.3
          ? 'the GIL serializes this code'
          : 'threads run in parallel, so the code releases the GIL';
    parts.push(`CPU/wall ${fmt(serial.cpuPerWall)} serial, ${fmt(ratio)} under ${threadsArm.workers} threads: ${meaning}`);
  }
  const percent = Math.round(e.margin * 100);
  switch (e.recommendation) {
    case 'threads':
      if (e.comparisons.threadsVsProcesses?.outcome === 'unknown') {
        parts.push(
          `threads are at least as fast as processes (${ratioText(e.comparisons.threadsVsProcesses)}: processes cannot be more than ${percent}% faster), not shown equivalent after ${e.rounds} rounds: use threads — less memory, no pickling`,
        );
      }
      break;
    case 'either':
      parts.push(`threads and processes are within ±${percent}% of each other (${ratioText(e.comparisons.threadsVsProcesses)}): prefer threads — less memory, no pickling`);
      break;
    case 'serial':
      parts.push(`no parallel model beats serial by more than ${percent}%`);
      break;
    case 'inconclusive': {
      const open = openQuestion(e.comparisons);
      parts.push(`${e.final ? 'undecided' : 'not yet decided'} after ${e.rounds} rounds${open ? `: ${open}` : ''}`);
      break;
    }
    default:
      break;
  }
  for (const [model, why] of Object.entries(e.unavailable)) parts.push(`${model} cannot run: ${why}`);
  return `${parts.join('; ')}.`;
}

function openQuestion(c: SideResult['comparisons']): string | null {
  const entries: Array<[string, Comparison | null]> = [
    ['threads vs processes', c.threadsVsProcesses],
    ['threads vs serial', c.threadsVsSerial],
    ['processes vs serial', c.processesVsSerial],
  ];
  const open = entries.find(([, cmp]) => cmp?.outcome === 'unknown');
  return open ? `${open[0]} time ratio ${ratioText(open[1])} is not clearly inside or outside the margin` : null;
}

function ratioText(c: Comparison | null): string {
  if (!c) return 'n/a';
  const e = c.estimate;
  const hi = Number.isFinite(e.upper) ? fmt(e.upper) : '∞';
  return `×${fmt(e.ratio)}, CI ${fmt(e.lower)}–${hi}`;
}

function warningsFor(probe: WorkloadProbe, arms: readonly ArmSamples[], serial: ArmSamples): string[] {
  const warnings: string[] = [];
  if (probe.spawnProblem) {
    warnings.push(`works only with the fork start method: under spawn (the default on macOS and Windows) it fails: ${probe.spawnProblem}`);
  }
  const serialDigests = measurements(serial);
  if (serialDigests.some((m) => !m.digestStable)) return warnings;
  const reference = new Set(serialDigests.map((m) => m.digest));
  if (reference.size > 1) {
    warnings.push(`results differ between serial runs (${reference.size} distinct): the workload is not deterministic, so gilgate cannot check threads and processes for races`);
    return warnings;
  }
  const expected = [...reference][0];
  for (const model of PARALLEL_MODELS) {
    const runs = arms.filter((a) => a.arm.model === model).flatMap(measurements);
    const differing = runs.filter((m) => m.digestStable && m.digest !== expected);
    if (differing.length > 0) {
      warnings.push(
        model === 'threads'
          ? `race hint: threads returned different results than serial in ${differing.length} of ${runs.length} trials — the code is probably not thread-safe`
          : `processes returned different results than serial in ${differing.length} of ${runs.length} trials — the code probably depends on shared state that processes do not share`,
      );
    }
  }
  return warnings;
}

function errorResult(failure: Failure, arms: readonly ArmSamples[], rounds: number): SideResult {
  const message = describeFailure(failure);
  return {
    recommendation: 'error',
    reason: `failed (${failure.kind}): ${message}.`,
    speedup: { threads: null, processes: null },
    character: 'unknown',
    arms: arms.filter((a) => measurements(a).length > 0).map((a) => armResult(a, medianOf([]))),
    unavailable: {},
    warnings: [],
    error: { kind: failure.kind, message: message + (failure.stderrTail ? `\n${failure.stderrTail}` : ''), traceback: failure.traceback },
    rounds,
    comparisons: { threadsVsSerial: null, processesVsSerial: null, threadsVsProcesses: null },
  };
}

function missingSerial(): Failure {
  return { ok: false, kind: 'runner', type: 'NoData', message: 'no serial trial completed', traceback: '', stderrTail: '' };
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
