import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, renderMarkdown } from '../src/report/markdown.js';
import { scalingChart, planChart } from '../src/report/chart.js';
import { codeFence, escapeMarkdown, escapeMermaidLabel } from '../src/report/escape.js';
import { inline, markdownToHtml, renderHtml } from '../src/report/html.js';
import { arm, cpuBoundSide, fixtures, HOSTILE_NAME, results, withBase, workload } from './fixtures/results/index.js';

const MARKER = '<!-- gilgate:examples/gilgate.yml -->';
const OPTIONS = { marker: MARKER, runUrl: 'https://github.com/acme/repo/actions/runs/42', summaryUrl: 'https://github.com/acme/repo/actions/runs/42#summary' };

/** Structural validity a reader (and GitHub) depends on: every fence closed, every <details> closed. */
function assertWellFormed(md: string): void {
  let open: number | null = null;
  let depth = 0;
  for (const line of md.split('\n')) {
    if (open !== null) {
      if (new RegExp(`^\`{${open},}\\s*$`).test(line)) open = null;
      continue;
    }
    const fence = /^(`{3,})/.exec(line);
    if (fence) {
      open = fence[1]!.length;
      continue;
    }
    if (line.startsWith('<details')) depth++;
    if (line.includes('</details>')) depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(open, 'an unclosed code fence').toBeNull();
  expect(depth, 'unbalanced <details>').toBe(0);
}

/** Summary-table rows (the first table): cells split on unescaped pipes. */
function summaryRows(md: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| Workload'));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.split(/(?<!\\)\|/).slice(1, -1));
  }
  return rows;
}

describe('renderMarkdown snapshots', () => {
  for (const [name, results] of Object.entries(fixtures)) {
    it(`renders ${name}`, async () => {
      const md = renderMarkdown(results, OPTIONS);
      assertWellFormed(md);
      expect(md.startsWith(`${MARKER}\n`)).toBe(true);
      expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
      await expect(md).toMatchFileSnapshot(`__snapshots__/report-markdown/${name}.md`);
    });
  }
});

describe('renderMarkdown content', () => {
  it('puts the status, SHAs, cores and Python on the top line', () => {
    const top = renderMarkdown(fixtures.allFine).split('\n')[0]!;
    expect(top).toContain('✅');
    expect(top).toContain('no regressions');
    expect(top).toContain('`0a1b2c3` → `9f1c2e3`');
    expect(top).toContain('4 cores');
    expect(top).toContain('CPython 3.12.3');
    expect(renderMarkdown(fixtures.regressions).split('\n')[0]).toContain('❌ gilgate: 3 regressions');
    expect(renderMarkdown(fixtures.inconclusive).split('\n')[0]).toContain('⚠️');
  });

  it('shows one summary row per workload with Δ and its interval', () => {
    const md = renderMarkdown(fixtures.regressions);
    const rows = summaryRows(md);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(6);
    expect(rows[0]![4]).toContain('regression: head +41% (bound +33% > 0%), round 12');
    expect(rows[0]![5]).toContain('decided at round 12, α 5%');
    expect(rows[1]![1]).toContain('(was processes)');
    expect(summaryRows(renderMarkdown(fixtures.unavailableProcesses))[0]![4]!.trim()).toBe('—');
    expect(summaryRows(renderMarkdown(fixtures.inconclusive))[0]![5]!.trim()).toBe('undecided after 30 rounds');
  });

  it('lists arms serial first, then threads and processes by worker count, and keeps tiny speedups readable', () => {
    const tiny = { ...fixtures.unevenSweep, workloads: fixtures.unevenSweep.workloads.map((w) => ({ ...w, arms: [...w.arms].reverse().map((a) => (a.workers === 2 && a.model === 'threads' ? { ...a, speedup: 0.0042 } : a)) })) };
    const labels = [...renderMarkdown(tiny).matchAll(/^\| (serial|threads×\d+|processes×\d+)/gm)].map((m) => m[1]);
    expect(labels).toEqual(['serial', 'threads×2', 'threads×4', 'threads×8', 'processes×2', 'processes×4']);
    expect(renderMarkdown(tiny)).toContain('| threads×2 | 810 ms | 2.1% | ×0.0042 |');
  });

  it('draws head and base in one chart per workload, every line on the same x values, base dashed', () => {
    const md = renderMarkdown(fixtures.allFine);
    const charts = md.match(/```mermaid\n[\s\S]*?\n```/g) ?? [];
    expect(charts).toHaveLength(3);
    for (const chart of charts) {
      const xs = /x-axis "workers" \[([^\]]*)\]/.exec(chart)![1]!.split(', ');
      const lines = [...chart.matchAll(/line \[([^\]]*)\]/g)].map((m) => m[1]!.split(', '));
      expect(lines.length).toBe(5); // threads, processes (head), threads, processes (base), ideal
      for (const l of lines) expect(l).toHaveLength(xs.length);
      expect(chart).toContain('.line-plot-2 path { stroke-dasharray: 8 4; }');
      expect(chart).not.toContain('.line-plot-1 path { stroke-dasharray: 8 4; }');
    }
    expect(md).toContain('head solid, base dashed');
  });

  it('shows head and base as a two-row table where only one worker count beside serial exists', () => {
    const two = (s: number) => [arm('serial', 1, 1, 1), arm('threads', 2, 1 / (1.0 * s), 1.0 * s), arm('processes', 2, 1 / (1.8 * s), 1.8 * s)];
    const side = { ...cpuBoundSide(), arms: two(1) };
    const baseSide = { ...cpuBoundSide(), arms: two(0.9) };
    const md = renderMarkdown(results([workload('w', side, { base: withBase(baseSide) })]));
    expect(md).not.toContain('```mermaid');
    expect(md).toContain('| Speedup vs serial | threads×2 | processes×2 |');
    expect(md).toContain('| head | ×1.00 | ×1.80 |');
    expect(md).toContain('| base | ×0.90 | ×1.62 |');
  });

  it('names the charted models in a legend and notes points it did not measure', () => {
    const md = renderMarkdown(fixtures.unevenSweep);
    expect(md).toContain('🟦 threads (blue) · 🟧 processes (orange) · ⬜ ideal');
    expect(md).toContain('Not measured, drawn from neighbouring points: processes at 8 workers.');
  });

  it('drops the processes line and says why when processes are unavailable', () => {
    const md = renderMarkdown(fixtures.unavailableProcesses);
    const chart = /```mermaid\n[\s\S]*?\n```/.exec(md)![0];
    expect([...chart.matchAll(/line \[/g)]).toHaveLength(2);
    expect(chart).toContain('"plotColorPalette":"#2563eb, #9ca3af"');
    expect(md).toContain("- **processes**: PicklingError: Can't pickle &lt;function &lt;lambda&gt; at 0x7f&gt;");
    expect(md).toContain("- ⚠️ spawn: bench.stream:handler is a lambda");
    expect(md).toContain('race condition is likely');
    expect(summaryRows(md)[0]![3]).toContain('unavailable');
  });

  it('fences a traceback with more backticks than it contains', () => {
    const md = renderMarkdown(fixtures.error);
    expect(md).toContain('`````text\nTraceback (most recent call last):');
    expect(md).toContain('ZeroDivisionError: integer division or modulo by zero\n# a line with ``` and ```` fences that must not close the block\n`````');
    expect(md).toContain('**Error** (task)');
    expect(md).toContain('❌ **now failing**');
  });

  it('shows the environment, settings, run link and a reproduce command in the footer', () => {
    const md = renderMarkdown(fixtures.regressions, OPTIONS);
    expect(md).toContain('AMD EPYC 7763 64-Core Processor');
    expect(md).toContain('CPython 3.12.3 (GIL enabled)');
    expect(md).toContain('start method `fork`');
    expect(md).toContain('seed 1234');
    expect(md).toContain('[workflow run](https://github.com/acme/repo/actions/runs/42)');
    expect(md).toContain('`gilgate run --config examples/gilgate.yml --seed 1234 --base 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567`');
    expect(renderMarkdown(fixtures.regressions, { reproduce: 'npx gilgate run --config x.yml' })).toContain('`npx gilgate run --config x.yml`');
    expect(renderMarkdown(fixtures.inconclusive)).toContain('Time budget ran out');
  });

  it('ignores a run URL that is not http(s)', () => {
    expect(renderMarkdown(fixtures.allFine, { runUrl: 'javascript:alert(1)' })).not.toContain('javascript:');
  });
});

