// Config: YAML text in, a typed Config or a list of issues out. Pure: the caller reads the file.
// The shape is a zod schema; the `yaml` package keeps every node's range, so each schema issue's
// path is mapped back to its node and every issue carries file:line:col and the key, because
// "invalid config" without a place is useless in a CI log.
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import path from 'node:path';
import type { Config, ConfigIssue, PoolLifetime, StartMethod, WorkloadConfig } from './types.js';

export const CONFIG_CANDIDATES = ['gilgate.yml', '.github/gilgate.yml'] as const;

export const DEFAULTS = {
  python: 'python3',
  timeout: 300,
  threshold: 0.1,
  margin: 0.1,
  memoryThreshold: 0.2,
  alpha: 0.01,
  beta: 0.05,
  minRounds: 3,
  maxRounds: 30,
  pool: 'per-batch',
} as const;

const MODULE_FUNCTION = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;
const START_METHODS = ['fork', 'forkserver', 'spawn'] as const satisfies readonly StartMethod[];
const POOLS = ['per-batch', 'long-lived'] as const satisfies readonly PoolLifetime[];

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

// ------------------------------------------------------------------ the schema

/** zod's "missing" is an invalid_type whose input is undefined. */
const missingOr = (missing: string, otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? missing : otherwise;

const nonEmptyString = (missing: string, otherwise = 'expected a non-empty string') =>
  z.string({ error: missingOr(missing, otherwise) }).refine((s) => s.trim() !== '', otherwise);

const fraction = (max: number) => {
  const message = `expected a number above 0 and at most ${max} (a fraction: 0.1 = 10%)`;
  return z.number({ error: message }).gt(0, message).max(max, message).optional();
};

const wholeNumber = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message).optional();
};

const moduleFunction = z
  .string({ error: missingOr('missing (required)', 'expected a non-empty string') })
  .refine((s) => s.trim() !== '', 'expected a non-empty string')
  .refine((s) => s.trim() === '' || MODULE_FUNCTION.test(s), {
    error: (issue) => `expected "module:function" (e.g. "bench.images:resize"), got ${JSON.stringify(issue.input)}`,
  });

const tasks = z.unknown().transform((value, ctx): string | number => {
  const fail = (message: string) => {
    ctx.issues.push({ code: 'custom', message, input: value });
    return z.NEVER;
  };
  if (value === undefined) return fail('missing (required): "module:function" returning the task arguments, or a task count');
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 ? value : fail('expected a whole number of tasks (at least 1)');
  if (typeof value === 'string' && MODULE_FUNCTION.test(value)) return value;
  return fail(`expected "module:function" or a whole number, got ${JSON.stringify(value ?? null)}`);
});

const startMethod = z.enum(START_METHODS, { error: `expected one of ${START_METHODS.join(', ')}` }).optional();
const pool = z.enum(POOLS, { error: `expected one of ${POOLS.join(', ')}` }).optional();

const WORKER_COUNT_MESSAGE = 'each worker count must be a whole number from 1 to 256';

const workloadSchema = z.strictObject({
  name: nonEmptyString('missing (required)'),
  run: moduleFunction,
  tasks,
  timeout: z
    .number({ error: 'expected a positive number of seconds' })
    .gt(0, 'expected a positive number of seconds')
    .refine(Number.isFinite, 'expected a positive number of seconds')
    .optional(),
  workers: z
    .array(z.number({ error: WORKER_COUNT_MESSAGE }).int(WORKER_COUNT_MESSAGE).min(1, WORKER_COUNT_MESSAGE).max(256, WORKER_COUNT_MESSAGE), {
      error: 'expected a non-empty list of worker counts, e.g. [2, 4]',
    })
    .min(1, 'expected a non-empty list of worker counts, e.g. [2, 4]')
    .optional(),
  'start-method': startMethod,
  pool,
});

const pythonSchema = z
  .union([z.string(), z.array(z.string())], { error: 'expected an interpreter command or a list of them, e.g. [python3.12, python3.14]' })
  .refine((value) => (Array.isArray(value) ? value.length > 0 && value.every((s) => s.trim() !== '') : value.trim() !== ''), {
    error: 'expected a non-empty interpreter command (or a non-empty list of them)',
  })
  .optional();

