// The history branch against a real git server on 127.0.0.1 (git http-backend behind Node's HTTP
// server): sequential and concurrent writers, retention, a protected branch and a read-only token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_FORMAT, type HistoryEntry } from '../src/core/history.js';
import { readHistory, writeHistory } from '../src/history/store.js';
import { startGitHttpServer, type GitHttpServer } from './helpers/git-http-server.js';

const WRITE = 'ghs_write_token';
const READ_ONLY = 'ghs_read_only_token';
let server: GitHttpServer;
let work: string;
let jobs = 0;

function entry(n: number, seconds = 0.01): HistoryEntry {
  const sha = n.toString(16).padStart(40, 'a');
  return {
    format: HISTORY_FORMAT,
    commit: sha,
    committedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    parent: n > 0 ? (n - 1).toString(16).padStart(40, 'a') : null,
    pythons: ['python3'],
    tool: 'gilgate 0.1.0',
    cores: 2,
    threshold: 0.1,
    workloads: [
      {
        name: 'spin',
        python: 'python3',
        recommendation: 'processes',
        arm: 'processes×2',
        seconds,
        speedup: 1.8,
        serialSeconds: seconds * 1.8,
        rounds: 3,
        arms: [
          { model: 'serial', workers: 1, median: seconds * 1.8, cv: 0.01, n: 3 },
          { model: 'processes', workers: 2, median: seconds, cv: 0.02, n: 3 },
        ],
      },
    ],
  };
}

/** Each writer is a job of its own: its own scratch repository, as on separate runners. */
const job = () => join(work, `job-${jobs++}`);

function branchFiles(repo: string, branch = 'gilgate-data'): string[] {
  const bare = join(server.root, 'octo', `${repo}.git`);
  return execFileSync('git', ['-C', bare, 'ls-tree', '-r', '--name-only', branch], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gilgate-history-store-'));
  server = await startGitHttpServer(join(work, 'server'));
  server.writeTokens.add(WRITE);
  server.readTokens.add(READ_ONLY);
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('history branch on a real git server', () => {
  it('creates the orphan branch, adds one file per commit, and reads them back without a token', async () => {
    server.createRepository('octo', 'seq');
    const remote = { url: server.remote('octo', 'seq', WRITE), secrets: [WRITE] };
    for (let n = 1; n <= 5; n++) {
      const out = await writeHistory(job(), remote, entry(n), { branch: 'gilgate-data', keep: 100, backoffMs: 5 });
      expect(out.kind).toBe('written');
    }
    expect(branchFiles('seq')).toHaveLength(5);
    // A rerun of the same commit leaves the immutable file alone.
    const again = await writeHistory(job(), remote, entry(3, 99), { branch: 'gilgate-data', keep: 100, backoffMs: 5 });
    expect(again.kind).toBe('exists');
    const read = await readHistory(job(), { url: server.remote('octo', 'seq') }, 'gilgate-data');
    expect(read.found).toBe(true);
    expect(read.entries.map((e) => e.commit).sort()).toEqual([1, 2, 3, 4, 5].map((n) => entry(n).commit));
    expect(read.entries.find((e) => e.commit === entry(3).commit)!.workloads[0]!.seconds).toBe(0.01);
  });

  it('loses no result when three jobs push at once', async () => {
    server.createRepository('octo', 'race');
    const remote = { url: server.remote('octo', 'race', WRITE), secrets: [WRITE] };
    await writeHistory(job(), remote, entry(0), { branch: 'gilgate-data', keep: 100 });
    const retries: number[] = [];
    const outs = await Promise.all(
      [1, 2, 3].map((n) => writeHistory(job(), remote, entry(n), { branch: 'gilgate-data', keep: 100, backoffMs: 20, onRetry: (a) => retries.push(a) })),
    );
    expect(outs.map((o) => o.kind), JSON.stringify(outs)).toEqual(['written', 'written', 'written']);
    expect(branchFiles('race')).toHaveLength(4);
  });

  it('a missing branch reads as empty history', async () => {
    server.createRepository('octo', 'empty');
    const read = await readHistory(job(), { url: server.remote('octo', 'empty') }, 'gilgate-data');
    expect(read).toMatchObject({ found: false, entries: [] });
  });

  it('squashes files beyond history-keep into one file and keeps every point', async () => {
    server.createRepository('octo', 'keep');
    const remote = { url: server.remote('octo', 'keep', WRITE), secrets: [WRITE] };
    for (let n = 1; n <= 6; n++) await writeHistory(job(), remote, entry(n), { branch: 'gilgate-data', keep: 3, backoffMs: 5 });
    const files = branchFiles('keep');
    expect(files).toContain('squashed.json');
    expect(files.filter((f) => f.startsWith('commits/'))).toHaveLength(3);
    const read = await readHistory(job(), { url: server.remote('octo', 'keep') }, 'gilgate-data');
    expect(read.entries.map((e) => e.commit).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => entry(n).commit));
  });

  it('a protected branch (pre-receive hook) is refused with the server\'s words, not thrown', async () => {
    server.createRepository('octo', 'protected');
    server.protect('octo', 'protected', 'gilgate-data');
    const remote = { url: server.remote('octo', 'protected', WRITE), secrets: [WRITE] };
    const out = await writeHistory(job(), remote, entry(1), { branch: 'gilgate-data', keep: 10, backoffMs: 5 });
    expect(out.kind).toBe('refused');
    expect(out.kind === 'refused' && out.reason).toMatch(/Protected branch|hook declined/);
    expect(out.attempts).toBe(1);
  });

  it('a read-only token is refused (403), and the token never appears in the reason', async () => {
    server.createRepository('octo', 'readonly');
    const remote = { url: server.remote('octo', 'readonly', READ_ONLY), secrets: [READ_ONLY] };
    const out = await writeHistory(job(), remote, entry(1), { branch: 'gilgate-data', keep: 10, backoffMs: 5 });
    expect(out.kind).toBe('refused');
    expect(out.kind === 'refused' && out.reason).toMatch(/403/);
    expect(JSON.stringify(out)).not.toContain(READ_ONLY);
    expect(server.pushes.some((p) => p.token === READ_ONLY && p.status === 403)).toBe(true);
  });
});
