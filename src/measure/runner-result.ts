// The pure reading of a finished runner: how it ended (exit, timeout, a kill with a reason), what it
// left in its result file, and whether that is valid JSON matching the runner's contract, turned into
// its output or one Failure. No process, no file: runner-process.ts gathers these facts and asks.

import { parseRunnerOutput, RunnerOutputError, type RunnerMode, type RunnerOutputs } from '../core/contracts/runner.js';
import type { Failure, FailureKind } from '../core/types.js';

/** The one test for a runner Failure (ok: false) among runner results. */
export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

export function failure(kind: FailureKind, type: string, message: string, stderrTail = ''): Failure {
  return { ok: false, kind, type, message, traceback: '', stderrTail };
}

/** How the interpreter's process ended, as execa reports it. */
export interface RunnerExit {
  /** 'ENOENT' or 'EACCES' when the interpreter could not be started at all. */
  code?: string | undefined;
  signal?: string | undefined;
  signalDescription?: string | undefined;
  exitCode?: number | undefined;
  shortMessage?: string | undefined;
}

/** Everything known about a runner once its process is gone. */
export interface FinishedRunner<M extends RunnerMode> {
  mode: M;
  /** The interpreter command, for the message when it could not start. */
  python: string;
  timeoutSeconds: number;
  exit: RunnerExit;
  /** Its timeout clock ran out and its process group was killed. */
  timedOut: boolean;
  /** Why gilgate killed it (a partner could not start, it broke the turn protocol), if it did. */
  killedFor: Failure | undefined;
  /** The result file's text; null when there was none. */
  resultText: string | null;
  /** The last few KB of its stderr. */
  stderrTail: string;
}

/** The runner's output, or the Failure that says why there is none; the first reason wins. */
export function readRunnerResult<M extends RunnerMode>(finished: FinishedRunner<M>): RunnerOutputs[M] | Failure {
  const { exit, stderrTail } = finished;
  if (exit.code === 'ENOENT' || exit.code === 'EACCES') {
    return failure(
      'python-missing',
      exit.code,
      `Python interpreter "${finished.python}" could not be started (${exit.code}); ` +
        `set \`python:\` in the config to an installed interpreter`,
    );
  }
  if (finished.timedOut) {
    return failure(
      'timeout',
      'Timeout',
      `${finished.mode} ran past the ${finished.timeoutSeconds} s timeout; its whole process tree was killed`,
      stderrTail,
    );
  }
  if (finished.killedFor !== undefined) return { ...finished.killedFor, stderrTail };
  if (finished.resultText === null) {
    return failure('crash', exit.signal ?? 'Exit', `the Python interpreter ${howItEnded(exit)} without writing a result`, stderrTail);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(finished.resultText);
  } catch (error) {
    return failure('runner', 'SyntaxError', `unreadable runner result: ${String(error)}`, stderrTail);
  }
  // Validated against the runner's contract (src/core/contracts/runner.ts), never cast: a
  // mismatch is a gilgate bug, reported as the runner failing with the fields named.
  let output: RunnerOutputs[M] | Failure;
  try {
    output = parseRunnerOutput(finished.mode, parsed);
  } catch (error) {
    if (error instanceof RunnerOutputError) return failure('runner', error.name, error.message, stderrTail);
    throw error;
  }
  return isFailure(output) ? { ...output, stderrTail } : output;
}

function howItEnded(exit: RunnerExit): string {
  if (exit.signal !== undefined) return `was killed by ${exit.signal}${exit.signalDescription ? ` (${exit.signalDescription})` : ''}`;
  if (exit.exitCode !== undefined) return `exited with code ${exit.exitCode}`;
  return `failed: ${exit.shortMessage}`;
}
