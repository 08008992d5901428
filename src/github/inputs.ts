// The action's inputs, parsed and validated from plain strings (pure: the shell reads them with
// core.getInput and hands over a record). Defaults live in action.yml; an absent input arrives as ""
// and must still mean something sensible, because runners of old or local harnesses may omit it.
import { FAIL_ON_VALUES, type FailOn } from '../core/gate.js';
import { parseShard, type ShardSpec } from '../core/shard.js';
import { DEFAULT_HISTORY_BRANCH, DEFAULT_HISTORY_KEEP } from '../core/history.js';

export type CommentMode = 'always' | 'on-regression' | 'never';

export interface ActionInputs {
  /** Config path relative to the working directory; null lets the engine look for its defaults. */
  config: string | null;
  githubToken: string | null;
  python: string | null;
  /** A command run in each side's tree inside its own virtual environment (overrides the config's `install:`). */
  install: string | null;
  /** Commit to re-run as base; null means "the pull request's base, if any". */
  base: string | null;
  /** `base: none`: measure the head only, even on a pull request (half the time, no comparison). */
  baseDisabled: boolean;
  failOn: FailOn;
  /** Fraction (0.1 = 10%). */
  threshold: number | null;
  maxTimeSeconds: number | null;
  comment: CommentMode;
  workingDirectory: string;
  /** Existing results JSON: publish it instead of measuring (the workflow_run half of fork PRs). */
  report: string | null;
  /** Pull request to comment on when the event carries none (workflow_run). */
  prNumber: number | null;
  /** `shard: i/n`: measure only this leg's workloads; no comment and no gate (the merge step gives both). */
  shard: ShardSpec | null;
  /** `shard-costs:` an earlier results file whose costs every leg splits by (instead of probing). */
  shardCosts: string | null;
  /** `merge:` folders, globs or files (one a line) of legs' results: merge them instead of measuring. */
  merge: string[] | null;
  /** `history:` the data branch (default gilgate-data); null: `off`, no history read or written. */
  history: string | null;
  /** `history-keep:` commits whose files are kept on the data branch; older ones are squashed. */
  historyKeep: number;
}

/** Branches history must never write to: code lives there, or a site does. */
const RESERVED_BRANCHES = ['main', 'master', 'gh-pages'];

/** Every input name action.yml declares, in the spelling runners turn into INPUT_<NAME>. */
export const ACTION_INPUT_NAMES = [
  'config',
  'github-token',
  'python',
  'install',
  'base',
  'fail-on',
  'threshold',
  'max-time',
  'comment',
  'working-directory',
  'report',
  'pr-number',
  'shard',
  'shard-costs',
  'merge',
  'history',
  'history-keep',
] as const;

export type ActionInputName = (typeof ACTION_INPUT_NAMES)[number];

const COMMENT_MODES: readonly CommentMode[] = ['always', 'on-regression', 'never'];

