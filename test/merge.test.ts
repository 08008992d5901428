// Merging matrix legs on real schemaVersion 2 values: one experiment driven through the engine's
// state machine on plain data, split into legs with the real shard split, each leg judged by the
// real rejudge, then merged and judged again. The merge must give what the unsharded run gave.
import { describe, expect, it } from 'vitest';
import { rejudge } from '../src/core/experiment.js';
import { gateFails } from '../src/core/gate.js';
import { mergeLegs, MergeError, type Leg } from '../src/core/merge.js';
import type { Results, WorkloadResult } from '../src/core/types.js';
import { WORDS } from '../src/report/explain.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { environment, gilBound, input, probe as okProbe, shardLegs, simulate, type Truth } from './helpers/experiment.js';
import { failure } from './helpers/samples.js';
import { cpuBoundSide, results as v1Results, workload as v1Workload } from './fixtures/results/index.js';

const REJUDGE = (r: Results) => rejudge(r, WORDS);

// Config order. resize: processes win; fetch: threads win; tiny: nothing beats serial; broken:
// cannot be imported; parse: head twice as slow as base (a clear regression); d1, d2: head a little
// slower, each significant on its own but not after Holm across all of them.
const NAMES = ['resize', 'fetch', 'tiny', 'broken', 'parse', 'd1', 'd2'];
const COSTS = [
  { name: 'resize', cost: 8 },
  { name: 'fetch', cost: 4 },
  { name: 'tiny', cost: 2 },
  { name: 'broken', cost: 0 },
  { name: 'parse', cost: 2 },
  { name: 'd1', cost: 1 },
  { name: 'd2', cost: 1 },
];
const slowdown: Record<string, number> = { parse: 2, d1: 1.05, d2: 1.2 };
const TRUTH: Truth = (t) => {
  const slow = t.side === 'head' ? (slowdown[t.workload] ?? 1) : 1;
  if (t.workload === 'fetch') return slow * { serial: 1, threads: 0.4, processes: 0.7, interpreters: 0.7 }[t.arm.model];
  if (t.workload === 'tiny') return slow * (t.arm.model === 'serial' ? 1 : 1.4);
  return slow * gilBound[t.arm.model];
};
const probe = (name: string) => (name === 'broken' ? failure('import', 'No module named nope') : okProbe());
const UNSHARDED = simulate(input({ names: NAMES, base: true, probe, settings: { minRounds: 10, maxRounds: 10 } }), TRUTH, 0.1);

const legsOf = (count: number) => shardLegs(UNSHARDED, count, COSTS);
const row = (r: Results, name: string, python = 'python3'): WorkloadResult => r.workloads.find((w) => w.name === name && w.python === python)!;
const legOf = (legs: readonly Leg[], name: string) => legs.find((l) => l.results.workloads.some((w) => w.name === name))!;
/** The summary table of the Markdown report: its rows, header included. */
const tableRows = (r: Results) => renderMarkdown(r).split('\n').filter((line) => line.startsWith('|'));
const holmWarned = (w: WorkloadResult) => w.warnings.some((x) => x.includes('did not survive the Holm correction'));

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MergeError);
    return (error as Error).message;
  }
  throw new Error('expected the merge to fail');
};

describe('the experiment the legs are cut from', () => {
  it('gives the verdicts the test relies on', () => {
    expect(UNSHARDED.workloads.map((w) => [w.name, w.recommendation])).toEqual([
      ['resize', 'processes'],
      ['fetch', 'threads'],
      ['tiny', 'serial'],
      ['broken', 'error'],
      ['parse', 'processes'],
      ['d1', 'processes'],
      ['d2', 'processes'],
    ]);
    expect(row(UNSHARDED, 'parse').regressions.map((r) => r.kind)).toContain('slower');
    expect(UNSHARDED.regressions).toBeGreaterThan(0);
    // d1 and d2 alone would be regressions; across all seven workloads Holm drops them.
    expect(row(UNSHARDED, 'd1').regressions).toEqual([]);
    expect(row(UNSHARDED, 'd2').regressions).toEqual([]);
    expect(holmWarned(row(UNSHARDED, 'd1')) && holmWarned(row(UNSHARDED, 'd2'))).toBe(true);
  });
});

