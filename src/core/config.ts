// Config: YAML text in, a typed Config or a list of issues out. Pure: the caller reads the file.
// Every issue carries file:line:col and the key, because "invalid config" without a place is useless
// in a CI log.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import path from 'node:path';
import type { Config, ConfigIssue, WorkloadConfig } from './types.js';

export const CONFIG_CANDIDATES = ['gilgate.yml', '.github/gilgate.yml'] as const;

export const DEFAULTS = {
  python: 'python3',
  timeout: 300,
  threshold: 0.1,
  margin: 0.1,
  memoryThreshold: 0.2,
  alpha: 0.01,
  minRounds: 3,
  maxRounds: 30,
} as const;

const TOP_KEYS = ['python', 'paths', 'workloads', 'threshold', 'margin', 'memory-threshold', 'alpha', 'rounds'];
const WORKLOAD_KEYS = ['name', 'run', 'tasks', 'timeout', 'workers'];
const ROUNDS_KEYS = ['min', 'max'];
const MODULE_FUNCTION = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

/** Parse and validate. `file` is the absolute path (used in messages and to resolve `paths`). */
export function parseConfig(text: string, file: string): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const at = (node: Node | null | undefined, key: string, message: string) => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    issues.push({ file, line: pos.line, col: pos.col, key, message });
  };

  for (const error of doc.errors) {
    const pos = lineCounter.linePos(error.pos[0]);
    issues.push({ file, line: pos.line, col: pos.col, key: '(yaml)', message: error.message.split('\n')[0] ?? error.message });
  }
  if (issues.length > 0) return { ok: false, issues };

  const root = doc.contents;
  if (!isMap(root)) {
    at(root, '(root)', 'expected a mapping with a `workloads` list');
    return { ok: false, issues };
  }
  checkKeys(root, TOP_KEYS, '', at);

  const dir = path.dirname(file);
  const python = stringValue(root, 'python', '', at) ?? DEFAULTS.python;
  const paths = stringList(root, 'paths', at) ?? ['.'];
  const threshold = fraction(root, 'threshold', at) ?? DEFAULTS.threshold;
  const margin = fraction(root, 'margin', at) ?? DEFAULTS.margin;
  const memoryThreshold = fraction(root, 'memory-threshold', at) ?? DEFAULTS.memoryThreshold;
  const alpha = fraction(root, 'alpha', at, 0.5) ?? DEFAULTS.alpha;
  let minRounds: number = DEFAULTS.minRounds;
  let maxRounds: number = DEFAULTS.maxRounds;
  const roundsNode = root.get('rounds', true) as Node | undefined;
  if (roundsNode !== undefined) {
    if (!isMap(roundsNode)) at(roundsNode, 'rounds', 'expected a mapping like {min: 3, max: 15}');
    else {
      checkKeys(roundsNode, ROUNDS_KEYS, 'rounds.', at);
      minRounds = integer(roundsNode, 'min', 'rounds.', at, 2, 1000) ?? minRounds;
      maxRounds = integer(roundsNode, 'max', 'rounds.', at, 2, 1000) ?? maxRounds;
      if (maxRounds < minRounds) at(roundsNode, 'rounds.max', `must be at least rounds.min (${minRounds})`);
    }
  }

  const workloads: WorkloadConfig[] = [];
  const workloadsNode = root.get('workloads', true) as Node | undefined;
  if (workloadsNode === undefined) at(root, 'workloads', 'missing: list the workloads to measure (name, run, tasks)');
  else if (!isSeq(workloadsNode)) at(workloadsNode, 'workloads', 'expected a list of workloads');
  else if (workloadsNode.items.length === 0) at(workloadsNode, 'workloads', 'the list is empty: declare at least one workload');
  else {
    const seen = new Map<string, number>();
    workloadsNode.items.forEach((item, index) => {
      const prefix = `workloads[${index}].`;
      if (!isMap(item)) {
        at(item as Node, `workloads[${index}]`, 'expected a mapping with name, run and tasks');
        return;
      }
      checkKeys(item, WORKLOAD_KEYS, prefix, at);
      const name = stringValue(item, 'name', prefix, at, true);
      const run = stringValue(item, 'run', prefix, at, true);
      if (run !== undefined && !MODULE_FUNCTION.test(run)) {
        at(item.get('run', true) as Node, `${prefix}run`, `expected "module:function" (e.g. "bench.images:resize"), got ${JSON.stringify(run)}`);
      }
      const tasks = tasksValue(item, prefix, at);
      const timeout = positiveNumber(item, 'timeout', prefix, at) ?? DEFAULTS.timeout;
      const workers = workerList(item, prefix, at);
      if (name !== undefined) {
        const first = seen.get(name);
        if (first !== undefined) at(item.get('name', true) as Node, `${prefix}name`, `duplicate workload name ${JSON.stringify(name)} (also workloads[${first}])`);
        else seen.set(name, index);
      }
      if (name !== undefined && run !== undefined && tasks !== undefined) {
        workloads.push({ name, run, tasks, timeout, ...(workers ? { workers } : {}) });
      }
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    config: {
      file,
      dir,
      python,
      paths: paths.map((p) => path.resolve(dir, p)),
      workloads,
      threshold,
      margin,
      memoryThreshold,
      alpha,
      minRounds,
      maxRounds,
    },
  };
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.key}: ${issue.message}`;
}

type Report = (node: Node | null | undefined, key: string, message: string) => void;

function checkKeys(map: YAMLMap, allowed: readonly string[], prefix: string, at: Report): void {
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    if (!allowed.includes(key)) {
      const guess = closest(key, allowed);
      at(keyNode, `${prefix}${key}`, `unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`);
    }
  }
}

function stringValue(map: YAMLMap, key: string, prefix: string, at: Report, required = false): string | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) {
    if (required) at(map, `${prefix}${key}`, 'missing (required)');
    return undefined;
  }
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
    at(node, `${prefix}${key}`, 'expected a non-empty string');
    return undefined;
  }
  return node.value;
}

function stringList(map: YAMLMap, key: string, at: Report): string[] | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) return undefined;
  if (!isSeq(node)) {
    at(node, key, 'expected a list of directories, e.g. [., src]');
    return undefined;
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    if (isScalar(item) && typeof item.value === 'string' && item.value !== '') out.push(item.value);
    else at(item as Node, `${key}[${i}]`, 'expected a directory path (string)');
  });
  return out;
}

function numberAt(map: YAMLMap, key: string): { node: Node; value: unknown } | undefined {
  const node = map.get(key, true) as Node | undefined;
  if (node === undefined) return undefined;
  return { node, value: isScalar(node) ? node.value : undefined };
}

function fraction(map: YAMLMap, key: string, at: Report, max = 10): number | undefined {
  const found = numberAt(map, key);
  if (!found) return undefined;
  const { node, value } = found;
  if (typeof value !== 'number' || !(value > 0) || value > max) {
    at(node, key, `expected a number above 0 and at most ${max} (a fraction: 0.1 = 10%)`);
    return undefined;
  }
  return value;
}

function integer(map: YAMLMap, key: string, prefix: string, at: Report, min: number, max: number): number | undefined {
  const found = numberAt(map, key);
  if (!found) return undefined;
  const { node, value } = found;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    at(node, `${prefix}${key}`, `expected a whole number from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

function positiveNumber(map: YAMLMap, key: string, prefix: string, at: Report): number | undefined {
  const found = numberAt(map, key);
  if (!found) return undefined;
  const { node, value } = found;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    at(node, `${prefix}${key}`, 'expected a positive number of seconds');
    return undefined;
  }
  return value;
}

