// The outlook beyond the runner, in words: always named a model (Amdahl's law), always with the
// figure it came from and where it was measured, never read as a measurement. Plain text: callers
// escape for their sink.
import type { Outlook, OutlookBound } from '../core/outlook.js';
import { fmt } from './explain.js';
import { formatLevel } from './format.js';

/** Two decimals for a serial fraction: e = 0.05. */
function fraction(x: number): string {
  return x.toFixed(x > 0 && x < 0.01 ? 3 : 2);
}

/** A bound is a model's figure: one decimal says all it can. */
function tenths(x: number): string {
  return x.toFixed(1);
}

function bound(b: OutlookBound): string {
  return `×${tenths(b.value)} (${tenths(b.lower)}–${tenths(b.upper)}) on ${b.workers}`;
}

/**
 * "Outlook beyond this runner (a model, not a measurement): at most ×3.4 (3.1–3.8) on 4 cores,
 * ×5.7 (…) on 8, … by Amdahl's law from e = 0.05 (0.03–0.08) measured with processes ×1.9 on 2
 * workers. …" Null when there is no outlook.
 */
export function outlookText(o: Outlook | null | undefined): string | null {
  if (!o || o.bounds.length === 0) return null;
  const e = o.serialFraction;
  const sentences: string[] = [];
  const [first, ...rest] = o.bounds;
  sentences.push(
    `at most ${bound(first!).replace(/ on (\d+)$/, ' on $1 cores')}${rest.map((b) => `, ${bound(b)}`).join('')} by Amdahl's law from ` +
      `e = ${fraction(e.value)} (${fraction(e.lower)}–${fraction(e.upper)}, from the speedup's ${formatLevel(o.speedup.level)} interval) ` +
      `measured with ${o.model} ×${fmt(o.speedup.value)} on ${o.measuredWorkers} workers.`,
  );
  if (o.capacity !== null && o.serialFractionVsCapacity !== null && o.capacity < 0.95 * o.measuredWorkers) {
    sentences.push(
      `This runner's ${o.measuredWorkers} workers deliver ×${fmt(o.capacity)} of one core, and e counts that shortfall as serial work: ` +
        `the bound is for more cores like these (against the capacity, e = ${fraction(o.serialFractionVsCapacity)}).`,
    );
  }
  if (o.fit) {
    const f = o.fit.serialFraction;
    const at = o.fit.bounds.find((b) => b.workers === 8) ?? o.fit.bounds[0];
    sentences.push(
      `A fit over the sweep's ${o.fit.points} points gives e = ${fraction(f.value)} (${fraction(f.lower)}–${fraction(f.upper)}, ${formatLevel(o.fit.level)})` +
        (at ? `: at most ${bound(at)}.` : '.'),
    );
  }
  return `Outlook beyond this runner (a model, not a measurement): ${sentences.join(' ')}`;
}