describe('hostile text', () => {
  const md = renderMarkdown(fixtures.hostile, OPTIONS);
  // Code fences show their content literally (a traceback may well contain "<script>").
  const outsideFences = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, '');
  // Inside raw HTML lines (<details><summary>) Markdown is not interpreted, entities are.
  const prose = outsideFences.split('\n').filter((l) => !l.startsWith('<details')).join('\n');

  it('never lets raw HTML through', () => {
    expect(md).not.toMatch(/<img/i);
    expect(md).not.toMatch(/<iframe/i);
    expect(outsideFences).not.toMatch(/<script/i);
    expect(md).not.toMatch(/<b>html/);
    expect(md).toContain('<summary><b>&lt;img src=x onerror=alert(1)&gt;|**bold**</b>');
    // Outside code fences, the only tags are the ones the renderer writes itself.
    const tags = outsideFences.match(/<\/?[a-z][^>]*>/gi) ?? [];
    for (const tag of tags) expect(tag).toMatch(/^<\/?(details|summary|b)( open)?>$/);
  });

  it('keeps the table at six cells per row', () => {
    const rows = summaryRows(md);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(6);
    expect(rows[0]![0]).toContain('\\|');
  });

  it('neither links, mentions nor emphasises', () => {
    expect(md).not.toContain('](javascript');
    expect(md).not.toContain('@octocat');
    expect(prose).not.toMatch(/(?<!\\)\*\*bold/);
    expect(prose).toContain('\\*\\*bold\\*\\*');
  });

  it('keeps chart titles inside their quotes', () => {
    for (const m of md.matchAll(/^ {4}title (.*)$/gm)) expect(m[1]!).toMatch(/^"[^"]*"$/);
    expect(md).not.toMatch(/title "[^"]*#quot;/);
  });

  it('shows the literal name when rendered to HTML', () => {
    const html = markdownToHtml(md);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;|**bold**');
    expect(html).not.toMatch(/<img|<script|<iframe/i);
  });
});

