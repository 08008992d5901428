// Progress while trials run, formatted here and written to stderr by the caller (stdout stays clean
// for --json/--markdown to "-"). On a TTY one line is redrawn in place; elsewhere (CI logs) each
// call is its own plain line, since a carriage return would pile up as noise.
import { stripControl } from './escape.js';
import { formatSeconds, truncate } from './format.js';

/** Seconds left, assuming the trials still to run take as long as the ones done; null before any. */
function eta(done: number, total: number, elapsedSeconds: number): number | null {
  if (done <= 0 || elapsedSeconds <= 0) return null;
  return (elapsedSeconds / done) * Math.max(0, total - done);
}

/**
 * TTY: "\r[█████░░░░░]  45% 9/20 · ETA 12 s · label" then ESC[K to clear what a longer previous line
 * left behind. Otherwise: "[9/20] 45% label (12 s elapsed)". Neither ends in a newline: the caller
 * adds one off a TTY, and one after the last redraw on a TTY.
 */
export function progressLine(done: number, total: number, elapsedSeconds: number, label: string, options: { tty: boolean; width?: number }): string {
  const safeTotal = Math.max(0, total);
  const safeDone = Math.min(Math.max(0, done), safeTotal);
  const fraction = safeTotal === 0 ? 1 : safeDone / safeTotal;
  const percent = `${Math.floor(fraction * 100)}%`;
  const text = stripControl(label).replace(/\s+/g, ' ').trim();

  if (!options.tty) {
    return `[${safeDone}/${safeTotal}] ${percent}${text ? ` ${text}` : ''} (${formatSeconds(elapsedSeconds)} elapsed)`;
  }

  const width = Math.max(30, options.width ?? 80);
  const left = eta(safeDone, safeTotal, elapsedSeconds);
  const barWidth = Math.min(30, Math.max(10, Math.floor(width / 4)));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`;
  const status = `${bar} ${percent.padStart(4)} ${safeDone}/${safeTotal} · ETA ${safeDone >= safeTotal ? '0 s' : left === null ? '…' : formatSeconds(left)}`;
  // Leave the last column free: writing into it makes some terminals wrap, breaking the redraw.
  const room = width - 1 - [...status].length - 3;
  const shown = room > 0 && text ? ` · ${truncate(text, room)}` : '';
  return `\r${status}${shown}\x1b[K`;
}

