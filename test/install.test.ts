// The CLI from any repository: the package as npm packs it, installed into a fresh prefix without
// the network, gives a `gilgate` on PATH that runs from another directory (dist/ is bundled: no
// dependency is installed with it). Needs dist/ built (npm run build), like the other end-to-end tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
let dir: string;
let bin: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gilgate-install-'));
  const packed = execFileSync('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const tarball = path.join(dir, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
  const prefix = path.join(dir, 'prefix');
  execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { cwd: dir, encoding: 'utf8' });
  bin = path.join(prefix, 'bin', 'gilgate');
  // Node 24 first on PATH (the engines field), as in any shell that runs gilgate.
  env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` };
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gilgate installed from the packed package', () => {
  it('puts a gilgate on PATH that prints its help from another directory', () => {
    expect(existsSync(bin)).toBe(true);
    const help = execFileSync('gilgate', ['--help'], { cwd: dir, env, encoding: 'utf8' });
    expect(help).toContain('Usage:');
    expect(help).toContain('gilgate run [options]');
  });

  it('installs no dependency beside the bundle, and ships the runner and the bundle only', () => {
    const installed = path.join(path.dirname(path.dirname(bin)), 'lib', 'node_modules', 'gilgate');
    expect(existsSync(path.join(installed, 'node_modules'))).toBe(false);
    expect(existsSync(path.join(installed, 'dist', 'gilgate_runner.py'))).toBe(true);
    expect(readdirSync(installed)).not.toContain('test');
    expect(readFileSync(path.join(installed, 'dist', 'cli', 'index.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('reads a config from another repository and says a mistake in one line, exit 2', async () => {
    await writeFile(path.join(dir, 'gilgate.yml'), 'workloads:\n  - name: x\n    run: m:f\n    tasks: 3\n    timout: 5\n');
    let stderr = '';
    let status = 0;
    try {
      execFileSync('gilgate', ['run'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      stderr = String((error as { stderr: string }).stderr);
      status = (error as { status: number }).status;
    }
    expect(status).toBe(2);
    expect(stderr).toContain('gilgate.yml:5:5: workloads[0].timout: unknown key (did you mean "timeout"?)');
    expect(stderr).not.toContain('Usage:');
  });
});
