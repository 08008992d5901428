// The lockstep protocol: the trials of a group in interpreters that live at once but take turns,
// one repetition at a time. The runner's side is python/gilgate_runner.py's Turns: it says "ready"
// once warmed up; gilgate says "go" (one repetition, answered "done <seconds>") or "stop".

import { repetitionsFor, seededRandom, shuffle } from '../core/plan.js';
import type { Failure, TrialOutcome, WorkloadConfig } from '../core/types.js';
import type { PythonTarget } from './python.js';
import { startRunner, type RunnerProcess } from './runner-process.js';
import { failure, isFailure } from './runner-result.js';
import { REPETITION_SECONDS_CAP, trialSpec, withSummary, type TrialSettings } from './trial-spec.js';

/** One trial of a lockstep group: runTrial's arguments. */
export interface LockstepMember {
  target: PythonTarget;
  workload: WorkloadConfig;
  settings: TrialSettings;
}

export interface LockstepOptions {
  /**
   * Each repetition's turn order is a fresh shuffle by this seed. Without one the order
   * alternates, forward then reversed (A B, B A, A B, …), so that no member always goes first.
   */
  seed?: number;
}

/**
 * The trials of a group (e.g. base and head of one arm, or every arm of a round) in interpreters
 * that live at once but take turns, one repetition at a time: A's 1st, B's 1st, B's 2nd, A's 2nd, …
 * Only one works at a time, the others wait idle, so a burst of the machine (tens of ms to seconds
 * slower) hits the partners' repetitions nearly alike instead of one trial and not the other, and
 * their per-trial values (the mean of the repetitions) stay paired. Start-up and warm-up all happen
 * before the first turn.
 *
 * One outcome per member, in the group's order, as runTrial gives it. A member that fails (dies,
 * runs past its timeout, writes a failure, breaks the turn protocol) gets its Failure and leaves
 * the turns; the others go on. Each member's timeout counts only its own work: start-up, warm-up,
 * its turns and writing its result, not the time it waits for the others. Each member gets the
 * repetitions of its settings, or fewer once its partners (the same arm on the same CPU: head and
 * base of one arm) stop together (PartnerCap), so that partners keep the same count (a member's own
 * cap would cut it short of its partner's). Other arms go on: a slow arm (threads on tiny tasks,
 * 0.3 s a repetition against serial's 1 ms) must not cut serial's count to its own.
 */
export async function runLockstep(group: readonly LockstepMember[], options: LockstepOptions = {}): Promise<TrialOutcome[]> {
  const started = await startGroup(group);
  const turns = new Turns(started);
  // Every member starts and warms up at once (untimed, on its own clock); the first turn waits
  // for the last to be ready, so that no start-up runs beside a timed repetition.
  await Promise.all(turns.live().map((i) => turns.expect(i, /^ready$/)));

  const cap = new PartnerCap(group.map((member) => member.settings));
  const random = options.seed === undefined ? null : seededRandom(options.seed);
  for (let r = 0; ; r++) {
    const due = turns.live().filter((i) => group[i]!.settings.repetitions > r && (r === 0 || !cap.reached(i, r)));
    if (due.length === 0) break;
    for (const i of turnOrder(group.length, r, random)) {
      if (!due.includes(i)) continue;
      const seconds = await turns.take(i);
      if (seconds !== null) cap.add(i, seconds);
    }
  }
  // Only now: a member whose count is reached waits for the last turn, since writing its result
  // beside a partner's timed repetition would disturb it.
  turns.stopAll();
  const outcomes = await Promise.all(started.map((runner) => (isFailure(runner) ? runner : runner.outcome)));
  return outcomes.map(withSummary);
}

/**
 * The order of a group's turns in repetition `r` (0-based): a seeded shuffle, or forward on even
 * repetitions and reversed on odd ones (ABBA for two members).
 */
export function turnOrder(size: number, r: number, random: (() => number) | null): number[] {
  const forward = Array.from({ length: size }, (_, i) => i);
  if (random !== null) return shuffle(forward, random);
  return r % 2 === 0 ? forward : forward.reverse();
}

/** Every member's runner, or its Failure when it could not start; throws, leaving no one behind,
 *  when one could not even get its temporary files (a full disk?). */
