// The lifecycle of one runner interpreter: its temporary files, its process group, its timeout clock,
// its stderr tail and (lockstep trials) its turn channel, fd 3. How a finished runner is read is
// runner-result.ts; the turns themselves are lockstep.ts.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { RunnerMode, RunnerOutputs } from '../core/contracts/runner.js';
import type { Failure } from '../core/types.js';
import type { PythonTarget } from './python.js';
import { failure, isFailure, readRunnerResult } from './runner-result.js';

const STDERR_TAIL_BYTES = 4096;

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

/** A started runner interpreter. */
export interface RunnerProcess<M extends RunnerMode> {
  /** Its parsed result once it has exited (and its files are gone), or its Failure. */
  readonly outcome: Promise<RunnerOutputs[M] | Failure>;
  /** The next line it wrote on the turn channel; null once it has exited. */
  nextLine(): Promise<string | null>;
  /** Write one line to it on the turn channel (lost, silently, when it is gone). */
  send(line: string): void;
  /** Its timeout clock runs from the start; a lockstep member's is paused while the member waits
   *  for its turn, and runs again for good once the interpreter has exited. */
  runClock(): void;
  pauseClock(): void;
  /** Kill its process group; its outcome becomes `reason`. */
  kill(reason: Failure): void;
}

/**
 * Start the runner on a spec; `turns` opens the lockstep turn channel as its fd 3. A Failure when
 * it cannot even start (a missing working directory).
 */
export async function startRunner<M extends RunnerMode>(
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
  const files = await RunnerFiles.write(spec);
  return new RunnerChild(target, mode, files, timeoutSeconds, turns);
}

/** Run the runner once and return its parsed result, or the Failure that says why there is none. */
export async function invokeRunner<M extends RunnerMode>(
  target: PythonTarget,
  mode: M,
  spec: object,
  timeoutSeconds: number,
): Promise<RunnerOutputs[M] | Failure> {
  const runner = await startRunner(target, mode, spec, timeoutSeconds, false);
  return isFailure(runner) ? runner : runner.outcome;
}

class RunnerChild<M extends RunnerMode> implements RunnerProcess<M> {
  readonly outcome: Promise<RunnerOutputs[M] | Failure>;
  private readonly stderr = new StderrTail(STDERR_TAIL_BYTES);
  private readonly lines = new TurnLines();
  private readonly group: ProcessGroup | null;
  private readonly channel: Duplex | undefined;
  private readonly clock: TimeoutClock;
  private timedOut = false;
  private killedFor: Failure | undefined;

