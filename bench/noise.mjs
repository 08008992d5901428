// Noise on this machine, as the measurement engine sees it: rounds of real trials (a fresh Python
// interpreter each, through lib/measure/python.js runTrial), every round running seven arms of the
// same pure-Python loop — two identical ones (A/A) and five made 5, 10, 15, 25 and 50% longer — in
// a seeded random order. Prints the spread of the paired log ratio of the two identical arms, how it
// grows with the distance between the pair's trials within a round, and how heavy the tails are;
// saves every trial (every repetition) to a JSON file that bench/estimators.mjs replays.
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/noise.mjs
//
// Three protocols, all recorded the same way:
// - lockstep (default): what the engine does: the round's trials are pinned to one CPU (rotating over
//   rounds, so every CPU is used equally), each runs `repetitions` timed calls after its warm-up, so
//   that a trial's timed work is about NOISE_TARGET seconds, and the round's seven trials run as one
//   lockstep group (runLockstep): all alive at once, taking turns repetition by repetition, forward
//   then backward over the round's order, so that a burst of the machine hits every arm's
//   repetitions alike. The distance table then measures little (turns, not trials, are adjacent).
// - sequential (NOISE_PROTOCOL=sequential): the same pinning and repetitions, trials one after the
//   other (the engine of 2026-11-24).
// - alternate (NOISE_PROTOCOL=alternate): lockstep and sequential rounds in turn, so that the two
//   protocols are compared over the same minutes: the machine's noise changes from one run to the
//   next by more than the protocols differ (an A/A sd of 0.09 in one 8-minute run, 0.23 in the next).
// - legacy (NOISE_PROTOCOL=legacy): the first release's: unpinned, one timed call per trial.
// Since every repetition is kept, the per-trial estimators (first repetition alone, mean, median,
// minimum) are compared on the very same recording.
//
// Knobs: NOISE_ROUNDS (default 150), NOISE_UNITS (loop iterations of the base arm, default 2000000,
// ≈ 0.12 s on a quiet core; 250000 ≈ 15 ms), NOISE_TARGET (seconds of timed work per trial, default
// the engine's count, plan.ts repetitionsFor), NOISE_PROTOCOL (lockstep | sequential | alternate | legacy), NOISE_OUT (default bench/noise-<protocol>-<units>.json,
// ignored by git), NOISE_PYTHON (default python3), NOISE_SEED (default 7).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mean, median, medianAbsoluteDeviation, min, sampleStandardDeviation as sd } from 'simple-statistics';
import { MAX_REPETITIONS, repetitionsFor, seededRandom, shuffle } from '../lib/core/plan.js';
import { trialValue } from '../lib/core/repetitions.js';
import { isFailure, probeEnvironment, runLockstep, runTrial } from '../lib/measure/python.js';

const env = process.env;
const ROUNDS = Number(env.NOISE_ROUNDS ?? 150);
const UNITS = Number(env.NOISE_UNITS ?? 2_000_000);
// Without NOISE_TARGET the engine's count (plan.ts repetitionsFor); with it, enough for that many seconds.
const TARGET = env.NOISE_TARGET ? Number(env.NOISE_TARGET) : null;
const PROTOCOL = env.NOISE_PROTOCOL ?? 'lockstep';
if (!['lockstep', 'sequential', 'alternate', 'legacy'].includes(PROTOCOL)) throw new Error(`NOISE_PROTOCOL must be lockstep, sequential, alternate or legacy, got ${PROTOCOL}`);
const here = dirname(fileURLToPath(import.meta.url));
const OUT = env.NOISE_OUT ?? join(here, `noise-${PROTOCOL}-${UNITS}.json`);
const ARMS = ['100a', '100b', '105', '110', '115', '125', '150'];

const dir = mkdtempSync(join(tmpdir(), 'gilgate-noise-'));
const functions = ARMS.map((arm) => `def spin_${arm}(_task=0):\n    return _spin(${UNITS} * ${parseInt(arm, 10)} // 100)\n`);
writeFileSync(join(dir, 'noise_work.py'), `def _spin(units):\n    s = 0\n    for i in range(units):\n        s += (i * i) % 7\n    return s\n\n${functions.join('\n')}`);
// The interpreter is resolved once, as the engine does: trials never start through a shim.
const probed = await probeEnvironment({ python: env.NOISE_PYTHON ?? 'python3', cwd: dir, paths: [dir], env: { PATH: env.PATH ?? '' } });
if (isFailure(probed)) throw new Error(`cannot describe the interpreter: ${probed.message}`);
const target = { python: probed.executable, cwd: dir, paths: [dir], env: {} };
const pinned = PROTOCOL !== 'legacy' && probed.placement === 'affinity';
const workload = (arm) => ({ name: 'noise', run: `noise_work:spin_${arm}`, tasks: 1, timeout: 300 });
const settings = (cpu, repetitions) => ({ model: 'serial', workers: 1, cpu, repetitions, startMethod: null });

