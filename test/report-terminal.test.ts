import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../src/report/terminal.js';
import { advanceProgress, progressLine, type ShownProgress } from '../src/report/progress.js';
import { cpuBoundSide, fixtures, results, workload } from './fixtures/results/index.js';

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

describe('renderTerminal', () => {
  it('prints plain text without color', () => {
    const out = renderTerminal(fixtures.regressions, { color: false });
    expect(out).not.toMatch(ANSI);
    expect(out.split('\n')[0]).toBe('gilgate: ✗ 3 regressions · 0a1b2c3 → 9f1c2e3 · 4 cores · CPython 3.12.3');
    expect(out).toContain('  ✗ slower: +41% (CI +33%…+49%) with processes×4');
    expect(out).toContain('  ✗ recommendation flipped: recommendation changed from processes to threads');
    expect(out).toContain('  ✓ faster: −12% (CI −20%…−3%) with threads×4');
    expect(out).toContain('resize-images: CPU-bound and holds the GIL');
  });

  it('aligns the table columns', () => {
    const lines = renderTerminal(fixtures.regressions, { color: false }).split('\n');
    const header = lines.find((l) => l.startsWith('workload'))!;
    const rows = lines.slice(lines.indexOf(header) + 1, lines.indexOf(header) + 4);
    expect(rows.map((r) => r.split(/\s{2,}/)[0])).toEqual(['resize-images', 'parse-logs', 'build-index']);
    const col = header.indexOf('threads');
    for (const row of rows) expect(row[col - 1]).toBe(' ');
    expect(rows[0]!.slice(col)).toMatch(/^×1\.0 at 2/);
    expect(rows[1]).toContain('threads (was processes)');
    expect(rows[0]).toContain('+41% (+33%…+49%)');
  });

  it('colors recommendations and regressions when asked', () => {
    const out = renderTerminal(fixtures.regressions, { color: true });
    expect(out).toMatch(ANSI);
    expect(out).toContain('\x1b[35mprocesses');
    expect(out).toContain('\x1b[31m+41% (+33%…+49%)');
    expect(out.replace(ANSI, '')).toBe(renderTerminal(fixtures.regressions, { color: false }));
  });

  it('shows unavailable models, warnings and errors', () => {
    const out = renderTerminal(fixtures.unavailableProcesses, { color: false });
    expect(out).toContain('  - processes unavailable: PicklingError');
    expect(out).toContain('  ! threads returned different results than serial');
    expect(renderTerminal(fixtures.error, { color: false })).toContain('  error (task): ZeroDivisionError');
  });

  it('keeps table lines within the width by shortening names', () => {
    const long = results([workload(`a-very-long-workload-name-${'x'.repeat(200)}`, cpuBoundSide())]);
    const lines = renderTerminal(long, { color: false, width: 100 }).split('\n');
    const header = lines.findIndex((l) => l.startsWith('workload'));
    for (const line of lines.slice(header, header + 2)) expect([...line].length).toBeLessThanOrEqual(100);
    expect(lines[header + 1]).toContain('…');
  });

  it('adds an interpreters column only where some workload ran them, and is silent where they cannot exist', () => {
    const free = renderTerminal(fixtures.freeThreaded, { color: false });
    const header = free.split('\n').find((l) => l.startsWith('workload'))!;
    expect(header.split(/\s{2,}/)).toEqual(['workload', 'recommendation', 'threads', 'processes', 'interpreters', 'vs base (time)', 'rounds']);
    expect(free).toMatch(/legacy-ext\s+interpreters\s+×1\.0 at 2\s+×1\.4 at 2\s+×1\.5 at 2/);
    const old = renderTerminal(fixtures.unavailableProcesses, { color: false });
    expect(old.split('\n').find((l) => l.startsWith('workload'))).not.toContain('interpreters');
    // CPython 3.12 has no InterpreterPoolExecutor: saying so on every run is noise.
    expect(old).not.toContain('interpreters cannot run');
    expect(old).not.toContain('  - interpreters unavailable');
    // On a 3.14 that still cannot run them, it is news, said once.
    const news = { ...fixtures.unavailableProcesses, environment: { ...fixtures.unavailableProcesses.environment, python: '3.14.0', interpretersUnavailable: 'concurrent.interpreters failed to import' } };
    expect(renderTerminal(news, { color: false })).toContain('interpreters cannot run on this interpreter: concurrent.interpreters failed to import');
  });

  it('shows per-batch and once-started speedups with the break-even, and the free-threaded words', () => {
    const out = renderTerminal(fixtures.freeThreaded, { color: false });
    expect(out).toContain('small-batch: ');
    expect(out).toContain('serial for this 57 ms batch; interpreters scale ×1.60 once started and pay off above about 140 ms of work per pool');
    expect(out).toContain('  start-up: the verdict is for a pool created per batch (this batch: 57 ms serial): processes ×0.7 per batch, ×1.6 once started, start-up 50 ms');
    expect(out).toContain('on this free-threaded build threads run Python code in parallel');
    expect(out).toContain('this runner delivers ×1.60 with 4 workers');
    expect(out).toContain('  ! importing legacy_ext re-enabled the GIL on this free-threaded build: threads are serialized again');
  });

  it('strips terminal control sequences from user text', () => {
    const evil = results([workload('evil\x1b[2J\x1b]0;pwned\x07name', { ...cpuBoundSide(), reason: 'why\x1b[31m red\u202etxt' })]);
    const out = renderTerminal(evil, { color: false });
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\x07');
    expect(out).not.toContain('\u202e');
    expect(out).toContain('evil[2J]0;pwnedname');
  });
});

