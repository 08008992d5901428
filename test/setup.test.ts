// The set-up `npm test` does before any test (test/setup/global.ts): the source hash that decides
// whether dist/ is rebuilt, and scripts/provision.sh's answers where it cannot provide a tool. The
// provisioning that downloads is exercised by every test that needs an interpreter.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// A plain .mjs module, shared with scripts/build.mjs.
import { sourceHash } from '../scripts/source-hash.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'gilgate-setup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the source hash behind dist/.source-hash', () => {
  const tree = join(scratch, 'tree');
  for (const dir of ['src/core', 'python', 'scripts']) mkdirSync(join(tree, dir), { recursive: true });
  for (const file of ['scripts/build.mjs', 'package-lock.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(tree, file));
  writeFileSync(join(tree, 'src/core/a.ts'), 'export const a = 1;\n');
  writeFileSync(join(tree, 'python/gilgate_runner.py'), 'print(1)\n');

  it('changes with any source file, and with a new one, but not with bytecode caches', () => {
    const before = sourceHash(tree);
    expect(sourceHash(tree)).toBe(before);
    mkdirSync(join(tree, 'python/__pycache__'));
    writeFileSync(join(tree, 'python/__pycache__/gilgate_runner.cpython-311.pyc'), 'bytes');
    expect(sourceHash(tree)).toBe(before);
    writeFileSync(join(tree, 'src/core/a.ts'), 'export const a = 2;\n');
    const edited = sourceHash(tree);
    expect(edited).not.toBe(before);
    writeFileSync(join(tree, 'src/core/b.ts'), '');
    expect(sourceHash(tree)).not.toBe(edited);
  });

  it('is the hash the build wrote to dist/.source-hash, once the set-up has run (else it would rebuild every time)', () => {
    expect(readFileSync(join(ROOT, 'dist/.source-hash'), 'utf8').trim()).toBe(sourceHash(ROOT));
  });
});

describe('scripts/provision.sh', () => {
  const provision = (args: string[], env: Record<string, string>) =>
    spawnSync('bash', [join(ROOT, 'scripts/provision.sh'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: scratch, GILGATE_PYTHONS_DIR: join(scratch, 'pythons'), ...env },
    });

  it('uses the interpreter a GILGATE_PYTHON_* variable names, and caches nothing for it', () => {
    const result = provision(['3.15'], { GILGATE_PYTHON_3_15: 'python3' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('3.15: python3\n');
  });

  it('fails naming the variable when it names nothing that runs', () => {
    const result = provision(['3.14'], { GILGATE_PYTHON_3_14: join(scratch, 'no-such-python') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('GILGATE_PYTHON_3_14');
    expect(result.stderr).toContain('Python 3.14 is missing: install uv');
  });

  it('refuses a tool it does not know', () => {
    const result = provision(['3.99'], {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown tool '3.99'");
  });
});
