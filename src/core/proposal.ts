// `gilgate init`'s proposals: the scanner's call sites in, the workloads and the text of the three
// files it writes out (gilgate.yml, the bench module, the workflow). Pure: the CLI scans, checks
// and writes.
//
// A call site becomes a workload when its function is importable at module level. Its `run:` is
// that function, or, where each task is an argument tuple (starmap, several iterables, several
// loop variables), an adapter in the bench module that unpacks it. Its `tasks:` is wired to the
// call site's own items where the source says what they are (range(N), or an expression of the
// module's names, evaluated in that module); otherwise the bench module holds a stub, marked
// TODO(gilgate), that the user fills in. Call sites that cannot be a workload are listed with the
// scanner's reason.
import type { CallSite, ScanOutput } from './contracts/scan.js';
import type { ParallelModel } from './types.js';

/** The generated bench module (importable from the config's directory, which `paths` holds). */
export const BENCH_MODULE = 'gilgate_bench';
export const CONFIG_FILE = 'gilgate.yml';
export const WORKFLOW_FILE = '.github/workflows/gilgate.yml';
/** The mark of everything the user must fill in. */
export const TODO_MARK = 'TODO(gilgate)';

export interface Proposal {
  name: string;
  /** The config's `run:`. */
  run: string;
  /** The config's `tasks:`. */
  tasks: string | number;
  /** The function as the call site names it ("module:function"), which `run` calls (maybe through an adapter). */
  target: string;
  model: ParallelModel;
  /** Every call site this workload stands for (the same function with the same items). */
  sites: CallSite[];
  /** True: `tasks` is wired to the call site's items; false: a stub to fill in. */
  tasksWired: boolean;
  /** Why the items are not wired (from the scanner), when they are not. */
  tasksNote: string | null;
}

export interface InitPlan {
  proposals: Proposal[];
  refused: CallSite[];
  /** The config's `paths`: '.' (the bench module) and every call site's import root. */
  paths: string[];
  /** The bench module's text, null when no workload needs it. */
  bench: string | null;
  config: string;
}

export interface InitOptions {
  /** The interpreter command the config names. */
  python: string;
}

export function planInit(scan: ScanOutput, options: InitOptions): InitPlan {
  const refused = scan.sites.filter((s) => s.refused !== null || s.run === null);
  const usable = scan.sites.filter((s) => s.refused === null && s.run !== null);
  const byKey = new Map<string, CallSite[]>();
  for (const site of usable) {
    const key = `${site.run}|${site.star}|${JSON.stringify(site.tasks)}|${site.tasks === null ? `${site.file}:${site.line}` : ''}`;
    byKey.set(key, [...(byKey.get(key) ?? []), site]);
  }
  const names = new Set<string>();
  const bench: string[] = [];
  const proposals = [...byKey.values()].map((sites): Proposal => {
    const site = sites[0]!;
    const target = site.run!;
    const name = uniqueName(baseName(target), names);
    const slug = name.replace(/-/g, '_');
    let run = target;
    if (site.star) {
      run = `${BENCH_MODULE}:run_${slug}`;
      bench.push(adapter(slug, target, site));
    }
    let tasks: string | number;
    if (site.tasks?.kind === 'range') tasks = site.tasks.count;
    else {
      tasks = `${BENCH_MODULE}:tasks_${slug}`;
      bench.push(site.tasks ? wiredTasks(slug, site.tasks.module, site.tasks.source, site) : stubTasks(slug, target, site));
    }
    return { name, run, tasks, target, model: site.model, sites, tasksWired: site.tasks !== null, tasksNote: site.tasks ? null : site.tasksNote };
  });
  const paths = ['.', ...new Set(proposals.flatMap((p) => p.sites.map((s) => s.importRoot)).filter((r) => r !== '.'))];
  return {
    proposals,
    refused,
    paths,
    bench: bench.length > 0 ? benchModule(bench) : null,
    config: configText(proposals, paths, options),
  };
}

// ------------------------------------------------------------------ names

function baseName(target: string): string {
  const [module, fn] = target.split(':') as [string, string];
  const last = (s: string) => s.split('.').at(-1)!;
  const slug = `${last(module)}-${last(fn)}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug === '' ? 'workload' : slug;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

function where(site: CallSite): string {
  return `${site.file}:${site.line}`;
}

/** A Python string literal (JSON's escapes are Python's). */
function py(text: string): string {
  return JSON.stringify(text);
}

/** One line for a comment: no line breaks, capped. */
function comment(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}

// ------------------------------------------------------------------ the bench module

function adapter(slug: string, target: string, site: CallSite): string {
  const [module, fn] = target.split(':') as [string, string];
  return [
    `def run_${slug}(args):`,
    `    """${target}(*args): each task is one argument tuple, as ${where(site)} passes them."""`,
    `    return _function(${py(module)}, ${py(fn)})(*args)`,
  ].join('\n');
}

function wiredTasks(slug: string, module: string, source: string, site: CallSite): string {
  return [
    `def tasks_${slug}():`,
    `    # The items ${where(site)} passes: ${comment(source)}`,
    `    return _items(${py(module)}, ${py(source)})`,
  ].join('\n');
}

