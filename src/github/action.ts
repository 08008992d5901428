// The GitHub Action shell: inputs → measure (or read an existing report) → results JSON → job summary
// → outputs → annotations → sticky comment → the gate's exit status, in that order. The results file
// is written before any API call so a failing API never loses a measurement; the gate comes last so
// everything else is published whatever it says.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { ACTION_INPUT_NAMES, ActionInputError, parseActionInputs, type ActionInputs } from './inputs.js';
import { gateFails } from '../core/gate.js';
import { createGitHubClient, stickyMarker, upsertStickyComment, type UpsertResult } from './comment.js';
import { parseEventContext, type EventContext } from './context.js';
import { DEFAULT_RETRY, describeHttpFailure, isReadOnlyTokenFailure, type RetryOptions } from './retry.js';
import { COMMENT_LIMIT, renderMarkdown } from '../report/markdown.js';
import { advanceProgress, progressLine, type ShownProgress } from '../report/progress.js';
import { resultsFile } from '../core/contracts/results.js';
import { loadResults, measure, UsageError } from '../measure/run.js';
import { mergeResultsFiles } from '../measure/legs.js';
import { MergeError } from '../core/merge.js';
import { formatShard } from '../core/shard.js';
import type { Results } from '../core/types.js';
import { readRunHistory, recordRunHistory, shardCostsFromBranch } from './history.js';


/** GitHub's job summary takes up to 1 MiB per step; leave room for the multibyte characters. */
const SUMMARY_LIMIT = 900_000;
const RESULTS_FILE = 'gilgate-results.json';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await runAction(env);
  } catch (error) {
    if (error instanceof ActionInputError || error instanceof UsageError || error instanceof MergeError) core.setFailed(error.message);
    else core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
}

async function runAction(env: NodeJS.ProcessEnv): Promise<void> {
  const inputs = parseActionInputs(
    Object.fromEntries(ACTION_INPUT_NAMES.map((name) => [name, core.getInput(name)])),
  );
  if (inputs.githubToken) core.setSecret(inputs.githubToken);
  const payload = readEventPayload(env['GITHUB_EVENT_PATH']);
  const context = parseEventContext(env, payload);
  const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
  const cwd = resolve(workspace, inputs.workingDirectory);

  const results = inputs.merge
    ? mergeHere(inputs.merge, cwd)
    : inputs.report
      ? readReport(resolve(cwd, inputs.report))
      : await measureHere(inputs, context, cwd, env, payload);

  const resultsPath = resolve(env['RUNNER_TEMP'] || cwd, RESULTS_FILE);
  writeFileSync(resultsPath, `${JSON.stringify(resultsFile(results), null, 2)}\n`);
  core.setOutput('results', resultsPath);
  core.setOutput('regressions', String(results.regressions));
  core.setOutput('recommendations', JSON.stringify(recommendations(results)));

  // History (the data branch) is context for the comment; only `fail-on: creep` gates on it.
  const history = inputs.shard ? null : await readRunHistory(inputs, context, payload, results, env);
  // A shard leg holds part of the workloads: the merge step comments and gates on all of them.
  const failsGate = inputs.shard ? false : gateFails(results, inputs.failOn, history?.creeps ?? 0);
  const marker = stickyMarker(configKey(inputs, results, cwd));
  const runUrl = context.runUrl ?? undefined;
  const appendix = history?.markdown;
  await writeJobSummary(renderMarkdown(results, { marker, runUrl, maxChars: SUMMARY_LIMIT, appendix }));
  annotate(results, failsGate);

  if (inputs.shard) core.info(`gilgate: shard ${formatShard(inputs.shard)}: no comment and no gate here; merge the legs' results (merge input) for both`);
  const commented = inputs.shard ? null : await publishComment(inputs, context, results, () =>
    renderMarkdown(results, { marker, runUrl, summaryUrl: runUrl, maxChars: COMMENT_LIMIT, appendix }),
  marker, env);
  core.setOutput('comment-url', commented?.comment?.url ?? '');
  if (!inputs.shard) await recordRunHistory(inputs, context, payload, results, cwd, env);

  if (failsGate) {
    const creeping = inputs.failOn === 'creep' && history && history.creeps > 0 ? ` and ${history.creeps} creeping in history` : '';
    core.setFailed(
      `gilgate: ${results.regressions} regression${results.regressions === 1 ? '' : 's'} against base${creeping} (fail-on: ${inputs.failOn})`,
    );
  }
}