describe('fitting into one comment', () => {
  it('folds 60 workloads under 65,536 characters and says where the rest is', () => {
    const md = renderMarkdown(fixtures.many, OPTIONS);
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    assertWellFormed(md);
    expect(summaryRows(md)).toHaveLength(60);
    expect(md).toContain('[job summary](https://github.com/acme/repo/actions/runs/42#summary)');
    // Regressed workloads keep a section; fine-and-unchanged ones lose theirs first.
    for (const w of fixtures.many.workloads) {
      const hasSection = md.includes(`<summary><b>${w.name}</b>`);
      expect(hasSection, w.name).toBe(w.regressions.length > 0);
    }
  });

  it('stays within any limit, well-formed, and drops the notice when nothing was dropped', () => {
    for (const maxChars of [40_000, 20_000, 8_000, 4_000]) {
      const md = renderMarkdown(fixtures.many, { ...OPTIONS, maxChars });
      expect(md.length, `maxChars ${maxChars}`).toBeLessThanOrEqual(maxChars);
      assertWellFormed(md);
    }
    expect(renderMarkdown(fixtures.allFine, OPTIONS)).not.toContain('✂️');
  });

  it('shortens tracebacks before dropping a regressed workload', () => {
    const md = renderMarkdown(fixtures.many, { ...OPTIONS, maxChars: 20_000 });
    expect(md).toContain('earlier lines left out');
  });
});

describe('escapeMarkdown', () => {
  it('escapes every character that means something', () => {
    expect(escapeMarkdown('a|b*c_d`e[f]g<h>i&j#k~l\\m')).toBe('a\\|b\\*c\\_d\\`e\\[f\\]g&lt;h&gt;i&amp;j\\#k\\~l\\\\m');
    expect(escapeMarkdown('line1\nline2\r\nline3')).toBe('line1 line2 line3');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('3.12.1')).toBe('3.12.1');
  });

  it('round-trips through the HTML converter as the original text', () => {
    const cases = [HOSTILE_NAME, 'a\\b', '`x`', '&amp; stays literal', '**not bold**', '[t](https://e.com)', '$x$ ~y~ #z'];
    for (const text of cases) {
      const html = inline(escapeMarkdown(text));
      const decoded = html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
      expect(decoded).toBe(text);
    }
  });
});

