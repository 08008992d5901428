// Results files of every version still read, render and re-judge as they did. The files in
// test/fixtures/results/files were written by gilgate before schemaVersion 3 (2a0fd60), with the
// Markdown and terminal reports and the verdicts that code gave when it read them back (`gilgate
// report`): v1 (hand-made rows, no values), v2 (an engine run against base, every value kept: read
// back, it is judged again) and v2 without its values. Today's code must give the same, and a
// version 3 file it writes must read back to the same reports. One wording was changed on purpose
// since (2026-12-05): a share of capacity above 105% (v2's "107% of ×1.80", which cannot be) now
// reads "beyond ×1.80 (probe read low)", and 101% reads 100%; the .md and .txt files were
// re-rendered for that alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults, resultsFile } from '../src/core/contracts/results.js';
import { rejudge } from '../src/core/experiment.js';
import { modelFigures } from '../src/core/side-facts.js';
import type { Results } from '../src/core/types.js';
import { loadResults } from '../src/measure/run.js';
import { WORDS } from '../src/report/explain.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTerminal } from '../src/report/terminal.js';

const DIR = path.resolve('test/fixtures/results/files');
const text = (name: string) => readFileSync(path.join(DIR, name), 'utf8');
const json = (name: string) => JSON.parse(text(name));

/** What a reader of the verdicts sees: per row, its verdict, base's, and the regressions' kinds. */
const verdicts = (r: Results) =>
  r.workloads.map((w) => ({ name: w.name, python: w.python, recommendation: w.recommendation, base: w.base?.recommendation ?? null, regressions: w.regressions.map((x) => x.kind) }));

const OLDER = [
  { file: 'v1', version: 1, values: false },
  { file: 'v1-unavailable', version: 1, values: false },
  { file: 'v2', version: 2, values: true },
  { file: 'v2-summaries', version: 2, values: false },
] as const;

describe('results files of versions 1 and 2', () => {
  for (const { file, version, values } of OLDER) {
    it(`${file}.json (version ${version}${values ? ', with values: judged again' : ''}) renders and judges as before`, () => {
      const raw = json(`${file}.json`);
      expect(raw.schemaVersion).toBe(version);
      expect(Boolean(raw.values)).toBe(values);
      const loaded = loadResults(raw);
      expect(verdicts(loaded)).toEqual(json(`${file}.verdicts.json`));
      expect(renderMarkdown(loaded)).toBe(text(`${file}.md`));
      expect(renderTerminal(loaded, { color: false })).toBe(text(`${file}.txt`));
    });
  }

  it('a version 2 file judged again gives the verdicts it recorded, and comes out as version 3', () => {
    const raw = json('v2.json');
    const recorded = raw.workloads.map((w: { name: string; python: string; recommendation: string; base: { recommendation: string } | null; regressions: { kind: string }[] }) => ({
      name: w.name,
      python: w.python,
      recommendation: w.recommendation,
      base: w.base?.recommendation ?? null,
      regressions: w.regressions.map((x) => x.kind),
    }));
    const judged = rejudge(readResults(raw), WORDS);
    expect(judged.schemaVersion).toBe(3);
    expect(verdicts(judged)).toEqual(recorded);
    // Its speedups are the ones the version 2 file stored beside its facts.
    judged.workloads.forEach((w, i) => expect(modelFigures(w, 'speedup')).toEqual(raw.workloads[i].speedup));
  });

  it('the version 3 file of a re-judged version 2 run reads back to the same reports and verdicts', () => {
    const judged = loadResults(json('v2.json'));
    const file = JSON.parse(JSON.stringify(resultsFile(judged)));
    expect(file.schemaVersion).toBe(3);
    // Without judging again (its facts as written) and judged again from its values: the same.
    for (const read of [readResults(file), loadResults(file)]) {
      expect(verdicts(read)).toEqual(verdicts(judged));
      expect(renderMarkdown(read)).toBe(renderMarkdown(judged));
      expect(renderTerminal(read, { color: false })).toBe(renderTerminal(judged, { color: false }));
    }
    // Smaller than the version 2 file's summaries: no figure is written twice.
    const { values: _v3, ...v3Summaries } = file;
    const { values: _v2, ...v2Summaries } = json('v2.json');
    expect(JSON.stringify(v3Summaries).length).toBeLessThan(JSON.stringify(v2Summaries).length);
  });
});
