/// <reference lib="dom" />
// Proves the charts are valid Mermaid for the version we ship: each preview page is opened in real
// headless Chromium, Mermaid (from node_modules, the file the build copies to dist/) must turn every
// chart into an SVG, and no parse error may appear. Saves a screenshot to test-output/report.png,
// and to $GILGATE_SCREENSHOT too when set (how docs/comment.png is regenerated).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlPage, markdownToHtml, renderHtml } from '../src/report/html.js';
import type { Results } from '../src/core/types.js';
import { fixtures, HOSTILE_NAME } from './fixtures/results/index.js';
import { requireChromium } from './helpers/chromium.js';

const CHROMIUM = requireChromium();
const ROOT = resolve(import.meta.dirname, '..');
const MERMAID = join(ROOT, 'node_modules/mermaid/dist/mermaid.min.js');
const REAL_RESULTS = join(ROOT, 'gilgate-results.json');

const pages: [string, Results][] = [
  ['regressions', fixtures.regressions],
  ['hostile', fixtures.hostile],
  ['unavailableProcesses', fixtures.unavailableProcesses],
  ['unevenSweep', fixtures.unevenSweep],
];
if (existsSync(REAL_RESULTS)) pages.unshift(['gilgate-results.json', JSON.parse(readFileSync(REAL_RESULTS, 'utf8')) as Results]);

describe('HTML preview in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  const mermaidScript = readFileSync(MERMAID, 'utf8');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gilgate-html-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The checks below must be able to fail: a chart Mermaid cannot parse is caught.
  it('detects a chart Mermaid cannot parse', async () => {
    const file = join(dir, 'broken.html');
    const broken = '```mermaid\nxychart-beta\n    bogus [1, 2]\n```\n\n```mermaid\nxychart-beta\n    x-axis "w" [1, 2]\n    line [1, 2]\n```';
    writeFileSync(file, htmlPage('broken', markdownToHtml(broken), mermaidScript));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.getAttribute('data-mermaid') !== null, null, { timeout: 60_000 });
    const state = await page.evaluate(() => ({ mermaid: document.body.getAttribute('data-mermaid'), text: document.body.innerText, svgs: document.querySelectorAll('pre.mermaid > svg').length }));
    expect(state.mermaid).toBe('error');
    expect(state.text).toMatch(/Syntax error|Parse error/);
    expect(state.svgs).toBe(1);
    await page.close();
  });

  for (const [name, results] of pages) {
    it(`renders every chart of ${name} as SVG without parse errors`, async () => {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, renderHtml(results, { mermaidScript, markdown: { runUrl: 'https://github.com/acme/repo/actions/runs/42' } }));
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
      // Everything the page needs is inline: any request beyond the file itself is a bug.
      const requests: string[] = [];
      context.on('request', (r) => {
        if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => document.body.getAttribute('data-mermaid') !== null, null, { timeout: 60_000 });

      const state = await page.evaluate(() => ({
        mermaid: document.body.getAttribute('data-mermaid'),
        blocks: document.querySelectorAll('pre.mermaid').length,
        svgs: document.querySelectorAll('pre.mermaid > svg').length,
        text: document.body.innerText,
        images: document.querySelectorAll('img, iframe, script:not(:is(body > script))').length,
      }));
      expect(state.mermaid).toBe('done');
      expect(state.blocks).toBeGreaterThan(0);
      expect(state.svgs).toBe(state.blocks);
      expect(state.text).not.toMatch(/Syntax error|Parse error/i);
      expect(state.images).toBe(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      if (name === 'hostile') expect(state.text).toContain(HOSTILE_NAME);

      if (name === pages[0]![0]) {
        // Show what a reader sees after expanding every section, charts included.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
        const shot = await page.screenshot({ fullPage: true });
        mkdirSync(join(ROOT, 'test-output'), { recursive: true });
        writeFileSync(join(ROOT, 'test-output/report.png'), shot);
        const extra = process.env.GILGATE_SCREENSHOT;
        if (extra) {
          mkdirSync(dirname(resolve(ROOT, extra)), { recursive: true });
          writeFileSync(resolve(ROOT, extra), shot);
        }
      }
      await context.close();
    });
  }
});
