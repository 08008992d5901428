// Figures, not assertions: what 200 default-branch commits cost on the history branch. Writes 200
// entries (10 workloads × 2 interpreters, 4 arms each: a mid-sized project) to a bare repository
// through the same writer the action uses (one push per commit, history-keep as given), then prints
// the bytes per commit file, the branch's packed size, and the time to read the newest 20 commits
// the way a pull request run does (shallow fetch + one cat-file batch) and to compute their view.
//
//   npm run build && node_modules/.bin/node bench/history-size.mjs [commits=200] [keep=200]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HISTORY_FORMAT, entryPath, serializeEntry } from '../lib/core/history.js';
import { historyView } from '../lib/core/trend.js';
import { readHistory, writeHistory } from '../lib/history/store.js';

const commits = Number(process.argv[2] ?? 200);
const keep = Number(process.argv[3] ?? 200);
const work = mkdtempSync(path.join(tmpdir(), 'gilgate-history-size-'));
const bare = path.join(work, 'origin.git');
execFileSync('git', ['init', '--quiet', '--bare', bare]);

const sha = (n) => `${n.toString(16).padStart(8, '0')}${'ab'.repeat(16)}`;
let seed = 1;
const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.06;

function entry(n) {
  const workloads = [];
  for (const python of ['python3.13', 'python3.14t']) {
    for (let w = 0; w < 10; w++) {
      const serial = 0.05 * (w + 1) * (1 + noise());
      const arms = [
        { model: 'serial', workers: 1, median: serial, cv: 0.0123, n: 12 },
        { model: 'threads', workers: 4, median: serial / 1.1, cv: 0.0211, n: 12 },
        { model: 'processes', workers: 4, median: serial / 3.2, cv: 0.0312, n: 12 },
        { model: 'interpreters', workers: 4, median: serial / 3.0, cv: 0.0287, n: 12 },
      ];
      workloads.push({ name: `workload-${w}`, python, recommendation: 'processes', arm: 'processes×4', seconds: serial / 3.2, speedup: 3.2, serialSeconds: serial, rounds: 12, arms });
    }
  }
  return {
    format: HISTORY_FORMAT, commit: sha(n), committedAt: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString(),
    parent: n > 0 ? sha(n - 1) : null, pythons: ['python3.13', 'python3.14t'], tool: 'gilgate 0.1.0', cores: 4, threshold: 0.1, workloads,
  };
}

const writeStart = process.hrtime.bigint();
let bytes = 0;
for (let n = 0; n < commits; n++) {
  const e = entry(n);
  bytes += Buffer.byteLength(serializeEntry(e));
  const out = await writeHistory(path.join(work, 'writer.git'), { url: bare }, e, { branch: 'gilgate-data', keep, backoffMs: 1 });
  if (out.kind !== 'written') throw new Error(`${entryPath(e)}: ${JSON.stringify(out)}`);
}
const writeSeconds = Number(process.hrtime.bigint() - writeStart) / 1e9;
execFileSync('git', ['-C', bare, 'gc', '--quiet']);
const packed = execFileSync('git', ['-C', bare, 'count-objects', '-v'], { encoding: 'utf8' });
const packKiB = Number(/size-pack: (\d+)/.exec(packed)[1]);

// A pull request's read: a fresh scratch repository each time, as on a new runner.
const reads = [];
for (let i = 0; i < 5; i++) {
  const start = process.hrtime.bigint();
  const read = await readHistory(path.join(work, `reader-${i}.git`), { url: bare }, 'gilgate-data');
  const view = historyView(read.entries, null, { window: 20, threshold: 0.1 });
  reads.push(Number(process.hrtime.bigint() - start) / 1e9);
  if (view.commits !== 20) throw new Error(`expected a 20-commit window, got ${view.commits}`);
}
reads.sort((a, b) => a - b);
console.log(`commits: ${commits}, keep: ${keep}, workloads per file: 20 (10 × 2 interpreters), 4 arms each`);
console.log(`bytes per commit file: ${(bytes / commits / 1024).toFixed(1)} KiB (uncompressed JSON)`);
console.log(`branch packed after gc: ${packKiB} KiB (${(packKiB / commits).toFixed(1)} KiB per commit)`);
console.log(`write: ${(writeSeconds / commits * 1000).toFixed(0)} ms per commit (fetch + commit + push, local server)`);
console.log(`read the newest 20 commits (shallow fetch of all files + view), median of 5: ${(reads[2] * 1000).toFixed(0)} ms (min ${(reads[0] * 1000).toFixed(0)}, max ${(reads[4] * 1000).toFixed(0)}); target < 1000 ms`);
rmSync(work, { recursive: true, force: true });