  constructor(
    private readonly target: PythonTarget,
    private readonly mode: M,
    private readonly files: RunnerFiles,
    private readonly timeoutSeconds: number,
    turns: boolean,
  ) {
    const subprocess = execa(target.python, [runnerScriptPath(), mode, files.specPath, files.resultPath], {
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
    this.group = subprocess.pid === undefined ? null : new ProcessGroup(subprocess.pid);
    this.channel = turns ? (subprocess.stdio[3] as Duplex | undefined) : undefined;
    this.clock = new TimeoutClock(timeoutSeconds * 1000, () => this.expire(subprocess));
    subprocess.nodeChildProcess.once('exit', () => {
      // Until its streams close, which a descendant that left the group could delay forever.
      this.clock.runForGood();
      // Only the exit ends the lines: forked pool workers hold the channel open too, and its end
      // can arrive before the exit of an interpreter that wrote its result, which must not read as
      // the channel being closed under a live one.
      this.lines.close();
      // Workers orphaned when the interpreter dies hold stderr open, so the subprocess would not
      // settle until the timeout and a crash would read as one. The group dies with its leader.
      this.group?.kill();
    });
    subprocess.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    if (this.channel !== undefined) {
      this.channel.setEncoding('utf8');
      this.channel.on('data', (text: string) => this.lines.push(text));
      // Writing to a member that just died: its exit tells the story.
      this.channel.on('error', () => {});
    }
    this.clock.run();
    this.outcome = this.finish(subprocess);
    // Awaited late (a lockstep group collects outcomes at the end): never an unhandled rejection.
    this.outcome.catch(() => {});
  }

  nextLine(): Promise<string | null> {
    return this.lines.next();
  }

  send(line: string): void {
    if (this.channel !== undefined && this.channel.writable) this.channel.write(`${line}\n`);
  }

  runClock(): void {
    this.clock.run();
  }

  pauseClock(): void {
    this.clock.pause();
  }

  kill(reason: Failure): void {
    this.killedFor ??= reason;
    this.group?.kill();
  }

  private expire(subprocess: ResultPromise): void {
    this.timedOut = true;
    this.group?.kill();
    // A descendant that left the group could still hold a pipe open; stop waiting on it.
    subprocess.stderr?.destroy();
    this.channel?.destroy();
  }

  private async finish(subprocess: ResultPromise): Promise<RunnerOutputs[M] | Failure> {
    try {
      const exit = await subprocess;
      this.clock.stop();
      // An interpreter that never started has no exit event to end the lines.
      this.lines.close();
      // Workers orphaned by a parent that died (os._exit, segfault) would otherwise live on.
      this.group?.release();
      return readRunnerResult({
        mode: this.mode,
        python: this.target.python,
        timeoutSeconds: this.timeoutSeconds,
        exit: {
          code: exit.code,
          signal: exit.signal,
          signalDescription: exit.signalDescription,
          exitCode: exit.exitCode,
          shortMessage: exit.shortMessage,
        },
        timedOut: this.timedOut,
        killedFor: this.killedFor,
        resultText: await this.files.readResult(),
        stderrTail: this.stderr.text(),
      });
    } finally {
      await this.files.remove();
    }
  }
}

/** The runner's spec and result files, in a temporary directory of their own. */
class RunnerFiles {
  private constructor(private readonly directory: string) {}

  static async write(spec: object): Promise<RunnerFiles> {
    const files = new RunnerFiles(await mkdtemp(join(tmpdir(), 'gilgate-')));
    try {
      await writeFile(files.specPath, JSON.stringify(spec));
    } catch (error) {
      await files.remove();
      throw error;
    }
    return files;
  }

  get specPath(): string {
    return join(this.directory, 'spec.json');
  }

  get resultPath(): string {
    return join(this.directory, 'result.json');
  }

  /** The result file's text, or null when the runner wrote none. */
  async readResult(): Promise<string | null> {
    try {
      return await readFile(this.resultPath, 'utf8');
    } catch {
      return null;
    }
  }

  remove(): Promise<void> {
    return rm(this.directory, { recursive: true, force: true });
  }
}

/**
 * A timeout that counts only the time it runs: a lockstep member's work, not its waits for the
 * others. `onExpire` is called once, when the running time reaches the budget.
 */
export class TimeoutClock {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private since = 0;
  /** Paused no more: the interpreter has exited. */
  private forGood = false;
  private stopped = false;

  constructor(
    private remainingMs: number,
    private readonly onExpire: () => void,
  ) {}

  run(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.since = performance.now();
    this.timer = setTimeout(this.onExpire, Math.max(0, this.remainingMs));
  }

  pause(): void {
    if (this.stopped || this.forGood || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs -= performance.now() - this.since;
  }

  runForGood(): void {
    this.forGood = true;
    this.run();
  }

  /** The runner has settled: nothing to time any more. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
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

/** The runner's process group (it is started detached), pool workers included. */
class ProcessGroup {
  // Detached groups are not killed by execa when Node exits; do it ourselves.
  private static readonly live = new Set<number>();
  static {
    process.once('exit', () => {
      for (const id of ProcessGroup.live) killGroup(id);
    });
  }

  constructor(private readonly id: number) {
    ProcessGroup.live.add(id);
  }

  kill(): void {
    killGroup(this.id);
  }

  /** Killed for good (what is left of it), and no longer killed when Node exits. */
  release(): void {
    killGroup(this.id);
    ProcessGroup.live.delete(this.id);
  }
}

function killGroup(id: number): void {
  try {
    process.kill(-id, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

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
