// Figure, not an assertion: a 4-leg split balanced from history alone. An earlier unsharded results
// file of the suite becomes a history entry (as a push run would store it); the split is made from
// that entry's costs only (src/core/history.ts shardCostsFromHistory → core/shard.ts), and then every
// leg runs for real, one leg after another, with the suite's own rounds (history's cost counts the
// rounds a workload took, so pinning the legs' rounds would measure another split than the one
// predicted), printing each leg's seconds against the mean. The bar: every leg within 25% of the mean.
//
//   npm run build && node_modules/.bin/node dist/cli/index.js run --config bench/stdlib/gilgate.yml --json /tmp/stdlib.json
//   node_modules/.bin/node bench/shard-history.mjs /tmp/stdlib.json [more.json ...] [suite=stdlib] [count=4] [--dry]
//
// Several results files make several entries, oldest first (history takes each workload's median
// over its newest five): e.g. the results of `bench/verdicts.mjs stdlib 3`.
//
// --dry prints the split's predicted loads from history's costs without running the legs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { historyEntry, shardCostsFromHistory } from '../lib/core/history.js';
import { costsFromResults, shardOf } from '../lib/core/shard.js';

const args = process.argv.slice(2).filter((a) => a !== '--dry');
const dry = process.argv.includes('--dry');
// Every results file is one default-branch commit's entry (oldest first); the rest: suite, count.
const resultsFiles = args.filter((a) => a.endsWith('.json'));
const [suite = 'stdlib', countText = '4'] = args.filter((a) => !a.endsWith('.json'));
if (resultsFiles.length === 0) throw new Error('usage: bench/shard-history.mjs RESULTS.json... [suite] [count] [--dry]');
const count = Number(countText);
const entries = resultsFiles.map((file, i) => {
  const earlier = JSON.parse(readFileSync(file, 'utf8'));
  return historyEntry(earlier, { sha: String(i + 1).repeat(40).slice(0, 40).replace(/[^0-9a-f]/g, 'a'), committedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), parent: null });
});
const entry = entries.at(-1);
const costs = shardCostsFromHistory(entries);
const names = entry.workloads.map((w) => w.name);
// Split as a run splits shared costs (src/measure/run.ts): as they are, not rounded.
const split = shardOf(costsFromResults(costs, names), count, { step: null });
const predicted = Array.from({ length: count }, () => 0);
for (const w of entry.workloads) predicted[split.get(w.name)] += costs.shard.measured[w.name] ?? 0;
const pmean = predicted.reduce((a, b) => a + b) / count;
console.log(`history costs of ${names.length} workloads from ${resultsFiles.length} entr${resultsFiles.length === 1 ? 'y' : 'ies'} (${resultsFiles.join(', ')}); predicted leg loads (history's own seconds):`);
predicted.forEach((p, i) => console.log(`  leg ${i + 1}/${count}: ${p.toFixed(2)} s (${((p - pmean) / pmean * 100).toFixed(0)}% vs mean)`));
if (dry) process.exit(0);

// The legs: each gets the same costs file (what every leg reads from the branch).
const work = mkdtempSync(path.join(tmpdir(), 'gilgate-shard-history-'));
const costsFile = path.join(work, 'history-costs.json');
writeFileSync(costsFile, JSON.stringify({ workloads: [], ...costs }));
const suiteDir = path.resolve('bench', suite);
const config = path.join(work, 'gilgate.yml');
// The interpreter the history's runs used (the newest results file's), so that the legs measure
// what history measured: a stdlib history from pyenv's 3.11.7 run on Debian's 3.11.2 put
// regex-scan-small (×1.14 there, near the margin here) at 30 rounds instead of 6.
const lastResults = JSON.parse(readFileSync(resultsFiles.at(-1), 'utf8'));
const python = process.env.GILGATE_PYTHON ?? lastResults.values?.setup?.pythons?.[0] ?? '/usr/bin/python3';
// The suite's own interpreter where its config names one (thirdparty: Debian's, for its packages).
const suiteConfig = readFileSync(path.join(suiteDir, 'gilgate.yml'), 'utf8').replace(/^paths:.*$/m, `paths: [${JSON.stringify(suiteDir)}]`);
writeFileSync(config, /^python:/m.test(suiteConfig) ? suiteConfig : suiteConfig.concat(`\npython: ${python}\n`));
const legs = [];
for (let index = 1; index <= count; index++) {
  const out = path.join(work, `leg-${index}.json`);
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['dist/cli/index.js', 'run', '--config', config, '--shard', `${index}/${count}`, '--shard-costs', costsFile, '--json', out, '--quiet', '--fail-on', 'never'], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`leg ${index}/${count} failed (${run.status}):\n${run.stderr}`);
  const mine = JSON.parse(readFileSync(out, 'utf8')).workloads.map((w) => w.name);
  legs.push({ index, seconds, mine });
  process.stderr.write(`leg ${index}/${count}: ${seconds.toFixed(1)} s (${mine.join(', ')})\n`);
}
const mean = legs.reduce((s, l) => s + l.seconds, 0) / count;
const worst = Math.max(...legs.map((l) => Math.abs(l.seconds - mean) / mean));
console.log(`suite ${suite}, python ${python}, ${count} legs balanced from history alone`);
for (const l of legs) console.log(`  leg ${l.index}/${count}: ${l.seconds.toFixed(1)} s (${((l.seconds - mean) / mean * 100).toFixed(0)}% vs mean): ${l.mine.join(' ')}`);
console.log(`worst leg ${(worst * 100).toFixed(0)}% from the mean (bar: 25%): ${worst <= 0.25 ? 'within' : 'OUTSIDE'}`);
