// One job step as a GitHub runner runs it, for the end-to-end tests of the bundled action: the files
// a runner hands a step (the event payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP), the
// variables every runner sets, and `node dist/index.js` with exactly the environment the test builds
// on top of them. The tests differ only in what they add (repository, API server, token, inputs).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunnerFiles {
  event: string;
  output: string;
  summary: string;
  temp: string;
}

/** The step's files under `dir`: the payload written, output and summary empty, RUNNER_TEMP made. */
export function runnerFiles(dir: string, payload: unknown): RunnerFiles {
  const files = { event: join(dir, 'event.json'), output: join(dir, 'output'), summary: join(dir, 'summary.md'), temp: join(dir, 'temp') };
  mkdirSync(files.temp);
  writeFileSync(files.event, JSON.stringify(payload));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  return files;
}

/** What every runner sets for a step of `eventName` (HOME falls back to `home`); callers add the rest. */
export function runnerEnvironment(eventName: string, files: RunnerFiles, home: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: files.temp,
    // The API client's retry back-off, shortened so that a test of a transient 502 stays quick.
    GILGATE_RETRY_BASE_MS: '5',
  };
}

export interface StepRun {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs the bundle `action` in `cwd` with exactly `env`, as the runner runs a `node24` action. */
export async function runStep(action: string, cwd: string, env: Record<string, string>, files: RunnerFiles): Promise<StepRun> {
  const child = spawn(process.execPath, [action], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout, outputs: parseOutputs(readFileSync(files.output, 'utf8')), summary: readFileSync(files.summary, 'utf8') };
}

/** GITHUB_OUTPUT holds `name<<delimiter\nvalue\ndelimiter` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1]!] = match[3]!;
  return outputs;
}
