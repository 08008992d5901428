// Do repeated runs of the examples give the same verdicts? Prints each run's verdicts and rounds,
// the wall time of each whole run, and whether every workload agreed across runs.
//
// Run: npx tsc -p tsconfig.json && node_modules/.bin/node bench/repeatability.mjs [runs=3]
import path from 'node:path';
import { modelFigure } from '../lib/core/side-facts.js';
import { measure } from '../lib/measure/run.js';

const runs = Number(process.argv[2] ?? 3);
const root = path.resolve(import.meta.dirname, '..');
const verdicts = new Map();
const walls = [];
for (let run = 1; run <= runs; run++) {
  const results = await measure({ cwd: root, config: 'examples/gilgate.yml', seed: 500 + run });
  walls.push(results.totalSeconds);
  const line = results.workloads.map((w) => {
    verdicts.set(w.name, [...(verdicts.get(w.name) ?? []), w.recommendation]);
    const s = (x) => (x === null ? '—' : x.toFixed(2));
    return `${w.name}=${w.recommendation} (t×${s(modelFigure(w, 'threads', 'speedup'))} p×${s(modelFigure(w, 'processes', 'speedup'))}, ${w.rounds} rounds)`;
  });
  console.log(`run ${run} (${results.totalSeconds.toFixed(1)} s, seed ${results.settings.seed}): ${line.join('; ')}`);
}
let agreeing = 0;
for (const [name, list] of verdicts) {
  const same = new Set(list).size === 1;
  agreeing += same ? 1 : 0;
  console.log(`${name.padEnd(24)} ${list.join(' / ').padEnd(40)} ${same ? 'same' : 'DIFFERENT'}`);
}
const sorted = [...walls].sort((a, b) => a - b);
console.log(`\nworkloads with the same verdict in all ${runs} runs: ${agreeing}/${verdicts.size}`);
console.log(`whole examples run: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s (min ${sorted[0].toFixed(1)}, max ${sorted.at(-1).toFixed(1)})`);
