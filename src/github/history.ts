// The action's use of history: which runs read the data branch (every run that publishes, fork pull
// requests included, with whatever token they have), which one writes it (a push to the default
// branch, and only when the run publishes: a shard leg does not), and the warnings when it cannot.
// History is context: nothing here can fail a measurement; only `fail-on: creep` reads its creep.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { historyEntry, shardCostsFromHistory, orderEntries, type HistoryEntry } from '../core/history.js';
import { historyView, type HistoryView } from '../core/trend.js';
import type { Results } from '../core/types.js';
import { renderHistorySection } from '../report/history.js';
import { commitFacts, readHistory, scrub, writeHistory, type HistoryRemote } from '../history/store.js';
import type { EventContext } from './context.js';
import type { ActionInputs } from './inputs.js';

export interface RunHistory {
  view: HistoryView;
  /** The comment's and summary's section. */
  markdown: string;
  creeps: number;
}

/** What the event says about branches: the default branch and, on push, the pushed ref. */
export function branchFacts(payload: unknown): { defaultBranch: string | null; ref: string | null; before: string | null; timestamp: string | null } {
  const get = (value: unknown, key: string): unknown => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    defaultBranch: str(get(get(payload, 'repository'), 'default_branch')),
    ref: str(get(payload, 'ref')),
    before: str(get(payload, 'before')),
    timestamp: str(get(get(payload, 'head_commit'), 'timestamp')),
  };
}

function scratch(env: NodeJS.ProcessEnv): string {
  return join(env['RUNNER_TEMP'] || tmpdir(), 'gilgate-history.git');
}

/** The repository's URL on the server, with the token as credentials when there is one. */
function remoteOf(inputs: ActionInputs, context: EventContext): HistoryRemote | null {
  if (!context.owner || !context.repo) return null;
  const url = new URL(`${context.serverUrl}/${context.owner}/${context.repo}.git`);
  if (inputs.githubToken) {
    url.username = 'x-access-token';
    url.password = inputs.githubToken;
  }
  return { url: url.toString(), secrets: inputs.githubToken ? [inputs.githubToken] : [] };
}

/** The data branch must not be where code lives. */
function usableBranch(inputs: ActionInputs, payload: unknown): string | null {
  if (!inputs.history) return null;
  const { defaultBranch } = branchFacts(payload);
  if (defaultBranch && inputs.history === defaultBranch) {
    core.warning(`gilgate: history: "${inputs.history}" is the default branch; history needs a branch of its own (e.g. gilgate-data): not read or written`);
    return null;
  }
  return inputs.history;
}

/** A push of the default branch: the one run whose results join history. */
export function isDefaultBranchPush(context: EventContext, payload: unknown): boolean {
  const { defaultBranch, ref } = branchFacts(payload);
  return context.eventName === 'push' && defaultBranch !== null && ref === `refs/heads/${defaultBranch}`;
}

async function readEntries(inputs: ActionInputs, context: EventContext, payload: unknown, env: NodeJS.ProcessEnv): Promise<{ branch: string; entries: HistoryEntry[] } | null> {
  const branch = usableBranch(inputs, payload);
  const remote = remoteOf(inputs, context);
  if (!branch || !remote) return null;
  try {
    const read = await readHistory(scratch(env), remote, branch);
    for (const line of read.skipped) core.warning(`gilgate: history: skipped ${line}`);
    if (!read.found) core.info(`gilgate: history: no ${branch} branch yet (a push to the default branch starts it)`);
    else core.info(`gilgate: history: ${read.entries.length} entries from ${branch} (${read.tip?.slice(0, 7)})`);
    return { branch, entries: read.entries };
  } catch (error) {
    core.warning(`gilgate: history: could not read the ${branch} branch, going on without it: ${scrub((error as Error).message, remote.secrets ?? [])}`);
    return null;
  }
}