function tasksValue(map: YAMLMap, prefix: string, at: Report): string | number | undefined {
  const node = map.get('tasks', true) as Node | undefined;
  if (node === undefined) {
    at(map, `${prefix}tasks`, 'missing (required): "module:function" returning the task arguments, or a task count');
    return undefined;
  }
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 1) return value;
    at(node, `${prefix}tasks`, 'expected a whole number of tasks (at least 1)');
    return undefined;
  }
  if (typeof value === 'string' && MODULE_FUNCTION.test(value)) return value;
  at(node, `${prefix}tasks`, `expected "module:function" or a whole number, got ${JSON.stringify(value ?? null)}`);
  return undefined;
}

function workerList(map: YAMLMap, prefix: string, at: Report): number[] | undefined {
  const node = map.get('workers', true) as Node | undefined;
  if (node === undefined) return undefined;
  if (!isSeq(node) || node.items.length === 0) {
    at(node, `${prefix}workers`, 'expected a non-empty list of worker counts, e.g. [2, 4]');
    return undefined;
  }
  const out: number[] = [];
  for (const item of node.items) {
    const value = isScalar(item) ? item.value : undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 256) out.push(value);
    else at(item as Node, `${prefix}workers`, 'each worker count must be a whole number from 1 to 256');
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The allowed key nearest to a typo, when it is near enough to be a likely intent. */
function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = levenshtein(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
