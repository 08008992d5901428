// The shell around python/gilgate_runner.py: one fresh interpreter per call, a spec file in, a
// result file out. Workload output never travels with results: stdout goes to /dev/null and only
// the last few KB of stderr are kept, for context when something fails. Lockstep trials (several
// interpreters taking turns repetition by repetition) also talk over a private socket, fd 3.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { seededRandom, shuffle } from '../core/plan.js';
import { trialValue } from '../core/repetitions.js';
import { parseRunnerOutput, RunnerOutputError, type RunnerMode, type RunnerOutputs } from '../core/contracts/runner.js';
import type {
  Failure,
  FailureKind,
  MachineProbe,
  Model,
  PythonEnvironment,
  RepetitionValues,
  TrialMeasurement,
  TrialOutcome,
  WorkloadConfig,
  WorkloadProbe,
} from '../core/types.js';

/**
 * Where and how to start the interpreter for one side (head or base) of a run.
 *
 * The interpreter is resolved once: callers run probeEnvironment with the configured command
 * (e.g. "python3", possibly a slow pyenv shim), then use its `environment.executable` as
 * `python` for every later call (machine, probe, trial). A PATH lookup or shim per trial would
 * add its start-up to every trial and could pick another interpreter mid-run.
 */
export interface PythonTarget {
  /** Interpreter command: the configured one for probeEnvironment, then `executable`. */
  python: string;
  /** Working directory of the interpreter (the checkout being measured). */
  cwd: string;
  /** Absolute paths put first on sys.path. */
  paths: string[];
  /** The side's tree first (the repository root, or base's worktree), then other trees whose
   *  files count as the repository's (base: head's): where provenance looks for the project's code. */
  roots?: string[];
  /** The whole environment of the interpreter (see trialEnvironment); nothing else is inherited. */
  env: Record<string, string>;
}

const STDERR_TAIL_BYTES = 4096;
/** Describing the interpreter or the machine imports nothing of the user's: a minute is generous. */
const ENVIRONMENT_TIMEOUT_SECONDS = 60;

/**
 * The runner script: beside the bundle (dist/index.js → dist/, dist/cli/index.js → dist/), or in
 * python/ when running from source (src/runner or lib/runner).
 */
export function runnerScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'gilgate_runner.py'),
    join(here, '..', 'gilgate_runner.py'),
    join(here, '..', '..', 'python', 'gilgate_runner.py'),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(`gilgate_runner.py not found; looked in: ${candidates.join(', ')}`);
  }
  return found;
}

/** The one test for a runner Failure (ok: false) among runner results. */
export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/** Describe the interpreter: version, cores and CPU ids, GIL, start methods, interpreters. */
export async function probeEnvironment(target: PythonTarget): Promise<PythonEnvironment | Failure> {
  return invokeRunner(target, 'environment', {}, ENVIRONMENT_TIMEOUT_SECONDS);
}

/**
 * Measure the machine: each usable CPU's speed (a pinned loop) and, for each N in `workers`, the
 * capacity of N unpinned processes against one. About half a second on 2 CPUs.
 */
export async function probeMachine(
  target: PythonTarget,
  workers: readonly number[],
): Promise<MachineProbe | Failure> {
  return invokeRunner(target, 'machine', { workers }, ENVIRONMENT_TIMEOUT_SECONDS);
}

/**
 * Import the workload, count its tasks, time one serial pass, check processes (with
 * `startMethod`, null = the interpreter's default) and spawn, and interpreters; report whether
 * the import turned the GIL back on.
 */
export async function probeWorkload(
  target: PythonTarget,
  workload: WorkloadConfig,
  startMethod: string | null = null,
): Promise<WorkloadProbe | Failure> {
  const spec = { paths: target.paths, roots: target.roots ?? [target.cwd], run: workload.run, tasks: workload.tasks, startMethod };
  return invokeRunner(target, 'probe', spec, workload.timeout);
}

