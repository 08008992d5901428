import { describe, expect, it } from 'vitest';
import { gateFails } from '../src/core/gate.js';
import { mergeLegs, MergeError, recountTotals, type Leg } from '../src/core/merge.js';
import { shardRecord, type ShardSpec } from '../src/core/shard.js';
import type { Results, WorkloadResult } from '../src/core/types.js';
import { cpuBoundSide, eitherSide, ioWaitSide, results, workload } from './fixtures/results/index.js';

// The stand-in for the engine's rejudge (which rebuilds the experiment from `values` and calls
// finish): it drops regressions of workloads the values mark as noise-only, then recounts. Enough to
// prove the merge hands over every workload and every value, and takes the judged result back.
function simpleRejudge(r: Results): Results {
  const values = (r as { values?: { trials?: { workload: string; noise?: boolean }[] } }).values;
  const noisy = new Set((values?.trials ?? []).filter((t) => t.noise).map((t) => t.workload));
  const workloads = r.workloads.map((w) => (noisy.has(w.name) ? { ...w, regressions: [] } : w));
  return recountTotals({ ...r, workloads });
}

const slower = (name: string): WorkloadResult =>
  workload(name, cpuBoundSide(1.4), { regressions: [{ kind: 'slower', detail: '+40% with processes×4' }] });

// Five workloads of one config, in config order; "parse" regressed.
const ALL: WorkloadResult[] = [
  workload('resize', cpuBoundSide()),
  workload('fetch', ioWaitSide()),
  slower('parse'),
  workload('hash', eitherSide()),
  workload('broken', cpuBoundSide(), { recommendation: 'error', error: { kind: 'import', message: 'No module named nope', traceback: '' } }),
];
const COSTS = [
  { name: 'resize', cost: 8 },
  { name: 'fetch', cost: 4 },
  { name: 'parse', cost: 2 },
  { name: 'hash', cost: 2 },
  { name: 'broken', cost: 0 },
];

/** The legs a 3-way split of ALL produces, each with its part of the workloads and of the values. */
function legsOf(count: number, extra: (spec: ShardSpec) => Partial<Results> = () => ({})): Leg[] {
  return Array.from({ length: count }, (_, i) => {
    const spec = { index: i + 1, count };
    const shard = shardRecord(spec, COSTS);
    const mine = ALL.filter((w) => shard.assignment[w.name] === spec.index);
    const leg = results(mine, { ...extra(spec) }) as Results & Record<string, unknown>;
    leg['shard'] = shard;
    leg['values'] = { trials: mine.map((w) => ({ workload: w.name, leg: spec.index })), probes: mine.map((w) => ({ workload: w.name })) };
    return { file: `legs/shard-${spec.index}.json`, results: leg };
  });
}

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MergeError);
    return (error as Error).message;
  }
  throw new Error('expected the merge to fail');
};

