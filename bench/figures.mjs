// Do the figures a reviewer reads hold still from run to run? Runs `npm start` (the CLI on
// examples/gilgate.yml) N times in a row, off a terminal, and prints:
// - each run's machine capacity (pooled over its probes, with the probe's spread), checked against
//   the CPU count, and the capacity's spread across runs;
// - each workload's pool start-up per model (median with its interval), and its spread across runs;
// - the invariants (src/core/invariants.ts) of every results file: the violations, if any;
// - the progress log's shape: an ETA on every line, a percentage that never decreases.
// Every run's results, comment and progress log are kept in the output folder (printed).
//
// Run (on a quiet machine): npm run build && npx tsc -p tsconfig.json &&
//   node_modules/.bin/node bench/figures.mjs [runs=10] [output folder]
// FIGURES_ARGS adds CLI flags to each run (e.g. FIGURES_ARGS="--max-time 60" for a short check).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { checkInvariants } from '../lib/core/invariants.js';
import { summarizeCapacity } from '../lib/core/machine.js';
import { loadResults } from '../lib/measure/run.js';

const runs = Number(process.argv[2] ?? 10);
const root = path.resolve(import.meta.dirname, '..');
const out = process.argv[3] ? path.resolve(process.argv[3]) : mkdtempSync(path.join(tmpdir(), 'gilgate-figures-'));
mkdirSync(out, { recursive: true });
const extra = (process.env.FIGURES_ARGS ?? '').split(/\s+/).filter(Boolean);
console.log(`${runs} runs of npm start, output in ${out}${extra.length ? ` (extra flags: ${extra.join(' ')})` : ''}\n`);

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const ms = (s) => (Number.isFinite(s) ? `${(s * 1000).toFixed(1)} ms` : '—');
const spread = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { min: NaN, median: NaN, max: NaN };
  const mid = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { min: v[0], median: mid, max: v.at(-1) };
};

/** An ETA on every progress line, a percentage that never goes back within a phase (probes, trials), the last at 100%. */
function checkProgress(log) {
  const lines = log.split('\n').filter((l) => /^\[(probes )?\d+\/\d+\]/.test(l));
  const last = new Map();
  let withoutEta = 0;
  let decreases = 0;
  for (const line of lines) {
    if (!/ · ETA (…|≤ [^·]+|0 s)/.test(line)) withoutEta += 1;
    const phase = line.startsWith('[probes ') ? 'probes' : 'trials';
    const percent = Number(/\] (\d+)%/.exec(line)?.[1] ?? NaN);
    if (percent < (last.get(phase) ?? -1)) decreases += 1;
    last.set(phase, Math.max(last.get(phase) ?? -1, percent));
  }
  return { lines: lines.length, withoutEta, decreases, last: last.get('trials') ?? -1 };
}

const capacityRuns = new Map(); // workers -> [{ratio, low, high, runs, probes}]
const startups = new Map(); // "workload · model×N" -> [seconds]
let violations = 0;
let progressProblems = 0;
let overCpus = 0;
let cores = cpus().length;
for (let run = 1; run <= runs; run++) {
  const json = path.join(out, `run-${run}.json`);
  const markdown = path.join(out, `run-${run}.md`);
  const started = Date.now();
  const child = spawnSync(process.execPath, ['dist/cli/index.js', 'run', '--config', 'examples/gilgate.yml', '--json', json, '--markdown', markdown, ...extra], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(path.join(out, `run-${run}.log`), child.stderr);
  const seconds = (Date.now() - started) / 1000;
  let results;
  try {
    results = loadResults(JSON.parse(readFileSync(json, 'utf8')));
  } catch (error) {
    console.log(`run ${run}: no results (exit ${child.status}): ${String(error).split('\n')[0]}\n${child.stderr.slice(-2000)}`);
    continue;
  }
  cores = results.environment.cores;
  const capacity = summarizeCapacity(results.values?.machine ?? [], cores);
  const found = checkInvariants(results);
  violations += found.length;
  const progress = checkProgress(child.stderr);
  if (progress.withoutEta > 0 || progress.decreases > 0) progressProblems += 1;
  const raw = (results.values?.machine ?? []).flatMap((p) => p.capacity.map((c) => `${c.workers}:×${fmt(c.ratio)}${c.disturbed ? ' (disturbed)' : ''}`));
  console.log(`run ${run} (${seconds.toFixed(0)} s, exit ${child.status}, ${cores} CPUs, seed ${results.settings.seed})`);
  for (const c of capacity) {
    capacityRuns.set(c.workers, [...(capacityRuns.get(c.workers) ?? []), c]);
    if (c.ratio > cores) overCpus += 1;
    console.log(`  capacity ${c.workers} workers: ×${fmt(c.ratio)} (middle half ×${fmt(c.low)}–×${fmt(c.high)}, ${c.runs} runs over ${c.probes} probes${c.capped ? ', CAPPED' : ''}${c.disturbed ? `, ${c.disturbed} disturbed probes` : ''}) ${c.ratio <= cores ? '≤' : '>'} ${cores} CPUs`);
  }
  console.log(`  raw probes: ${raw.join(', ') || 'none'}`);
  for (const w of results.workloads) {
    for (const [model, facts] of Object.entries(w.facts?.models ?? {})) {
      if (model === 'threads') continue;
      const arm = w.arms.find((a) => a.model === model && a.workers === facts.workers);
      const key = `${w.name} · ${model}×${facts.workers}`;
      const interval = arm?.startupInterval;
      startups.set(key, [...(startups.get(key) ?? []), interval ? interval.estimate : facts.startupSeconds]);
      const share = w.facts?.serial?.seconds ? ` (${fmt((facts.startupSeconds / w.facts.serial.seconds) * 100, 1)}% of the batch)` : '';
      console.log(`  start-up ${key}: ${interval ? `${ms(interval.estimate)} [95% CI ${ms(interval.lower)}–${ms(interval.upper)}, ${interval.repetitions} repetitions]` : ms(facts.startupSeconds)} (verdict's figure ${ms(facts.startupSeconds)})${share}`);
    }
  }
  console.log(`  invariants: ${found.length} violations${found.map((v) => `\n    [${v.rule}] ${v.figure}: ${v.detail}`).join('')}`);
  console.log(`  progress: ${progress.lines} lines, ${progress.withoutEta} without ETA, ${progress.decreases} decreasing percentages, last ${progress.last}%\n`);
}

console.log('across runs');
for (const [workers, list] of capacityRuns) {
  const s = spread(list.map((c) => c.ratio));
  console.log(`  capacity ${workers} workers: median ×${fmt(s.median)}, min ×${fmt(s.min)}, max ×${fmt(s.max)} over ${list.length} runs (bound ×${Math.min(workers, cores)})`);
}
for (const [key, list] of startups) {
  const s = spread(list);
  console.log(`  start-up ${key}: median ${ms(s.median)}, min ${ms(s.min)}, max ${ms(s.max)} over ${list.length} runs`);
}
console.log(`\ncapacity figures above the CPU count: ${overCpus}`);
console.log(`invariant violations: ${violations}`);
console.log(`runs whose progress log lacked an ETA or went back: ${progressProblems}`);
process.exitCode = overCpus + violations + progressProblems > 0 ? 1 : 0;
