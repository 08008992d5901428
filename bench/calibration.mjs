// Calibration of the gate's sequential comparison (src/core/stats/sequential.ts compareToBase: head
// B against base A, one-sided, α and β spent over the looks) against REAL trials on this machine:
// false alarms in A/A experiments, detection of injected slowdowns, how often a head exactly
// `threshold` slower passes as "no regression", rounds per decision — achieved beside nominal.
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/calibration.mjs
//
// Environment knobs: CAL_N (A/A experiments, default 100), CAL_N_SLOW (experiments per slowdown,
// default 100), CAL_N_EASY (1.5× experiments, default 20), CAL_SLOWDOWNS (default "10,15": 10 is the threshold),
// CAL_PROTOCOL (lockstep, the default and the engine's; sequential: one trial after the other),
// CAL_UNITS (loop iterations of the base trial, default 250000 ≈ 20 ms on a quiet core), CAL_SEED
// (default 1), CAL_BUDGET_S (stop starting experiments after this many seconds, default 540),
// CAL_RUNNER=own to skip lib/measure/python.js even when it exists, CAL_PYTHON (default python3).
//
// Each trial is a fresh Python interpreter running a pure-Python CPU loop, timed inside Python with
// perf_counter. Trials run strictly one at a time. With the project's runner (the default) trials are
// placed as the engine places compared single-threaded trials: both trials of a round pinned to the
// same CPU, the CPU rotating over rounds, and each trial running the engine's calibrated number of
// repetitions (plan.ts repetitionsFor) summarized by its per-trial estimator (repetitions.ts). Each experiment is a full sequential
// comparison of arm A vs arm B: every round runs A and B once in an order drawn from a seeded PRNG,
// then compareTimes looks with the engine's defaults (src/config.ts DEFAULTS: margin 0.10, alpha 0.01,
// rounds 3..30) and stops on a decision.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../lib/core/config.js';
import { seededRandom } from '../lib/core/plan.js';
import { hodgesLehmann } from '../lib/core/stats/estimate.js';
import { compareToBase, isFinalLook, lookErrors, lookLevel, lookSchedule, TRIM } from '../lib/core/stats/sequential.js';

const env = process.env;
const N_AA = intFrom(env.CAL_N, 100);
const N_SLOW = intFrom(env.CAL_N_SLOW, 100);
const N_EASY = intFrom(env.CAL_N_EASY, 20);
const SLOWDOWNS = (env.CAL_SLOWDOWNS ?? '10,15').split(',').map((s) => Number(s.trim()));
const UNITS = intFrom(env.CAL_UNITS, 250_000);
const SEED = intFrom(env.CAL_SEED, 1);
const BUDGET_S = intFrom(env.CAL_BUDGET_S, 540);
const POLICY = { alpha: DEFAULTS.alpha, beta: DEFAULTS.beta, minRounds: DEFAULTS.minRounds, maxRounds: DEFAULTS.maxRounds };
const THRESHOLD = DEFAULTS.threshold;

const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'gilgate-calibration-'));
const python = resolvePython(env.CAL_PYTHON ?? 'python3');
const factors = [100, 150, ...SLOWDOWNS.map((pct) => 100 + pct)];
writeFileSync(join(dir, 'calib_work.py'), workloadModule(factors));
let trials = 0;
const runner = await chooseRunner();
const runOne = runner.run;
const rng = seededRandom(SEED);
const rows = [];

