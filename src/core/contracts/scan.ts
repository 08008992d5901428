// The scanner's JSON outputs (python/gilgate_scan.py), validated at the boundary: `scan` lists the
// pool call sites of a repository, `check` says whether one proposed workload imports, pickles
// and runs one task.
import { z } from 'zod';

const tasksSchema = z.union([
  z.looseObject({ kind: z.literal('range'), count: z.number().int().positive() }),
  z.looseObject({ kind: z.literal('expression'), module: z.string(), source: z.string() }),
]);

export const callSiteSchema = z.looseObject({
  file: z.string(),
  line: z.number().int().positive(),
  col: z.number().int().positive(),
  /** The call's source, on one line (capped). */
  call: z.string(),
  model: z.enum(['threads', 'processes', 'interpreters']),
  /** The pool's constructor, fully qualified (concurrent.futures.ProcessPoolExecutor, threading.Thread, …). */
  executor: z.string().nullable(),
  /** map, submit, imap, … (`target` for threading.Thread, `to_thread` for asyncio.to_thread). */
  method: z.string(),
  /** The function argument's source. */
  function: z.string(),
  /** The function the call is in, null at module level. */
  enclosing: z.string().nullable(),
  /** The call site's module (dotted) and the directory it is imported from, relative to the root. */
  module: z.string(),
  importRoot: z.string(),
  /** "module:function" when the function is importable at module level. */
  run: z.string().nullable(),
  /** Where the items come from, when the source says: range(N), or an expression of module-level names. */
  tasks: tasksSchema.nullable(),
  /** Each task is an argument tuple (starmap, several iterables, several loop variables). */
  star: z.boolean(),
  /** Why this call site cannot be a workload (a lambda, a closure, a bound method, …), or null. */
  refused: z.string().nullable(),
  /** Why the items could not be wired, when the function could. */
  tasksNote: z.string().nullable(),
});

export const scanSchema = z.looseObject({
  ok: z.literal(true),
  files: z.number().int().nonnegative(),
  sites: z.array(callSiteSchema),
  errors: z.array(z.looseObject({ file: z.string(), message: z.string() })),
  python: z.string(),
});

export const checkSchema = z.looseObject({
  ok: z.boolean(),
  /** Where it failed: import, tasks, task (the one task raised), runner; null when it did not. */
  stage: z.string().nullable(),
  message: z.string().nullable(),
  taskCount: z.number().int().nonnegative().nullable(),
  /** Whether the function and the first task pickle (processes need both); null when not reached. */
  pickles: z.boolean().nullable(),
  pickleProblem: z.string().optional(),
  /** Seconds the one task took. */
  seconds: z.number().nonnegative().nullable(),
});

export const scanFailureSchema = z.looseObject({ ok: z.literal(false), stage: z.string(), message: z.string() });

export type CallSite = z.infer<typeof callSiteSchema>;
export type ScanOutput = z.infer<typeof scanSchema>;
export type CheckOutput = z.infer<typeof checkSchema>;
