// A local, self-contained preview of the PR comment: the SAME Markdown renderMarkdown produces,
// turned into HTML by a converter that understands exactly the subset renderMarkdown emits
// (headings, tables, <details>/<summary> lines, lists, fenced code, code spans, bold, links,
// backslash escapes, entities), with Mermaid inlined to draw the charts. Anything outside the subset
// is shown as text, never passed through as HTML.
import type { Results } from '../core/types.js';
import { escapeHtml } from './escape.js';
import { renderMarkdown, type MarkdownOptions } from './markdown.js';

export function renderHtml(results: Results, options: { mermaidScript: string; markdown?: MarkdownOptions }): string {
  const markdown = renderMarkdown(results, options.markdown);
  return htmlPage(`gilgate report: ${results.config}`, markdownToHtml(markdown), options.mermaidScript);
}

/** The page around converted Markdown: styles, a strict CSP (nothing loads from anywhere), Mermaid. */
export function htmlPage(title: string, bodyHtml: string, mermaidScript: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="comment">
${bodyHtml}
</main>
<script>${inlineScript(mermaidScript)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** Keep a script's text from ending the <script> element or entering the "escaped" parser state. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

// data-mermaid on <body> tells the browser test (and a curious reader) that rendering finished.
const BOOT = `
(function () {
  var done = function (state) { document.body.setAttribute('data-mermaid', state); };
  if (typeof mermaid === 'undefined') { done('missing'); return; }
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  mermaid.run({ querySelector: 'pre.mermaid' }).then(function () { done('done'); }, function () { done('error'); });
})();
`;

const STYLE = `
body { margin: 0; background: #f6f8fa; color: #1f2328; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.comment { max-width: 920px; margin: 16px auto; padding: 16px 24px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
h1, h2, h3, h4 { margin: 8px 0 16px; line-height: 1.25; }
h3 { font-size: 1.25em; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; }
tr:nth-child(2n) td { background: #f6f8fa; }
th { font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, monospace; font-size: 85%; }
code { background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; overflow: auto; border-radius: 6px; }
pre code { background: none; padding: 0; }
pre.mermaid { background: #fff; text-align: center; }
details { margin: 0 0 12px; border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 12px; }
summary { cursor: pointer; }
details[open] > summary { margin-bottom: 8px; }
p, ul { margin: 0 0 12px; }
hr { border: 0; border-top: 1px solid #d1d9e0; margin: 16px 0; }
a { color: #0969da; }
`;

// ------------------------------------------------------------------ Markdown (the emitted subset) → HTML

const RAW_HTML_LINE = /^<details( open)?>(<summary>.*<\/summary>)?$|^<\/details>$/;
const TABLE_SEPARATOR = /^\|(\s*:?-+:?\s*\|)+\s*$/;

/** Block structure: exported for tests of the converter itself. */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    // The sticky-comment marker: invisible on GitHub, so invisible here.
    if (/^<!--.*-->$/.test(line)) {
      i++;
      continue;
    }
    if (RAW_HTML_LINE.test(line)) {
      // Only renderMarkdown's own <details>/<summary> lines get here, their text already entity-escaped.
      out.push(line);
      i++;
      continue;
    }
    const fence = /^(`{3,})([^`\s]*)\s*$/.exec(line);
    if (fence) {
      const ticks = fence[1]!.length;
      const info = fence[2]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !new RegExp(`^\`{${ticks},}\\s*$`).test(lines[i]!)) body.push(lines[i++]!);
      i++; // closing fence
      const text = escapeHtml(body.join('\n'));
      out.push(info === 'mermaid' ? `<pre class="mermaid">${text}</pre>` : `<pre><code>${text}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const n = heading[1]!.length;
      out.push(`<h${n}>${inline(heading[2]!)}</h${n}>`);
      i++;
      continue;
    }
    if (/^---+\s*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.startsWith('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? '')) {
      const header = splitRow(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(splitRow(lines[i++]!));
      const th = header.map((c) => `<th>${inline(c)}</th>`).join('');
      const trs = rows.map((r) => `<tr>${header.map((_, k) => `<td>${inline(r[k] ?? '')}</td>`).join('')}</tr>`).join('\n');
      out.push(`<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`);
      continue;
    }
    if (line.startsWith('- ')) {
      const items: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('- ')) items.push(`<li>${inline(lines[i++]!.slice(2))}</li>`);
      out.push(`<ul>\n${items.join('\n')}\n</ul>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines, i)) para.push(lines[i++]!);
    if (para.length === 0) para.push(lines[i++]!); // a line no rule claims still shows, as text
    out.push(`<p>${para.map(inline).join('\n')}</p>`);
  }
  return out.join('\n');
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i]!;
  return (
    RAW_HTML_LINE.test(line) ||
    /^`{3,}/.test(line) ||
    /^#{1,6} /.test(line) ||
    /^---+\s*$/.test(line) ||
    line.startsWith('- ') ||
    (line.startsWith('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? ''))
  );
}

/** Split a table row on unescaped pipes (GFM splits before inline parsing; `\|` stays in the cell). */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  const body = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  for (let k = 0; k < body.length; k++) {
    const c = body[k]!;
    if (c === '\\' && k + 1 < body.length) {
      cell += c + body[++k]!;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const ENTITY = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i;

/** Inline syntax: backslash escapes, entities, code spans, **bold**, [links](https://…). */
export function inline(text: string): string {
  let out = '';
  let k = 0;
  while (k < text.length) {
    const c = text[k]!;
    if (c === '\\' && k + 1 < text.length && ASCII_PUNCTUATION.test(text[k + 1]!)) {
      out += escapeHtml(text[k + 1]!);
      k += 2;
      continue;
    }
    if (c === '&') {
      const entity = ENTITY.exec(text.slice(k));
      out += entity ? entity[0] : '&amp;';
      k += entity ? entity[0].length : 1;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(text.slice(k))![0];
      const close = findBacktickRun(text, k + run.length, run.length);
      if (close >= 0) {
        let code = text.slice(k + run.length, close);
        if (code.length > 1 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
        out += `<code>${escapeHtml(code)}</code>`;
        k = close + run.length;
      } else {
        out += run;
        k += run.length;
      }
      continue;
    }
    if (c === '*' && text[k + 1] === '*') {
      const close = findUnescaped(text, '**', k + 2);
      if (close > k + 2) {
        out += `<strong>${inline(text.slice(k + 2, close))}</strong>`;
        k = close + 2;
        continue;
      }
    }
    if (c === '[') {
      const link = /^\[([^\]\\]*)\]\((https?:\/\/[^\s()<>"'`]+)\)/.exec(text.slice(k));
      if (link) {
        out += `<a href="${escapeHtml(link[2]!)}">${inline(link[1]!)}</a>`;
        k += link[0].length;
        continue;
      }
    }
    out += escapeHtml(c);
    k++;
  }
  return out;
}

function findBacktickRun(text: string, from: number, length: number): number {
  const re = /`+/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m[0].length === length) return m.index;
  return -1;
}

function findUnescaped(text: string, needle: string, from: number): number {
  for (let k = from; k < text.length; k++) {
    if (text[k] === '\\') {
      k++;
      continue;
    }
    if (text.startsWith(needle, k)) return k;
  }
  return -1;
}