describe('mergeLegs on real values', () => {
  it('merges shard legs into what the unsharded run gave: rows, verdicts, reasons, regressions, totals, table, gate', () => {
    for (const count of [1, 2, 3, 4]) {
      const legs = legsOf(count);
      expect(legs.flatMap((l) => l.results.workloads.map((w) => w.name)).sort(), `${count} legs`).toEqual([...NAMES].sort());
      const merged = mergeLegs(legs, REJUDGE);
      expect(merged.workloads.map((w) => w.name), `${count} legs`).toEqual(NAMES);
      expect(merged.workloads, `${count} legs`).toEqual(UNSHARDED.workloads);
      expect(merged.regressions).toBe(UNSHARDED.regressions);
      expect(merged.improvements).toBe(UNSHARDED.improvements);
      expect(merged.rounds).toBe(UNSHARDED.rounds);
      expect(tableRows(merged), `${count} legs`).toEqual(tableRows(UNSHARDED));
      expect(gateFails(merged, 'regression')).toBe(gateFails(UNSHARDED, 'regression'));
      expect(gateFails(merged, 'flip')).toBe(gateFails(UNSHARDED, 'flip'));
      expect(merged.merge.legs.map((l) => l.shard)).toEqual(Array.from({ length: count }, (_, i) => `${i + 1}/${count}`));
      expect(merged.merge.differs).toEqual([]);
      expect('shard' in merged).toBe(false);
    }
  });

  it('runs Holm across every workload: a regression one leg keeps on its own is dropped by the merge', () => {
    const legs = legsOf(2);
    // The split puts d1 and d2 in different legs, where each is the leg's only doubtful regression.
    expect(legOf(legs, 'd1')).not.toBe(legOf(legs, 'd2'));
    for (const name of ['d1', 'd2']) expect(row(legOf(legs, name).results, name).regressions.map((r) => r.kind)).toEqual(['slower']);
    const legRegressions = legs.reduce((n, l) => n + l.results.regressions, 0);
    const merged = mergeLegs(legs, REJUDGE);
    expect(merged.regressions).toBe(UNSHARDED.regressions);
    expect(merged.regressions).toBeLessThan(legRegressions);
    for (const name of ['d1', 'd2']) {
      expect(row(merged, name).regressions).toEqual([]);
      expect(row(merged, name).warnings.join('\n')).toContain(`did not survive the Holm correction across ${NAMES.length} workloads`);
    }
  });

  it('hands rejudge every leg\'s values at once: every trial and probe of the unsharded run', () => {
    let seen: Results | null = null;
    mergeLegs(legsOf(3), (r) => ((seen = r), REJUDGE(r)));
    const values = seen!.values!;
    const key = (t: object) => JSON.stringify(t);
    expect(values.trials.map(key).sort()).toEqual(UNSHARDED.values!.trials.map(key).sort());
    expect(values.probes.map(key).sort()).toEqual(UNSHARDED.values!.probes.map(key).sort());
    expect(values.setup.workloads.map((w) => w.name)).toEqual(NAMES);
    expect(values.setup.pythons).toEqual(['python3']);
  });

  it('a leg whose workloads failed still contributes them', () => {
    const legs = legsOf(3);
    const broken = legOf(legs, 'broken');
    expect(broken.results.values!.trials.some((t) => t.workload === 'broken')).toBe(false);
    const merged = mergeLegs(legs, REJUDGE);
    expect(row(merged, 'broken')).toMatchObject({ recommendation: 'error', error: { kind: 'import' } });
    expect(row(merged, 'broken').error!.message).toContain('No module named nope');
    expect(row(merged, 'broken')).toEqual(row(UNSHARDED, 'broken'));
  });

  it('keeps the verdicts of a leg without values, and says Holm did not run across all workloads', () => {
    const legs = legsOf(2);
    const withoutValues = legOf(legs, 'd1');
    const { values: _values, ...summaries } = withoutValues.results;
    const stripped: Leg = { file: withoutValues.file, results: summaries as Results };
    const merged = mergeLegs(legs.map((l) => (l === withoutValues ? stripped : l)), REJUDGE);
    expect(merged.workloads.map((w) => w.name)).toEqual(NAMES);
    // Each leg's own Holm: d1 and d2 stay regressions, unlike the unsharded run.
    expect(row(merged, 'd1').regressions.map((r) => r.kind)).toEqual(['slower']);
    expect(row(merged, 'd2').regressions.map((r) => r.kind)).toEqual(['slower']);
    expect(merged.regressions).toBe(merged.workloads.reduce((n, w) => n + w.regressions.length, 0));
    expect(merged.merge.notes.join('\n')).toContain(`${withoutValues.file} carried no measured values`);
    expect('values' in merged).toBe(false);
  });

  it('merges schemaVersion 1 legs (no values) with their own verdicts', () => {
    const a = { file: 'old-1.json', results: v1Results([v1Workload('resize', cpuBoundSide())]) };
    const b = { file: 'old-2.json', results: v1Results([v1Workload('parse', cpuBoundSide(1.4), { regressions: [{ kind: 'slower', detail: '+40%' }] })]) };
    const merged = mergeLegs([a, b], () => {
      throw new Error('rejudge needs values');
    });
    expect(merged.workloads.map((w) => [w.name, w.recommendation, w.regressions.length])).toEqual([
      ['resize', 'processes', 0],
      ['parse', 'processes', 1],
    ]);
    expect(merged.regressions).toBe(1);
  });
});

