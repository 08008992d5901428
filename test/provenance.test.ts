// Provenance decides whether head and base each ran their own code (src/core/provenance.ts), and
// a comparison that did not happen is a regression of its own kind (compare.ts), worded with the
// paths and the fix (report/explain.ts).
import { describe, expect, it } from 'vitest';
import { compareSides } from '../src/core/compare.js';
import { gateFails } from '../src/core/gate.js';
import { isUnder, missingModuleOf, notComparedReason, provenanceSummary } from '../src/core/provenance.js';
import { explainChange } from '../src/report/explain.js';
import type { Failure, Provenance, SidesSetup, WorkloadProbe, NotComparedFact, Results } from '../src/core/types.js';

const HEAD = '/repo';
const BASE = '/tmp/gilgate-base-x';
const SIDES: SidesSetup = {
  head: { root: HEAD, commit: 'h', venvs: [], installSeconds: 0 },
  base: { root: BASE, commit: 'b', venvs: [], installSeconds: 0 },
  install: null,
  shared: ['/opt/shared'],
  changed: ['src/pkg/__init__.py'],
  untracked: ['pkg/_version.py'],
};

function provenance(file: string, digest: string, modules: Provenance['modules'] = undefined): Provenance {
  return {
    workload: [{ module: 'pkg', file }],
    packages: [{ name: 'pkg', file }],
    digest,
    fileCount: 1,
    ...(modules ? { modules } : {}),
  };
}

function probe(p: Provenance | null): WorkloadProbe {
  return {
    ok: true, taskCount: 4, processesUnavailable: null, spawnProblem: null, interpretersUnavailable: null, startMethod: 'fork',
    gilEnabledAfterImport: true, gilReenabledBy: null, pilotWallSeconds: 0.01, pilotCpuSeconds: 0.01, provenance: p,
  };
}

function importFailure(missingModule: string | null, message = `No module named '${missingModule}'`): Failure {
  return { ok: false, kind: 'import', type: 'ModuleNotFoundError', message, traceback: '', stderrTail: '', missingModule };
}

const headProbe = probe(provenance(`${HEAD}/src/pkg/__init__.py`, 'h1', [{ name: 'pkg', file: `${HEAD}/src/pkg/__init__.py`, repository: true }]));

