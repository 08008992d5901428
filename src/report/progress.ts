// Progress while trials run, formatted here and written to stderr by the caller (stdout stays clean
// for --json/--markdown to "-"). On a TTY one line is redrawn in place; elsewhere (CI logs) each
// call is its own plain line, since a carriage return would pile up as noise. Both carry an ETA.
//
// The total is the trials still planned for every workload still open, at the round cap: an upper
// bound that shrinks as workloads settle. So the ETA says "≤", and the shown percentage is held by
// `advanceProgress` so that it never goes back (a reader who saw 40% must not see 35% next).
import { stripControl } from './escape.js';
import { formatSeconds, truncate } from './format.js';

/** What the last progress line showed: the fraction done never decreases from one line to the next. */
export interface ShownProgress {
  fraction: number;
}

/** The fraction to show now: done ÷ total, but never below what was shown before. */
export function advanceProgress(previous: ShownProgress | null, done: number, total: number): ShownProgress {
  const safeTotal = Math.max(0, total);
  const safeDone = Math.min(Math.max(0, done), safeTotal);
  const fraction = safeTotal === 0 ? 1 : safeDone / safeTotal;
  return { fraction: Math.max(previous?.fraction ?? 0, fraction) };
}

/** Seconds left, assuming the trials still to run take as long as the ones done; null before any. */
function eta(done: number, total: number, elapsedSeconds: number): number | null {
  if (done <= 0 || elapsedSeconds <= 0) return null;
  return (elapsedSeconds / done) * Math.max(0, total - done);
}

/** "ETA ≤ 12.0 s" (the remaining trials at the round cap), "ETA …" before the first trial, "ETA 0 s" at the end. */
function etaText(done: number, total: number, elapsedSeconds: number): string {
  if (done >= total) return 'ETA 0 s';
  const left = eta(done, total, elapsedSeconds);
  return left === null ? 'ETA …' : `ETA ≤ ${formatSeconds(left)}`;
}

/**
 * TTY: "\r[█████░░░░░]  45% 9/20 · ETA ≤ 12 s · label" then ESC[K to clear what a longer previous
 * line left behind. Otherwise: "[9/20] 45% · ETA ≤ 12 s · label (12 s elapsed)". Neither ends in a
 * newline: the caller adds one off a TTY, and one after the last redraw on a TTY. `shown` is what
 * the previous line showed (see advanceProgress); the caller keeps it between calls.
 */
export function progressLine(
  done: number,
  total: number,
  elapsedSeconds: number,
  label: string,
  options: { tty: boolean; width?: number; shown?: ShownProgress | null; phase?: string | null },
): string {
  const safeTotal = Math.max(0, total);
  const safeDone = Math.min(Math.max(0, done), safeTotal);
  const fraction = advanceProgress(options.shown ?? null, safeDone, safeTotal).fraction;
  const percent = `${Math.floor(fraction * 100)}%`;
  const text = stripControl(label).replace(/\s+/g, ' ').trim();
  const timeLeft = etaText(safeDone, safeTotal, elapsedSeconds);

  if (!options.tty) {
    return `[${options.phase ? `${stripControl(options.phase)} ` : ''}${safeDone}/${safeTotal}] ${percent} · ${timeLeft}${text ? ` · ${text}` : ''} (${formatSeconds(elapsedSeconds)} elapsed)`;
  }

  const width = Math.max(30, options.width ?? 80);
  const barWidth = Math.min(30, Math.max(10, Math.floor(width / 4)));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`;
  const status = `${bar} ${percent.padStart(4)} ${options.phase ? `${stripControl(options.phase)} ` : ''}${safeDone}/${safeTotal} · ${timeLeft}`;
  // Leave the last column free: writing into it makes some terminals wrap, breaking the redraw.
  const room = width - 1 - [...status].length - 3;
  const shown = room > 0 && text ? ` · ${truncate(text, room)}` : '';
  return `\r${status}${shown}\x1b[K`;
}