/** History's view of this run for the comment and the gate's creep, or null (off, none, unreadable). */
export async function readRunHistory(
  inputs: ActionInputs,
  context: EventContext,
  payload: unknown,
  results: Results,
  env: NodeJS.ProcessEnv,
): Promise<RunHistory | null> {
  const read = await readEntries(inputs, context, payload, env);
  if (!read || read.entries.length === 0) return null;
  const view = historyView(read.entries, results, { threshold: results.settings.threshold, headOnBranch: isDefaultBranchPush(context, payload) });
  for (const w of view.workloads) {
    if (w.creep) core.warning(`gilgate: ${w.name}: creep: ${Math.round((w.creep.ratio - 1) * 1000) / 10}% slower since ${w.creep.since.slice(0, 7)} (steps at ${w.creep.steps.map((s) => s.commit.slice(0, 7)).join(', ')})`, { title: 'gilgate creep' });
  }
  return { view, markdown: renderHistorySection(view, { branch: read.branch, creepGates: inputs.failOn === 'creep' }), creeps: view.creeps };
}

/**
 * Costs for a shard leg from history, so that `shard:` needs no `shard-costs:`. Every leg must
 * compute the same split: on a pull request, only entries up to the base commit count, which a
 * push landing between two legs' reads does not change once the base's own entry is there.
 */
export async function shardCostsFromBranch(
  inputs: ActionInputs,
  context: EventContext,
  payload: unknown,
  env: NodeJS.ProcessEnv,
): Promise<{ shard: { measured: Record<string, number> } } | null> {
  const read = await readEntries(inputs, context, payload, env);
  if (!read || read.entries.length === 0) return null;
  const ordered = orderEntries(read.entries);
  const base = context.pullRequest?.baseSha ?? null;
  const at = base ? ordered.findIndex((e) => e.commit === base) : -1;
  const costs = shardCostsFromHistory(at >= 0 ? ordered.slice(0, at + 1) : ordered);
  if (costs) core.info(`gilgate: shard: costs of ${Object.keys(costs.shard.measured).length} workloads from history${at >= 0 ? ` up to the base ${base!.slice(0, 7)}` : ''}`);
  return costs;
}

/** On a push of the default branch: add this commit's file to the data branch; warn, never fail. */
export async function recordRunHistory(
  inputs: ActionInputs,
  context: EventContext,
  payload: unknown,
  results: Results,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (!isDefaultBranchPush(context, payload)) return;
  const branch = usableBranch(inputs, payload);
  const remote = remoteOf(inputs, context);
  if (!branch || !remote) return;
  const head = results.git.head;
  if (!head || !/^[0-9a-f]{40,64}$/.test(head)) {
    core.warning('gilgate: history: the results name no head commit: nothing recorded');
    return;
  }
  if (!inputs.githubToken) {
    core.warning(`gilgate: history: no github-token, so this commit's results were not added to ${branch}`);
    return;
  }
  try {
    const facts = await commitFacts(cwd, head).catch(() => {
      const { before, timestamp } = branchFacts(payload);
      return { sha: head, committedAt: timestamp ?? results.startedAt, parent: before };
    });
    const entry = historyEntry(results, facts);
    const out = await writeHistory(scratch(env), remote, entry, {
      branch,
      keep: inputs.historyKeep,
      backoffMs: Number(env['GILGATE_RETRY_BASE_MS']) >= 0 && env['GILGATE_RETRY_BASE_MS'] !== undefined ? Number(env['GILGATE_RETRY_BASE_MS']) * 10 : 500,
      onRetry: (attempt, reason) => core.info(`gilgate: history: push ${attempt} lost a race (${reason}); fetching and trying again`),
    });
    if (out.kind === 'written') core.info(`gilgate: history: added ${out.path} to ${branch} (${out.attempts} ${out.attempts === 1 ? 'push' : 'pushes'})`);
    else if (out.kind === 'exists') core.info(`gilgate: history: ${out.path} is already on ${branch} (a re-run): left as it was`);
    else {
      core.warning(
        `gilgate: history: the server refused the push to ${branch}: ${out.reason}. The measurement stands; ` +
          `history needs \`permissions: contents: write\` on push runs and no protection rule on ${branch}.`,
      );
    }
  } catch (error) {
    core.warning(`gilgate: history: could not record this commit on ${branch}: ${scrub((error as Error).message, remote.secrets ?? [])}`);
  }
}
