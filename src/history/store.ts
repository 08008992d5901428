// The history branch: reading it (pull requests, forks included, and `gilgate history`) and adding
// one immutable file per default-branch commit (push runs). Shell code: git through execa.
//
// The action never touches the user's checkout for this: it works in a bare repository of its own
// (under RUNNER_TEMP), fetching the one branch at depth 1. A write builds its commit on the branch's
// current tip with a temporary index (the new file added, retention applied), and pushes; when the
// push loses a race (another job pushed first) it fetches the new tip and builds again — a rebase
// that cannot conflict, since every file is new and immutable — with bounded, jittered backoff. A
// push the server refuses (branch protection, a read-only token) is a warning: it never fails the
// measurement.
import { execa } from 'execa';
import { mkdir } from 'node:fs/promises';
import {
  compactNumber,
  entryPath,
  HISTORY_FORMAT,
  readHistoryFile,
  retain,
  serializeEntry,
  SQUASHED_PATH,
  type HistoryEntry,
} from '../core/history.js';

/** Where the branch lives: a URL (with credentials where needed) or a remote name of a local clone. */
export interface HistoryRemote {
  url: string;
  /** Secrets to scrub from any message (the token). */
  secrets?: readonly string[];
}

export interface ReadOutcome {
  entries: HistoryEntry[];
  /** Files that were not history files (skipped, each named). */
  skipped: string[];
  /** False when the branch does not exist yet. */
  found: boolean;
  /** The branch's tip that was read. */
  tip: string | null;
}

export type WriteOutcome =
  | { kind: 'written'; path: string; attempts: number; commit: string }
  | { kind: 'exists'; path: string; attempts: number }
  | { kind: 'refused'; reason: string; attempts: number };

const GIT_ENV = {
  LC_ALL: 'C',
  GIT_TERMINAL_PROMPT: '0',
  // The history commits' author: fixed, so the branch reads as the tool's.
  GIT_AUTHOR_NAME: 'gilgate',
  GIT_AUTHOR_EMAIL: 'gilgate@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'gilgate',
  GIT_COMMITTER_EMAIL: 'gilgate@users.noreply.github.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

export class HistoryError extends Error {
  override name = 'HistoryError';
}

interface Git {
  (args: readonly string[], options?: { input?: string; env?: Record<string, string> }): Promise<{ ok: boolean; stdout: string; stderr: string }>;
}

function gitIn(dir: string, secrets: readonly string[]): Git {
  return async (args, options = {}) => {
    const result = await execa('git', args, {
      cwd: dir,
      env: { ...GIT_ENV, ...options.env },
      reject: false,
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : undefined,
      stripFinalNewline: false,
    });
    return { ok: !result.failed, stdout: String(result.stdout ?? ''), stderr: scrub(String(result.stderr ?? ''), secrets) };
  };
}

/** Tokens out of messages (a URL's credentials included). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@');
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

function firstLines(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' / ') || '(no output)';
}

/** A bare repository of our own for history I/O (created when missing). */
export async function historyRepository(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const git = gitIn(dir, []);
  const inside = await git(['rev-parse', '--is-bare-repository']);
  if (!inside.ok || inside.stdout.trim() !== 'true') {
    const init = await git(['init', '--quiet', '--bare', '.']);
    if (!init.ok) throw new HistoryError(`cannot create ${dir}: ${firstLines(init.stderr)}`);
  }
  return dir;
}

function localRef(branch: string): string {
  return `refs/gilgate/${branch}`;
}

/** Fetch the branch's tip (depth 1) into our ref; null when the branch does not exist. */
async function fetchTip(git: Git, remote: HistoryRemote, branch: string): Promise<string | null> {
  const fetched = await git(['fetch', '--quiet', '--no-tags', '--depth=1', remote.url, `+refs/heads/${branch}:${localRef(branch)}`]);
  if (!fetched.ok) {
    if (/couldn't find remote ref|not our ref|no such ref/i.test(fetched.stderr)) return null;
    throw new HistoryError(`cannot fetch the ${branch} branch: ${firstLines(fetched.stderr)}`);
  }
  const tip = await git(['rev-parse', '--verify', '--quiet', `${localRef(branch)}^{commit}`]);
  return tip.ok ? tip.stdout.trim() : null;
}

/** Every history file at `rev` (a commit or ref in `dir`), read in one `cat-file --batch`. */
export async function readEntriesAt(dir: string, rev: string, secrets: readonly string[] = []): Promise<{ entries: HistoryEntry[]; skipped: string[] }> {
  const git = gitIn(dir, secrets);
  const listed = await git(['ls-tree', '-r', '-z', '--full-tree', rev]);
  if (!listed.ok) throw new HistoryError(`cannot list ${rev}: ${firstLines(listed.stderr)}`);
  const files = listed.stdout
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      const [, type, object] = line.slice(0, tab).split(' ');
      return { type, object: object!, path: line.slice(tab + 1) };
    })
    .filter((f) => f.type === 'blob' && f.path.endsWith('.json') && (f.path.startsWith('commits/') || f.path === SQUASHED_PATH));
  if (files.length === 0) return { entries: [], skipped: [] };
  const batch = await execa('git', ['cat-file', '--batch'], { cwd: dir, env: GIT_ENV, input: files.map((f) => f.object).join('\n') + '\n', encoding: 'buffer', reject: false });
  if (batch.failed) throw new HistoryError(`cannot read ${rev}: ${scrub(String(batch.stderr), secrets)}`);
  const out = Buffer.from(batch.stdout as Uint8Array);
  const entries: HistoryEntry[] = [];
  const skipped: string[] = [];
  let at = 0;
  for (const file of files) {
    const eol = out.indexOf(0x0a, at);
    const size = Number(out.subarray(at, eol).toString('utf8').split(' ')[2]);
    const body = out.subarray(eol + 1, eol + 1 + size).toString('utf8');
    at = eol + 1 + size + 1;
    try {
      entries.push(...readHistoryFile(file.path, JSON.parse(body)));
    } catch (error) {
      skipped.push(`${file.path}: ${(error as Error).message}`);
    }
  }
  return { entries, skipped };
}

