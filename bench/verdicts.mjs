// Verdict accuracy on real stdlib workloads beyond the examples (bench/stdlib/gilgate.yml).
// Prints expected vs measured recommendation per workload, the speedups and rounds, and totals.
//
// Run: npx tsc -p tsconfig.json && node_modules/.bin/node bench/verdicts.mjs [runs]
// The expectations are for a machine with ≥ 2 cores and a GIL-enabled CPython.
import path from 'node:path';
import { measure } from '../lib/measure/run.js';

const EXPECTED = {
  'pure-python-collatz': ['processes'],
  'json-roundtrip': ['processes'],
  'regex-scan': ['processes'],
  sleep: ['threads'],
  'subprocess-wait': ['threads', 'either'],
  'hashlib-big-args': ['threads'],
  'zlib-compress': ['threads', 'either'],
  'sqlite-memory': ['processes'],
  'tiny-tasks': ['serial'],
  'unpicklable-results': ['serial'],
};

const runs = Number(process.argv[2] ?? 1);
const root = path.resolve(import.meta.dirname, '..');
let right = 0;
let total = 0;
let inconclusive = 0;
for (let run = 1; run <= runs; run++) {
  const results = await measure({ cwd: root, config: 'bench/stdlib/gilgate.yml', seed: 1000 + run });
  console.log(`\nrun ${run}: ${results.totalSeconds.toFixed(0)} s, ${results.environment.cores} cores, Python ${results.environment.python}, seed ${results.settings.seed}`);
  console.log('workload'.padEnd(22), 'expected'.padEnd(18), 'measured'.padEnd(13), 'threads×'.padEnd(9), 'processes×'.padEnd(11), 'rounds', ' ok');
  for (const w of results.workloads) {
    const expected = EXPECTED[w.name] ?? ['?'];
    const ok = expected.includes(w.recommendation);
    right += ok ? 1 : 0;
    total += 1;
    inconclusive += w.recommendation === 'inconclusive' ? 1 : 0;
    const x = (s) => (s === null ? '—' : s.toFixed(2));
    console.log(w.name.padEnd(22), expected.join('|').padEnd(18), w.recommendation.padEnd(13), x(w.speedup.threads).padEnd(9), x(w.speedup.processes).padEnd(11), String(w.rounds).padEnd(6), ok ? ' ✓' : ' ✗');
    if (!ok) console.log('   ', w.reason);
  }
}
console.log(`\nverdicts as expected: ${right}/${total} (${((100 * right) / total).toFixed(0)}%), inconclusive: ${inconclusive}`);