describe('notComparedReason', () => {
  it('is null when each side imported its own tree, or its own environment', () => {
    expect(notComparedReason(headProbe, probe(provenance(`${BASE}/src/pkg/__init__.py`, 'b1')), SIDES)).toBeNull();
    const sides = { ...SIDES, base: { ...SIDES.base, venvs: ['/tmp/venv-base'] } };
    expect(notComparedReason(headProbe, probe(provenance('/tmp/venv-base/lib/python3.11/site-packages/pkg/__init__.py', 'b1')), sides)).toBeNull();
  });

  it("names base importing from head's tree (an editable install of head)", () => {
    const fact = notComparedReason(headProbe, probe(provenance(`${HEAD}/src/pkg/__init__.py`, 'h1')), SIDES);
    expect(fact).toMatchObject({ kind: 'not-compared', reason: 'head-tree', module: 'pkg', baseFile: `${HEAD}/src/pkg/__init__.py` });
  });

  it("names base importing from head's environment", () => {
    const sides = { ...SIDES, head: { ...SIDES.head, venvs: ['/tmp/venv-head'] } };
    const fact = notComparedReason(headProbe, probe(provenance('/tmp/venv-head/lib/site-packages/pkg/__init__.py', 'x')), sides);
    expect(fact?.reason).toBe('head-venv');
  });

  it('names both sides importing the same installed copy', () => {
    const installed = '/usr/lib/python3/site-packages/pkg/__init__.py';
    const fact = notComparedReason(probe(provenance(installed, 'c')), probe(provenance(installed, 'c')), SIDES);
    expect(fact?.reason).toBe('same-files');
  });

  it('names base importing from outside its worktree and environment', () => {
    const fact = notComparedReason(headProbe, probe(provenance('/home/u/.local/lib/pkg/__init__.py', 'x')), SIDES);
    expect(fact).toMatchObject({ reason: 'outside-tree', headFile: `${HEAD}/src/pkg/__init__.py` });
  });

  it('lets both sides import an absolute paths: entry outside the repository', () => {
    expect(notComparedReason(probe(provenance('/opt/shared/pkg.py', 's')), probe(provenance('/opt/shared/pkg.py', 's')), SIDES)).toBeNull();
  });

  it('flags byte-identical code only when git says the imported files changed', () => {
    const same = probe(provenance(`${BASE}/src/pkg/__init__.py`, 'h1'));
    expect(notComparedReason(headProbe, same, SIDES)?.reason).toBe('same-code');
    expect(notComparedReason(headProbe, same, { ...SIDES, changed: ['README.md'] })).toBeNull();
  });

  it('calls a base that cannot import what head imports not compared, naming where head found it and that git does not track it', () => {
    const head = probe(provenance(`${HEAD}/pkg/__init__.py`, 'h', [
      { name: 'pkg', file: `${HEAD}/pkg/__init__.py`, repository: true },
      { name: 'pkg._version', file: `${HEAD}/pkg/_version.py`, repository: true },
    ]));
    const fact = notComparedReason(head, importFailure('pkg._version'), SIDES);
    expect(fact).toEqual<NotComparedFact>({ kind: 'not-compared', reason: 'base-import', module: 'pkg._version', baseFile: null, headFile: `${HEAD}/pkg/_version.py`, untracked: true });
    const words = explainChange(fact!);
    expect(words).toContain('`pkg._version`');
    expect(words).toContain(`${HEAD}/pkg/_version.py`);
    expect(words).toContain('git does not track');
    expect(words).toContain('install:');
  });

  it('leaves a base that fails on a module head never imported, or in its own code, to be a fix', () => {
    expect(notComparedReason(headProbe, importFailure('nump'), SIDES)).toBeNull();
    const taskFailure: Failure = { ok: false, kind: 'task', type: 'ZeroDivisionError', message: 'division by zero', traceback: '', stderrTail: '' };
    expect(notComparedReason(headProbe, taskFailure, SIDES)).toBeNull();
  });

  it('reads the module from the message when the runner did not name it', () => {
    expect(missingModuleOf(importFailure(null, "No module named 'pkg._version' (run pkg:spin)"))).toBe('pkg._version');
  });

  it('says nothing without sides or provenance (older results files)', () => {
    expect(notComparedReason(headProbe, probe(provenance(`${HEAD}/src/pkg/__init__.py`, 'h1')), undefined)).toBeNull();
    expect(notComparedReason(probe(null), probe(null), SIDES)).toBeNull();
  });

  it('keeps the per-module list out of the summary', () => {
    expect(provenanceSummary(headProbe)).not.toHaveProperty('modules');
    expect(isUnder('/repo/a', '/repo')).toBe(true);
    expect(isUnder('/repository/a', '/repo')).toBe(false);
  });
});

describe('a comparison that did not happen', () => {
  it('is a not-compared regression, with no estimate and no improvement, that fails the gate', () => {
    const fact = notComparedReason(headProbe, probe(provenance(`${HEAD}/src/pkg/__init__.py`, 'h1')), SIDES)!;
    const side = { result: { recommendation: 'serial' }, arms: [] } as unknown as Parameters<typeof compareSides>[0]['head'];
    const failedBase = { result: { recommendation: 'error', error: { message: 'ModuleNotFoundError' } }, arms: [] } as unknown as Parameters<typeof compareSides>[0]['base'];
    const report = compareSides({ head: side, base: failedBase, rounds: 3, threshold: 0.1, memoryThreshold: 0.2, policy: { alpha: 0.01, minRounds: 3, maxRounds: 10 } as never, notCompared: fact, describe: explainChange });
    expect(report.regressions.map((r) => r.kind)).toEqual(['not-compared']);
    expect(report.improvements).toEqual([]);
    expect(report.vsBase).toBeNull();
    expect(report.regressions[0]!.detail).toContain("head's working tree");
    const results = { workloads: [{ regressions: report.regressions }] } as unknown as Results;
    expect(gateFails(results, 'regression')).toBe(true);
    expect(gateFails(results, 'flip')).toBe(false);
  });
});

describe('where head found a module base could not import', () => {
  it('is the module itself, or a dependency\'s top-level package, never a parent package of the repository', () => {
    const head = probe(provenance(`${HEAD}/pkg/__init__.py`, 'h', [
      { name: 'pkg', file: `${HEAD}/pkg/__init__.py`, repository: true },
      { name: 'numpy', file: '/usr/lib/python3/dist-packages/numpy/__init__.py', repository: false },
    ]));
    expect(notComparedReason(head, importFailure('pkg.gone'), SIDES)).toBeNull();
    expect(notComparedReason(head, importFailure('numpy.linalg'), SIDES)?.headFile).toBe('/usr/lib/python3/dist-packages/numpy/__init__.py');
  });
});