describe('escapeMermaidLabel', () => {
  it('removes what would end the label, the fence or start a directive', () => {
    const label = escapeMermaidLabel('a "b" `c` #quot; %%{init}%% <x>\nnext');
    expect(label).not.toMatch(/["`#%<>{}\n]/);
    expect(label).toContain('a');
    expect(escapeMermaidLabel('x'.repeat(200)).length).toBe(80);
  });
});

describe('scalingChart', () => {
  it("draws the ideal line at the runner's measured capacity, y = x without it", () => {
    const measured = [arm('serial', 1, 2, 1), arm('processes', 2, 1.3, 1.5, { capacity: 1.56 }), arm('processes', 4, 1.2, 1.6, { capacity: 1.6 })];
    const plan = planChart(measured);
    expect(plan.idealMeasured).toBe(true);
    expect(plan.lines.at(-1)).toEqual({ series: 'ideal', side: 'head', values: [1, 1.56, 1.6] });
    const unmeasured = planChart(measured.map((a) => ({ ...a, capacity: null })));
    expect(unmeasured.idealMeasured).toBe(false);
    expect(unmeasured.lines.at(-1)!.values).toEqual([1, 2, 4]);
  });

  it('adds an interpreters line and column for a free-threaded 3.14 run', () => {
    const md = renderMarkdown(fixtures.freeThreaded);
    expect(md).toContain('| Workload | Recommendation | Threads | Processes | Interpreters | vs base (time) | Confidence |');
    expect(md).toContain('🟩 interpreters (green)');
    expect(md).toContain('ideal, what this runner delivers (measured capacity)');
    expect(md).toContain('(free-threaded build, GIL disabled: threads run Python code in parallel)');
    expect(md).toContain('| processes×2 | 86 ms | 0.6% | ×0.67 | ×1.60 | 43% of ×1.56 |');
  });

  it('plots threads, processes and ideal over the union of worker counts', () => {
    const chart = scalingChart('t', [arm('serial', 1, 2, 1), arm('threads', 2, 1, 2), arm('threads', 4, 0.6, 3.3), arm('processes', 2, 1.1, 1.8)]);
    expect(chart).toContain('x-axis "workers" [1, 2, 4]');
    expect(chart).toContain('line [1, 2, 3.3]');
    expect(chart).toContain('line [1, 1.8, 1.8]'); // processes at 4: not measured, held at its last value
    expect(chart).toContain('line [1, 2, 4]');
    expect(chart.startsWith('```mermaid\n')).toBe(true);
    expect(chart.endsWith('\n```')).toBe(true);
  });

  it('interpolates an interior gap and cuts the ideal line at the top of the axis', () => {
    const plan = planChart([arm('serial', 1, 2, 1), arm('threads', 2, 1, 2), arm('threads', 32, 0.2, 10), arm('processes', 4, 1, 2)]);
    expect(plan.workers).toEqual([1, 2, 4, 32]);
    expect(plan.lines[0]!.values).toEqual([1, 2, 6, 10]);
    expect(plan.lines[1]!.values).toEqual([1, 1.5, 2, 2]);
    expect(plan.yMax).toBe(12);
    expect(plan.lines[2]!.values).toEqual([1, 2, 4, 12]);
    expect(plan.idealClipped).toBe(true);
  });

  it('dashes the measured lines of a base chart', () => {
    const arms = [arm('serial', 1, 2, 1), arm('threads', 2, 1, 2)];
    expect(scalingChart('t', arms, { dashedBase: true })).toContain('.line-plot-0 path { stroke-dasharray: 8 4; }');
    expect(scalingChart('t', arms)).not.toContain('stroke-dasharray: 8 4');
  });
});

describe('codeFence', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(codeFence('a ```` b')).toBe('`````\na ```` b\n`````');
    expect(codeFence('plain', 'text')).toBe('```text\nplain\n```');
  });
});

