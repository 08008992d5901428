// Text that came from a user's repository (workload names, exception messages, paths) must never
// become markup in a PR comment, a Mermaid chart or a terminal. Each sink gets its own escaper.

// Characters with meaning somewhere in GitHub-flavoured Markdown (emphasis, code, links, tables,
// strikethrough, headings, math, escapes). Backslash-escaping any ASCII punctuation is valid
// CommonMark, so over-escaping is harmless; under-escaping is not.
const MARKDOWN_SPECIAL = /[\\`*_[\]#~|$!{}()]/g;

/** Neutralise text for Markdown prose and table cells: it renders as exactly the characters given. */
export function escapeMarkdown(text: string): string {
  let out = stripControl(text)
    .replace(/\r\n?|\n/g, ' ')
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // A word joiner after "@" stops GitHub from turning "@someone" in a name into a mention (a ping).
    .replace(/@/g, '@\u2060');
  // Block syntax only bites at the start of a line: list markers, setext/thematic rules, ordered lists.
  out = out.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
  return out;
}

/** Neutralise text for HTML element content and double-quoted attributes (e.g. inside <summary>). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Text for a double-quoted Mermaid label inside a ``` fence. Mermaid has no general escape for
 * quotes, treats `#…;` as entity codes and `%%` as directives, and a backtick run could close the
 * Markdown fence, so those characters are replaced by look-alikes rather than escaped.
 */
export function escapeMermaidLabel(text: string): string {
  const replaced = stripControl(text)
    .replace(/\s+/g, ' ')
    .replace(/"/g, "'")
    .replace(/`/g, "'")
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/#/g, '№')
    .replace(/;/g, ',')
    .replace(/%/g, ' pct')
    .replace(/[{}[\]\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return replaced.length > 80 ? `${replaced.slice(0, 79)}…` : replaced;
}

/**
 * Remove control characters: ESC sequences could repaint a terminal or forge output, and bidi
 * overrides could make text read differently from what it is.
 */
export function stripControl(text: string): string {
  // Keep \n and \t; drop the rest of C0, DEL, C1 and the bidi embedding/override/isolate controls.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/** A Markdown code span that survives any backticks in its content. */
export function codeSpan(text: string): string {
  const clean = stripControl(text).replace(/\r\n?|\n/g, ' ');
  const longestRun = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longestRun + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean.startsWith(' ') ? ' ' : '';
  return `${ticks}${pad}${clean}${pad}${ticks}`;
}

/** A fenced code block whose fence is longer than any backtick run inside, so it cannot be closed early. */
export function codeFence(content: string, info = ''): string {
  const body = stripControl(content).replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const longestRun = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}
