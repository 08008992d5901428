// gilgate's verdicts against the independently measured truth (bench/truth.py).
//
// Runs the built CLI on a suite N times and prints, per workload, the true answer, each run's verdict
// and how many were right. A `threads` verdict on code that computes (serial CPU/wall ≥ 0.9) whose
// threads×2 arm shows CPU/wall ≈ 1 (≤ 1.15) is flagged: two threads that never ran at once cannot
// have made the batch faster (a sign that serial was measured on the slower vCPU, or of noise). Uses only the CLI and the results JSON
// (workloads[].name, .recommendation, .speedup, .reason, .arms[].model/.workers/.cpuPerWall). Speedups
// are shown as threads× processes×, and interpreters× when some run measured them (Python 3.14+).
//
//   /usr/bin/python3 bench/truth.py bench/<suite>/gilgate.yml        # once: writes bench/truth-<suite>.json
//   node bench/verdicts.mjs <stdlib|thirdparty> [runs] [--truth FILE] [--workload NAME]... [--pool per-batch|steady] [--python CMD]
//   node bench/verdicts.mjs <suite> --results a.json --results b.json     # score results files, run nothing
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';

const SERIALIZED_CPU_PER_WALL = 1.15;
const root = path.resolve(import.meta.dirname, '..');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    truth: { type: 'string' },
    workload: { type: 'string', multiple: true, default: [] },
    pool: { type: 'string', default: 'per-batch' },
    seed: { type: 'string', default: '1000' },
    results: { type: 'string', multiple: true, default: [] },
    python: { type: 'string' },
  },
});
const [suite, runsArgument] = positionals;
if (suite === undefined) {
  console.error('usage: node bench/verdicts.mjs <stdlib|thirdparty> [runs] [--truth FILE] [--workload NAME]... [--pool per-batch|steady]');
  process.exit(2);
}
const runs = Number(runsArgument ?? 1);
const suiteConfig = path.join(root, 'bench', suite, 'gilgate.yml');
const truthFile = values.truth ?? path.join(root, 'bench', `truth-${suite}.json`);
if (!fs.existsSync(truthFile)) {
  console.error(`no truth at ${truthFile}: run  /usr/bin/python3 bench/truth.py bench/${suite}/gilgate.yml  first`);
  process.exit(2);
}
const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
const truthKey = values.pool === 'steady' ? 'steady' : 'perBatch';
const truthByName = new Map(truth.workloads.map((w) => [w.name, w.truth[truthKey]]));

// With --workload, a copy of the config with only those workloads, beside the original so that its
// relative paths still resolve; removed afterwards.
// With --pool steady, the copy also says `pool: long-lived`, so that gilgate answers the question
// the steady truth answers (a pool started once; start-up apart).
let config = suiteConfig;
if (values.workload.length > 0 || values.pool === 'steady') {
  const document = YAML.parse(fs.readFileSync(suiteConfig, 'utf8'));
  if (values.workload.length > 0) document.workloads = document.workloads.filter((w) => values.workload.includes(w.name));
  if (values.pool === 'steady') document.pool = 'long-lived';
  if (document.workloads.length === 0) {
    console.error(`no workload named ${values.workload.join(', ')} in ${suiteConfig}`);
    process.exit(2);
  }
  config = path.join(path.dirname(suiteConfig), `.verdicts-${process.pid}.yml`);
  fs.writeFileSync(config, YAML.stringify(document));
}

