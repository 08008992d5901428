// The interpreters a test needs, by version, found where scripts/provision.sh puts them (`npm test`
// runs it first, from test/setup/global.ts). A missing one is an error that names the command: a
// test that needs Python 3.14 never passes by skipping.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export type PythonVersion = '3.8' | '3.14' | '3.15' | 'pypy3';

/** Absolute path of the interpreter for `version`; throws, saying how to provide it, when it is missing. */
export function requirePython(version: PythonVersion): string {
  const found = locate(version);
  if (found === null) {
    throw new Error(
      `Python ${version} is required by this test but was not found in ${pythonsCache()}. ` +
        `Run \`bash scripts/provision.sh ${version}\`: it provides it or says what to install ` +
        `(or set ${overrideVariable(version)} to an interpreter).`,
    );
  }
  return found;
}

/** Where scripts/provision.sh caches interpreters (the same default as the script's). */
export function pythonsCache(): string {
  return process.env['GILGATE_PYTHONS_DIR'] || path.join(homedir(), '.cache', 'gilgate-pythons');
}

/** GILGATE_PYTHON_3_14 and friends name the interpreter directly (the GitHub workflow sets them from setup-python). */
export function overrideVariable(version: PythonVersion): string {
  return `GILGATE_PYTHON_${version.replace(/\W/g, '_').toUpperCase()}`;
}

function locate(version: PythonVersion): string | null {
  const given = process.env[overrideVariable(version)];
  if (given) return runs(given) ? given : null;
  const name = version === 'pypy3' ? 'pypy3' : `python${version}`;
  const candidate = path.join(pythonsCache(), version, 'bin', name);
  return runs(candidate) ? candidate : null;
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
