// src/core and src/report are pure (docs/engine.md): values in, values out. This scan fails on any
// file there that imports I/O or reads the clock, the environment or an unseeded random source.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PURE_FOLDERS = ['src/core', 'src/report'];

const FORBIDDEN_IMPORTS = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process', 'execa'];
const FORBIDDEN_IMPORT_PREFIXES = ['@actions/'];
const FORBIDDEN_CALLS: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now('],
  [/\bnew\s+Date\s*\(/, 'new Date('],
  [/\bperformance\s*\./, 'performance.'],
  [/\bprocess\.env\b/, 'process.env'],
  [/\bMath\.random\s*\(/, 'Math.random('],
];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|js|mjs)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function importedModules(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

/** Comments say why; they may name what they avoid. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function impurities(file: string, source: string): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  for (const module of importedModules(code)) {
    if (FORBIDDEN_IMPORTS.includes(module) || FORBIDDEN_IMPORT_PREFIXES.some((prefix) => module.startsWith(prefix))) {
      found.push(`${file}: imports ${module}`);
    }
  }
  for (const [pattern, name] of FORBIDDEN_CALLS) if (pattern.test(code)) found.push(`${file}: uses ${name}`);
  return found;
}

describe('core purity', () => {
  const files = PURE_FOLDERS.flatMap(sourceFiles);

  it('scans the pure folders (and finds files there)', () => {
    expect(files.some((f) => f.startsWith(path.join('src', 'core')))).toBe(true);
    expect(files.some((f) => f.startsWith(path.join('src', 'report')))).toBe(true);
  });

  it('finds no I/O, clock, environment or unseeded randomness in src/core and src/report', () => {
    const found = files.flatMap((file) => impurities(file, readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });

  it('recognises each forbidden form (so the scan above can fail)', () => {
    const samples = [
      "import { readFileSync } from 'node:fs';",
      "import { readFile } from 'node:fs/promises';",
      "import { spawn } from 'node:child_process';",
      "import { execa } from 'execa';",
      "import * as core from '@actions/core';",
      "const m = await import('node:fs');",
      'const t = Date.now();',
      'const d = new Date();',
      'const t = performance.now();',
      'const v = process.env.HOME;',
      'const r = Math.random();',
    ];
    for (const sample of samples) expect(impurities('sample.ts', sample), sample).not.toEqual([]);
    expect(impurities('sample.ts', "// no Date.now() here\nimport path from 'node:path';")).toEqual([]);
  });
});
