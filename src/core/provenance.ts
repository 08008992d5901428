// Provenance: did each side run its own code? Pure. The runner reports, per probe, where the
// workload's modules and the repository's packages were loaded from and a digest of their contents
// (python/gilgate_runner.py, provenance); this decides whether head and base can be compared.
// A comparison whose base imported head's code (an editable install points into head's tree; an
// installed copy is head's) would compare head with itself and pass: it is `not compared` instead.
import type { Failure, NotComparedFact, Provenance, SidesSetup, WorkloadProbe } from './types.js';

/** True when `file` is `dir` or lies below it (both absolute, '/'-separated). */
export function isUnder(file: string, dir: string): boolean {
  const d = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return file === d || file.startsWith(`${d}/`);
}

/** A file's path relative to `root`, or null when it is outside. */
export function relativeTo(file: string, root: string): string | null {
  if (!isUnder(file, root)) return null;
  return file.slice(root.replace(/\/$/, '').length + 1);
}

/** The module an import failure names: the runner's missingModule, else the message's "No module named 'x'". */
export function missingModuleOf(failure: Failure): string | null {
  if (failure.missingModule) return failure.missingModule;
  return /No module named '([^']+)'/.exec(failure.message)?.[1] ?? null;
}

/** Each module the side's code came from, with its file: the workload's modules, then the repository's packages. */
function origins(p: Provenance): { module: string; file: string }[] {
  const seen = new Set<string>();
  const out: { module: string; file: string }[] = [];
  for (const { module, file } of [...p.workload, ...p.packages.map((x) => ({ module: x.name, file: x.file }))]) {
    if (file === null || seen.has(module)) continue;
    seen.add(module);
    out.push({ module, file });
  }
  return out;
}

/**
 * Where head loaded `module` from: the module itself among head's imports, or, for a dependency
 * (only its top-level package is listed), that package. A parent package of the repository does
 * not count: head having `pkg` says nothing about `pkg.gone`.
 */
function headFileOf(head: Provenance, module: string): string | null {
  const modules = head.modules ?? [];
  const exact = modules.find((m) => m.name === module) ?? origins(head).find((o) => o.module === module);
  if (exact) return exact.file;
  const top = module.split('.')[0]!;
  return modules.find((m) => m.name === top && !m.repository)?.file ?? null;
}

/**
 * Why head and base of one workload cannot be compared, or null when each ran its own code.
 * Only probes that ran decide: without provenance (older runners, results files) nothing is said.
 */
export function notComparedReason(
  headProbe: WorkloadProbe | Failure | null,
  baseProbe: WorkloadProbe | Failure | null,
  sides: SidesSetup | undefined,
): NotComparedFact | null {
  if (!sides || !headProbe?.ok || !headProbe.provenance || !baseProbe) return null;
  const head = headProbe.provenance;
  const untracked = (file: string | null) => {
    const relative = file === null ? null : relativeTo(file, sides.head.root);
    return relative !== null && sides.untracked.includes(relative);
  };
  const fact = (reason: NotComparedFact['reason'], module: string | null, baseFile: string | null, headFile: string | null): NotComparedFact => ({
    kind: 'not-compared', reason, module, baseFile, headFile, untracked: untracked(headFile),
  });

  if (!baseProbe.ok) {
    // Base failing on a module head imported is an environment problem (a file git does not track,
    // a package installed for head only, a build that did not run): never a fix.
    if (baseProbe.kind !== 'import') return null;
    const missing = missingModuleOf(baseProbe);
    const headFile = missing === null ? null : headFileOf(head, missing);
    return headFile === null ? null : fact('base-import', missing, null, headFile);
  }
  const base = baseProbe.provenance;
  if (!base) return null;
  const shared = (file: string) => sides.shared.some((dir) => isUnder(file, dir));
  const headOrigin = new Map(origins(head).map((o) => [o.module, o.file]));
  const separateTrees = sides.head.root !== sides.base.root;
  for (const { module, file } of origins(base)) {
    if (shared(file)) continue;
    const headFile = headOrigin.get(module) ?? null;
    if (separateTrees && isUnder(file, sides.head.root)) return fact('head-tree', module, file, headFile);
    if (sides.head.venvs.some((venv) => isUnder(file, venv))) return fact('head-venv', module, file, headFile);
    if (headFile === file) return fact('same-files', module, file, headFile);
    if (!isUnder(file, sides.base.root) && !sides.base.venvs.some((venv) => isUnder(file, venv))) return fact('outside-tree', module, file, headFile);
  }
  // The same bytes on both sides are fine when the commits do not change them; when git says they
  // do, base ran something other than its own commit.
  if (base.digest === head.digest && sides.head.commit !== sides.base.commit) {
    const changed = (head.modules ?? []).filter((m) => m.repository).map((m) => relativeTo(m.file, sides.head.root)).find((r) => r !== null && sides.changed.includes(r));
    if (changed) return fact('same-code', null, null, `${sides.head.root.replace(/\/$/, '')}/${changed}`);
  }
  return null;
}

/** Provenance as results keep it beside a workload: without the per-module list. */
export function provenanceSummary(probe: WorkloadProbe | Failure | null): Provenance | null {
  if (!probe?.ok || !probe.provenance) return null;
  const { modules: _modules, ...summary } = probe.provenance;
  return summary;
}
