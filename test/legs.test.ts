// Finding legs' results files on disk as download-artifact lays them out: folders, globs, files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findResultsFiles, mergeResultsFiles, readLeg } from '../src/measure/legs.js';
import { shardRecord } from '../src/core/shard.js';
import { cpuBoundSide, results, workload } from './fixtures/results/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gilgate-legs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const costs = [{ name: 'a', cost: 2 }, { name: 'b', cost: 1 }];
for (const index of [1, 2]) {
  const shard = shardRecord({ index, count: 2 }, costs);
  const mine = costs.filter((c) => shard.assignment[c.name] === index).map((c) => workload(c.name, cpuBoundSide()));
  mkdirSync(join(dir, 'legs', `gilgate-shard-${index}`), { recursive: true });
  writeFileSync(join(dir, 'legs', `gilgate-shard-${index}`, 'gilgate-results.json'), JSON.stringify({ ...results(mine), shard }));
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
    expect(() => readLeg(join(dir, 'bogus.json'), dir)).toThrow('merge: bogus.json is not a gilgate results file');
    expect(() => readLeg(join(dir, 'legs', 'notes.txt'), dir)).toThrow(/merge: legs\/notes.txt is not valid JSON/);
  });

  it('merges the legs found, naming each by its path', () => {
    const merged = mergeResultsFiles(dir, ['legs']);
    expect(merged.workloads.map((w) => w.name)).toEqual(['a', 'b']);
    expect(merged.merge.legs.map((l) => l.file)).toEqual(['legs/gilgate-shard-1/gilgate-results.json', 'legs/gilgate-shard-2/gilgate-results.json']);
  });
});
