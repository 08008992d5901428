// One hash of everything dist/ is built from. scripts/build.mjs writes it to dist/.source-hash, and
// the tests' global setup (test/setup/global.ts) rebuilds dist/ when the sources no longer match it,
// so an end-to-end test never runs a bundle older than src/. Content, not mtimes: a fresh clone gives
// every file the same mtime.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const INPUTS = ['src', 'python', 'scripts/build.mjs', 'package-lock.json', 'tsconfig.json'];
export const STAMP = 'dist/.source-hash';

/** Hex SHA-256 over the paths and contents of the build's inputs under `root`, in a fixed order. */
export function sourceHash(root) {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => files(root, input)).sort()) {
    if (file.includes('__pycache__') || file.endsWith('.pyc')) continue;
    hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

function files(root, relative) {
  const full = path.join(root, relative);
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full).flatMap((name) => files(root, path.join(relative, name)));
}