describe('mergeLegs', () => {
  it('merges three shards into one table in config order, with one gate decision', () => {
    const merged = mergeLegs(legsOf(3), simpleRejudge);
    expect(merged.workloads.map((w) => w.name)).toEqual(['resize', 'fetch', 'parse', 'hash', 'broken']);
    expect(merged.regressions).toBe(1);
    expect(gateFails(merged, 'regression')).toBe(true);
    expect(merged.merge.legs.map((l) => l.shard)).toEqual(['1/3', '2/3', '3/3']);
    expect(merged.merge.differs).toEqual([]);
    expect('shard' in merged).toBe(false);
  });

  it('equals what one unsharded run gives from the same values', () => {
    for (const count of [1, 2, 3, 4]) {
      const merged = mergeLegs(legsOf(count), simpleRejudge);
      const unsharded = simpleRejudge(results(ALL));
      expect(merged.workloads, `${count} legs`).toEqual(unsharded.workloads);
      expect(merged.regressions).toBe(unsharded.regressions);
      expect(merged.improvements).toBe(unsharded.improvements);
    }
  });

  it('hands every leg\'s values to rejudge, so Holm and the gate see all workloads at once', () => {
    let seen: Results | null = null;
    mergeLegs(legsOf(3), (r) => ((seen = r), r));
    const values = (seen as unknown as { values: { trials: { workload: string }[]; probes: unknown[] } }).values;
    expect(values.trials.map((t) => t.workload).sort()).toEqual(ALL.map((w) => w.name).sort());
    expect(values.probes).toHaveLength(5);
    expect(seen!.workloads).toHaveLength(5);
  });

  it('takes the verdicts from rejudge, not from the legs', () => {
    const legs = legsOf(3);
    const parseLeg = legs.find((l) => l.results.workloads.some((w) => w.name === 'parse'))!;
    (parseLeg.results as unknown as { values: { trials: { workload: string; noise?: boolean }[] } }).values.trials.forEach((t) => (t.noise = true));
    const merged = mergeLegs(legs, simpleRejudge);
    expect(merged.regressions).toBe(0);
    expect(gateFails(merged, 'regression')).toBe(false);
  });

  it('a leg whose workloads failed still contributes them', () => {
    const merged = mergeLegs(legsOf(3), simpleRejudge);
    const broken = merged.workloads.find((w) => w.name === 'broken')!;
    expect(broken.recommendation).toBe('error');
    expect(broken.error?.message).toBe('No module named nope');
  });

  it('names the missing shard and the workloads left without results (never a partial report)', () => {
    const legs = legsOf(4);
    const missing = legs.splice(1, 1)[0]!;
    const message = messageOf(() => mergeLegs(legs, simpleRejudge));
    expect(message).toContain('shard 2/4 is missing');
    expect(message).toContain('3 of 4 legs arrived');
    for (const name of missing.results.workloads.map((w) => w.name)) expect(message).toContain(JSON.stringify(name));
    expect(message).toContain('legs/shard-1.json');
  });

  it('names both files when a shard arrived twice', () => {
    const legs = legsOf(2);
    const copy = { file: 'other/shard-1.json', results: legs[0]!.results };
    const message = messageOf(() => mergeLegs([...legs, copy], simpleRejudge));
    expect(message).toContain('shard 1/2 arrived twice: legs/shard-1.json and other/shard-1.json');
  });

  it('names both files when the same workload is in two legs', () => {
    const [a, b] = legsOf(2);
    b!.results = { ...b!.results, workloads: [...b!.results.workloads, a!.results.workloads[0]!] };
    const message = messageOf(() => mergeLegs([a!, b!], simpleRejudge));
    expect(message).toMatch(/workload "resize" is in more than one leg: shard 1\/2 \(legs\/shard-1.json\) and shard 2\/2 \(legs\/shard-2.json\)/);
  });

  it('explains a split the legs did not agree on', () => {
    const [a, b] = legsOf(2);
    const record = (b!.results as unknown as { shard: { assignment: Record<string, number>; measured: Record<string, number> } }).shard;
    record.assignment = { ...record.assignment, resize: 2 };
    record.measured = { ...record.measured, resize: 5.7 };
    b!.results = { ...b!.results, workloads: [...b!.results.workloads, workload('resize', cpuBoundSide())] };
    const message = messageOf(() => mergeLegs([a!, b!], simpleRejudge));
    expect(message).toContain('the legs did not agree on the split');
    expect(message).toContain('"resize": legs/shard-1.json put it on leg 1 (measured 8.00 s, bucket 8), legs/shard-2.json put it on leg 2 (measured 5.70 s');
  });

  it('refuses legs of different configs or commits, naming the files', () => {
    const legs = legsOf(3, (spec) => (spec.index === 3 ? { config: 'other/gilgate.yml' } : {}));
    expect(messageOf(() => mergeLegs(legs, simpleRejudge))).toMatch(
      /different config file: legs\/shard-1.json, legs\/shard-2.json → "examples\/gilgate.yml"; legs\/shard-3.json → "other\/gilgate.yml"/,
    );
    const commits = legsOf(2, (spec) => (spec.index === 2 ? { git: { head: 'b'.repeat(40), base: 'c'.repeat(40), baseRef: 'main' } } : {}));
    const message = messageOf(() => mergeLegs(commits, simpleRejudge));
    expect(message).toContain('different head commit');
    expect(message).toContain('different base commit');
    expect(message).toContain('legs/shard-2.json');
  });

  it('refuses legs of different settings or shard counts', () => {
    const legs = [...legsOf(2), legsOf(3)[2]!];
    expect(messageOf(() => mergeLegs(legs, simpleRejudge))).toContain('different shard count');
    const threshold = legsOf(2, (spec) => (spec.index === 2 ? { settings: { ...results([]).settings, threshold: 0.2 } } : {}));
    expect(messageOf(() => mergeLegs(threshold, simpleRejudge))).toContain('different setting threshold');
  });

  it('names a leg on another CPU model, in the merge record and on its workloads', () => {
    const legs = legsOf(2, (spec) =>
      spec.index === 2 ? { environment: { ...results([]).environment, cpuModel: 'Intel Xeon Platinum 8370C' } } : {},
    );
    const merged = mergeLegs(legs, simpleRejudge);
    expect(merged.merge.differs).toHaveLength(1);
    expect(merged.merge.differs[0]).toContain('cpuModel differs');
    expect(merged.merge.differs[0]).toContain('shard 2/2 (legs/shard-2.json): Intel Xeon Platinum 8370C');
    expect(merged.merge.legs[1]!.environment.cpuModel).toBe('Intel Xeon Platinum 8370C');
    const fromLeg2 = merged.workloads.find((w) => w.name === legs[1]!.results.workloads[0]!.name)!;
    expect(fromLeg2.warnings.join('\n')).toContain('measured by shard 2/2 (legs/shard-2.json) on Intel Xeon Platinum 8370C');
  });

  it('merges interpreter-matrix legs into per-interpreter rows', () => {
    const env = results([]).environment;
    const py = (version: string, freeThreadedBuild = false): Leg => ({
      file: `py-${version}${freeThreadedBuild ? 't' : ''}.json`,
      results: results([workload('resize', cpuBoundSide()), slower('parse')], { environment: { ...env, python: version, freeThreadedBuild } }),
    });
    const merged = mergeLegs([py('3.14', true), py('3.12'), py('3.14')], simpleRejudge);
    expect(merged.workloads.map((w) => w.name)).toEqual([
      'resize · CPython 3.12',
      'resize · CPython 3.14',
      'resize · CPython 3.14t',
      'parse · CPython 3.12',
      'parse · CPython 3.14',
      'parse · CPython 3.14t',
    ]);
    expect(merged.regressions).toBe(3);
    expect(merged.merge.differs.join('\n')).toContain('python differs');
  });

  it('refuses one interpreter measured twice without shards', () => {
    const one = results([workload('resize', cpuBoundSide())]);
    expect(messageOf(() => mergeLegs([{ file: 'a.json', results: one }, { file: 'b.json', results: one }], simpleRejudge))).toContain(
      'workload "resize" is in more than one leg: a.json and b.json',
    );
  });

  it('refuses mixing sharded and unsharded legs, and an empty list', () => {
    const legs = legsOf(2);
    const plain = { file: 'plain.json', results: results([workload('other', cpuBoundSide())]) };
    expect(messageOf(() => mergeLegs([...legs, plain], simpleRejudge))).toContain('different shard count');
    expect(messageOf(() => mergeLegs([], simpleRejudge))).toContain('no results files');
  });
});