async function measureHere(inputs: ActionInputs, context: EventContext, cwd: string, env: NodeJS.ProcessEnv, payload: unknown): Promise<Results> {
  const base = inputs.baseDisabled ? null : (inputs.base ?? context.pullRequest?.baseSha ?? null);
  if (base) core.info(`gilgate: comparing with base ${base}`);
  else core.info(`gilgate: no base to compare with (event: ${context.eventName || 'unknown'})`);
  let lastLogged = 0;
  let shown: ShownProgress | null = null;
  let phase: string | undefined;
  return measure({
    cwd,
    config: inputs.config,
    base,
    python: inputs.python,
    install: inputs.install,
    maxTimeSeconds: inputs.maxTimeSeconds,
    threshold: inputs.threshold,
    shard: inputs.shard,
    // Without shard-costs, a leg balances by history's costs when the data branch has them.
    shardCosts: inputs.shard && inputs.shardCosts ? readShardCosts(resolve(cwd, inputs.shardCosts)) : inputs.shard ? await shardCostsFromBranch(inputs, context, payload, env) : null,
    // The engine strips INPUT_*, ACTIONS_* and GITHUB_TOKEN from the trials' environment and refuses
    // to pass on any variable holding one of these values.
    secrets: inputs.githubToken ? [inputs.githubToken] : [],
    env,
    onProgress: (p) => {
      // A line every ~10% keeps the log readable for long runs; each phase counts from 0, and
      // every line carries the ETA and a percentage that never goes back (report/progress.ts).
      if (p.phase !== phase) {
        phase = p.phase;
        shown = null;
        lastLogged = -Infinity;
      }
      if (p.done === p.total || p.done - lastLogged >= Math.max(1, Math.ceil(p.total / 10))) {
        lastLogged = p.done;
        core.info(`gilgate: ${progressLine(p.done, p.total, p.elapsedSeconds, p.label, { tty: false, shown, phase: p.phase === 'probes' ? 'probes' : null })}`);
        shown = advanceProgress(shown, p.done, p.total);
      }
    },
    onWarning: (message) => core.warning(message),
  });
}

/** The final job of a matrix: the legs' results (downloaded artifacts) merged into one. */
function mergeHere(specs: readonly string[], cwd: string): Results {
  const merged = mergeResultsFiles(cwd, specs);
  core.info(`gilgate: merged ${merged.merge.legs.length} legs (${merged.merge.legs.map((l) => l.file).join(', ')}): ${merged.workloads.length} workloads`);
  for (const line of [...merged.merge.differs, ...merged.merge.notes]) core.warning(`gilgate: ${line}`);
  return merged;
}

/** Costs for the split from an earlier results file (a cache or artifact); a leg cannot go on without them. */
function readShardCosts(path: string): Results {
  if (!existsSync(path)) throw new UsageError(`shard-costs: ${path} does not exist`);
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Results;
    if (!Array.isArray(parsed?.workloads)) throw new Error('not a gilgate results file');
    return parsed;
  } catch (error) {
    throw new UsageError(`shard-costs: cannot read ${path}: ${(error as Error).message}`);
  }
}

function readEventPayload(path: string | undefined): unknown {
  if (!path || !existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    core.warning(`gilgate: could not read the event payload ${path}: ${String(error)}`);
    return {};
  }
}

