// `gilgate history`: the default branch's history from the data branch of a local clone (the local
// branch, else origin's: `git fetch origin gilgate-data` first), printed as a trend table and, with
// --html, written as a page of charts by the same renderer as the comment preview.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HISTORY_BRANCH, shardCostsFromHistory } from '../core/history.js';
import { historyView } from '../core/trend.js';
import { renderHistoryPage, renderHistoryTable } from '../report/history.js';
import { htmlPage, markdownToHtml } from '../report/html.js';
import { localHistoryRev, readEntriesAt } from '../history/store.js';
import { UsageError } from '../measure/run.js';
import { mermaidScriptPath, type CliIo } from './cli.js';

export async function historyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      branch: { type: 'string', default: DEFAULT_HISTORY_BRANCH },
      html: { type: 'string' },
      window: { type: 'string', default: '50' },
      threshold: { type: 'string', default: '0.1' },
    },
    strict: true,
    allowPositionals: false,
  });
  const window = Number(values.window);
  const threshold = Number(values.threshold);
  if (!Number.isInteger(window) || window < 1) throw new UsageError(`--window: invalid value ${JSON.stringify(values.window)}`);
  if (!(threshold > 0 && threshold < 10)) throw new UsageError(`--threshold: invalid value ${JSON.stringify(values.threshold)}`);
  const rev = await localHistoryRev(io.cwd, values.branch);
  if (rev === null) {
    throw new UsageError(`no ${values.branch} branch here (neither local nor origin/${values.branch}): run \`git fetch origin ${values.branch}\` first`);
  }
  const { entries, skipped } = await readEntriesAt(io.cwd, rev);
  for (const line of skipped) io.stderr.write(`warning: skipped ${line}\n`);
  const view = historyView(entries, null, { window, threshold });
  io.stdout.write(renderHistoryTable(view));
  if (values.html) {
    const markdown = renderHistoryPage(view, { branch: values.branch });
    const page = htmlPage(`gilgate history: ${values.branch}`, markdownToHtml(markdown), await readFile(mermaidScriptPath(), 'utf8'));
    const target = path.resolve(io.cwd, values.html);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, page);
    io.stderr.write(`gilgate: wrote ${target}\n`);
  }
  return 0;
}

/** Shard costs from this clone's history branch (local, else origin's), or null when there is none. */
export async function shardCostsFromClone(cwd: string, branch = DEFAULT_HISTORY_BRANCH): Promise<ReturnType<typeof shardCostsFromHistory>> {
  const rev = await localHistoryRev(cwd, branch).catch(() => null);
  if (rev === null) return null;
  const { entries } = await readEntriesAt(cwd, rev).catch(() => ({ entries: [] }));
  return shardCostsFromHistory(entries);
}