describe('mergeLegs keeps what the values say about the run', () => {
  it('keeps the interpreter base ran: a flip is still worded as the interpreter\'s doing', () => {
    // Base config ran python3.11, head python3.14: processes paid off under base, nothing does under head.
    const py311 = environment({ python: '3.11.7', executable: '/usr/bin/python3.11' });
    const py314 = environment({ python: '3.14.0', executable: '/opt/python3.14' });
    const i = input({ names: ['a', 'b'], pythons: ['python3.14'], environments: [py314], base: true, settings: { minRounds: 6, maxRounds: 12 } });
    i.setup.base = { workloads: null, configMissing: false, pythons: ['python3.11'], environments: [py311] };
    const unsharded = simulate(i, (t) => (t.side === 'base' ? gilBound[t.arm.model] : t.arm.model === 'serial' ? 1 : 1.6));
    const flip = (r: Results, name: string) => row(r, name, 'python3.14').regressions.find((x) => x.kind === 'flip')!;
    expect(flip(unsharded, 'a').detail).toBe('processes → serial: the interpreter changed: CPython 3.11.7 → CPython 3.14.0');
    const merged = mergeLegs(shardLegs(unsharded, 2, [{ name: 'a', cost: 1 }, { name: 'b', cost: 1 }]), REJUDGE);
    expect(merged.values!.setup.base).toMatchObject({ pythons: ['python3.11'], environments: [py311] });
    expect(merged.workloads).toEqual(unsharded.workloads);
    expect(flip(merged, 'b').detail).toBe(flip(unsharded, 'b').detail);
  });

  it('says the time budget ran out when any leg ran out of it', () => {
    const legs = legsOf(2);
    const leg1 = legs[0]!.results;
    legs[0]!.results = { ...leg1, budgetExhausted: true, values: { ...leg1.values!, stopReason: 'budget' } };
    const leg2 = legs[1]!.results;
    legs[1]!.results = { ...leg2, values: { ...leg2.values!, stopReason: 'cap' } };
    const merged = mergeLegs(legs, REJUDGE);
    expect(merged.budgetExhausted).toBe(true);
    expect(merged.values!.stopReason).toBe('budget');
  });
});