describe('renderHtml', () => {
  it('renders the same document with one <pre class="mermaid"> per chart and the script inlined', () => {
    const md = renderMarkdown(fixtures.regressions);
    const html = renderHtml(fixtures.regressions, { mermaidScript: 'window.x = "</script><!--";' });
    const fences = md.match(/^```mermaid$/gm)?.length ?? 0;
    expect(fences).toBeGreaterThan(0);
    expect(html.match(/<pre class="mermaid">/g)).toHaveLength(fences);
    expect(html.match(/<details/g)?.length).toBe(md.match(/^<details/gm)?.length);
    expect(html).toContain('window.x = "<\\/script><\\!--";');
    expect(html).toContain('<table>');
    expect(html).toContain('<strong>processes</strong>');
  });
});

describe('an interpreter matrix', () => {
  const labels = ['CPython 3.11.7', 'CPython 3.14.0', 'PyPy 3.9.18'];

  it('names every interpreter in the headline and gives each (workload, interpreter) its own row', () => {
    const md = renderMarkdown(fixtures.matrix, OPTIONS);
    expect(md.split('\n')[1]).toBe('### ❌ gilgate: 1 regression · `0a1b2c3` → `9f1c2e3` · 4 cores · CPython 3.11.7, CPython 3.14.0, PyPy 3.9.18');
    const rows = summaryRows(md);
    expect(rows.map((r) => r[0]!.trim())).toEqual([
      ...labels.map((l) => `resize-images · ${l}`).map((x, i) => (i === 2 ? `❌ ${x}` : x)),
      ...labels.map((l) => `tokenize · ${l}`),
    ]);
    // The interpreters column: 3.14 ran them, the others cannot.
    expect(rows.map((r) => r[4]!.trim())).toEqual(['unavailable', '×3.5 at 4', 'unavailable', 'unavailable', '×1.5 at 2', 'unavailable']);
    assertWellFormed(md);
  });

  it('shows one section per workload with a per-interpreter table and each interpreter\'s reason', () => {
    const md = renderMarkdown(fixtures.matrix, OPTIONS);
    expect(md.match(/<details/g)).toHaveLength(2);
    expect(md).toContain('<details open><summary><b>resize-images</b> — CPython 3.11.7: processes · CPython 3.14.0: interpreters · PyPy 3.9.18: serial · ❌ 1 regression</summary>');
    expect(md).toContain('| Interpreter | Recommendation | Threads | Processes | Interpreters | vs base (time) | Verdict |');
    expect(md).toContain('| ❌ PyPy 3.9.18 | **serial** (was processes) | ×1.0 at 2 | ×0.8 at 4 | unavailable | ✅ faster: head −79%, round 12 | decided at round 12, α 5% |');
    expect(md).toContain('| CPython 3.14.0 | ⚠️ **inconclusive** | ×1.0 at 2 | ×1.6 at 2 | ×1.5 at 2 | n/a | undecided after 6 rounds |');
    for (const l of labels) expect(md).toContain(`**${l}** — `);
    expect(md).toContain('**CPython 3.14.0** — interpreters: CPU-bound and holds the GIL');
  });

  it('says which variants the time budget left undecided, and describes each interpreter once', () => {
    const md = renderMarkdown(fixtures.matrix, OPTIONS);
    expect(md).toContain('- ⏱️ **Left undecided by the budget:** tokenize · CPython 3.14.0');
    expect(md).toContain('- **Interpreters:** CPython 3.11.7 (`python3.11`, GIL enabled, start method `fork`; interpreters cannot run: needs Python 3.14 or later');
    expect(md).toContain('CPython 3.14.0 (`python3.14`, GIL enabled, start method `forkserver`)');
  });

  it('marks a free-threaded build with a t, and falls back to the command without values', () => {
    const ft = { ...fixtures.matrix, values: { ...fixtures.matrix.values!, environments: fixtures.matrix.values!.environments.map((e, i) => (i === 1 ? { ...e, freeThreadedBuild: true, gilEnabled: false } : e)) } };
    expect(summaryRows(renderMarkdown(ft))[1]![0]!.trim()).toBe('resize-images · CPython 3.14.0t');
    const bare = { ...fixtures.matrix, values: undefined };
    expect(summaryRows(renderMarkdown(bare)).map((r) => r[0]!.trim().replace('❌ ', ''))).toEqual(['python3.11', 'python3.14', 'pypy3', 'python3.11', 'python3.14', 'pypy3'].map((p, i) => `${i < 3 ? 'resize-images' : 'tokenize'} · ${p}`));
  });

  it('escapes workload and interpreter names', () => {
    const hostile = {
      ...fixtures.matrix,
      workloads: fixtures.matrix.workloads.map((w) => ({ ...w, name: `${w.name}|<b>x</b>` })),
      values: { ...fixtures.matrix.values!, environments: fixtures.matrix.values!.environments.map((e) => ({ ...e, implementation: 'Py|<i>' })) },
    };
    const md = renderMarkdown(hostile, OPTIONS);
    expect(summaryRows(md)).toHaveLength(6);
    expect(md).not.toContain('<b>x</b>');
    expect(md).not.toContain('<i>');
    expect(md).toContain('<summary><b>resize-images|&lt;b&gt;x&lt;/b&gt;</b> — Py|&lt;i&gt; 3.11.7: processes');
    assertWellFormed(md);
  });

  it('folds a large matrix under the comment limit, keeping every row and the regressed workload', () => {
    const many = {
      ...fixtures.matrix,
      workloads: Array.from({ length: 40 }, (_, k) => fixtures.matrix.workloads.map((w) => ({ ...w, name: `${w.name}-${String(k).padStart(2, '0')}-${'x'.repeat(30)}` }))).flat(),
    };
    for (const maxChars of [COMMENT_LIMIT, 20_000]) {
      const md = renderMarkdown(many, { ...OPTIONS, maxChars });
      expect(md.length).toBeLessThanOrEqual(maxChars);
      assertWellFormed(md);
      expect(md).toContain('✂️');
      if (maxChars === COMMENT_LIMIT) {
        expect(summaryRows(md)).toHaveLength(240);
        expect(md).toContain(`<summary><b>resize-images-00-${'x'.repeat(30)}</b>`);
      }
    }
  });

  it('does not say the interpreter twice where rows already carry it (merged per-interpreter legs)', () => {
    const labelled = { ...fixtures.matrix, workloads: fixtures.matrix.workloads.map((w, i) => ({ ...w, name: `${w.name} · ${['CPython 3.11.7', 'CPython 3.14.0', 'PyPy 3.9.18'][i % 3]}` })) };
    const md = renderMarkdown(labelled, OPTIONS);
    expect(md).toBe(renderMarkdown(fixtures.matrix, OPTIONS));
  });

  it('keeps a one-interpreter document as it was: rows named by the workload alone', () => {
    const md = renderMarkdown(fixtures.interpreterChanged, OPTIONS);
    expect(summaryRows(md)[0]![0]!.trim()).toBe('❌ resize-images');
    expect(md).toContain('- ❌ **recommendation flipped**: processes → threads: the interpreter changed: CPython 3.11.7 → CPython 3.14.0t');
    expect(md).toContain("- **Base ran other interpreters** (the base config's `python`): CPython 3.11.7 → CPython 3.14.0t");
    expect(md).not.toContain('**Interpreters:**');
  });
});

describe('renderHtml: marks drawn in CSS, not emoji', () => {
  it('leaves no emoji in the page and draws the colour key and status marks as styled spans', () => {
    for (const r of [fixtures.allFine, fixtures.regressions, fixtures.freeThreaded, fixtures.inconclusive, fixtures.matrix]) {
      const html = renderHtml(r, { mermaidScript: '' });
      expect(html).not.toMatch(/[\u{1F300}-\u{1FAFF}\u2705\u274C\u26A0\u23F1\u2702\u2B1C\uFE0F]/u);
    }
    const html = renderHtml(fixtures.freeThreaded, { mermaidScript: '' });
    for (const series of ['threads', 'processes', 'interpreters', 'ideal']) expect(html).toContain(`<span class="swatch swatch-${series}" role="img"`);
    expect(html).toContain('.swatch-threads { background: #2563eb; }');
    expect(renderHtml(fixtures.regressions, { mermaidScript: '' })).toContain('<span class="mark mark-bad" role="img" aria-label="failed"></span>');
  });
});

describe('renderHtml: an interpreter matrix', () => {
  it('keeps each workload\'s section and its per-interpreter table', () => {
    const html = renderHtml(fixtures.matrix, { mermaidScript: '' });
    expect(html).toContain('<details open><summary><b>resize-images</b> — CPython 3.11.7: processes · CPython 3.14.0: interpreters · PyPy 3.9.18: serial · <span class="mark mark-bad" role="img" aria-label="failed"></span> 1 regression</summary>');
    expect(html.match(/<details/g)).toHaveLength(2);
    expect(html).toContain('<th>Interpreter</th>');
    expect(html).toContain('<td>tokenize · CPython 3.14.0</td>');
  });
});