let repetitions = 1;
if (PROTOCOL !== 'legacy') {
  // Calibrate like the engine: one untimed-for-decisions pass of the base arm sets the count.
  const pilot = await runTrial(target, workload('100a'), settings(null, 1));
  if (!pilot.ok) throw new Error(`pilot failed: ${pilot.kind}: ${pilot.message}`);
  repetitions = TARGET === null ? repetitionsFor(pilot.wallSeconds) : Math.min(MAX_REPETITIONS, Math.max(1, Math.ceil(TARGET / pilot.wallSeconds)));
}

const random = seededRandom(Number(env.NOISE_SEED ?? 7));
const started = performance.now();
const rounds = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = shuffle([...ARMS], random);
    const cpu = pinned ? probed.cpus[r % probed.cpus.length] : null;
    const protocol = PROTOCOL === 'alternate' ? (r % 2 === 0 ? 'lockstep' : 'sequential') : PROTOCOL;
    const round = { order, cpu, protocol, wall: {}, repetitions: {} };
    const outcomes =
      protocol === 'lockstep'
        ? await runLockstep(order.map((arm) => ({ target, workload: workload(arm), settings: settings(cpu, repetitions) })))
        : [];
    for (const [i, arm] of order.entries()) {
      const outcome = protocol === 'lockstep' ? outcomes[i] : await runTrial(target, workload(arm), settings(cpu, repetitions));
      if (!outcome.ok) throw new Error(`trial failed: ${outcome.kind}: ${outcome.message}`);
      round.wall[arm] = outcome.wallSeconds;
      round.repetitions[arm] = outcome.repetitions.map((x) => x.wallSeconds);
    }
    rounds.push(round);
    if ((r + 1) % 25 === 0) process.stderr.write(`${r + 1}/${ROUNDS} rounds, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(OUT, JSON.stringify({ protocol: PROTOCOL, units: UNITS, repetitions, pinned, arms: ARMS, rounds }));

const log = Math.log;
// 1.4826 × MAD estimates the sd of the well-behaved bulk; sd ≫ that means heavy tails.
const robustSd = (xs) => 1.4826 * medianAbsoluteDeviation(xs);

const base = rounds.map((r) => r.wall['100a']);
const floor = median(base);
console.log(`noise (${PROTOCOL}): ${ROUNDS} rounds × ${ARMS.length} trials, ${pinned ? 'each round pinned to one CPU, rotating' : 'unpinned'}, ${repetitions} repetition(s) per trial, base arm median ${floor.toFixed(4)} s per trial value (${UNITS} loop iterations), ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`python ${probed.python} (${probed.executable}), cpus ${probed.cpus.join(',')}`);

// The per-trial estimators, on the same recording (with one repetition they all coincide).
const estimators = [
  ['first repetition alone', (xs) => xs[0]],
  ['mean of repetitions (engine: trialValue)', trialValue],
  ['median of repetitions', median],
  ['minimum of repetitions', min],
];
const protocols = PROTOCOL === 'alternate' ? ['lockstep', 'sequential'] : [PROTOCOL];
for (const protocol of protocols) {
  const subset = rounds.filter((r) => (r.protocol ?? PROTOCOL) === protocol);
  console.log(`\nA/A paired log ratio (arms 100a vs 100b, same round, same CPU), ${protocol}, ${subset.length} rounds:`);
  console.log('per-trial estimator                          sd      1.4826·MAD   |d| > 0.05');
  for (const [name, estimate] of estimators) {
    const aa = subset.map((r) => log(estimate(r.repetitions['100a']) / estimate(r.repetitions['100b'])));
    const tail = (100 * aa.filter((d) => Math.abs(d) > 0.05).length) / aa.length;
    console.log(`${name.padEnd(44)} ${sd(aa).toFixed(3)}   ${robustSd(aa).toFixed(3)}        ${tail.toFixed(1)}%`);
  }
}
if (pinned) {
  console.log('\nbase arm per CPU (median trial value), the placement the engine blocks on:');
  for (const cpu of probed.cpus) {
    const values = rounds.filter((r) => r.cpu === cpu).map((r) => r.wall['100a']);
    if (values.length > 0) console.log(`  cpu ${cpu}: ${median(values).toFixed(4)} s over ${values.length} rounds`);
  }
}
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