const configSchema = z.strictObject({
  python: pythonSchema,
  paths: z
    .array(z.string({ error: 'expected a directory path (string)' }).min(1, 'expected a directory path (string)'), {
      error: 'expected a list of directories, e.g. [., src]',
    })
    .optional(),
  install: z
    .string({ error: 'expected a shell command, e.g. "pip install --no-deps --no-build-isolation -e ."' })
    .refine((value) => value.trim() !== '', { error: 'expected a non-empty shell command, e.g. "pip install --no-deps --no-build-isolation -e ."' })
    .optional(),
  workloads: z
    .array(z.unknown().pipe(workloadSchema), {
      error: missingOr('missing: list the workloads to measure (name, run, tasks)', 'expected a list of workloads'),
    })
    .min(1, 'the list is empty: declare at least one workload')
    .superRefine((workloads, ctx) => {
      const seen = new Map<string, number>();
      workloads.forEach((workload, index) => {
        const first = seen.get(workload.name);
        if (first === undefined) seen.set(workload.name, index);
        else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate workload name ${JSON.stringify(workload.name)} (also workloads[${first}])` });
      });
    }),
  threshold: fraction(10),
  margin: fraction(10),
  'memory-threshold': fraction(10),
  alpha: fraction(0.5),
  beta: fraction(0.5),
  rounds: z
    .strictObject({ min: wholeNumber(2, 1000), max: wholeNumber(2, 1000) }, { error: 'expected a mapping like {min: 3, max: 15}' })
    .superRefine((rounds, ctx) => {
      const min = rounds.min ?? DEFAULTS.minRounds;
      if (rounds.max !== undefined && rounds.max < min) ctx.addIssue({ code: 'custom', path: ['max'], message: `must be at least rounds.min (${min})` });
    })
    .optional(),
  'start-method': startMethod,
  pool,
});

/** The keys a mapping at this path allows, for did-you-mean and the "allowed:" list. */
function allowedKeys(issuePath: readonly PropertyKey[]): readonly string[] {
  if (issuePath.length === 0) return Object.keys(configSchema.shape);
  if (issuePath[0] === 'rounds') return ['min', 'max'];
  return Object.keys(workloadSchema.shape);
}

// ------------------------------------------------------------------ parse

/** Parse and validate. `file` is the absolute path (used in messages and to resolve `paths`). */
export function parseConfig(text: string, file: string): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issueAt = (offset: number, key: string, message: string): ConfigIssue => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col, key, message };
  };

  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((error) => issueAt(error.pos[0], '(yaml)', error.message.split('\n')[0] ?? error.message)) };
  }
  if (!isMap(doc.contents)) {
    return { ok: false, issues: [issueAt(doc.contents?.range?.[0] ?? 0, '(root)', 'expected a mapping with a `workloads` list')] };
  }

  const parsed = configSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    // Unknown keys first: a typo usually explains the "missing" issue that follows it.
    const ordered = [...parsed.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
    const issues = ordered.flatMap((issue): ConfigIssue[] => {
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(issue.path);
        return issue.keys.map((key) => {
          const guess = closest(key, allowed);
          const message = `unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`;
          return issueAt(keyNodeOffset(doc, issue.path, key), keyName([...issue.path, key]), message);
        });
      }
      return [issueAt(valueNodeOffset(doc, issue.path), keyName(issue.path), issue.message)];
    });
    return { ok: false, issues };
  }

  const raw = parsed.data;
  const dir = path.dirname(file);
  const pythons = raw.python === undefined ? [DEFAULTS.python] : Array.isArray(raw.python) ? raw.python : [raw.python];
  const workloads = raw.workloads.map(
    (w): WorkloadConfig => ({
      name: w.name,
      run: w.run,
      tasks: w.tasks,
      timeout: w.timeout ?? DEFAULTS.timeout,
      ...(w.workers ? { workers: [...new Set(w.workers)].sort((a, b) => a - b) } : {}),
      startMethod: w['start-method'] ?? raw['start-method'] ?? null,
      pool: w.pool ?? raw.pool ?? DEFAULTS.pool,
    }),
  );
  return {
    ok: true,
    config: {
      file,
      dir,
      python: pythons[0]!,
      pythons,
      paths: (raw.paths ?? ['.']).map((p) => path.resolve(dir, p)),
      install: raw.install ?? null,
      workloads,
      threshold: raw.threshold ?? DEFAULTS.threshold,
      margin: raw.margin ?? DEFAULTS.margin,
      memoryThreshold: raw['memory-threshold'] ?? DEFAULTS.memoryThreshold,
      alpha: raw.alpha ?? DEFAULTS.alpha,
      beta: raw.beta ?? DEFAULTS.beta,
      minRounds: raw.rounds?.min ?? DEFAULTS.minRounds,
      maxRounds: raw.rounds?.max ?? DEFAULTS.maxRounds,
    },
  };
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}: ${issue.key}: ${issue.message}`;
}

// ------------------------------------------------------------------ issue path → YAML node

/** "workloads[1].run"; an item of `workers` is reported as the list (one message for the list). */
function keyName(issuePath: readonly PropertyKey[]): string {
  const shown = issuePath.length >= 2 && issuePath.at(-2) === 'workers' ? issuePath.slice(0, -1) : issuePath;
  return shown.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '');
}

/** The deepest node on the path that exists: the value itself, or the mapping a missing key belongs in. */
function valueNodeOffset(doc: Document, issuePath: readonly PropertyKey[]): number {
  for (let depth = issuePath.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(issuePath.slice(0, depth), true);
    if (isNode(node)) return node.range?.[0] ?? 0;
  }
  return 0;
}

function keyNodeOffset(doc: Document, mapPath: readonly PropertyKey[], key: string): number {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (pair && isNode(pair.key)) return pair.key.range?.[0] ?? 0;
  }
  return valueNodeOffset(doc, mapPath);
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

// ------------------------------------------------------------------ did you mean

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