/** All problems at once, so a user fixes the workflow file in one go. */
export class ActionInputError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid action input${problems.length > 1 ? 's' : ''}:\n  ${problems.join('\n  ')}`);
    this.name = 'ActionInputError';
    this.problems = problems;
  }
}

export function parseActionInputs(raw: Readonly<Partial<Record<ActionInputName, string>>>): ActionInputs {
  const problems: string[] = [];
  const text = (name: ActionInputName): string | null => {
    const value = (raw[name] ?? '').trim();
    return value === '' ? null : value;
  };

  const failOn = choice(text('fail-on'), FAIL_ON_VALUES, 'regression', 'fail-on', problems);
  const comment = choice(text('comment'), COMMENT_MODES, 'always', 'comment', problems);
  const threshold = parseThreshold(text('threshold'), problems);
  const maxTimeSeconds = parseDuration(text('max-time'), problems);
  const prNumber = parsePrNumber(text('pr-number'), problems);

  const base = text('base');
  const baseDisabled = base !== null && /^(none|false|off)$/i.test(base);

  const { shard, merge } = parseMatrixInputs(text('shard'), text('merge'), text('report'), problems);

  const history = parseHistoryBranch(text('history'), problems);
  const historyKeep = parseHistoryKeep(text('history-keep'), problems);

  if (problems.length > 0) throw new ActionInputError(problems);
  return {
    config: text('config'),
    githubToken: text('github-token'),
    python: text('python'),
    install: text('install'),
    base: baseDisabled ? null : base,
    baseDisabled,
    failOn,
    threshold,
    maxTimeSeconds,
    comment,
    workingDirectory: text('working-directory') ?? '.',
    report: text('report'),
    prNumber,
    shard,
    shardCosts: text('shard-costs'),
    merge,
    history,
    historyKeep,
  };
}

/** A branch of its own: never one that holds code or a site (the default branch is checked at run time). */
function parseHistoryBranch(value: string | null, problems: string[]): string | null {
  if (value === null) return DEFAULT_HISTORY_BRANCH;
  if (/^(off|none|false)$/i.test(value)) return null;
  const name = value.replace(/^refs\/heads\//, '');
  if (RESERVED_BRANCHES.includes(name.toLowerCase())) {
    problems.push(`history: "${value}" would write into a branch that holds code or a site; use a branch of its own (default ${DEFAULT_HISTORY_BRANCH}) or off`);
    return null;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) || name.includes('..') || name.endsWith('/') || name.endsWith('.lock')) {
    problems.push(`history: "${value}" is not a branch name (or off)`);
    return null;
  }
  return name;
}

function parseHistoryKeep(value: string | null, problems: string[]): number {
  if (value === null) return DEFAULT_HISTORY_KEEP;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    problems.push(`history-keep: "${value}" must be a positive whole number of commits`);
    return DEFAULT_HISTORY_KEEP;
  }
  return Number(value);
}

/** The matrix inputs: a leg measures (`shard`), the final job merges (`merge`); never both, never with `report`. */
function parseMatrixInputs(
  shardText: string | null,
  mergeText: string | null,
  report: string | null,
  problems: string[],
): { shard: ShardSpec | null; merge: string[] | null } {
  let shard: ShardSpec | null = null;
  if (shardText !== null) {
    try {
      shard = parseShard(shardText);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const merge = mergeText === null ? null : mergeText.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (shardText !== null && merge !== null) problems.push('shard and merge cannot be used together: legs measure with shard, the final job merges');
  if (report !== null && merge !== null) problems.push('report and merge cannot be used together: merge already publishes the merged report');
  if (report !== null && shardText !== null) problems.push('report and shard cannot be used together: a report is published, not measured');
  return { shard, merge: merge && merge.length > 0 ? merge : null };
}

function choice<T extends string>(
  value: string | null,
  allowed: readonly T[],
  fallback: T,
  name: string,
  problems: string[],
): T {
  if (value === null) return fallback;
  const lowered = value.toLowerCase();
  const found = allowed.find((candidate) => candidate === lowered);
  if (found === undefined) {
    problems.push(`${name}: "${value}" is not one of ${allowed.join(' | ')}`);
    return fallback;
  }
  return found;
}

/** "0.1" and "10%" both mean ten percent: people write both. */
function parseThreshold(value: string | null, problems: string[]): number | null {
  if (value === null) return null;
  const percent = value.endsWith('%');
  const number = Number(percent ? value.slice(0, -1).trim() : value);
  const fraction = percent ? number / 100 : number;
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction >= 10) {
    problems.push(`threshold: "${value}" must be a positive fraction (0.1) or percentage (10%)`);
    return null;
  }
  return fraction;
}

/** Seconds, with an optional s/m/h suffix ("600", "90s", "10m", "1h"). */
function parseDuration(value: string | null, problems: string[]): number | null {
  if (value === null) return null;
  const match = /^(\d+(?:\.\d+)?)\s*([smh]?)$/i.exec(value);
  const unit = { '': 1, s: 1, m: 60, h: 3600 }[(match?.[2] ?? '').toLowerCase() as '' | 's' | 'm' | 'h'];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    problems.push(`max-time: "${value}" must be a positive number of seconds (e.g. 600, 90s, 10m)`);
    return null;
  }
  return seconds;
}

function parsePrNumber(value: string | null, problems: string[]): number | null {
  if (value === null) return null;
  // Artifacts often carry the number with a trailing newline or a leading '#'.
  const cleaned = value.replace(/^#/, '');
  if (!/^\d+$/.test(cleaned) || Number(cleaned) < 1) {
    problems.push(`pr-number: "${value}" must be a positive integer`);
    return null;
  }
  return Number(cleaned);
}
