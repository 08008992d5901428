// A local, self-contained preview of the PR comment: the SAME Markdown renderMarkdown produces,
// turned into HTML by markdown-it (CommonMark + GitHub tables), with Mermaid inlined to draw the
// charts. Raw HTML passes only where renderMarkdown itself writes it (<details>/<summary>/<b>, the
// hidden marker); any other HTML is shown as text, never passed through.
import MarkdownIt from 'markdown-it';
import type { Results } from '../core/types.js';
import { MODEL_COLORS } from './chart.js';
import { escapeHtml } from './escape.js';
import { renderMarkdown, type MarkdownOptions } from './markdown.js';

export function renderHtml(results: Results, options: { mermaidScript: string; markdown?: MarkdownOptions }): string {
  const markdown = renderMarkdown(results, options.markdown);
  return htmlPage(`gilgate report: ${results.config}`, drawMarks(markdownToHtml(markdown)), options.mermaidScript);
}

// The comment's emoji (GitHub draws them) become marks drawn in HTML and CSS here: where no emoji
// font is installed (a fresh Linux box, a CI artifact viewer) they would be empty boxes, and the
// chart's colour key with them. Each mark keeps its meaning for screen readers (aria-label).
const MARKS: [RegExp, string][] = [
  [/✅\uFE0F?/g, '<span class="mark mark-ok" role="img" aria-label="ok"></span>'],
  [/❌\uFE0F?/g, '<span class="mark mark-bad" role="img" aria-label="failed"></span>'],
  [/⚠\uFE0F?/g, '<span class="mark mark-warn" role="img" aria-label="warning">!</span>'],
  [/⏱\uFE0F?/g, '<span class="mark mark-info" role="img" aria-label="time">i</span>'],
  [/✂\uFE0F?/g, '<span class="mark mark-info" role="img" aria-label="cut">i</span>'],
  ...(Object.entries(MODEL_COLORS) as [string, { swatch: string; name: string }][]).map(([series, c]): [RegExp, string] => [
    new RegExp(`${c.swatch}\\uFE0F?`, 'gu'),
    `<span class="swatch swatch-${series}" role="img" aria-label="${c.name}"></span>`,
  ]),
];

/** The converted comment with every emoji mark replaced by one drawn in CSS (exported for tests). */
export function drawMarks(html: string): string {
  return MARKS.reduce((out, [emoji, mark]) => out.replace(emoji, mark), html);
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
.mark { display: inline-block; width: 1.1em; height: 1.1em; border-radius: 50%; vertical-align: -0.2em; position: relative; color: #fff; font: bold 0.8em/1.4em sans-serif; text-align: center; }
.mark-ok { background: #1a7f37; }
.mark-bad { background: #cf222e; }
.mark-warn { background: #bf8700; }
.mark-info { background: #656d76; font-style: italic; }
.mark-ok::after { content: ""; position: absolute; left: 0.38em; top: 0.18em; width: 0.25em; height: 0.5em; border: solid #fff; border-width: 0 0.12em 0.12em 0; transform: rotate(45deg); }
.mark-bad::before, .mark-bad::after { content: ""; position: absolute; left: 0.5em; top: 0.2em; width: 0.12em; height: 0.7em; margin-left: -0.06em; background: #fff; transform: rotate(45deg); }
.mark-bad::after { transform: rotate(-45deg); }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #1f2328; border-radius: 2px; vertical-align: -0.1em; }
${(Object.entries(MODEL_COLORS) as [string, { hex: string }][]).map(([series, c]) => `.swatch-${series} { background: ${c.hex}; }`).join('\n')}
`;

// ------------------------------------------------------------------ Markdown → HTML (markdown-it)

/** Whole raw-HTML blocks renderMarkdown writes: a <details>/<summary> line, its closing tag, the marker. */
const OWN_HTML_LINE = /^(<details( open)?>(<summary>.*<\/summary>)?|<\/details>|<!--[^\n]*-->)$/;
/** Inline tags renderMarkdown writes inside its own lines. */
const OWN_INLINE_TAG = /^<\/?(b|summary|details)>$/;

const converter = createConverter();

function createConverter(): InstanceType<typeof MarkdownIt> {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, index, options, env, self) => {
    const token = tokens[index]!;
    if (token.info.trim() === 'mermaid') return `<pre class="mermaid">${escapeHtml(token.content)}</pre>\n`;
    return fence(tokens, index, options, env, self);
  };
  md.renderer.rules.html_block = (tokens, index) => {
    const lines = tokens[index]!.content.replace(/\n+$/, '').split('\n');
    // The sticky-comment marker is invisible on GitHub, so invisible here.
    if (lines.every((line) => /^<!--[^\n]*-->$/.test(line))) return '';
    if (lines.every((line) => OWN_HTML_LINE.test(line))) return `${lines.join('\n')}\n`;
    return `<p>${escapeHtml(tokens[index]!.content)}</p>\n`;
  };
  md.renderer.rules.html_inline = (tokens, index) => {
    const tag = tokens[index]!.content;
    return OWN_INLINE_TAG.test(tag) ? tag : escapeHtml(tag);
  };
  return md;
}

/** Block structure: exported for tests of the conversion itself. */
export function markdownToHtml(markdown: string): string {
  return converter.render(markdown);
}

/** One line of inline Markdown (code spans, emphasis, links, escapes, entities). */
export function inline(text: string): string {
  return converter.renderInline(text);
}
