// Calibration of the gate's one-sided sequential test (src/core/stats/sequential.ts compareToBase)
// by replay and simulation: achieved error rates beside the nominal ones, and the rounds an A/A
// comparison needs to pass. Results do not depend on this machine's load at replay time (a
// recording carries the load of when it was made).
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/gate-calibration.mjs [recording.json ...]
//
// Sources (every one is replayed with the engine's defaults: α, β, threshold, rounds, looks):
// - a bench/noise.mjs recording, two ways: `windows` (consecutive recorded rounds from a seeded
//   random start, so bursts keep their length) and `bootstrap` (rounds drawn with replacement);
//   head = arm 100b × factor, base = arm 100a, the pair of identical arms, so the effect injected is
//   exact and the noise is real. With the recording's repetitions, the trial value is the mean of the
//   first GATE_REPS repetitions (default: all).
// - `synthetic`: paired log ratios drawn from a normal (sd GATE_SD, default 0.08) with bursts (a
//   round slowed 30–80% on one side with probability GATE_BURST, default 0.1): many experiments, to
//   check the t approximation of the boundaries where a recording has too few rounds.
// Rows: A/A (false alarm: a regression where head is not slower; nominal ≤ α), head 10% and 15%
// slower (flagged), head exactly `threshold` slower (passes as "no regression"; nominal ≤ β), and
// the median rounds an A/A comparison takes to pass.
// Knobs: GATE_N experiments per row (default 2000), GATE_SEED (default 3), GATE_REPS.

import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../lib/core/config.js';
import { seededRandom } from '../lib/core/plan.js';
import { compareToBase, isFinalLook, lookErrors, lookSchedule } from '../lib/core/stats/sequential.js';

const env = process.env;
const N = Number(env.GATE_N ?? 2000);
const SEED = Number(env.GATE_SEED ?? 3);
const POLICY = { alpha: DEFAULTS.alpha, beta: DEFAULTS.beta, minRounds: DEFAULTS.minRounds, maxRounds: DEFAULTS.maxRounds };
const THRESHOLD = DEFAULTS.threshold;
const sources = process.argv.slice(2);
if (sources.length === 0) sources.push('synthetic');

console.log(`gate calibration: α ${POLICY.alpha} (false alarm), β ${POLICY.beta} (a head exactly ${THRESHOLD * 100}% slower passes), rounds ${POLICY.minRounds}..${POLICY.maxRounds}, looks ${lookSchedule(POLICY).join(',')}`);
console.log(`nominal one-sided error per look: alarm ${lookErrors(POLICY.alpha, POLICY).map((e) => e.toFixed(4)).join(' ')} | pass ${lookErrors(POLICY.beta, POLICY).map((e) => e.toFixed(4)).join(' ')}`);
console.log(`${N} experiments per row\n`);

for (const source of sources) {
  if (source === 'synthetic') {
    const sd = Number(env.GATE_SD ?? 0.08);
    const burst = Number(env.GATE_BURST ?? 0.1);
    report(`synthetic: normal sd ${sd}, bursts ${burst * 100}% of rounds`, syntheticDraw(sd, burst));
    continue;
  }
  const recording = JSON.parse(readFileSync(source, 'utf8'));
  const reps = env.GATE_REPS ? Number(env.GATE_REPS) : null;
  const value = (round, arm) => {
    const xs = round.repetitions?.[arm];
    if (!xs || reps === null) return round.wall[arm];
    const first = xs.slice(0, reps);
    return first.reduce((s, x) => s + x, 0) / first.length;
  };
  const pairs = recording.rounds.map((r) => ({ base: value(r, '100a'), head: value(r, '100b') }));
  const sd = Math.sqrt(variance(pairs.map((p) => Math.log(p.head / p.base))));
  const label = `${source}: ${pairs.length} rounds, ${recording.repetitions} repetition(s) per trial${reps ? `, first ${reps} used` : ''}, A/A paired sd ${sd.toFixed(3)}`;
  splitOfVariance(recording);
  report(`${label} — windows`, windowDraw(pairs));
  report(`${label} — bootstrap`, bootstrapDraw(pairs));
}

