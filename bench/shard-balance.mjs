// Figure, not an assertion: how evenly `--shard i/n` splits the stdlib bench. Runs every leg of a
// 2-way and a 4-way split for real (rounds pinned to {min: 3, max: 3} so every workload costs the same
// number of rounds in every run and the figure is about the split, not about early stopping), one
// leg after another, and prints each leg's measured seconds against the mean.
//
//   npm run build && node_modules/.bin/node bench/shard-balance.mjs [suite=stdlib] [counts=2,4] [costs.json]
//
// With costs.json (any earlier results file of the suite) every leg splits by --shard-costs; without
// it each leg probes, and the figure also shows whether the legs agreed on the split.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const suite = process.argv[2] ?? 'stdlib';
const counts = (process.argv[3] ?? '2,4').split(',').map(Number);
const costs = process.argv[4] ? path.resolve(process.argv[4]) : null;
const suiteDir = path.resolve('bench', suite);
const work = mkdtempSync(path.join(tmpdir(), 'gilgate-shard-balance-'));
const config = path.join(work, 'gilgate.yml');
const python = process.env.GILGATE_PYTHON ?? '/usr/bin/python3';
writeFileSync(
  config,
  readFileSync(path.join(suiteDir, 'gilgate.yml'), 'utf8')
    .replace(/^paths:.*$/m, `paths: [${JSON.stringify(suiteDir)}]`)
    .concat(`\npython: ${python}\nrounds: {min: 3, max: 3}\n`),
);

const rows = [];
for (const count of counts) {
  const legs = [];
  for (let index = 1; index <= count; index++) {
    const out = path.join(work, `leg-${index}-of-${count}.json`);
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ['dist/cli/index.js', 'run', '--config', config, '--shard', `${index}/${count}`, '--json', out, '--quiet', '--fail-on', 'never', ...(costs ? ['--shard-costs', costs] : [])], { encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.status !== 0) throw new Error(`leg ${index}/${count} failed (${run.status}):\n${run.stderr}`);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    const mine = results.workloads.map((w) => w.name);
    const cost = mine.reduce((s, name) => s + results.shard.costs[name], 0);
    legs.push({ leg: `${index}/${count}`, seconds, cost, workloads: mine.join(' '), assignment: JSON.stringify(results.shard.assignment) });
    process.stderr.write(`leg ${index}/${count}: ${seconds.toFixed(1)} s (${mine.join(', ')})\n`);
  }
  const mean = legs.reduce((s, l) => s + l.seconds, 0) / legs.length;
  const agreed = new Set(legs.map((l) => l.assignment)).size === 1;
  console.error(`${count} legs ${agreed ? 'agreed on the split' : 'DISAGREED on the split (the merge would refuse them)'}`);
  for (const l of legs) rows.push({ ...l, vsMean: (l.seconds - mean) / mean });
}
console.log(`suite ${suite}, python ${python}, rounds 3 per workload, costs ${costs ? `from ${costs}` : 'probed by each leg'}`);
console.log('leg   measured   vs mean   split cost   workloads');
for (const r of rows) {
  console.log(`${r.leg.padEnd(5)} ${r.seconds.toFixed(1).padStart(7)} s  ${(r.vsMean >= 0 ? '+' : '') + (100 * r.vsMean).toFixed(0).padStart(3)}%   ${r.cost.toFixed(3).padStart(9)}    ${r.workloads}`);
}
