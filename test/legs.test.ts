// Finding legs' results files on disk as download-artifact lays them out: folders, globs, files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findResultsFiles, mergeResultsFiles, readLeg } from '../src/measure/legs.js';
import { resultsFile } from '../src/core/contracts/results.js';
import { gilBound, input, shardLegs, simulate } from './helpers/experiment.js';

const dir = mkdtempSync(join(tmpdir(), 'gilgate-legs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One experiment (a: processes win, b: threads win) split in two legs, written as `run --shard` writes them.
const UNSHARDED = simulate(input({ names: ['a', 'b'], base: true }), (t) =>
  t.workload === 'b' ? { serial: 1, threads: 0.4, processes: 0.7, interpreters: 0.7 }[t.arm.model] : gilBound[t.arm.model],
);
const costs = [{ name: 'a', cost: 2 }, { name: 'b', cost: 1 }];
for (const leg of shardLegs(UNSHARDED, 2, costs, (index) => `legs/gilgate-shard-${index}/gilgate-results.json`)) {
  mkdirSync(join(dir, leg.file, '..'), { recursive: true });
  writeFileSync(join(dir, leg.file), JSON.stringify(resultsFile(leg.results)));
}
writeFileSync(join(dir, 'legs', 'notes.txt'), 'not json');
writeFileSync(join(dir, 'bogus.json'), JSON.stringify({ schemaVersion: 9, workloads: [] }));

describe('findResultsFiles', () => {
  it('takes every *.json below a folder, sorted', () => {
    expect(findResultsFiles(dir, ['legs']).map((f) => f.slice(dir.length + 1))).toEqual([
      'legs/gilgate-shard-1/gilgate-results.json',
      'legs/gilgate-shard-2/gilgate-results.json',
    ]);
  });

  it('takes globs with * and **, and files, without duplicates', () => {
    expect(findResultsFiles(dir, ['legs/*-1/*.json', 'legs/**/gilgate-results.json'])).toHaveLength(2);
    expect(findResultsFiles(dir, ['legs/gilgate-shard-2/gilgate-results.json'])).toHaveLength(1);
  });

  it('names a spec that matches nothing', () => {
    expect(() => findResultsFiles(dir, ['nowhere'])).toThrow('merge: nowhere does not exist');
    expect(() => findResultsFiles(dir, ['legs/*.xml'])).toThrow('merge: legs/*.xml matches no results file');
  });
});

describe('readLeg and mergeResultsFiles', () => {
  it('refuses a file that is not gilgate results, naming it', () => {
    expect(() => readLeg(join(dir, 'bogus.json'), dir)).toThrow('merge: bogus.json: not a gilgate results file (schemaVersion 1, 2 or 3): ');
    expect(() => readLeg(join(dir, 'legs', 'notes.txt'), dir)).toThrow(/merge: legs\/notes.txt is not valid JSON/);
  });

  it('merges the legs found, naming each by its path', () => {
    const leg = readLeg(join(dir, 'legs', 'gilgate-shard-2', 'gilgate-results.json'), dir);
    expect(leg.results.values!.trials.length).toBeGreaterThan(0);
    const merged = mergeResultsFiles(dir, ['legs']);
    expect(merged.workloads.map((w) => w.name)).toEqual(['a', 'b']);
    // Judged again by the engine's rejudge from the files' values: the unsharded run's rows.
    expect(merged.workloads).toEqual(UNSHARDED.workloads);
    expect(merged.workloads.map((w) => w.recommendation)).toEqual(['processes', 'threads']);
    expect(merged.merge.legs.map((l) => l.file)).toEqual(['legs/gilgate-shard-1/gilgate-results.json', 'legs/gilgate-shard-2/gilgate-results.json']);
  });
});