function stubTasks(slug: string, target: string, site: CallSite): string {
  const shape = site.star ? 'an argument tuple' : 'one argument';
  return [
    `def tasks_${slug}():`,
    `    # ${TODO_MARK}: fill in. ${where(site)} calls ${comment(site.call)}`,
    ...(site.tasksNote ? [`    # (${comment(site.tasksNote)}).`] : []),
    `    # Return a list with ${shape} for ${target} per task, like the ones that call passes: a few`,
    `    # seconds of work in all (gilgate times the whole list under each model).`,
    `    raise NotImplementedError(${py(`${TODO_MARK}: fill in tasks_${slug} in ${BENCH_MODULE}.py`)})`,
  ].join('\n');
}

function benchModule(functions: readonly string[]): string {
  return `"""Workloads proposed by \`gilgate init\` from the pools this repository already uses.

Each function feeds one workload of ${CONFIG_FILE}. Those marked ${TODO_MARK} are stubs: the call
site's items are known only when its code runs, so return arguments like the ones it passes.
"""
import importlib


def _function(module, name):
    """module.name, imported when first called (an import error then names the workload)."""
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _items(module, source):
    """The call site's own expression for its items, evaluated in its module's namespace."""
    return list(eval(source, dict(vars(importlib.import_module(module)))))


${functions.join('\n\n\n')}
`;
}

// ------------------------------------------------------------------ gilgate.yml

function configText(proposals: readonly Proposal[], paths: readonly string[], options: InitOptions): string {
  const lines = [
    '# Generated by `gilgate init` from the pools this repository already uses. Check it, fill in',
    `# what ${BENCH_MODULE}.py marks ${TODO_MARK}, then run: gilgate run`,
    `python: ${JSON.stringify(options.python)}`,
    `paths: [${paths.map((p) => JSON.stringify(p)).join(', ')}]`,
    'workloads:',
  ];
  for (const p of proposals) {
    for (const site of p.sites) lines.push(`  # ${comment(`${where(site)} ${site.method}(${site.function}, …) on ${site.executor ?? site.model}`)}`);
    lines.push(`  - name: ${JSON.stringify(p.name)}`);
    lines.push(`    run: ${JSON.stringify(p.run)}`);
    lines.push(`    tasks: ${typeof p.tasks === 'number' ? p.tasks : JSON.stringify(p.tasks)}${p.tasksWired ? '' : `   # ${TODO_MARK}: a stub in ${BENCH_MODULE}.py`}`);
  }
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ the workflow

export interface WorkflowOptions {
  /** The action reference, e.g. OWNER/gilgate@v1. */
  action: string;
  /** How the project installs what its workloads import: a packaging file, a requirements file, or nothing known. */
  install: 'package' | 'requirements' | null;
  pythonVersion: string;
}

/** .github/workflows/gilgate.yml: the README's workflow, with only inputs the action defines. */
export function workflowText(options: WorkflowOptions): string {
  const install =
    options.install === 'package'
      ? ['      - run: pip install -e .          # what the workloads import']
      : options.install === 'requirements'
        ? ['      - run: pip install -r requirements.txt   # what the workloads import']
        : [`      # ${TODO_MARK}: install what the workloads import, e.g. - run: pip install -e .`];
  return [
    '# Generated by `gilgate init`: measures the workloads of gilgate.yml on every pull request, against',
    '# its base, and keeps one sticky comment up to date.',
    'name: gilgate',
    'on: pull_request',
    'permissions:',
    '  contents: read',
    '  pull-requests: write        # the sticky comment',
    'jobs:',
    '  gilgate:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '        with:',
    '          fetch-depth: 0      # the base commit is re-run from history',
    '      - uses: actions/setup-python@v5',
    '        with:',
    `          python-version: ${JSON.stringify(options.pythonVersion)}`,
    ...install,
    `      - uses: ${options.action}`,
    '        with:',
    `          config: ${CONFIG_FILE}`,
    '          fail-on: regression   # regression | flip | never',
    '',
  ].join('\n');
}