/** Runs the rows for one way of drawing experiments: draw(random) returns {head, base} of maxRounds rounds. */
function report(label, draw) {
  const rows = [
    { name: 'A/A: false alarms', factor: 1, count: 'b-faster', nominal: `≤ ${pct(POLICY.alpha)}`, goal: '≤ 1%' },
    { name: 'head 10% slower: flagged', factor: 1.1, count: 'b-faster', nominal: '', goal: '≥ 95%' },
    { name: 'head 15% slower: flagged', factor: 1.15, count: 'b-faster', nominal: '', goal: '≥ 99%' },
    { name: `head exactly ${THRESHOLD * 100}% slower: passes`, factor: 1 + THRESHOLD, count: 'equivalent', nominal: `≤ ${pct(POLICY.beta)}`, goal: '≤ 5%' },
  ];
  console.log(label);
  for (const row of rows) {
    const random = seededRandom(SEED);
    let hits = 0;
    const rounds = [];
    const passRounds = [];
    for (let e = 0; e < N; e++) {
      const { head, base } = draw(random);
      const h = head.map((x) => x * row.factor);
      let outcome = 'unknown';
      let at = POLICY.maxRounds;
      for (let n = 1; n <= POLICY.maxRounds; n++) {
        outcome = compareToBase(h.slice(0, n), base.slice(0, n), THRESHOLD, POLICY).outcome;
        if (outcome !== 'unknown' || isFinalLook(n, POLICY)) {
          at = n;
          break;
        }
      }
      if (outcome === row.count) hits++;
      rounds.push(at);
      if (outcome === 'equivalent') passRounds.push(at);
    }
    const extra = row.factor === 1 ? `; passes ${pct(passRounds.length / N)}, median rounds to pass ${median(passRounds)} (goal ≤ 8), rounds med/p90 ${median(rounds)}/${quantile(rounds, 0.9)}` : `; rounds med/p90 ${median(rounds)}/${quantile(rounds, 0.9)}`;
    console.log(`  ${row.name.padEnd(36)} achieved ${pct(hits / N).padStart(6)} ${row.nominal ? `(nominal ${row.nominal})` : ''} goal ${row.goal}${extra}`);
  }
  console.log('');
}

/**
 * Where the variance is (plan.ts repetitionsFor): the A/A pair's log ratio with the mean of the
 * first r repetitions has variance offset² + repetition²/r; fitted by least squares over r.
 */
function splitOfVariance(recording) {
  const reps = Math.min(...recording.rounds.map((r) => Math.min(r.repetitions?.['100a']?.length ?? 0, r.repetitions?.['100b']?.length ?? 0)));
  if (!(reps >= 2)) return;
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const points = [];
  for (let r = 1; r <= reps; r++) {
    const d = recording.rounds.map((round) => Math.log(mean(round.repetitions['100b'].slice(0, r)) / mean(round.repetitions['100a'].slice(0, r))));
    points.push({ r, v: variance(d) });
  }
  // v = a + b·x with x = 1/r: ordinary least squares.
  const xs = points.map((p) => 1 / p.r);
  const vs = points.map((p) => p.v);
  const mx = mean(xs);
  const mv = mean(vs);
  const b = xs.reduce((s, x, i) => s + (x - mx) * (vs[i] - mv), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const a = mv - b * mx;
  console.log(`split of the A/A variance over repetitions: ${points.map((p) => `r=${p.r} sd ${Math.sqrt(p.v).toFixed(3)}`).join(', ')}`);
  console.log(`  fit offset² + repetition²/r: per-process offset sd ${a > 0 ? Math.sqrt(a).toFixed(3) : `n/a (intercept ${a.toExponential(1)})`}, repetition sd ${b > 0 ? Math.sqrt(b).toFixed(3) : 'n/a'} (plan.ts TRIAL_NOISE: 0.053, 0.11)`);
}

function windowDraw(pairs) {
  const span = POLICY.maxRounds;
  return (random) => {
    const start = Math.floor(random() * Math.max(1, pairs.length - span + 1));
    const w = pairs.slice(start, start + span);
    while (w.length < span) w.push(pairs[Math.floor(random() * pairs.length)]);
    // Either identical arm may play head: the A/A pair is symmetric only on average.
    const flip = random() < 0.5;
    return { head: w.map((p) => (flip ? p.base : p.head)), base: w.map((p) => (flip ? p.head : p.base)) };
  };
}

function bootstrapDraw(pairs) {
  return (random) => {
    const head = [];
    const base = [];
    for (let i = 0; i < POLICY.maxRounds; i++) {
      const p = pairs[Math.floor(random() * pairs.length)];
      const flip = random() < 0.5;
      head.push(flip ? p.base : p.head);
      base.push(flip ? p.head : p.base);
    }
    return { head, base };
  };
}

function syntheticDraw(sd, burst) {
  return (random) => {
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const head = [];
    const base = [];
    for (let i = 0; i < POLICY.maxRounds; i++) {
      let d = sd * normal();
      if (random() < burst) d += (random() < 0.5 ? 1 : -1) * Math.log(1.3 + 0.5 * random());
      head.push(Math.exp(d));
      base.push(1);
    }
    return { head, base };
  };
}

function variance(xs) {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

function median(xs) {
  if (xs.length === 0) return 'n/a';
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

function quantile(xs, q) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

function pct(x) {
  return `${(100 * x).toFixed(1)}%`;
}