/** How one trial runs: which arm, where, how many times. */
export interface TrialSettings {
  model: Model | 'interpreters';
  workers: number;
  /** Pin the interpreter to this CPU before importing the workload; null leaves affinity alone
   *  (always null for pools: they get every usable CPU). */
  cpu: number | null;
  /** Timed repetitions after the untimed warm-up call, ≥ 1. */
  repetitions: number;
  /** multiprocessing start method for processes; null = the interpreter's default. */
  startMethod: string | null;
}

/** The runner's trial result, before the per-trial summary values are added. */
type RunnerMeasurement = Omit<TrialMeasurement, 'wallSeconds' | 'steadySeconds' | 'startupSeconds' | 'cpuSeconds'>;

/** One trial of one arm in a fresh interpreter: a warm-up call, then the timed repetitions. */
export async function runTrial(
  target: PythonTarget,
  workload: WorkloadConfig,
  settings: TrialSettings,
): Promise<TrialOutcome> {
  const outcome = await invokeRunner(target, 'trial', trialSpec(target, workload, settings), workload.timeout);
  return withSummary(outcome);
}

/** The runner's spec for one trial; throws on settings no trial can run with. */
function trialSpec(target: PythonTarget, workload: WorkloadConfig, settings: TrialSettings) {
  if (!Number.isInteger(settings.repetitions) || settings.repetitions < 1) {
    throw new Error(`repetitions must be an integer ≥ 1, got ${settings.repetitions}`);
  }
  if (settings.model !== 'serial' && settings.cpu !== null) {
    // Workers inherit the parent's affinity: a pinned pool would measure one CPU.
    throw new Error(`a ${settings.model} trial cannot be pinned to a CPU (cpu must be null)`);
  }
  return {
    paths: target.paths,
    roots: target.roots ?? [target.cwd],
    run: workload.run,
    tasks: workload.tasks,
    model: settings.model,
    workers: settings.workers,
    cpu: settings.cpu,
    repetitions: settings.repetitions,
    startMethod: settings.startMethod,
  };
}