describe('mergeLegs refuses what is not one run', () => {
  it('names the missing shard and the workloads left without results (never a partial report)', () => {
    const legs = legsOf(4);
    const missing = legs.splice(1, 1)[0]!;
    const message = messageOf(() => mergeLegs(legs, REJUDGE));
    expect(message).toContain('shard 2/4 is missing');
    expect(message).toContain('3 of 4 legs arrived');
    expect(missing.results.workloads.length).toBeGreaterThan(0);
    for (const name of missing.results.workloads.map((w) => w.name)) expect(message).toContain(JSON.stringify(name));
    expect(message).toContain('legs/shard-1.json');
  });

  it('names both files when a shard arrived twice', () => {
    const legs = legsOf(2);
    const copy = { file: 'other/shard-1.json', results: legs[0]!.results };
    expect(messageOf(() => mergeLegs([...legs, copy], REJUDGE))).toContain('shard 1/2 arrived twice: legs/shard-1.json and other/shard-1.json');
  });

  it('names both files when the same workload is in two legs', () => {
    const [a, b] = legsOf(2);
    b!.results = { ...b!.results, workloads: [...b!.results.workloads, row(a!.results, 'resize')] };
    expect(messageOf(() => mergeLegs([a!, b!], REJUDGE))).toMatch(/workload "resize" is in more than one leg: shard 1\/2 \(legs\/shard-1.json\) and shard 2\/2 \(legs\/shard-2.json\)/);
  });

  it('explains a split the legs did not agree on', () => {
    const [a, b] = legsOf(2);
    const record = (b!.results as unknown as { shard: { assignment: Record<string, number>; measured: Record<string, number> } }).shard;
    expect(record.assignment['resize']).toBe(1);
    record.assignment = { ...record.assignment, resize: 2 };
    record.measured = { ...record.measured, resize: 5.7 };
    b!.results = { ...b!.results, workloads: [...b!.results.workloads, row(a!.results, 'resize')] };
    const message = messageOf(() => mergeLegs([a!, b!], REJUDGE));
    expect(message).toContain('the legs did not agree on the split');
    expect(message).toContain('"resize": legs/shard-1.json put it on leg 1 (measured 8.00 s, bucket 8), legs/shard-2.json put it on leg 2 (measured 5.70 s');
  });

  it('refuses legs of different configs or commits, naming the files', () => {
    const legs = legsOf(3);
    legs[2]!.results = { ...legs[2]!.results, config: 'other/gilgate.yml' };
    expect(messageOf(() => mergeLegs(legs, REJUDGE))).toMatch(/different config file: legs\/shard-1.json, legs\/shard-2.json → "gilgate.yml"; legs\/shard-3.json → "other\/gilgate.yml"/);
    const commits = legsOf(2);
    commits[1]!.results = { ...commits[1]!.results, git: { head: 'c'.repeat(40), base: 'd'.repeat(40), baseRef: 'main' } };
    const message = messageOf(() => mergeLegs(commits, REJUDGE));
    expect(message).toContain('different head commit');
    expect(message).toContain('different base commit');
    expect(message).toContain('legs/shard-2.json');
  });

  it('refuses legs of different settings or shard counts', () => {
    expect(messageOf(() => mergeLegs([...legsOf(2), legsOf(3)[2]!], REJUDGE))).toContain('different shard count');
    const threshold = legsOf(2);
    threshold[1]!.results = { ...threshold[1]!.results, settings: { ...threshold[1]!.results.settings, threshold: 0.2 } };
    expect(messageOf(() => mergeLegs(threshold, REJUDGE))).toContain('different setting threshold');
  });

  it('refuses one interpreter measured twice without shards', () => {
    const one = legsOf(1)[0]!.results;
    const { shard: _shard, ...plain } = one as Results & { shard?: unknown };
    expect(messageOf(() => mergeLegs([{ file: 'a.json', results: plain }, { file: 'b.json', results: plain }], REJUDGE))).toContain(
      'workload "resize" is in more than one leg: a.json and b.json',
    );
  });

  it('refuses mixing sharded and unsharded legs, and an empty list', () => {
    const legs = legsOf(2);
    const { shard: _shard, ...plain } = legsOf(1)[0]!.results as Results & { shard?: unknown };
    expect(messageOf(() => mergeLegs([...legs, { file: 'plain.json', results: plain }], REJUDGE))).toContain('different shard count');
    expect(messageOf(() => mergeLegs([], REJUDGE))).toContain('no results files');
  });
});

