// Noise on this machine, as the measurement engine sees it: rounds of real trials (a fresh Python
// interpreter each, through lib/measure/python.js runTrial), every round running seven arms of the
// same pure-Python loop — two identical ones (A/A) and five made 5, 10, 15, 25 and 50% longer — in
// a seeded random order. Prints the spread of the paired log ratio of the two identical arms, how it
// grows with the distance between the pair's trials within a round, and how heavy the tails are;
// saves every trial to a JSON file that bench/estimators.mjs replays to compare decision rules.
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/noise.mjs
//
// Knobs: NOISE_ROUNDS (default 150), NOISE_UNITS (loop iterations of the base arm, default 2000000,
// ≈ 0.15 s on a quiet core; 250000 ≈ 15 ms), NOISE_OUT (default bench/noise-<units>.json, ignored by
// git), NOISE_PYTHON (default python3), NOISE_SEED (default 7).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, medianAbsoluteDeviation, sampleStandardDeviation as sd } from 'simple-statistics';
import { seededRandom, shuffle } from '../lib/core/plan.js';
import { runTrial } from '../lib/measure/python.js';

const env = process.env;
const ROUNDS = Number(env.NOISE_ROUNDS ?? 150);
const UNITS = Number(env.NOISE_UNITS ?? 2_000_000);
const here = dirname(fileURLToPath(import.meta.url));
const OUT = env.NOISE_OUT ?? join(here, `noise-${UNITS}.json`);
const ARMS = ['100a', '100b', '105', '110', '115', '125', '150'];

const dir = mkdtempSync(join(tmpdir(), 'gilgate-noise-'));
const functions = ARMS.map((arm) => `def spin_${arm}(_task=0):\n    return _spin(${UNITS} * ${parseInt(arm, 10)} // 100)\n`);
writeFileSync(join(dir, 'noise_work.py'), `def _spin(units):\n    s = 0\n    for i in range(units):\n        s += (i * i) % 7\n    return s\n\n${functions.join('\n')}`);
const target = { python: env.NOISE_PYTHON ?? 'python3', cwd: dir, paths: [dir], env: {} };
const random = seededRandom(Number(env.NOISE_SEED ?? 7));
const started = performance.now();
const rounds = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = shuffle([...ARMS], random);
    const round = { order, wall: {} };
    for (const arm of order) {
      const outcome = await runTrial(target, { name: 'noise', run: `noise_work:spin_${arm}`, tasks: 1, timeout: 120 }, { model: 'serial', workers: 1 });
      if (!outcome.ok) throw new Error(`trial failed: ${outcome.kind}: ${outcome.message}`);
      round.wall[arm] = outcome.wallSeconds;
    }
    rounds.push(round);
    if ((r + 1) % 25 === 0) process.stderr.write(`${r + 1}/${ROUNDS} rounds, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(OUT, JSON.stringify({ units: UNITS, arms: ARMS, rounds }));

const log = Math.log;
// 1.4826 × MAD estimates the sd of the well-behaved bulk; sd ≫ that means heavy tails.
const robustSd = (xs) => 1.4826 * medianAbsoluteDeviation(xs);

const aa = rounds.map((r) => log(r.wall['100a'] / r.wall['100b']));
const base = rounds.map((r) => r.wall['100a']);
const floor = median(base);
console.log(`noise: ${ROUNDS} rounds × ${ARMS.length} trials, base arm median ${floor.toFixed(4)} s (${UNITS} loop iterations), ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`A/A paired log ratio: sd ${sd(aa).toFixed(3)}, 1.4826·MAD ${robustSd(aa).toFixed(3)} (the bulk), |d| > 0.2 in ${((100 * aa.filter((d) => Math.abs(d) > 0.2).length) / aa.length).toFixed(1)}% of rounds`);
console.log(`base arm: trials ≥ 20% above its median: ${((100 * base.filter((x) => x > 1.2 * floor).length) / base.length).toFixed(1)}%`);
console.log('\nspread of a pair by distance in the round (every pair of arms, the known factor removed):');
console.log('distance   pairs   sd      1.4826·MAD');
const byDistance = new Map();
for (const r of rounds) {
  for (let i = 0; i < ARMS.length; i++) {
    for (let j = i + 1; j < ARMS.length; j++) {
      const [a, b] = [ARMS[i], ARMS[j]];
      const distance = Math.abs(r.order.indexOf(a) - r.order.indexOf(b));
      const d = log(r.wall[a] / r.wall[b]) - log(parseInt(a, 10) / parseInt(b, 10));
      if (!byDistance.has(distance)) byDistance.set(distance, []);
      byDistance.get(distance).push(d);
    }
  }
}
for (const [distance, ds] of [...byDistance].sort((x, y) => x[0] - y[0])) {
  console.log(`${String(distance).padStart(8)}   ${String(ds.length).padStart(5)}   ${sd(ds).toFixed(3)}   ${robustSd(ds).toFixed(3)}`);
}
console.log(`\nload average at the end (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
console.log(`trials saved to ${OUT} (replay with bench/estimators.mjs)`);