async function startGroup(group: readonly LockstepMember[]): Promise<(RunnerProcess<'trial'> | Failure)[]> {
  const starts = await Promise.allSettled(
    group.map(({ target, workload, settings }) =>
      startRunner(target, 'trial', { ...trialSpec(target, workload, settings), lockstep: true }, workload.timeout, true),
    ),
  );
  const unstarted = starts.find((start) => start.status === 'rejected');
  if (unstarted === undefined) return starts.map((start) => (start as PromiseFulfilledResult<RunnerProcess<'trial'> | Failure>).value);
  const running = starts.flatMap((start) => (start.status === 'fulfilled' && !isFailure(start.value) ? [start.value] : []));
  for (const runner of running) runner.kill(failure('runner', 'Error', 'a partner could not start'));
  await Promise.allSettled(running.map((runner) => runner.outcome));
  throw unstarted.reason;
}

/** The members still taking turns, and the exchange of one turn with one of them. */
class Turns {
  private readonly inTurns = new Set<number>();

  constructor(private readonly runners: readonly (RunnerProcess<'trial'> | Failure)[]) {
    runners.forEach((runner, i) => {
      if (!isFailure(runner)) this.inTurns.add(i);
    });
  }

  live(): number[] {
    return [...this.inTurns];
  }

  /** One repetition of member i: the seconds it timed, or null when it left the turns instead. */
  async take(i: number): Promise<number | null> {
    if (!this.inTurns.has(i)) return null;
    const member = this.runner(i);
    member.runClock();
    member.send('go');
    const line = await this.expect(i, /^done \S+$/);
    if (line === null) return null;
    const seconds = Number(line.slice('done '.length));
    if (seconds >= 0) return seconds;
    this.leave(i, `the runner said ${JSON.stringify(line)}: not a duration`);
    return null;
  }

  /** The member's next line, checked; null (and the member out of the turns) when it has none. */
  async expect(i: number, expected: RegExp): Promise<string | null> {
    const member = this.runner(i);
    const line = await member.nextLine();
    member.pauseClock();
    if (line !== null && expected.test(line)) return line;
    // null: it exited, and its outcome says how. A live one that broke the protocol is killed.
    if (line === null) this.inTurns.delete(i);
    else this.leave(i, `the runner said ${JSON.stringify(line)} where ${expected} was due`);
    return null;
  }

  stopAll(): void {
    for (const i of this.inTurns) {
      this.runner(i).runClock();
      this.runner(i).send('stop');
    }
  }

  private leave(i: number, why: string): void {
    this.inTurns.delete(i);
    this.runner(i).kill(failure('runner', 'LockstepProtocolError', why));
  }

  private runner(i: number): RunnerProcess<'trial'> {
    return this.runners[i] as RunnerProcess<'trial'>;
  }
}

/**
 * When partners (the same arm (model, workers) on the same CPU: head and base of one arm) stop
 * repeating, together so that they keep one count: at REPETITION_SECONDS_CAP timed between them,
 * or at the count `repetitionsFor` gives their slower first repetition, whichever comes first. The
 * experiment plans each arm's count from its earlier rounds (armRepetitions); in an arm's first
 * round it has only the serial pilot's, and threads on tiny tasks (0.23 s a repetition against
 * serial's 1 ms) would time 2 s per trial where two repetitions inform as much per second.
 */
class PartnerCap {
  private readonly timed: number[];
  private readonly first: (number | null)[];
  private readonly partners: number[][];

  constructor(settings: readonly TrialSettings[]) {
    this.timed = settings.map(() => 0);
    this.first = settings.map(() => null);
    const key = (s: TrialSettings) => `${s.model} ${s.workers} ${s.cpu}`;
    this.partners = settings.map((mine) => settings.flatMap((other, j) => (key(other) === key(mine) ? [j] : [])));
  }

  add(i: number, seconds: number): void {
    this.timed[i]! += seconds;
    this.first[i] ??= seconds;
  }

  /** Whether member i, having taken `done` repetitions, starts no more. */
  reached(i: number, done: number): boolean {
    const partners = this.partners[i]!;
    if (Math.max(...partners.map((j) => this.timed[j]!)) >= REPETITION_SECONDS_CAP) return true;
    const firsts = partners.map((j) => this.first[j]).filter((s): s is number => s !== null);
    return firsts.length > 0 && done >= repetitionsFor(Math.max(...firsts));
  }
}
