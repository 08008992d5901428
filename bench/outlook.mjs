#!/usr/bin/env node
// The outlook beyond the runner (src/core/outlook.ts) for measured suites: a model, not a
// measurement. Give it gilgate results files (gilgate run --json) and/or bench truth files
// (bench/truth-*.json, measured at 2 workers with bootstrap 95% intervals):
//
//   npm run build && node bench/outlook.mjs gilgate-results.json bench/truth-*.json
//
// A results file prints each workload's outlook as the report does (null: not CPU-bound or no
// parallel recommendation). A truth file prints, for every arm whose speedup interval lies above
// ×1.1 (it helps) in a workload that computes (threads' CPU/wall ≥ 0.5), the Karp–Flatt serial fraction at 2 workers and Amdahl's bound for 4..64 with
// the interval propagated from the speedup's. Nothing here measures: it reads files.
import { readFileSync } from 'node:fs';
import { amdahl, karpFlatt, OUTLOOK_WORKERS } from '../lib/core/outlook.js';
import { loadResults } from '../lib/measure/run.js';
import { outlookText } from '../lib/report/outlook.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node bench/outlook.mjs RESULTS.json|bench/truth-*.json …\n');
  process.exit(2);
}

const f2 = (x) => x.toFixed(2);
const f1 = (x) => x.toFixed(1);

for (const file of files) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  if (Array.isArray(json.workloads) && 'schemaVersion' in json) {
    const results = loadResults(json);
    console.log(`\n## ${file} (gilgate results: ${results.environment.cores} cores, ${results.rounds} rounds)`);
    for (const w of results.workloads) {
      const o = w.outlook;
      console.log(`- ${w.name} [${w.python}] ${w.recommendation}, ${w.character}: ${o ? outlookText(o) : 'no outlook (not CPU-bound, or no parallel recommendation)'}`);
    }
    continue;
  }
  const p = json.workers;
  console.log(`\n## ${file} (truth: ${p} workers, ${json.rounds} rounds, bootstrap 95% intervals)`);
  console.log('| workload | arm | speedup (95%) | e (from the interval) | Amdahl bound: ' + OUTLOOK_WORKERS.map((n) => `×n=${n}`).join(' · ') + ' |');
  console.log('|---|---|---|---|---|');
  for (const w of json.workloads) {
    // Amdahl's law is about computing: work whose threads used under half a CPU per wall second waits.
    const cpuPerWall = w.threadsCpuPerWall?.['threads-batch'];
    if (typeof cpuPerWall === 'number' && cpuPerWall < 0.5) continue;
    for (const [arm, s] of Object.entries(w.speedup ?? {})) {
      if (!s || !(s.lower > 1.1)) continue;
      const e = { value: karpFlatt(s.x, p), lower: karpFlatt(s.upper, p), upper: karpFlatt(s.lower, p) };
      const bounds = OUTLOOK_WORKERS.map((n) => `${f1(amdahl(e.value, n))} (${f1(amdahl(e.upper, n))}–${f1(amdahl(e.lower, n))})`);
      console.log(`| ${w.name} | ${arm} | ×${f2(s.x)} (${f2(s.lower)}–${f2(s.upper)}) | ${f2(e.value)} (${f2(e.lower)}–${f2(e.upper)}) | ${bounds.join(' · ')} |`);
    }
  }
}
