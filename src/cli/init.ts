// `gilgate init`: find the pools the repository already uses, propose a workload for each call
// site, write gilgate.yml, the bench module and the workflow (never over an existing file without
// --force), check each proposal (import, pickling, one task) and say what is left to fill in.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatIssue, parseConfig } from '../core/config.js';
import type { CheckOutput } from '../core/contracts/scan.js';
import { BENCH_MODULE, CONFIG_FILE, planInit, TODO_MARK, WORKFLOW_FILE, workflowText, type Proposal } from '../core/proposal.js';
import { UsageError } from '../measure/run.js';
import { checkProposal, scanRepository, ScanError } from '../measure/scan.js';
import { trialEnvironment } from '../measure/trial-environment.js';
import type { CliIo } from './cli.js';

export const INIT_USAGE = `  gilgate init [--force] [--python CMD] [--no-check] [--check-timeout S] [--action REF]
                                  find the pools the repository already uses (ThreadPoolExecutor,
                                  ProcessPoolExecutor, InterpreterPoolExecutor, multiprocessing.Pool,
                                  threading.Thread, asyncio.to_thread) and write gilgate.yml,
                                  ${BENCH_MODULE}.py and ${WORKFLOW_FILE} proposing one workload per call site
`;

const DEFAULT_ACTION = 'OWNER/gilgate@v1';

export async function initCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      force: { type: 'boolean', default: false },
      python: { type: 'string', default: 'python3' },
      'no-check': { type: 'boolean', default: false },
      'check-timeout': { type: 'string', default: '60' },
      action: { type: 'string', default: DEFAULT_ACTION },
    },
    strict: true,
    allowPositionals: false,
  });
  const checkTimeout = Number(values['check-timeout']);
  if (!(checkTimeout > 0)) throw new UsageError(`--check-timeout: invalid value ${JSON.stringify(values['check-timeout'])}`);
  const root = io.cwd;
  const env = trialEnvironment(io.env, []);
  const out = (line = '') => io.stdout.write(`${line}\n`);

  let scan;
  try {
    scan = await scanRepository(root, { python: values.python, env, timeoutSeconds: 300 });
  } catch (error) {
    if (error instanceof ScanError) throw new UsageError(error.message);
    throw error;
  }
  const plan = planInit(scan, { python: values.python });
  out(`gilgate init: ${scan.files} Python files scanned, ${scan.sites.length} pool call site${scan.sites.length === 1 ? '' : 's'} found`);
  for (const e of scan.errors) out(`  (not parsed: ${e.file}: ${e.message})`);
  if (plan.proposals.length === 0) {
    listRefused(plan.refused, out);
    out('');
    out('No call site can be a workload as it stands, so nothing was written. Declare workloads by hand (README, "The config file").');
    return 0;
  }

  const configPath = path.join(root, CONFIG_FILE);
  const parsed = parseConfig(plan.config, configPath);
  if (!parsed.ok) throw new Error(`gilgate init wrote a config its own validation refuses: ${parsed.issues.map(formatIssue).join('; ')}`);
  const files: [string, string][] = [[CONFIG_FILE, plan.config]];
  if (plan.bench) files.push([`${BENCH_MODULE}.py`, plan.bench]);
  files.push([WORKFLOW_FILE, workflowText({ action: values.action, install: installKind(root), pythonVersion: scan.python.split('.').slice(0, 2).join('.') })]);
  const existing = files.filter(([file]) => existsSync(path.join(root, file))).map(([file]) => file);
  if (existing.length > 0 && !values.force) {
    io.stderr.write(`gilgate: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing written (--force overwrites)\n`);
    return 2;
  }
  for (const [file, text] of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }

  const checks = new Map<Proposal, CheckOutput | null>();
  for (const p of plan.proposals) {
    if (values['no-check']) checks.set(p, null);
    else {
      const spec = { paths: parsed.config.paths, run: p.run, tasks: p.tasks };
      checks.set(p, await checkProposal(spec, { python: values.python, cwd: root, env, timeoutSeconds: checkTimeout }));
    }
  }

  out('');
  out(`Proposed ${plan.proposals.length} workload${plan.proposals.length === 1 ? '' : 's'}:`);
  for (const p of plan.proposals) {
    const check = checks.get(p) ?? null;
    out(`  ${mark(p, check)} ${p.name}  run ${p.run}  tasks ${p.tasks}   (${p.sites.map((s) => `${s.file}:${s.line} ${s.method}`).join(', ')}; ${p.model})`);
    out(`      ${verdictLine(p, check)}`);
  }
  listRefused(plan.refused, out);
  const ready = plan.proposals.filter((p) => checks.get(p)?.ok === true).length;
  const stubs = plan.proposals.filter((p) => !p.tasksWired);
  out('');
  out(`Wrote ${files.map(([f]) => f).join(', ')}.`);
  out(`${ready} of ${plan.proposals.length} ran one task with no edit${values['no-check'] ? ' (not checked: --no-check)' : ''}; ${stubs.length} need${stubs.length === 1 ? 's' : ''} only tasks: filled in.`);
  if (stubs.length > 0) out(`Fill in what ${BENCH_MODULE}.py marks ${TODO_MARK} (${stubs.map((p) => `tasks_${p.name.replace(/-/g, '_')}`).join(', ')}).`);
  if (values.action === DEFAULT_ACTION) out(`In ${WORKFLOW_FILE}, replace ${DEFAULT_ACTION} with the gilgate action's repository and version.`);
  out('Then: gilgate run   (and commit the three files).');
  return 0;
}

function mark(p: Proposal, check: CheckOutput | null): string {
  if (!p.tasksWired) return '✎';
  if (check === null) return '?';
  return check.ok ? '✓' : '✗';
}

function verdictLine(p: Proposal, check: CheckOutput | null): string {
  if (!p.tasksWired) {
    const base = `fill in tasks: ${p.tasksNote ?? 'the items are not known from the source'}`;
    if (check === null) return base;
    // The check imports run before it builds the tasks: failing at the stub means run imported.
    return check.stage === 'tasks' ? `${base}; run imports` : `${base}; run did not import: ${check.message}`;
  }
  if (check === null) return 'not checked';
  if (!check.ok) return `check failed at ${check.stage}: ${check.message}`;
  const pickle = p.model === 'threads' ? '' : check.pickles ? ', pickles' : `, does not pickle (${check.pickleProblem ?? 'unknown'}): processes will be unavailable`;
  return `imports, ${check.taskCount} tasks${pickle}, one task ran in ${formatShort(check.seconds ?? 0)}`;
}

function formatShort(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
}

function listRefused(refused: Parameters<typeof planInit>[0]['sites'], out: (line?: string) => void): void {
  if (refused.length === 0) return;
  out('');
  out(`Not turned into workloads (${refused.length}):`);
  for (const s of refused) out(`  - ${s.file}:${s.line} ${s.method}(${s.function}, …): ${s.refused ?? 'no importable function'}`);
}

/** How the workflow installs what the workloads import. */
function installKind(root: string): 'package' | 'requirements' | null {
  if (['pyproject.toml', 'setup.py', 'setup.cfg'].some((f) => existsSync(path.join(root, f)))) return 'package';
  if (existsSync(path.join(root, 'requirements.txt'))) return 'requirements';
  return null;
}
