// The CLI: `gilgate run` measures and gates; `gilgate report` re-renders a results JSON.
// Exit codes: 0 fine, 1 the gate failed, 2 usage or config error.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { parseArgs, styleText } from 'node:util';
import { gateFails, parseFailOn, type FailOn } from '../core/gate.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { advanceProgress, progressLine, type ShownProgress } from '../report/progress.js';
import { renderTerminal } from '../report/terminal.js';
import { resultsFile } from '../core/contracts/results.js';
import { loadResults, measure, UsageError } from '../measure/run.js';
import { mergeResultsFiles } from '../measure/legs.js';
import { MergeError } from '../core/merge.js';
import { parseShard, ShardError, type ShardSpec } from '../core/shard.js';
import type { Results } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { historyCommand, shardCostsFromClone } from './history.js';
import { INIT_USAGE, initCommand } from './init.js';


export interface CliIo {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export const USAGE = `gilgate ${VERSION} — measure whether Python workloads want threads or processes

Usage:
  gilgate run [options]           measure the workloads in gilgate.yml (from the repository root)
  gilgate report [--html|--markdown] RESULTS.json   (schemaVersion 1, 2 or 3)
                                  render a results file (HTML: a self-contained preview page)
  gilgate merge FILES|FOLDERS|GLOBS… [--json OUT] [--markdown OUT] [--fail-on …]
                                  merge matrix legs (run --shard i/n, or one Python per leg) into one
                                  report and one gate decision; a missing or duplicated leg is an error
  gilgate history [--branch gilgate-data] [--html OUT] [--window N] [--threshold F]
                                  the default branch's history from the data branch of this clone:
                                  trend table, verdict timeline and creep; --html writes the charts

${INIT_USAGE}
Options for run:
  --config FILE                   config file (default: gilgate.yml, then .github/gilgate.yml)
  --base REF                      also run REF (e.g. origin/main) in a temporary worktree and compare
  --json FILE                     write the results JSON there
  --markdown FILE                 write the Markdown report (the PR comment) there
  --fail-on regression|flip|never|creep
                                  exit 1 on regressions (default), only on flips, never, or (creep)
                                  also on creep in history (the action's; the CLI run has none)
  --seed N                        seed of the randomized trial order (default: random, recorded)
  --max-time SECONDS              stop adding rounds after this budget
  --threshold FRACTION            slowdown that counts as a regression (default 0.1 = 10%)
  --python CMD                    Python interpreter (overrides the config); repeat for a matrix
  --install CMD                   run CMD in each side's tree inside its own venv (overrides the config's install:)
  --shard I/N                     measure only leg I of N (every leg computes the same split; merge the legs)
  --shard-costs RESULTS.json      balance the split by the costs in an earlier results file (else by the
                                  gilgate-data branch's costs when the clone has it, else round robin)
  --quiet                         no progress on stderr
  -h, --help                      this help
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version') {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (command === 'run') return await runCommand(rest, io);
    if (command === 'report') return await reportCommand(rest, io);
    if (command === 'merge') return await mergeCommand(rest, io);
    if (command === 'init') return await initCommand(rest, io);
    if (command === 'history') return await historyCommand(rest, io);
    throw new ArgumentError(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    // A mistake in the command line gets the usage text; any other (a config mistake, a missing
    // file) gets its one line alone, which says all there is to say.
    if (error instanceof ArgumentError || isArgError(error)) {
      io.stderr.write(`gilgate: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`gilgate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** A mistake in the command line itself (command, flag, value): answered with the usage text. */
class ArgumentError extends UsageError {
  override name = 'ArgumentError';
}

function isArgError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      base: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      'fail-on': { type: 'string', default: 'regression' },
      seed: { type: 'string' },
      'max-time': { type: 'string' },
      threshold: { type: 'string' },
      python: { type: 'string', multiple: true },
      install: { type: 'string' },
      shard: { type: 'string' },
      'shard-costs': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  let failOn: FailOn;
  try {
    failOn = parseFailOn(values['fail-on']);
  } catch (error) {
    throw new ArgumentError((error as Error).message);
  }
  const seed = optionalNumber('--seed', values.seed, (n) => Number.isInteger(n) && n >= 0);
  const maxTime = optionalNumber('--max-time', values['max-time'], (n) => n > 0);
  const threshold = optionalNumber('--threshold', values.threshold, (n) => n > 0 && n < 10);
  const shard = optionalShard(values.shard);
  // Without --shard-costs, legs balance by the costs on this clone's history branch, when it has one.
  const shardCosts = values['shard-costs'] ? await readShardCosts(path.resolve(io.cwd, values['shard-costs'])) : shard ? await shardCostsFromClone(io.cwd) : null;

  const tty = Boolean(io.stderr.isTTY);
  let lastDraw = 0;
  let shown: ShownProgress | null = null;
  let phase: string | undefined;
  const results = await measure({
    cwd: io.cwd,
    config: values.config ?? null,
    base: values.base ?? null,
    python: values.python ?? null,
    install: values.install ?? null,
    seed,
    maxTimeSeconds: maxTime,
    threshold,
    shard,
    shardCosts,
    env: io.env,
    onWarning: (message) => io.stderr.write(`${tty ? '\r\x1b[K' : ''}warning: ${message}\n`),
    onLog: (text) => io.stderr.write(text),
    onProgress: values.quiet
      ? undefined
      : (p) => {
          // On a TTY redraw at most ~10×/s; in CI logs print a plain line per step.
          const now = Date.now();
          if (tty && now - lastDraw < 100 && p.done < p.total) return;
          lastDraw = now;
          // Each phase (probing the workloads, then the trials) has its own count and percentage.
          if (p.phase !== phase) shown = null;
          phase = p.phase;
          io.stderr.write(progressLine(p.done, p.total, p.elapsedSeconds, p.label, { tty, shown, phase: p.phase === 'probes' ? 'probes' : null }) + (tty ? '' : '\n'));
          shown = advanceProgress(shown, p.done, p.total);
        },
  });
  if (tty && !values.quiet) io.stderr.write('\r\x1b[K');

  // The JSON first: whatever happens next, the measurements are kept.
  if (values.json) await writeOut(io.cwd, values.json, `${JSON.stringify(resultsFile(results), null, 2)}\n`);
  if (values.markdown) await writeOut(io.cwd, values.markdown, renderMarkdown(results));
  io.stdout.write(renderTerminal(results, { color: streamWantsColor(io.stdout) }));
  const failed = gateFails(results, failOn);
  if (failed) io.stderr.write(`gilgate: ${results.regressions} regression(s) — failing (--fail-on ${failOn})\n`);
  return failed ? 1 : 0;
}

/** `gilgate merge`: the legs' results files in, one Results, one report, one gate out. */
async function mergeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      json: { type: 'string' },
      markdown: { type: 'string' },
      'fail-on': { type: 'string', default: 'regression' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new ArgumentError('merge needs the legs\' results files (files, folders or globs)');
  let failOn: FailOn;
  try {
    failOn = parseFailOn(values['fail-on']);
  } catch (error) {
    throw new ArgumentError((error as Error).message);
  }
  let results: Results;
  try {
    results = mergeResultsFiles(io.cwd, positionals);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
  if (values.json) await writeOut(io.cwd, values.json, `${JSON.stringify(resultsFile(results), null, 2)}\n`);
  if (values.markdown) await writeOut(io.cwd, values.markdown, renderMarkdown(results));
  io.stdout.write(renderTerminal(results, { color: streamWantsColor(io.stdout) }));
  const failed = gateFails(results, failOn);
  if (failed) io.stderr.write(`gilgate: ${results.regressions} regression(s) — failing (--fail-on ${failOn})\n`);
  return failed ? 1 : 0;
}

export async function readShardCosts(file: string): Promise<Results> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Results;
    if (!Array.isArray(parsed?.workloads)) throw new Error('not a gilgate results file');
    return parsed;
  } catch (error) {
    throw new UsageError(`--shard-costs: cannot read ${file}: ${(error as Error).message}`);
  }
}

function optionalShard(raw: string | undefined): ShardSpec | null {
  if (raw === undefined) return null;
  try {
    return parseShard(raw);
  } catch (error) {
    if (error instanceof ShardError) throw new ArgumentError(`--${error.message}`);
    throw error;
  }
}

async function reportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { html: { type: 'boolean', default: false }, markdown: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new ArgumentError('report needs exactly one results JSON file');
  const file = path.resolve(io.cwd, positionals[0]!);
  let results: Results;
  try {
    results = loadResults(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    throw new UsageError(`cannot read results from ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.html) io.stdout.write(renderHtml(results, { mermaidScript: await readFile(mermaidScriptPath(), 'utf8') }));
  else if (values.markdown) io.stdout.write(renderMarkdown(results));
  else io.stdout.write(renderTerminal(results, { color: streamWantsColor(io.stdout) }));
  return 0;
}

/** Mermaid's browser bundle: copied beside the bundle by the build, or from node_modules in source runs. */
export function mermaidScriptPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'mermaid.min.js'),
    path.join(here, '..', 'mermaid.min.js'),
    path.join(here, '..', 'node_modules', 'mermaid', 'dist', 'mermaid.min.js'),
    path.join(here, '..', '..', 'node_modules', 'mermaid', 'dist', 'mermaid.min.js'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new UsageError(`mermaid.min.js not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Colour when node:util's styleText would colour this stream: a TTY that has colours, NO_COLOR,
 * NODE_DISABLE_COLORS and FORCE_COLOR respected by Node's own rules. A stand-in writer (tests) gets plain text.
 */
export function streamWantsColor(stream: CliIo['stdout']): boolean {
  if (!(stream instanceof Writable)) return false;
  return styleText('bold', 'x', { stream }) !== 'x';
}

function optionalNumber(flag: string, raw: string | undefined, valid: (n: number) => boolean): number | null {
  if (raw === undefined) return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !valid(n)) throw new ArgumentError(`${flag}: invalid value ${JSON.stringify(raw)}`);
  return n;
}

async function writeOut(cwd: string, file: string, text: string): Promise<void> {
  const target = path.resolve(cwd, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, text);
}
