// The shell around python/gilgate_scan.py: one fresh interpreter per call, a spec file in, a
// result file out, a timeout that kills the interpreter's whole process group (a checked task may
// start a pool). The environment is a trial's: no token, no INPUT_*/ACTIONS_* variables.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { checkSchema, scanFailureSchema, scanSchema, type CheckOutput, type ScanOutput } from '../core/contracts/scan.js';

/** The scanner: beside the bundle (dist/cli/index.js → dist/), or in python/ when running from source. */
export function scanScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'gilgate_scan.py'), join(here, '..', 'gilgate_scan.py'), join(here, '..', '..', 'python', 'gilgate_scan.py')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`gilgate_scan.py not found; looked in: ${candidates.join(', ')}`);
  return found;
}

export class ScanError extends Error {}

interface Invocation {
  python: string;
  cwd: string;
  env: Record<string, string>;
  timeoutSeconds: number;
}

async function invoke(mode: 'scan' | 'check', spec: object, how: Invocation): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'gilgate-scan-'));
  const specPath = join(dir, 'spec.json');
  const resultPath = join(dir, 'result.json');
  try {
    await writeFile(specPath, JSON.stringify(spec));
    const child = execa(how.python, [scanScriptPath(), mode, specPath, resultPath], {
      cwd: how.cwd,
      env: how.env,
      extendEnv: false,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      reject: false,
      timeout: how.timeoutSeconds * 1000,
      killSignal: 'SIGKILL',
    });
    const result = await child;
    // Pool workers a checked task left behind die with the group.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (result.timedOut) return { ok: false, stage: 'timeout', message: `took longer than ${how.timeoutSeconds} s` };
    if (!existsSync(resultPath)) {
      const code = (result as { code?: string }).code;
      if (code === 'ENOENT') throw new ScanError(`cannot start ${how.python}: not found`);
      const tail = String(result.stderr ?? '').trim().split('\n').slice(-3).join(' ');
      return { ok: false, stage: 'crash', message: `the interpreter exited (${result.exitCode ?? result.signal}) without a result${tail ? `: ${tail}` : ''}` };
    }
    return JSON.parse(await readFile(resultPath, 'utf8')) as unknown;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every pool call site in the Python files under `root`. */
export async function scanRepository(root: string, how: Omit<Invocation, 'cwd'>): Promise<ScanOutput> {
  const raw = await invoke('scan', { root }, { ...how, cwd: root });
  const failed = scanFailureSchema.safeParse(raw);
  if (failed.success) throw new ScanError(`the scan failed (${failed.data.stage}): ${failed.data.message}`);
  const parsed = scanSchema.safeParse(raw);
  if (!parsed.success) throw new ScanError(`the scanner's output does not match its contract: ${parsed.error.message}`);
  return parsed.data;
}

/** Import one proposal as the runner would, pickle its function and first task, run that task. */
export async function checkProposal(
  spec: { paths: string[]; run: string; tasks: string | number },
  how: Invocation,
): Promise<CheckOutput> {
  const raw = await invoke('check', spec, how);
  const parsed = checkSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const failed = scanFailureSchema.safeParse(raw);
  if (failed.success) return { ok: false, stage: failed.data.stage, message: failed.data.message, taskCount: null, pickles: null, seconds: null };
  throw new ScanError(`the check's output does not match its contract: ${parsed.error.message}`);
}