describe('progressLine', () => {
  it('redraws a bar with percentage and ETA on a TTY', () => {
    const line = progressLine(5, 20, 10, 'resize-images threads×2', { tty: true, width: 80 });
    expect(line.startsWith('\r[')).toBe(true);
    expect(line.endsWith('\x1b[K')).toBe(true);
    expect(line).not.toContain('\n');
    expect(line).toContain(' 25% 5/20');
    expect(line).toContain('ETA ≤ 30.0 s'); // 10 s for 5 trials → 30 s for the remaining 15
    expect(line).toContain('resize-images threads×2');
    expect([...line.replace('\r', '').replace('\x1b[K', '')].length).toBeLessThan(80);
  });

  it('says the ETA is unknown before the first trial and zero at the end', () => {
    expect(progressLine(0, 20, 0, 'x', { tty: true })).toContain('ETA …');
    expect(progressLine(20, 20, 60, 'x', { tty: true })).toContain('100% 20/20 · ETA 0 s');
  });

  it('writes a plain line off a TTY, with its ETA', () => {
    expect(progressLine(3, 12, 4.5, 'hash-blobs', { tty: false })).toBe('[3/12] 25% · ETA ≤ 13.5 s · hash-blobs (4.50 s elapsed)');
    expect(progressLine(0, 12, 0, 'hash-blobs', { tty: false })).toBe('[0/12] 0% · ETA … · hash-blobs (0 µs elapsed)');
  });

  it('names a phase with its own count when given one', () => {
    expect(progressLine(3, 8, 6, 'probe w', { tty: false, phase: 'probes' })).toBe('[probes 3/8] 37% · ETA ≤ 10.0 s · probe w (6.00 s elapsed)');
    expect(progressLine(3, 8, 6, 'probe w', { tty: true, phase: 'probes' })).toContain(' 37% probes 3/8 · ETA ≤ 10.0 s');
  });

  it('never shows a smaller percentage than the line before, whatever the total does', () => {
    // Totals as a run reports them: the planned trials of the open workloads, shrinking as they
    // settle and growing when a round has more trials than the last.
    const steps: [number, number][] = [[0, 720], [50, 720], [100, 558], [120, 900], [200, 414], [210, 1000], [300, 354], [324, 324]];
    for (const tty of [false, true]) {
      let shown: ShownProgress | null = null;
      let last = -1;
      for (const [i, [done, total]] of steps.entries()) {
        const line = progressLine(done, total, i * 10, 'w', { tty, shown });
        shown = advanceProgress(shown, done, total);
        const percent = Number(/(\d+)%/.exec(line)![1]);
        expect(percent).toBeGreaterThanOrEqual(last);
        expect(line).toMatch(/ETA (…|≤ \S+|0 s)/);
        last = percent;
      }
      expect(last).toBe(100);
    }
  });

  it('clamps nonsense and strips control characters from the label', () => {
    expect(progressLine(30, 20, 1, 'a\x1b[2Jb', { tty: false })).toBe('[20/20] 100% · ETA 0 s · a[2Jb (1.00 s elapsed)');
    expect(progressLine(0, 0, 0, '', { tty: false })).toBe('[0/0] 100% · ETA 0 s (0 µs elapsed)');
  });

  it('shortens a long label to fit the width', () => {
    const line = progressLine(1, 2, 1, 'y'.repeat(300), { tty: true, width: 60 });
    expect([...line.replace('\r', '').replace('\x1b[K', '')].length).toBeLessThan(60);
    expect(line).toContain('…');
  });
});