/** A pull request's (or any run's) read: a shallow fetch of the branch, then its files. */
export async function readHistory(dir: string, remote: HistoryRemote, branch: string): Promise<ReadOutcome> {
  const git = gitIn(await historyRepository(dir), remote.secrets ?? []);
  const tip = await fetchTip(git, remote, branch);
  if (tip === null) return { entries: [], skipped: [], found: false, tip: null };
  const { entries, skipped } = await readEntriesAt(dir, tip, remote.secrets ?? []);
  return { entries, skipped, found: true, tip };
}

export interface WriteOptions {
  branch: string;
  /** Commits whose files are kept; older ones are squashed into squashed.json. */
  keep: number;
  /** Push attempts before giving up (each after fetching the new tip). */
  attempts?: number;
  /** Backoff base, ms: attempt k waits base × 2^(k−1) × (1 + jitter). */
  backoffMs?: number;
  onRetry?: (attempt: number, reason: string) => void;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Add `entry` as its own file on the branch, racing other writers safely (see the file's head). */
export async function writeHistory(dir: string, remote: HistoryRemote, entry: HistoryEntry, options: WriteOptions): Promise<WriteOutcome> {
  const secrets = remote.secrets ?? [];
  const git = gitIn(await historyRepository(dir), secrets);
  const path = entryPath(entry);
  const attempts = options.attempts ?? 8;
  const index = `${dir}/gilgate-index-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const withIndex = { env: { GIT_INDEX_FILE: index } };
  let lastReason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tip = await fetchTip(git, remote, options.branch);
    if (tip !== null && (await git(['cat-file', '-e', `${tip}:${path}`])).ok) return { kind: 'exists', path, attempts: attempt };
    const read = tip === null ? await git(['read-tree', '--empty'], withIndex) : await git(['read-tree', tip], withIndex);
    if (!read.ok) throw new HistoryError(`cannot read the ${options.branch} tree: ${firstLines(read.stderr)}`);
    await addFile(git, withIndex.env, path, serializeEntry(entry));
    const squashed = tip === null ? 0 : await applyRetention(git, dir, tip, withIndex.env, entry, options.keep, secrets);
    const tree = await git(['write-tree'], withIndex);
    if (!tree.ok) throw new HistoryError(`cannot write the tree: ${firstLines(tree.stderr)}`);
    const message = `gilgate: ${entry.commit.slice(0, 12)} (${entry.pythons.join(', ') || 'default'})${squashed > 0 ? `, squashed ${squashed}` : ''}`;
    const commit = await git(['commit-tree', tree.stdout.trim(), ...(tip ? ['-p', tip] : []), '-m', message]);
    if (!commit.ok) throw new HistoryError(`cannot commit: ${firstLines(commit.stderr)}`);
    const sha = commit.stdout.trim();
    const pushed = await git(['push', '--quiet', '--porcelain', remote.url, `${sha}:refs/heads/${options.branch}`]);
    if (pushed.ok) return { kind: 'written', path, attempts: attempt, commit: sha };
    const said = `${pushed.stderr}\n${pushed.stdout}`;
    // Lost a race: someone pushed since our fetch. Anything else is the server saying no.
    // (A server that took the push but lost the ref update to a concurrent one says "failed to update
    // ref" or "cannot lock ref": a race too.)
    const lostRace = /non-fast-forward|fetch first|stale info|cannot lock ref|failed to update ref|failed to lock|incorrect old value/i.test(said);
    if (!lostRace || /hook declined|protected branch/i.test(said)) {
      return { kind: 'refused', reason: pushReason(scrub(said, secrets)), attempts: attempt };
    }
    lastReason = firstLines(scrub(said, secrets));
    options.onRetry?.(attempt, lastReason);
    const base = options.backoffMs ?? 500;
    if (attempt < attempts) await sleep(base * 2 ** (attempt - 1) * (1 + Math.random()));
  }
  return { kind: 'refused', reason: `gave up after ${attempts} attempts, each beaten by another push (${lastReason})`, attempts };
}

/** What the server said: its `remote:` lines (a hook's message), errors and the rejected ref. */
function pushReason(said: string): string {
  const lines = said.split('\n').map((l) => l.trim()).filter((l) => /^(remote:|error:|fatal:|!)/.test(l) && !/^remote:\s*$/.test(l));
  return lines.length > 0 ? lines.slice(0, 5).join(' / ').replace(/\t/g, ' ') : firstLines(said);
}

async function addFile(git: Git, env: Record<string, string>, path: string, text: string): Promise<void> {
  const blob = await git(['hash-object', '-w', '--stdin'], { input: text });
  if (!blob.ok) throw new HistoryError(`cannot store ${path}: ${firstLines(blob.stderr)}`);
  const added = await git(['update-index', '--add', '--cacheinfo', `100644,${blob.stdout.trim()},${path}`], { env });
  if (!added.ok) throw new HistoryError(`cannot add ${path}: ${firstLines(added.stderr)}`);
}

/**
 * Keep the newest `keep` commits' files; fold older ones into squashed.json (without their per-arm
 * summaries: trends read the recommendation, time and speedup). Returns how many files were folded.
 */
async function applyRetention(git: Git, dir: string, tip: string, env: Record<string, string>, added: HistoryEntry, keep: number, secrets: readonly string[]): Promise<number> {
  const listed = await git(['ls-files', '-z', 'commits/'], { env });
  const files = listed.stdout.split('\0').filter((p) => p !== '');
  const withFiles = new Set(files.map((p) => p.split('/')[1] ?? ''));
  if (withFiles.size <= keep) return 0;
  const { entries } = await readEntriesAt(dir, tip, secrets);
  const all = [...entries, added];
  const { squashed } = retain(all.filter((e) => withFiles.has(e.commit)), keep);
  const fold = new Set(squashed.map((e) => e.commit));
  const drop = files.filter((p) => fold.has(p.split('/')[1] ?? ''));
  if (drop.length === 0) return 0;
  // The squashed file keeps what it held plus the newly folded entries.
  const previous = all.filter((e) => !withFiles.has(e.commit));
  const body = {
    format: HISTORY_FORMAT,
    entries: [...previous, ...squashed].map((e) => ({ ...e, workloads: e.workloads.map((w) => ({ ...w, arms: [] })) })),
  };
  await addFile(git, env, SQUASHED_PATH, `${JSON.stringify(body, compactNumber)}\n`);
  // Mode 0 removes a path from the index (update-index --index-info): no work tree needed.
  const removed = await git(['update-index', '-z', '--index-info'], { env, input: drop.map((p) => `0 ${'0'.repeat(40)}\t${p}\0`).join('') });
  if (!removed.ok) throw new HistoryError(`cannot fold old files: ${firstLines(removed.stderr)}`);
  return drop.length;
}

/** The branch's tip in a local clone: the local branch, else origin's. For `gilgate history`. */
export async function localHistoryRev(cwd: string, branch: string): Promise<string | null> {
  const git = gitIn(cwd, []);
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const found = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (found.ok) return found.stdout.trim();
  }
  return null;
}

/** The commit a run measured: its committer date and first parent, for ordering the series. */
export async function commitFacts(cwd: string, sha: string): Promise<{ sha: string; committedAt: string; parent: string | null }> {
  const git = gitIn(cwd, []);
  const shown = await git(['show', '-s', '--format=%H%n%cI%n%P', sha]);
  if (!shown.ok) throw new HistoryError(`cannot read commit ${sha}: ${firstLines(shown.stderr)}`);
  const [full, date, parents] = shown.stdout.split('\n');
  return { sha: full!.trim(), committedAt: (date ?? '').trim(), parent: (parents ?? '').trim().split(' ')[0] || null };
}
