/// <reference lib="dom" />
// `gilgate history` (node dist/cli/index.js) on a clone whose origin has a gilgate-data branch holding
// the creep fixture: the table names the creep and its commits; the --html page, opened in headless
// Chromium, draws every chart. Saves a screenshot to test-output/history.png (and $GILGATE_SCREENSHOT).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../src/history/store.js';
import { shardCostsFromClone } from '../src/cli/history.js';
import { creepFixture, sha } from './helpers/history-fixtures.js';

const CLI = resolve('dist/cli/index.js');
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..');
let work: string;
let clone: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: clone }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run "npm run build" first`);
  work = mkdtempSync(join(tmpdir(), 'gilgate-history-cli-'));
  const bare = join(work, 'origin.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  for (const entry of creepFixture()) {
    const out = await writeHistory(join(work, 'scratch.git'), { url: bare }, entry, { branch: 'gilgate-data', keep: 200, backoffMs: 1 });
    expect(out.kind).toBe('written');
  }
  clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-checkout', bare, clone]);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('gilgate history', () => {
  it('prints the trend table and names the creep and the commits it stepped at', async () => {
    const run = await cli(['history']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/17 commits of history/);
    const resize = run.stdout.split('\n').find((l) => l.startsWith('resize'))!;
    expect(resize).toMatch(/creep: 1\d\.\d% slower since 0000007/);
    for (const step of [8, 11, 14]) expect(resize).toContain(sha(step).slice(0, 7));
    const hash = run.stdout.split('\n').find((l) => l.startsWith('hash'))!;
    expect(hash).not.toMatch(/creep/);
  });

  it('gives `run --shard` the costs of the clone\'s history branch (none where there is no branch)', async () => {
    const costs = await shardCostsFromClone(clone);
    expect(Object.keys(costs!.shard.measured).sort()).toEqual(['hash', 'resize']);
    // resize's newest measuring cost: 3 rounds × (serial 0.4 s + its processes arm) — history's own figure.
    expect(costs!.shard.measured['resize']).toBeCloseTo(3 * (0.4 + creepFixture().at(-1)!.workloads[0]!.seconds!), 3);
    expect(await shardCostsFromClone(work)).toBeNull();
  });

  it('says how to get the branch when the clone has none', async () => {
    const run = await cli(['history', '--branch', 'nothing-here']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/git fetch origin nothing-here/);
  });

  it.skipIf(!existsSync(CHROMIUM))('writes a page whose every chart headless Chromium draws', async () => {
    const page = join(work, 'history.html');
    const run = await cli(['history', '--html', page]);
    expect(run.code, run.stderr).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(pathToFileURL(page).href);
      await tab.waitForFunction(() => document.body.getAttribute('data-mermaid') !== null, null, { timeout: 60_000 });
      const state = await tab.evaluate(() => ({
        mermaid: document.body.getAttribute('data-mermaid'),
        blocks: document.querySelectorAll('pre.mermaid').length,
        svgs: document.querySelectorAll('pre.mermaid > svg').length,
        lines: document.querySelectorAll('pre.mermaid > svg path').length,
        text: document.body.innerText,
      }));
      expect(state.mermaid).toBe('done');
      expect(state.blocks).toBe(4); // two workloads × (time, speedup)
      expect(state.svgs).toBe(state.blocks);
      expect(state.lines).toBeGreaterThanOrEqual(state.blocks);
      expect(state.text).not.toMatch(/Syntax error|Parse error/i);
      expect(state.text).toMatch(/Creep/);
      expect(errors).toEqual([]);
      const shot = await tab.screenshot({ fullPage: true });
      mkdirSync(join(ROOT, 'test-output'), { recursive: true });
      writeFileSync(join(ROOT, 'test-output/history.png'), shot);
      const extra = process.env['GILGATE_SCREENSHOT'];
      if (extra) {
        mkdirSync(dirname(resolve(ROOT, extra)), { recursive: true });
        writeFileSync(resolve(ROOT, extra), shot);
      }
      expect(readFileSync(join(ROOT, 'test-output/history.png')).length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