describe('renderTerminal: an interpreter matrix', () => {
  it('prints one row per (workload, interpreter), each interpreter in the headline, and what the budget left undecided', () => {
    const out = renderTerminal(fixtures.matrix, { color: false, width: 160 });
    expect(out.split('\n')[0]).toBe('gilgate: ✗ 1 regression · 0a1b2c3 → 9f1c2e3 · 4 cores · CPython 3.11.7, CPython 3.14.0, PyPy 3.9.18');
    const lines = out.split('\n');
    const header = lines.findIndex((l) => l.startsWith('workload'));
    const names = lines.slice(header + 1, header + 7).map((r) => r.split(/\s{2,}/)[0]);
    expect(names).toEqual([
      'resize-images · CPython 3.11.7',
      'resize-images · CPython 3.14.0',
      'resize-images · PyPy 3.9.18',
      'tokenize · CPython 3.11.7',
      'tokenize · CPython 3.14.0',
      'tokenize · PyPy 3.9.18',
    ]);
    expect(lines[header + 2]).toMatch(/interpreters\s+×1\.0 at 2\s+×3\.6 at 4\s+×3\.5 at 4/);
    expect(lines[header + 1]).toContain('unavailable');
    expect(out).toContain('resize-images · PyPy 3.9.18: tasks too small for a pool to pay off');
    expect(out).toContain('  ✗ recommendation flipped: processes → serial: parallelism no longer pays off');
    expect(out).toContain('interpreters: CPython 3.11.7 (python3.11), CPython 3.14.0 (python3.14), PyPy 3.9.18 (pypy3)');
    expect(out).toContain('left undecided by the time budget: tokenize · CPython 3.14.0');
  });

  it('says when base ran another interpreter, and the flip names it', () => {
    const out = renderTerminal(fixtures.interpreterChanged, { color: false });
    expect(out.split('\n')[0]).toContain('CPython 3.14.0');
    expect(out).toContain('  ✗ recommendation flipped: processes → threads: the interpreter changed: CPython 3.11.7 → CPython 3.14.0t');
    expect(out).toContain('base ran another interpreter: CPython 3.11.7 → CPython 3.14.0t');
    // One interpreter: rows are named by the workload alone.
    expect(out).toMatch(/\nresize-images\s+threads \(was processes\)/);
  });

  it('labels rows by command when the results keep no environments', () => {
    const plain = results([workload('a', cpuBoundSide(), { python: 'python3.11' }), workload('a', cpuBoundSide(), { python: 'pypy3' })]);
    const out = renderTerminal(plain, { color: false });
    expect(out).toContain('a · python3.11');
    expect(out).toContain('a · pypy3');
    expect(out.split('\n')[0]).toContain('python3.11, pypy3');
  });
});

describe('ratioText', () => {
  it('prints an interval from two rounds without astronomic numbers', async () => {
    const { ratioText } = await import('../src/report/explain.js');
    const estimate = { ratio: 1.47, lower: 0, upper: 8.7e80, level: 0.998, pValue: 0.5, n: 2 };
    expect(ratioText({ outcome: 'unknown', estimate })).toBe('×1.47, CI 0.00–>1000');
    expect(ratioText({ outcome: 'unknown', estimate: { ...estimate, upper: Number.POSITIVE_INFINITY } })).toBe('×1.47, CI 0.00–∞');
    expect(ratioText({ outcome: 'unknown', estimate: { ...estimate, upper: 12.345 } })).toBe('×1.47, CI 0.00–12.3');
  });
});
