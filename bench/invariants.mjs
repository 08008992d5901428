// Check the invariants (src/core/invariants.ts) over every results file under the given paths
// (files or folders, walked recursively; default: the repository and the system's temp folder),
// and print each violation with the file and the figure. Exit 1 when any file breaks one.
// Files that are not gilgate results (package.json, runner specs, truth tables) are skipped.
//
// Run: npx tsc -p tsconfig.json && node_modules/.bin/node bench/invariants.mjs [PATH...]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkInvariants } from '../lib/core/invariants.js';
import { loadResults } from '../lib/measure/run.js';

const root = path.resolve(import.meta.dirname, '..');
const roots = process.argv.length > 2 ? process.argv.slice(2) : [root, tmpdir()];
const SKIP = new Set(['node_modules', '.git', 'lib', 'dist']);

function* jsonFiles(entry) {
  let stat;
  try {
    stat = statSync(entry);
  } catch {
    return;
  }
  if (stat.isFile()) {
    if (entry.endsWith('.json')) yield entry;
    return;
  }
  if (!stat.isDirectory()) return;
  let names;
  try {
    names = readdirSync(entry);
  } catch {
    return;
  }
  for (const name of names) if (!SKIP.has(name)) yield* jsonFiles(path.join(entry, name));
}

let files = 0;
let violations = 0;
for (const start of roots) {
  for (const file of jsonFiles(path.resolve(start))) {
    let raw;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (!raw || typeof raw !== 'object' || !('schemaVersion' in raw) || !Array.isArray(raw.workloads)) continue;
    let results;
    try {
      results = loadResults(raw);
    } catch (error) {
      console.log(`${file}: not a readable results file (${error.message.split('\n')[0]})`);
      continue;
    }
    files += 1;
    const found = checkInvariants(results);
    violations += found.length;
    for (const v of found) console.log(`${file}: [${v.rule}] ${v.figure}: ${v.detail}`);
  }
}
console.log(`${files} results file${files === 1 ? '' : 's'} checked: ${violations} violation${violations === 1 ? '' : 's'}`);
process.exitCode = violations > 0 ? 1 : 0;
