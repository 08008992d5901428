// Finding and reading matrix legs' results files, then merging them (src/core/merge.ts). The shell
// part of `gilgate merge` and the action's `merge:` input: folders, globs and plain files in, one
// Results out. Artifacts come from other jobs (possibly fork PR code): each file is checked before use.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readResults, ResultsFileError } from '../core/contracts/results.js';
import { rejudge } from '../core/experiment.js';
import { mergeLegs, MergeError, type Leg, type MergedResults } from '../core/merge.js';
import type { Results } from '../core/types.js';
import { WORDS } from '../report/explain.js';

/**
 * How merged legs are judged: the engine's own `rejudge` (src/core/experiment.ts) rebuilds the one
 * experiment from every leg's values and calls finish, so Holm runs across every workload and the
 * merged table is what one unsharded run of the same values gives.
 */
export const REJUDGE: (results: Results) => Results = (results) => rejudge(results, WORDS);

/**
 * Results files named by `specs`, relative to `cwd`: a file; a folder (every *.json below it, as
 * actions/download-artifact lays out one folder per artifact); or a glob (`*`, `?`, `**`).
 * Sorted, without duplicates. A spec that matches nothing is an error naming it.
 */
export function findResultsFiles(cwd: string, specs: readonly string[]): string[] {
  const found = new Set<string>();
  for (const spec of specs) {
    const before = found.size;
    const absolute = path.resolve(cwd, spec);
    if (!/[*?[]/.test(spec)) {
      if (!existsSync(absolute)) throw new MergeError(`merge: ${spec} does not exist`);
      if (statSync(absolute).isDirectory()) {
        for (const file of walk(absolute)) if (file.endsWith('.json')) found.add(file);
      } else {
        found.add(absolute);
      }
    } else {
      const { root, pattern } = splitGlob(absolute);
      if (existsSync(root)) {
        for (const file of walk(root)) if (pattern.test(path.relative(root, file).split(path.sep).join('/'))) found.add(file);
      }
    }
    if (found.size === before) throw new MergeError(`merge: ${spec} matches no results file (resolved from ${cwd})`);
  }
  return [...found].sort();
}

export function readLeg(file: string, cwd: string): Leg {
  const name = path.relative(cwd, file) || file;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MergeError(`merge: ${name} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return { file: name, results: readResults(parsed) };
  } catch (error) {
    if (error instanceof ResultsFileError) throw new MergeError(`merge: ${name}: ${error.message}`);
    throw error;
  }
}

/** Find, read and merge: one Results for one table, one comment and one gate. */
export function mergeResultsFiles(cwd: string, specs: readonly string[], rejudge = REJUDGE): MergedResults {
  const files = findResultsFiles(cwd, specs);
  return mergeLegs(files.map((file) => readLeg(file, cwd)), rejudge);
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/** The folder before the first wildcard, and a regex for the rest ('/'-separated). */
function splitGlob(absolute: string): { root: string; pattern: RegExp } {
  const parts = absolute.split(path.sep);
  const first = parts.findIndex((p) => /[*?[]/.test(p));
  const root = parts.slice(0, first).join(path.sep) || path.sep;
  const rest = parts.slice(first).join('/');
  let source = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '*' && rest[i + 1] === '*') {
      // "**/" matches any number of folders, including none.
      source += rest[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += rest[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return { root, pattern: new RegExp(`^${source}$`) };
}