describe('mergeLegs across machines and interpreters', () => {
  it('names a leg on another CPU model, in the merge record and on its workloads', () => {
    const legs = legsOf(2);
    const other = environment({ cpuModel: 'Intel Xeon Platinum 8370C' });
    const leg2 = legs[1]!.results;
    legs[1]!.results = { ...leg2, environment: other, values: { ...leg2.values!, environments: [other] } };
    const merged = mergeLegs(legs, REJUDGE);
    expect(merged.merge.differs).toHaveLength(1);
    expect(merged.merge.differs[0]).toContain('cpuModel differs');
    expect(merged.merge.differs[0]).toContain('shard 2/2 (legs/shard-2.json): Intel Xeon Platinum 8370C');
    expect(merged.merge.legs[1]!.environment.cpuModel).toBe('Intel Xeon Platinum 8370C');
    const fromLeg2 = row(merged, legs[1]!.results.workloads[0]!.name);
    expect(fromLeg2.warnings.join('\n')).toContain('measured by shard 2/2 (legs/shard-2.json) on Intel Xeon Platinum 8370C');
    const fromLeg1 = row(merged, legs[0]!.results.workloads[0]!.name);
    expect(fromLeg1.warnings.join('\n')).toContain('measured by shard 1/2 (legs/shard-1.json) on test');
    // The verdicts are still the one experiment's.
    expect(merged.workloads.map((w) => [w.name, w.recommendation])).toEqual(UNSHARDED.workloads.map((w) => [w.name, w.recommendation]));
  });

  it('merges interpreter-matrix legs into per-interpreter rows labelled by the interpreter each leg ran', () => {
    // Every leg names its Python "python3" (setup-python); 3.14t runs threads in parallel.
    const names = ['resize', 'parse'];
    const legFor = (version: string, freeThreadedBuild = false): Leg => {
      const env = environment({ python: version, freeThreadedBuild });
      const truth: Truth = (t) => (t.side === 'head' && t.workload === 'parse' ? 2 : 1) * (freeThreadedBuild && t.arm.model === 'threads' ? 0.5 : gilBound[t.arm.model]);
      const run = simulate(input({ names, base: true, environments: [env], settings: { minRounds: 10, maxRounds: 10 } }), truth, 0.05);
      return { file: `py-${version}${freeThreadedBuild ? 't' : ''}.json`, results: run };
    };
    const legs = [legFor('3.14.0', true), legFor('3.12.3'), legFor('3.14.0')];
    const merged = mergeLegs(legs, REJUDGE);
    expect(merged.workloads.map((w) => `${w.name} @ ${w.python}`)).toEqual([
      'resize @ CPython 3.12.3',
      'resize @ CPython 3.14.0',
      'resize @ CPython 3.14.0t',
      'parse @ CPython 3.12.3',
      'parse @ CPython 3.14.0',
      'parse @ CPython 3.14.0t',
    ]);
    // Rows keep their names; each leg's verdicts are its interpreter's.
    expect(row(merged, 'resize', 'CPython 3.14.0t').recommendation).toBe('threads');
    expect(row(merged, 'resize', 'CPython 3.12.3').recommendation).toBe('processes');
    expect(merged.workloads.filter((w) => w.name === 'parse').every((w) => w.regressions.some((r) => r.kind === 'slower'))).toBe(true);
    expect(merged.values!.setup.pythons).toEqual(['CPython 3.12.3', 'CPython 3.14.0', 'CPython 3.14.0t']);
    expect(merged.merge.legs.map((l) => l.interpreter)).toEqual(['CPython 3.12.3', 'CPython 3.14.0', 'CPython 3.14.0t']);
    expect(merged.merge.differs.join('\n')).toContain('python differs');
    const rows = tableRows(merged);
    expect(rows.filter((r) => r.includes('resize · CPython 3.14.0t'))).toHaveLength(1);
    expect(rows.some((r) => r.includes('CPython 3.14.0t · CPython 3.14.0t'))).toBe(false);
    expect(gateFails(merged, 'regression')).toBe(true);
  });
});