const columns = new Map(); // workload → [{ recommendation, flag, speedup }]
function collect(results) {
  for (const w of results.workloads) {
    const list = columns.get(w.name) ?? [];
    list.push({ recommendation: w.recommendation, flag: serializedThreads(w), speedup: w.speedup ?? {}, reason: w.reason });
    columns.set(w.name, list);
  }
}
for (const file of values.results) collect(JSON.parse(fs.readFileSync(file, 'utf8')));
try {
  for (let run = 1; run <= (values.results.length > 0 ? 0 : runs); run++) {
    const json = path.join(os.tmpdir(), `gilgate-verdicts-${process.pid}-${run}.json`);
    const seed = String(Number(values.seed) + run);
    const started = Date.now();
    const cli = spawnSync(
      process.execPath,
      ['dist/cli/index.js', 'run', '--config', path.relative(root, config), '--json', json, '--seed', seed, '--fail-on', 'never', '--quiet', ...(values.python ? ['--python', values.python] : [])],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (cli.status !== 0 || !fs.existsSync(json)) {
      console.error(`run ${run}: gilgate exited ${cli.status}${cli.error ? ` (${cli.error.message})` : ''}`);
      process.exit(1);
    }
    const results = JSON.parse(fs.readFileSync(json, 'utf8'));
    const environment = results.environment ?? {};
    // Kept, so that a run can be scored again (--results) or re-judged (gilgate report) later.
    console.error(`run ${run}: ${((Date.now() - started) / 1000).toFixed(0)} s, Python ${environment.python}, ${environment.cores} cores, seed ${seed}, results ${json}`);
    collect(results);
  }
} finally {
  if (config !== suiteConfig) fs.rmSync(config, { force: true });
}

/**
 * CPU/wall of the threads×2 arm when a `threads` verdict rests on threads that never overlapped:
 * only for code that computes (serial CPU/wall ≥ 0.9). Code that waits gains from threads without
 * ever using more than one CPU, so a low CPU/wall there says nothing against the verdict.
 */
function serializedThreads(workload) {
  if (workload.recommendation !== 'threads') return null;
  const serial = (workload.arms ?? []).find((a) => a.model === 'serial');
  if (serial && typeof serial.cpuPerWall === 'number' && serial.cpuPerWall < 0.9) return null;
  const arm = (workload.arms ?? []).find((a) => a.model === 'threads' && a.workers === 2);
  if (arm === undefined || typeof arm.cpuPerWall !== 'number') return 'threads×2 CPU/wall missing';
  return arm.cpuPerWall <= SERIALIZED_CPU_PER_WALL ? `threads×2 CPU/wall ${arm.cpuPerWall.toFixed(2)}` : null;
}

const x = (s) => (typeof s === 'number' ? s.toFixed(2) : '—');
console.log(`\n${suite}: truth from ${path.relative(root, truthFile)} (${truth.rounds} rounds, ${truth.python}), pool ${values.pool}`);
// interpreters× only where some run measured them (null or absent before Python 3.14).
const withInterpreters = [...columns.values()].some((verdicts) => verdicts.some((v) => typeof v.speedup.interpreters === 'number'));
const speedupHeader = withInterpreters ? 'threads× processes× interpreters×' : 'threads× processes×';
console.log('workload'.padEnd(24), 'truth'.padEnd(22), `verdicts (${speedupHeader})`.padEnd(48), 'right');
let right = 0;
let scored = 0;
const flags = [];
for (const [name, verdicts] of columns) {
  const t = truthByName.get(name);
  const accepted = t?.accepted ?? [];
  const truthText = t === undefined ? 'not measured' : t.answer === 'undecided' ? `undecided${accepted.length ? ` (${accepted.join('|')} ok)` : ''}` : accepted.join('|');
  const cells = verdicts.map(
    (v) => `${v.recommendation}${v.flag ? '!' : ''} ${x(v.speedup.threads)} ${x(v.speedup.processes)}${withInterpreters ? ` ${x(v.speedup.interpreters)}` : ''}`,
  );
  const ok = verdicts.filter((v) => accepted.includes(v.recommendation)).length;
  const rightText = accepted.length === 0 ? 'not scored' : `${ok}/${verdicts.length}`;
  if (accepted.length > 0) {
    right += ok;
    scored += verdicts.length;
  }
  console.log(name.padEnd(24), truthText.padEnd(22), cells.join(', ').padEnd(48), rightText);
  verdicts.forEach((v, i) => {
    if (v.flag) flags.push(`${name} run ${i + 1}: threads with ${v.flag}: ${v.reason}`);
    else if (accepted.length > 0 && !accepted.includes(v.recommendation)) console.log(`    run ${i + 1} wrong: ${v.reason}`);
  });
}
console.log(`\nright: ${right}/${scored}${scored ? ` (${((100 * right) / scored).toFixed(0)}%)` : ''}; not scored (truth undecided or missing) are left out`);
if (flags.length > 0) {
  console.log(`\n! threads verdicts whose two threads never overlapped (CPU/wall ≤ ${SERIALIZED_CPU_PER_WALL}):`);
  for (const flag of flags) console.log(`  ${flag}`);
}
