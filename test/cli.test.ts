// The CLI in-process (main) and as the bundled executable, against real Python.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, streamWantsColor, type CliIo } from '../src/cli/cli.js';
import { fixtures } from './fixtures/results/index.js';
import type { Results } from '../src/core/types.js';
import { checkInvariants } from '../src/core/invariants.js';
import { readResults, resultsFile } from '../src/core/contracts/results.js';

const FIXTURES = path.resolve('test/fixtures/cli');
let out: string;

function io(cwd = FIXTURES, env: Record<string, string | undefined> = process.env) {
  let stdout = '';
  let stderr = '';
  const value: CliIo = {
    cwd,
    env,
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
  };
  return { io: value, stdout: () => stdout, stderr: () => stderr };
}

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'gilgate-cli-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('gilgate CLI', () => {
  it('exits 2 with file:line:col and the key for a config mistake', async () => {
    const t = io();
    expect(await main(['run', '--config', 'bad.yml'], t.io)).toBe(2);
    expect(t.stderr()).toContain(`${path.join(FIXTURES, 'bad.yml')}:5:5: workloads[0].timout: unknown key (did you mean "timeout"?)`);
    // The one-line error says it all: no usage text drowning it.
    expect(t.stderr() + t.stdout()).not.toContain('Usage:');
  });

  it('exits 2 for unknown commands, flags and values', async () => {
    for (const argv of [['frobnicate'], ['run', '--fail-on', 'sometimes'], ['run', '--seed', 'x'], ['run', '--nope'], []]) {
      const t = io();
      expect(await main(argv, t.io)).toBe(2);
      expect(t.stderr() + t.stdout()).toContain('Usage:');
    }
  });

  it('exits 2 when no config exists', async () => {
    const t = io(out);
    expect(await main(['run'], t.io)).toBe(2);
    expect(t.stderr()).toContain('no config found');
  });

  it('measures, writes JSON and Markdown, reports the broken workload and still exits 0 without a base', async () => {
    const json = path.join(out, 'results.json');
    const markdown = path.join(out, 'report.md');
    const t = io();
    const code = await main(['run', '--json', json, '--markdown', markdown, '--seed', '5', '--quiet'], t.io);
    expect(code).toBe(0);
    const results = JSON.parse(await readFile(json, 'utf8')) as Results;
    expect(results.schemaVersion).toBe(3);
    // The documented per-workload view: best-arm speedups, written from the facts.
    const written = JSON.parse(await readFile(json, 'utf8')) as { workloads: { name: string; speedup: Record<string, number | null>; facts: { models: Record<string, { speedup: number } | undefined> } }[] };
    for (const w of written.workloads) for (const m of ['threads', 'processes', 'interpreters']) expect(w.speedup[m], `${w.name} ${m}`).toBe(w.facts.models[m]?.speedup ?? null);
    expect(results.settings.seed).toBe(5);
    expect(results.regressions).toBe(0);
    const byName = Object.fromEntries(results.workloads.map((w) => [w.name, w]));
    expect(byName['quick-sum']!.recommendation).not.toBe('error');
    expect(byName['quick-sum']!.arms.map((a) => a.model)).toContain('processes');
    expect(byName['broken-import']).toMatchObject({ recommendation: 'error', error: { kind: 'import' } });
    expect(byName['broken-import']!.error!.message).toContain('not_a_module');
    expect(byName['broken-import']!.error!.traceback).toContain('Traceback');
    expect(await readFile(markdown, 'utf8')).toContain('broken-import');
    expect(t.stdout()).toContain('quick-sum');
    // A real file breaks none of the invariants a measurement cannot break, whatever the machine's
    // load (the GIL rule compares timings: the figures bench checks it on a quiet machine).
    const physical = checkInvariants(readResults(JSON.parse(await readFile(json, 'utf8')))).filter((v) => v.rule !== 'gil-threads-serialize');
    expect(physical).toEqual([]);
  });

  it('renders a results file of schemaVersion 1, 2 or 3 as a self-contained HTML page, and Markdown', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gilgate-cli-report-'));
    try {
      const name = fixtures.regressions.workloads[0]!.name;
      // Versions 1 and 2 as gilgate wrote them (test/fixtures/results/files), version 3 as it writes now.
      const older = JSON.parse(await readFile(path.resolve('test/fixtures/results/files/v1.json'), 'utf8'));
      for (const version of [1, 2, 3]) {
        const file = path.join(dir, `v${version}.json`);
        await writeFile(file, JSON.stringify(version === 3 ? resultsFile(fixtures.regressions) : { ...older, schemaVersion: version }));
        const html = io();
        expect(await main(['report', '--html', file], html.io), html.stderr()).toBe(0);
        expect(html.stdout()).toMatch(/^<!doctype html>/i);
        expect(html.stdout()).toContain(name);
        expect(html.stdout()).not.toMatch(/<script[^>]+src=["']https?:/);
        const markdown = io();
        expect(await main(['report', '--markdown', file], markdown.io)).toBe(0);
        expect(markdown.stdout()).toContain(name);
      }
      const bad = path.join(dir, 'not-results.json');
      await writeFile(bad, '{"hello": 1}');
      const t = io();
      expect(await main(['report', '--html', bad], t.io)).toBe(2);
      expect(t.stderr()).toContain('not a gilgate results file');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes --python several times (a matrix)', async () => {
    const t = io();
    // The flags parse; the run then stops at the config's mistake, not at the arguments.
    expect(await main(['run', '--python', 'python3', '--python', 'python3.14', '--config', 'bad.yml'], t.io)).toBe(2);
    expect(t.stderr()).toContain('workloads[0].timout: unknown key');
  });

  it('colours only a stream that styleText would colour', () => {
    const saved = { FORCE_COLOR: process.env.FORCE_COLOR, NO_COLOR: process.env.NO_COLOR };
    try {
      delete process.env.FORCE_COLOR;
      delete process.env.NO_COLOR;
      expect(streamWantsColor({ write: () => true, isTTY: true })).toBe(false);
      expect(streamWantsColor(new PassThrough())).toBe(false);
      const terminal = Object.assign(new PassThrough(), { isTTY: true, getColorDepth: () => 8 });
      expect(streamWantsColor(terminal)).toBe(true);
      process.env.FORCE_COLOR = '1';
      expect(streamWantsColor(new PassThrough())).toBe(true);
      process.env.FORCE_COLOR = '0';
      expect(streamWantsColor(new PassThrough())).toBe(false);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('runs as the bundled executable (dist/cli/index.js)', async () => {
    const cli = path.resolve('dist/cli/index.js');
    expect(existsSync(cli), 'dist/cli/index.js is missing: run npm run build').toBe(true);
    const json = path.join(out, 'bundle.json');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'run', '--config', 'gilgate.yml', '--json', json, '--quiet', '--seed', '3'], { cwd: FIXTURES });
    expect(stdout).toContain('quick-sum');
    const results = JSON.parse(await readFile(json, 'utf8')) as Results;
    expect(results.workloads).toHaveLength(2);
  });
});
