// The interpreters a test needs, by version, found where .ci/run installs them. A missing one is an
// error that names the install command: a test that needs Python 3.14 never passes by skipping.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export type PythonVersion = '3.8' | '3.14' | '3.15' | 'pypy3';

/** Absolute path of the interpreter for `version`; throws, saying how to install it, when it is missing. */
export function requirePython(version: PythonVersion): string {
  const found = locate(version);
  if (found === null) throw new Error(`Python ${version} is required by this test but was not found. ${HOW_TO_INSTALL[version]}`);
  return found;
}

const HOW_TO_INSTALL: Record<PythonVersion, string> = {
  '3.8': 'Install it with pyenv: `pyenv install 3.8` (looked in $PYENV_ROOT/versions/3.8.*/bin/python3.8).',
  '3.14': 'Install it with `../shared/tools/debian-python 3.14 "$HOME/.cache/gilgate-pythons/3.14"` (as .ci/run does).',
  '3.15': 'Install it with `../shared/tools/debian-python 3.15 "$HOME/.cache/gilgate-pythons/3.15"` (as .ci/run does).',
  pypy3: 'Install it with `apt-get install -y pypy3` (as .ci/run does); it must be on PATH.',
};

/** GILGATE_PYTHON_3_14 and friends name the interpreter directly (the GitHub workflow sets them from setup-python). */
export function overrideVariable(version: PythonVersion): string {
  return `GILGATE_PYTHON_${version.replace(/\W/g, '_').toUpperCase()}`;
}

function locate(version: PythonVersion): string | null {
  const given = process.env[overrideVariable(version)];
  if (given) return runs(given) ? given : null;
  if (version === '3.14' || version === '3.15') {
    const candidate = path.join(homedir(), '.cache', 'gilgate-pythons', version, 'bin', `python${version}`);
    return runs(candidate) ? candidate : null;
  }
  if (version === '3.8') {
    const root = process.env['PYENV_ROOT'] || path.join(homedir(), '.pyenv');
    const versions = path.join(root, 'versions');
    if (!existsSync(versions)) return null;
    const installed = readVersions(versions).filter((name) => /^3\.8\.\d+$/.test(name));
    installed.sort((a, b) => Number(b.split('.')[2]) - Number(a.split('.')[2]));
    const candidate = installed.map((name) => path.join(versions, name, 'bin', 'python3.8')).find(runs);
    return candidate ?? null;
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'pypy3');
    if (dir !== '' && runs(candidate)) return candidate;
  }
  return null;
}

function readVersions(dir: string): string[] {
  return readdirSync(dir);
}

/** Present and able to start: a broken unpack or a dangling link is as missing as no file. */
function runs(candidate: string): boolean {
  if (!existsSync(candidate)) return false;
  try {
    execFileSync(candidate, ['-c', 'pass'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}