/** The report input comes from an artifact that PR code produced: check its shape before trusting it. */
function readReport(path: string): Results {
  if (!existsSync(path)) throw new UsageError(`report: ${path} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`report: ${path} is not valid JSON: ${String(error)}`);
  }
  try {
    return loadResults(parsed);
  } catch (error) {
    throw new UsageError(`report: ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function recommendations(results: Results): Record<string, string> {
  return Object.fromEntries(results.workloads.map((workload) => [workload.name, workload.recommendation]));
}

/**
 * Names the sticky comment. The config path relative to the working directory, so the measuring run
 * and a later workflow_run publishing the same results agree on it.
 */
function configKey(inputs: ActionInputs, results: Results, cwd: string): string {
  const fromResults = results.config ? (isAbsolute(results.config) ? relative(cwd, results.config) : results.config) : '';
  if (fromResults && !fromResults.startsWith('..') && !isAbsolute(fromResults)) return fromResults;
  return inputs.config ?? 'gilgate.yml';
}

async function writeJobSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    // Outside a runner (local harness) there is no GITHUB_STEP_SUMMARY; the comment and outputs still work.
    core.warning(`gilgate: could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function annotate(results: Results, failsGate: boolean): void {
  for (const workload of results.workloads) {
    for (const regression of workload.regressions) {
      const message = `${workload.name}: ${regression.kind} regression: ${regression.detail}`;
      const properties = { title: 'gilgate regression' };
      if (failsGate) core.error(message, properties);
      else core.warning(message, properties);
    }
    if (workload.error) {
      core.warning(`${workload.name}: ${workload.error.kind}: ${workload.error.message}`, { title: 'gilgate workload failed' });
    }
  }
}

async function publishComment(
  inputs: ActionInputs,
  context: EventContext,
  results: Results,
  render: () => string,
  marker: string,
  env: NodeJS.ProcessEnv,
): Promise<UpsertResult | null> {
  const issueNumber = inputs.prNumber ?? context.pullRequest?.number ?? null;
  if (inputs.comment === 'never') return null;
  if (issueNumber === null) {
    core.info(`gilgate: no pull request for event "${context.eventName || 'unknown'}": no comment`);
    return null;
  }
  if (!inputs.githubToken) {
    core.warning('gilgate: no github-token: the pull request comment was skipped');
    return null;
  }
  if (!context.owner || !context.repo) {
    core.warning('gilgate: GITHUB_REPOSITORY is not set: the pull request comment was skipped');
    return null;
  }
  const target = { owner: context.owner, repo: context.repo, issueNumber };
  const createIfMissing = inputs.comment === 'always' || results.regressions > 0;
  try {
    const client = createGitHubClient(inputs.githubToken, context.apiUrl, retryOptions(env));
    const result = await upsertStickyComment(client, target, marker, render(), { createIfMissing });
    core.info(`gilgate: comment ${result.action}${result.comment ? `: ${result.comment.url}` : ''}`);
    return result;
  } catch (error) {
    if (isReadOnlyTokenFailure(error)) {
      core.warning(
        'gilgate: the token cannot write pull request comments (read-only token: fork pull request, or the job lacks ' +
          '`permissions: pull-requests: write`). The report is in the job summary and the results output; ' +
          'see docs/fork-prs.md for commenting on fork pull requests.',
      );
      return null;
    }
    const failure = describeHttpFailure(error);
    core.setFailed(
      `gilgate: could not write the pull request comment on #${issueNumber}: ` +
        `${failure.status ?? 'no response'} ${failure.message}`,
    );
    return null;
  }
}

/** GILGATE_RETRY_BASE_MS shortens backoff for tests and impatient self-hosted setups. */
function retryOptions(env: NodeJS.ProcessEnv): RetryOptions {
  const base = Number(env['GILGATE_RETRY_BASE_MS']);
  if (!Number.isFinite(base) || base < 0 || env['GILGATE_RETRY_BASE_MS'] === undefined) return DEFAULT_RETRY;
  return { ...DEFAULT_RETRY, baseDelayMs: base };
}
