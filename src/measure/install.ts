// A side's own environment: a virtual environment made from the configured interpreter (its
// system site-packages visible, so that dependencies installed for the job serve both sides), in
// which the config's `install:` command runs in the side's tree. Each side's trials then run that
// environment's interpreter, so base imports base's build and head imports head's.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { UsageError } from './usage-error.js';
import type { Side } from '../core/types.js';

export interface SideEnvironment {
  /** The virtual environment's directory. */
  venv: string;
  /** Its interpreter: what every probe and trial of the side runs. */
  python: string;
  /** Seconds the environment and the install took. */
  seconds: number;
  remove(): Promise<void>;
}

/** The last lines of what the install printed, for the error message. */
const TAIL_LINES = 15;

/**
 * Make the side's environment from `executable` (an interpreter's sys.executable) and run
 * `command` with `sh -c` in `tree` inside it. Its output goes to `log` as it comes; a failure is a
 * UsageError naming the side and the command, with the last lines it printed.
 */
export async function prepareEnvironment(options: {
  side: Side;
  commit: string | null;
  executable: string;
  tree: string;
  command: string;
  env: Record<string, string>;
  log: (text: string) => void;
}): Promise<SideEnvironment> {
  const { side, executable, tree, command, env, log } = options;
  const started = performance.now();
  const venv = await mkdtemp(join(tmpdir(), `gilgate-venv-${side}-`));
  const remove = () => rm(venv, { recursive: true, force: true });
  const where = `${side}${options.commit ? ` (${options.commit.slice(0, 12)})` : ''}`;
  try {
    // A venv of its own gets pip from ensurepip, about 10 s per environment; when the interpreter
    // already has pip (visible through --system-site-packages), `python -m pip` from inside the
    // venv installs into the venv, and a `pip` script in its bin/ makes the plain command do so.
    const hasPip = !(await execa(executable, ['-c', 'import pip'], { env, extendEnv: false, reject: false, stdin: 'ignore' })).failed;
    const venvArgs = ['-m', 'venv', '--system-site-packages', ...(hasPip ? ['--without-pip'] : []), venv];
    log(`gilgate: ${where}: ${executable} ${venvArgs.join(' ')}\n`);
    const made = await execa(executable, venvArgs, { env, extendEnv: false, reject: false, all: true, stdin: 'ignore' });
    if (made.failed) {
      throw new UsageError(`could not make ${where}'s virtual environment with ${executable} -m venv: ${String(made.all ?? made.shortMessage).trim().split('\n').slice(-TAIL_LINES).join('\n')}`);
    }
    const bin = join(venv, 'bin');
    if (hasPip) {
      for (const name of ['pip', 'pip3']) {
        await writeFile(join(bin, name), `#!/bin/sh\nexec "${join(bin, 'python')}" -m pip "$@"\n`, { mode: 0o755 });
      }
    }
    const installEnv = {
      ...env,
      VIRTUAL_ENV: venv,
      PATH: `${bin}:${env.PATH ?? ''}`,
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      PIP_NO_INPUT: '1',
    };
    log(`gilgate: ${where}: install: ${command} (in ${tree})\n`);
    const tail: string[] = [];
    const child = execa('sh', ['-c', command], { cwd: tree, env: installEnv, extendEnv: false, reject: false, stdin: 'ignore', all: true, buffer: false });
    child.all?.setEncoding('utf8');
    child.all?.on('data', (text: string) => {
      log(text);
      tail.push(...text.split('\n'));
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES - 1));
    });
    const result = await child;
    if (result.failed) {
      const how = result.exitCode !== undefined ? `exit code ${result.exitCode}` : result.shortMessage;
      throw new UsageError(`install: \`${command}\` failed for ${where} in ${tree} (${how}):\n${tail.join('\n').trim()}`);
    }
    const seconds = (performance.now() - started) / 1000;
    log(`gilgate: ${where}: environment and install took ${seconds.toFixed(1)} s\n`);
    return { venv, python: join(bin, 'python'), seconds, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