try {
  console.log(`calibration: python ${python}, runner ${runner.name}, base trial ${UNITS} loop iterations`);
  console.log(`policy: threshold ${THRESHOLD}, α ${POLICY.alpha} (false alarm), β ${POLICY.beta} (miss), rounds ${POLICY.minRounds}..${POLICY.maxRounds}, looks ${lookSchedule(POLICY).join(',')}, trimmed mean ${TRIM * 100}% from 10 rounds`);
  console.log(`nominal one-sided error per look: alarm ${lookErrors(POLICY.alpha, POLICY).map((e) => e.toFixed(4)).join(' ')} | pass ${lookErrors(POLICY.beta, POLICY).map((e) => e.toFixed(4)).join(' ')}`);

  // Round-robin over the experiment kinds so that a time budget cut leaves every row with a fair share.
  const kinds = [
    { label: 'A/A (same arm)', count: N_AA, factorA: 100, factorB: 100 },
    ...SLOWDOWNS.map((p) => ({ label: `B ${p}% slower`, count: N_SLOW, factorA: 100, factorB: 100 + p })),
    { label: 'easy: B 1.5× slower', count: N_EASY, factorA: 100, factorB: 150 },
  ];
  for (const kind of kinds) rows.push(emptyRow(kind.label, kind.factorB));
  const longest = Math.max(...kinds.map((k) => k.count));
  for (let e = 0; e < longest && !overBudget(); e++) {
    for (const [i, kind] of kinds.entries()) {
      if (e < kind.count && !overBudget()) await experiment(rows[i], kind.factorA, kind.factorB);
    }
  }
  const aa = rows[0];
  if (overBudget()) console.log(`\n(time budget of ${BUDGET_S} s reached: rows show the experiments that finished)`);
  printTable(rows);
  console.log(`\nnoise (A/A, all rounds): per-arm CV median ${pct(quantile(aa.cvs, 0.5))}, sd of paired log ratio ${sd(aa.logRatios).toFixed(4)} (≈ ${pct(Math.expm1(sd(aa.logRatios)))})`);
  console.log(`load average at the end (1/5/15 min): ${loadavg().map((x) => x.toFixed(2)).join(' / ')}: other processes share these cores`);
  console.log(`trials: ${trials}, wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function emptyRow(label, factor) {
  return {
    label,
    factor,
    passRounds: [],
    count: 0,
    outcomes: { 'a-faster': 0, 'b-faster': 0, equivalent: 0, unknown: 0 },
    significantSlower: 0,
    rounds: [],
    decidedRounds: [],
    hlDisagrees: 0,
    seconds: 0,
    cvs: [],
    logRatios: [],
  };
}

async function experiment(row, factorA, factorB) {
  const t0 = performance.now();
  const a = [];
  const b = [];
  let comparison;
  for (let round = 1; ; round++) {
    const order = rng() < 0.5 ? ['a', 'b'] : ['b', 'a'];
    const cpu = runner.cpus.length > 0 ? runner.cpus[round % runner.cpus.length] : null;
    if (runner.pair) {
      // Lockstep, as the engine runs a round's trials: both alive, taking turns per repetition.
      const seconds = await runner.pair(order.map((arm) => (arm === 'a' ? factorA : factorB)), cpu);
      order.forEach((arm, i) => (arm === 'a' ? a : b).push(seconds[i]));
    } else {
      for (const arm of order) {
        const seconds = await runOne(arm === 'a' ? factorA : factorB, cpu);
        (arm === 'a' ? a : b).push(seconds);
      }
    }
    // B plays head, A base: 'b-faster' = regression, 'equivalent' = no regression, 'a-faster' = faster.
    comparison = compareToBase(b, a, THRESHOLD, POLICY);
    if (comparison.outcome !== 'unknown' || isFinalLook(round, POLICY)) break;
  }
  row.count++;
  row.outcomes[comparison.outcome]++;
  row.rounds.push(a.length);
  if (comparison.outcome !== 'unknown') row.decidedRounds.push(a.length);
  if (comparison.outcome === 'equivalent') row.passRounds.push(a.length);
  // "Significant": the lower bound at α at the stopping look is above 1 (B shown slower).
  if (comparison.estimate.lower > 1) row.significantSlower++;
  const d = b.map((x, i) => Math.log(x / a[i])); // head/base, as the comparison's estimate
  const hl = Math.exp(hodgesLehmann(d, lookLevel(POLICY)).estimate);
  if (Math.abs(Math.log(hl / comparison.estimate.ratio)) > Math.log(1.05)) row.hlDisagrees++;
  row.cvs.push(cv(a), cv(b));
  row.logRatios.push(...d);
  row.seconds += (performance.now() - t0) / 1000;
}

function overBudget() {
  return (performance.now() - started) / 1000 > BUDGET_S;
}

function printTable(table) {
  // B is head, A base. A/A: any regression is a false alarm (nominal ≤ α). A head exactly threshold
  // slower must not pass as "no regression" (nominal ≤ β); slower heads should be flagged.
  const header = ['experiment', 'n', 'regression (flagged)', 'no regression (passes)', 'faster', 'open', 'nominal', 'rounds med/p90/max', 'decided ≤6', 'HL≠est', 'wall s'];
  const lines = table.map((r) => {
    const aa = r.label.startsWith('A/A');
    const atThreshold = r.factor === 100 + THRESHOLD * 100;
    const share = (k) => `${r.outcomes[k]} (${pct(r.outcomes[k] / r.count)})`;
    return [
      r.label,
      String(r.count),
      share('b-faster'),
      share('equivalent'),
      share('a-faster'),
      String(r.outcomes.unknown),
      aa ? `false alarm ≤ ${pct(POLICY.alpha)}` : atThreshold ? `passes ≤ ${pct(POLICY.beta)}` : '',
      `${quantile(r.rounds, 0.5)}/${quantile(r.rounds, 0.9)}/${Math.max(...r.rounds)}`,
      `${r.decidedRounds.filter((x) => x <= 6).length}/${r.count}`,
      String(r.hlDisagrees),
      r.seconds.toFixed(0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log('\n' + format(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(format(l));
  const of = (factor) => table.find((r) => r.factor === factor && r.count > 0);
  const rate = (r, k) => (r ? pct(r.outcomes[k] / r.count) : 'n/a');
  const aa = table[0];
  const aaPasses = aa.passRounds.sort((x, y) => x - y);
  console.log(
    `\nissue 20: A/A false alarms ${rate(aa, 'b-faster')} (nominal ≤ ${pct(POLICY.alpha)}, goal ≤ 1%); ` +
      `10% slower flagged ${rate(of(110), 'b-faster')} (goal ≥ 95%); 15% slower flagged ${rate(of(115), 'b-faster')} (goal ≥ 99%); ` +
      `head exactly ${THRESHOLD * 100}% slower passes ${rate(of(100 + THRESHOLD * 100), 'equivalent')} (nominal ≤ ${pct(POLICY.beta)}, goal ≤ 5%); ` +
      `A/A median rounds to "no regression" ${aaPasses[Math.floor(aaPasses.length / 2)] ?? 'n/a'} (goal ≤ 8)`,
  );
}

// ------------------------------------------------------------------ trials

function workloadModule(percents) {
  // One function per work factor so that the project's runner (module:function, tasks = 1) and the
  // fallback below time exactly the same code.
  const body = percents
    .map((p) => `def spin_${p}(_task=0):\n    return _spin(${UNITS} * ${p} // 100)\n`)
    .join('\n');
  return `def _spin(units):\n    s = 0\n    for i in range(units):\n        s += (i * i) % 7\n    return s\n\n${body}`;
}

async function chooseRunner() {
  const compiled = new URL('../lib/measure/python.js', import.meta.url);
  if (env.CAL_RUNNER !== 'own' && existsSync(compiled)) {
    try {
      const { runTrial, runLockstep, probeEnvironment, isFailure } = await import(compiled.href);
      const { repetitionsFor } = await import(new URL('../lib/core/plan.js', import.meta.url).href);
      const environment = await probeEnvironment({ python, cwd: dir, paths: [dir], env: { PATH: env.PATH ?? '' } });
      if (isFailure(environment)) throw new Error(environment.message);
      const target = { python: environment.executable, cwd: dir, paths: [dir], env: {} };
      let repetitions = 1;
      const workloadOf = (factor) => ({ name: 'calibration', run: `calib_work:spin_${factor}`, tasks: 1, timeout: 120 });
      const settings = (cpu) => ({ model: 'serial', workers: 1, cpu, repetitions, startMethod: null });
      const valueOf = (outcome) => {
        trials++;
        if (!outcome.ok) throw new Error(`trial failed: ${outcome.kind}: ${outcome.message}\n${outcome.stderrTail ?? ''}`);
        return outcome.wallSeconds;
      };
      const run = async (factor, cpu = null) => valueOf(await runTrial(target, workloadOf(factor), settings(cpu)));
      const pair = async (factors, cpu = null) =>
        (await runLockstep(factors.map((factor) => ({ target, workload: workloadOf(factor), settings: settings(cpu) })))).map(valueOf);
      // The pilot calibrates the repetitions as the engine does from its probe's serial pass.
      repetitions = repetitionsFor(await run(100));
      const cpus = environment.placement === 'affinity' ? environment.cpus : [];
      const lockstep = env.CAL_PROTOCOL !== 'sequential';
      const how = lockstep ? 'runLockstep (the pair alive at once, turns per repetition)' : 'runTrial, one after the other';
      return { run, pair: lockstep ? pair : null, cpus, name: `lib/measure/python.js ${how}, ${repetitions} repetitions per trial, ${cpus.length > 0 ? `pinned per round (cpus ${cpus.join(',')})` : 'unpinned'}` };
    }
    catch (error) {
      console.log(`(lib/measure/python.js not usable, using own trials: ${String(error).split('\n')[0]})`);
    }
  }
  const resultFile = join(dir, 'result.txt');
  const code = [
    'import sys, time',
    'sys.path.insert(0, sys.argv[1])',
    'import calib_work',
    'fn = getattr(calib_work, sys.argv[2])',
    't = time.perf_counter()',
    'fn(0)',
    'elapsed = time.perf_counter() - t',
    "open(sys.argv[3], 'w').write(repr(elapsed))",
  ].join('\n');
  const run = async (factor) => {
    // -I -S: isolated, no site import; startup is not timed, it only costs the bench wall time.
    const child = spawnSync(python, ['-I', '-S', '-c', code, dir, `spin_${factor}`, resultFile], { encoding: 'utf8' });
    trials++;
    if (child.status !== 0) throw new Error(`trial failed (${child.status}): ${child.stderr}`);
    return Number(readFileSync(resultFile, 'utf8'));
  };
  return { run, cpus: [], name: 'own (python -I -S -c, perf_counter, unpinned, one call)' };
}

function resolvePython(command) {
  // Resolve shims (pyenv) to the real interpreter: a shim costs more than the trial itself.
  const probe = spawnSync(command, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`cannot run ${command}: ${probe.stderr}`);
  return probe.stdout.trim();
}

// ------------------------------------------------------------------ helpers

function intFrom(text, fallback) {
  const value = Number.parseInt(text ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function quantile(xs, q) {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

function sd(xs) {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

function cv(xs) {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return sd(xs) / m;
}

function pct(x) {
  return `${(100 * x).toFixed(1)}%`;
}