function withSummary(outcome: RunnerMeasurement | Failure): TrialOutcome {
  if (isFailure(outcome)) return outcome;
  return { ...outcome, ...summarize(outcome.repetitions) };
}

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
 * The runner's REPETITION_SECONDS_CAP (python/gilgate_runner.py), applied to partners together:
 * members of a group that run the same arm on the same CPU (head and base of one arm) start no new
 * repetition once either has timed this much, so they keep the same count (a member's own cap
 * would cut it short of its partner's). Other arms go on: a slow arm (threads on tiny tasks,
 * 0.3 s a repetition against serial's 1 ms) must not cut serial's count to its own.
 */
export const LOCKSTEP_SECONDS_CAP = 2.0;

/**
 * The trials of a group (e.g. base and head of one arm, or every arm of a round) in interpreters
 * that live at once but take turns, one repetition at a time: A's 1st, B's 1st, B's 2nd, A's 2nd, …
 * Only one works at a time, the others wait idle, so a burst of the machine (tens of ms to seconds
 * slower) hits the partners' repetitions nearly alike instead of one trial and not the other, and
 * their per-trial values (the mean of the repetitions) stay paired. Start-up and warm-up all happen before the first turn.
 *
 * One outcome per member, in the group's order, as runTrial gives it. A member that fails (dies,
 * runs past its timeout, writes a failure, breaks the turn protocol) gets its Failure and leaves
 * the turns; the others go on. Each member's timeout counts only its own work: start-up, warm-up,
 * its turns and writing its result, not the time it waits for the others. Each member gets the
 * repetitions of its settings, or fewer when it or a partner reaches LOCKSTEP_SECONDS_CAP.
 */
export async function runLockstep(
  group: readonly LockstepMember[],
  options: LockstepOptions = {},
): Promise<TrialOutcome[]> {
  const specs = group.map(({ target, workload, settings }) => ({ ...trialSpec(target, workload, settings), lockstep: true }));
  const starts = await Promise.allSettled(
    group.map(({ target, workload }, i) => startRunner(target, 'trial', specs[i]!, workload.timeout, true)),
  );
  const unstarted = starts.find((start) => start.status === 'rejected');
  if (unstarted !== undefined) {
    // No temporary directory for one of them (a full disk?): nothing was measured, leave no one behind.
    const started = starts.flatMap((start) => (start.status === 'fulfilled' && !isFailure(start.value) ? [start.value] : []));
    for (const runner of started) runner.kill(failure('runner', 'Error', 'a partner could not start'));
    await Promise.allSettled(started.map((runner) => runner.outcome));
    throw unstarted.reason;
  }
  const runners = starts.map((start) => (start as PromiseFulfilledResult<RunnerProcess<'trial'> | Failure>).value);
  const live = new Set<number>();
  runners.forEach((runner, i) => {
    if (!isFailure(runner)) live.add(i);
  });
  const runner = (i: number) => runners[i] as RunnerProcess<'trial'>;

  /** The member's next line, checked; null (and the member out of the turns) when it has none. */
  const expectLine = async (i: number, expected: RegExp): Promise<string | null> => {
    const member = runner(i);
    const line = await member.nextLine();
    member.clock(false);
    if (line !== null && expected.test(line)) return line;
    live.delete(i);
    // null: it exited, and its outcome says how. A live one that broke the protocol is killed.
    if (line !== null) {
      member.kill(failure('runner', 'LockstepProtocolError', `the runner said ${JSON.stringify(line)} where ${expected} was due`));
    }
    return null;
  };

  // Every member starts and warms up at once (untimed, on its own clock); the first turn waits
  // for the last to be ready, so that no start-up runs beside a timed repetition.
  await Promise.all([...live].map((i) => expectLine(i, /^ready$/)));

  const timed = group.map(() => 0);
  const partnersOf = (i: number) => {
    const { model, workers, cpu } = group[i]!.settings;
    return group.flatMap((other, j) => (other.settings.model === model && other.settings.workers === workers && other.settings.cpu === cpu ? [j] : []));
  };
  const partners = group.map((_, i) => partnersOf(i));
  const capped = (i: number) => Math.max(...partners[i]!.map((j) => timed[j]!)) >= LOCKSTEP_SECONDS_CAP;
  const random = options.seed === undefined ? null : seededRandom(options.seed);
  for (let r = 0; ; r++) {
    const due = [...live].filter((i) => group[i]!.settings.repetitions > r && (r === 0 || !capped(i)));
    if (due.length === 0) break;
    for (const i of turnOrder(group.length, r, random)) {
      if (!due.includes(i) || !live.has(i)) continue;
      const member = runner(i);
      member.clock(true);
      member.send('go');
      const line = await expectLine(i, /^done \S+$/);
      const seconds = line === null ? NaN : Number(line.slice('done '.length));
      if (line !== null && !(seconds >= 0)) {
        live.delete(i);
        member.kill(failure('runner', 'LockstepProtocolError', `the runner said ${JSON.stringify(line)}: not a duration`));
      }
      if (live.has(i)) timed[i]! += seconds;
    }
  }
  // Only now: a member whose count is reached waits for the last turn, since writing its result
  // beside a partner's timed repetition would disturb it.
  for (const i of live) {
    runner(i).clock(true);
    runner(i).send('stop');
  }
  const outcomes = await Promise.all(runners.map((started) => (isFailure(started) ? started : started.outcome)));
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

/** Each measure's per-trial value over the repetitions (the estimator lives in trialValue). */
function summarize(repetitions: readonly RepetitionValues[]): RepetitionValues {
  return {
    wallSeconds: trialValue(repetitions.map((r) => r.wallSeconds)),
    steadySeconds: trialValue(repetitions.map((r) => r.steadySeconds)),
    startupSeconds: trialValue(repetitions.map((r) => r.startupSeconds)),
    cpuSeconds: trialValue(repetitions.map((r) => r.cpuSeconds)),
  };
}

function failure(kind: FailureKind, type: string, message: string, stderrTail = ''): Failure {
  return { ok: false, kind, type, message, traceback: '', stderrTail };
}

/**
 * Run the runner once and return its parsed result, or a Failure when the interpreter could not
 * start, ran out of time, or died without writing a result.
 */
async function invokeRunner<M extends RunnerMode>(
  target: PythonTarget,
  mode: M,
  spec: object,
  timeoutSeconds: number,
): Promise<RunnerOutputs[M] | Failure> {
  const runner = await startRunner(target, mode, spec, timeoutSeconds, false);
  return isFailure(runner) ? runner : runner.outcome;
}

/** A started runner interpreter. */
interface RunnerProcess<M extends RunnerMode> {
  /** Its parsed result once it has exited (and its files are gone), or its Failure. */
  outcome: Promise<RunnerOutputs[M] | Failure>;
  /** The next line it wrote on the turn channel; null once it has exited. */
  nextLine(): Promise<string | null>;
  /** Write one line to it on the turn channel (lost, silently, when it is gone). */
  send(line: string): void;
  /** Run or stop its timeout clock. It runs from the start; a lockstep member's stops while the
   *  member waits for its turn, and runs again for good once the interpreter has exited. */
  clock(running: boolean): void;
  /** Kill its process group; its outcome becomes `reason`. */
  kill(reason: Failure): void;
}

/**
 * Start the runner on a spec; `turns` opens the lockstep turn channel as its fd 3. A Failure when
 * it cannot even start (a missing working directory).
 */
async function startRunner<M extends RunnerMode>(
  target: PythonTarget,
  mode: M,
  spec: object,
  timeoutSeconds: number,
  turns: boolean,
): Promise<RunnerProcess<M> | Failure> {
  if (!existsSync(target.cwd)) {
    // Node reports a missing cwd as ENOENT too; keep it from reading as a missing interpreter.
    return failure('runner', 'Error', `working directory ${target.cwd} does not exist`);
  }
  const workDirectory = await mkdtemp(join(tmpdir(), 'gilgate-'));
  const specPath = join(workDirectory, 'spec.json');
  const resultPath = join(workDirectory, 'result.json');
  try {
    await writeFile(specPath, JSON.stringify(spec));
  } catch (error) {
    await rm(workDirectory, { recursive: true, force: true });
    throw error;
  }

  const stderr = new StderrTail(STDERR_TAIL_BYTES);
  const subprocess = execa(target.python, [runnerScriptPath(), mode, specPath, resultPath], {
    cwd: target.cwd,
    env: target.env,
    extendEnv: false,
    // stdin, stdout, stderr; then the turn channel, a socket both ways.
    stdio: turns ? ['ignore', 'ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'],
    buffer: false,
    // Its own process group, so that pool workers can be killed with it.
    detached: true,
    reject: false,
  });
  const group = subprocess.pid;
  let exited = false;
  let settled = false;
  const lines = new TurnLines();
  subprocess.nodeChildProcess.once('exit', () => {
    exited = true;
    // Until its streams close, which a descendant that left the group could delay forever.
    clock(true);
    // Only the exit ends the lines: forked pool workers hold the channel open too, and its end
    // can arrive before the exit of an interpreter that wrote its result, which must not read as
    // the channel being closed under a live one.
    lines.close();
  });
  if (group !== undefined) {
    liveGroups.add(group);
    // Workers orphaned when the interpreter dies hold stderr open, so the subprocess would not
    // settle until the timeout and a crash would read as one. The group dies with its leader.
    subprocess.nodeChildProcess.once('exit', () => killGroup(group));
  }
  subprocess.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const channel = turns ? (subprocess.stdio[3] as Duplex | undefined) : undefined;
  if (channel !== undefined) {
    channel.setEncoding('utf8');
    channel.on('data', (text: string) => lines.push(text));
    // Writing to a member that just died: its exit tells the story.
    channel.on('error', () => {});
  }

  let timedOut = false;
  let reason: Failure | undefined;
  let budgetMs = timeoutSeconds * 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let since = 0;
  const clock = (running: boolean) => {
    if (settled) return;
    if (exited) running = true;
    if (running === (timer !== undefined)) return;
    if (running) {
      since = performance.now();
      timer = setTimeout(() => {
        timedOut = true;
        if (group !== undefined) killGroup(group);
        // A descendant that left the group could still hold a pipe open; stop waiting on it.
        subprocess.stderr?.destroy();
        channel?.destroy();
      }, Math.max(0, budgetMs));
    } else {
      clearTimeout(timer);
      timer = undefined;
      budgetMs -= performance.now() - since;
    }
  };
  clock(true);

  const outcome = (async (): Promise<RunnerOutputs[M] | Failure> => {
    try {
      const result = await subprocess;
      settled = true;
      clearTimeout(timer);
      // An interpreter that never started has no exit event to end the lines.
      lines.close();
      if (group !== undefined) {
        // Workers orphaned by a parent that died (os._exit, segfault) would otherwise live on.
        killGroup(group);
        liveGroups.delete(group);
      }

      if (result.code === 'ENOENT' || result.code === 'EACCES') {
        return failure(
          'python-missing',
          result.code,
          `Python interpreter "${target.python}" could not be started (${result.code}); ` +
            `set \`python:\` in the config to an installed interpreter`,
        );
      }
      if (timedOut) {
        return failure(
          'timeout',
          'Timeout',
          `${mode} ran past the ${timeoutSeconds} s timeout; its whole process tree was killed`,
          stderr.text(),
        );
      }
      if (reason !== undefined) return { ...reason, stderrTail: stderr.text() };

      let text: string;
      try {
        text = await readFile(resultPath, 'utf8');
      } catch {
        const how =
          result.signal !== undefined
            ? `was killed by ${result.signal}${result.signalDescription ? ` (${result.signalDescription})` : ''}`
            : result.exitCode !== undefined
              ? `exited with code ${result.exitCode}`
              : `failed: ${result.shortMessage}`;
        return failure(
          'crash',
          result.signal ?? 'Exit',
          `the Python interpreter ${how} without writing a result`,
          stderr.text(),
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        return failure('runner', 'SyntaxError', `unreadable runner result: ${String(error)}`, stderr.text());
      }
      // Validated against the runner's contract (src/core/contracts/runner.ts), never cast: a
      // mismatch is a gilgate bug, reported as the runner failing with the fields named.
      let output: RunnerOutputs[M] | Failure;
      try {
        output = parseRunnerOutput(mode, parsed);
      } catch (error) {
        if (error instanceof RunnerOutputError) return failure('runner', error.name, error.message, stderr.text());
        throw error;
      }
      if (isFailure(output)) return { ...output, stderrTail: stderr.text() };
      return output;
    } finally {
      await rm(workDirectory, { recursive: true, force: true });
    }
  })();

  // Awaited late (a lockstep group collects outcomes at the end): never an unhandled rejection.
  outcome.catch(() => {});
  return {
    outcome,
    nextLine: () => lines.next(),
    send: (line) => {
      if (channel !== undefined && channel.writable) channel.write(`${line}\n`);
    },
    clock,
    kill: (failure) => {
      reason ??= failure;
      if (group !== undefined) killGroup(group);
    },
  };
}

/** Lines read from a turn channel, handed out one per request, in order. */
class TurnLines {
  private partial = '';
  private readonly ready: string[] = [];
  private readonly waiting: ((line: string | null) => void)[] = [];
  private closed = false;

  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) {
      const waiter = this.waiting.shift();
      if (waiter !== undefined) waiter(line);
      else this.ready.push(line);
    }
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(null);
  }

  next(): Promise<string | null> {
    const line = this.ready.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

// Detached groups are not killed by execa when Node exits; do it ourselves.
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const group of liveGroups) killGroup(group);
});

/** The last `limit` bytes of a stream, however much passes through it. */
class StderrTail {
  private tail = Buffer.alloc(0);
  private truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const joined = chunk.length >= this.limit ? chunk : Buffer.concat([this.tail, chunk]);
    if (joined.length > this.limit) this.truncated = true;
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.limit)));
  }

  /** The tail as text, starting at a line boundary when earlier output was dropped. */
  text(): string {
    const text = this.tail.toString('utf8');
    if (!this.truncated) return text;
    const newline = text.indexOf('\n');
    return newline >= 0 && newline < text.length - 1 ? text.slice(newline + 1) : text;
  }
}
