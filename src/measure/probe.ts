// Phase 3 of a measurement: probe every workload on every side (import, tasks, pickling, spawn, a
// pilot pass that shapes the plan, and where its code came from), then say which of head's
// imported files git does not track: the base worktree holds tracked files only.
import { probeWorkload, type PythonTarget } from './python.js';
import { untrackedFiles } from './git.js';
import { headRepositoryFiles } from './sides.js';
import type { ProbeRequest } from '../core/experiment.js';
import type { ProbeRecord, Side, SidesSetup } from '../core/types.js';

/**
 * Every probe, `concurrency` at a time (the runner's cores, at most 2), in request order in the
 * result. A probe is mostly one serial pass and a short pool start: two at once take half the
 * wall time, and on 2 cores each still has a core for its pilot pass (whose CPU/wall only has to
 * tell code that waits, below 0.5, from code that computes).
 */
export async function probeWorkloads(
  requests: readonly ProbeRequest[],
  targets: Record<Side, PythonTarget[]>,
  report: (done: number, total: number, label: string) => void,
  matrix: boolean,
  concurrency = 1,
): Promise<ProbeRecord[]> {
  const probes: ProbeRecord[] = new Array(requests.length);
  let nextIndex = 0;
  let done = 0;
  const worker = async () => {
    while (nextIndex < requests.length) {
      const i = nextIndex++;
      const r = requests[i]!;
      report(done, requests.length, `probe ${r.workload.name}${r.side === 'base' ? ' (base)' : ''}${matrix ? ` [${r.python}]` : ''}`);
      probes[i] = { workload: r.workload.name, python: r.python, side: r.side, probe: await probeWorkload(targets[r.side][r.interpreter]!, r.workload, r.workload.startMethod ?? null) };
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests.length)) }, worker));
  return probes;
}

/**
 * The files head's probes imported from its tree that git does not track (ignored or untracked),
 * relative to the root: a generated version module, a built extension. Base gets them only from
 * `install:`. Each is named in a warning.
 */
export async function untrackedImports(probes: readonly ProbeRecord[], sides: SidesSetup, warn: (message: string) => void): Promise<string[]> {
  const files = probes.flatMap((p) => (p.side === 'head' && p.probe.ok ? (p.probe.provenance?.modules ?? []).filter((m) => m.repository).map((m) => m.file) : []));
  const untracked = await untrackedFiles(sides.head.root, headRepositoryFiles(files, sides.head.root));
  if (untracked.length > 0 && sides.install === null) {
    warn(
      `head imports ${untracked.join(', ')}, which git does not track (ignored or untracked): the base worktree holds tracked files only, so base gets ${untracked.length === 1 ? 'it' : 'them'} only from \`install:\` (generate ${untracked.length === 1 ? 'it' : 'them'} there)`,
    );
  }
  return untracked;
}
