// Which decision rule suits this machine's noise? Replays sequential comparisons over real trials
// recorded by bench/noise.mjs, for several estimators and look schedules, and prints per rule the
// A/A false-alarm rate, the detection rate of each injected slowdown, how often a 1.5× difference
// is decided within 6 rounds, and the median rounds used. Replaying recorded trials lets every rule
// see the very same noise; bench/calibration.mjs then checks the chosen rule on fresh trials.
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/estimators.mjs bench/noise-2000000.json [experiments]
//   node_modules/.bin/node bench/estimators.mjs synthetic:0.027 [experiments]
//
// `synthetic:CV` replays made-up rounds instead: independent log-normal noise of that CV on every
// trial (0.027 is the run-to-run CV reported for GitHub-hosted runners), for comparison with the
// heavy-tailed, bursty noise of a recording.
//
// Each experiment takes a window of consecutive recorded rounds at a seeded random start (so bursts
// stay as long as they were), pairs arm 100a with the other arm of each row round by round, and
// looks at the scheduled rounds with α = 0.01 split evenly over the looks (as src/stats/sequential.ts
// does), margin 10%: a-faster = significant and the estimate beyond the margin.

import { readFileSync } from 'node:fs';
import { seededRandom } from '../lib/core/plan.js';
import { DEFAULTS } from '../lib/core/config.js';
import { pairedRatio } from '../lib/core/stats/estimate.js';
import { lookSchedule, outcomeOf, TRIM, TRIM_FROM_ROUNDS, trimFor } from '../lib/core/stats/sequential.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/estimators.mjs <recording from bench/noise.mjs> [experiments per row]');
  process.exit(2);
}
const recording = file.startsWith('synthetic:') ? synthetic(Number(file.slice('synthetic:'.length))) : JSON.parse(readFileSync(file, 'utf8'));
const rounds = recording.rounds;
const EXPERIMENTS = Number(process.argv[3] ?? 1000);
const ALPHA = DEFAULTS.alpha;
const MARGIN = DEFAULTS.margin;

const engine = lookSchedule({ alpha: ALPHA, minRounds: DEFAULTS.minRounds, maxRounds: DEFAULTS.maxRounds });
const rules = [
  { name: 'plain mean (t), looks 3,5,8,12,15 (the first release)', trim: 0, looks: [3, 5, 8, 12, 15] },
  { name: `plain mean (t), looks ${engine}`, trim: 0, looks: engine },
  { name: `trimmed 20%, looks ${engine}`, trim: 0.2, looks: engine },
  { name: `trimmed 30%, looks ${engine}`, trim: 0.3, looks: engine },
  { name: 'trimmed 25%, geometric looks 3,5,8,12,18,27,30', trim: 0.25, looks: [3, 5, 8, 12, 18, 27, 30] },
  { name: `trimmed ${TRIM * 100}% at every look, looks ${engine} (the engine before 2026-12)`, trim: TRIM, looks: engine },
  { name: `engine default: plain mean before ${TRIM_FROM_ROUNDS} rounds, trimmed ${TRIM * 100}% from then, looks ${engine}`, trim: trimFor, looks: engine },
  ...[10, 15, 20]
    .filter((from) => from !== TRIM_FROM_ROUNDS)
    .map((from) => ({ name: `plain mean before ${from} rounds, trimmed ${TRIM * 100}% from then, looks ${engine}`, trim: (n) => (n >= from ? TRIM : 0), looks: engine })),
];
// A rule's trim: a share, or a function of the rounds at the look (the engine's trimFor).
const trimAt = (rule, n) => (typeof rule.trim === 'function' ? rule.trim(n) : rule.trim);
const others = recording.arms.filter((arm) => arm !== '100a');

console.log(`${file}: ${rounds.length} rounds, ${EXPERIMENTS} experiments per cell, α ${ALPHA}, margin ${MARGIN * 100}%`);
console.log('cells: A/A = false alarms (shown equivalent) median rounds; slower arms = flagged slower (decided within 6 rounds) median rounds\n');
for (const rule of rules) {
  const level = 1 - ALPHA / rule.looks.length;
  const maxRounds = rule.looks[rule.looks.length - 1];
  if (maxRounds > rounds.length) continue;
  const cells = [];
  for (const other of others) {
    const random = seededRandom(11);
    let flagged = 0;
    let wrongWay = 0;
    let equivalent = 0;
    let withinSix = 0;
    const used = [];
    for (let e = 0; e < EXPERIMENTS; e++) {
      const start = Math.floor(random() * (rounds.length - maxRounds + 1));
      const flip = other === '100b' && random() < 0.5; // A/A: either arm may play "a"
      const a = [];
      const b = [];
      let outcome = 'unknown';
      let at = maxRounds;
      for (let i = 0; i < maxRounds; i++) {
        const wall = rounds[start + i].wall;
        a.push(flip ? wall[other] : wall['100a']);
        b.push(flip ? wall['100a'] : wall[other]);
        if (!rule.looks.includes(i + 1)) continue;
        outcome = outcomeOf(pairedRatio(a, b, level, trimAt(rule, i + 1)), MARGIN, { alpha: ALPHA, minRounds: rule.looks[0], maxRounds });
        if (outcome !== 'unknown') {
          at = i + 1;
          break;
        }
      }
      used.push(at);
      if (outcome === 'a-faster') flagged++;
      if (outcome === 'b-faster') wrongWay++;
      if (outcome === 'equivalent') equivalent++;
      if (outcome !== 'unknown' && at <= 6) withinSix++;
    }
    const pct = (x) => `${((100 * x) / EXPERIMENTS).toFixed(1)}%`;
    cells.push(
      other === '100b'
        ? `A/A ${pct(flagged + wrongWay)} (${pct(equivalent)}) r${median(used)}`
        : `+${parseInt(other, 10) - 100}% ${pct(flagged)} (${pct(withinSix)}) r${median(used)}`,
    );
  }
  console.log(`${rule.name}\n   ${cells.join(' | ')}`);
}

function synthetic(cv) {
  const arms = ['100a', '100b', '105', '110', '115', '125', '150'];
  const random = seededRandom(5);
  // Box–Muller: a standard normal from two uniforms.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rounds = Array.from({ length: 300 }, () => ({
    order: arms,
    wall: Object.fromEntries(arms.map((arm) => [arm, (0.1 * parseInt(arm, 10)) / 100 * Math.exp(cv * normal())])),
  }));
  return { units: 0, arms, rounds };
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}
