// What a run costs beyond the work it times: `npm start`'s engine on examples/ (or another config),
// N times, printing per run the total wall time, the timed work (every timed repetition of every
// trial, from the results' values) and their ratio. The rest is interpreter start-up, imports,
// warm-up calls, probes and the machine probe.
//
//   npm run build && node_modules/.bin/node bench/start-ratio.mjs [runs] [config]
//
// Default: 3 runs of examples/gilgate.yml.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const runs = Number(process.argv[2] ?? 3);
const config = process.argv[3] ?? 'examples/gilgate.yml';
const dir = mkdtempSync(join(tmpdir(), 'gilgate-start-ratio-'));
const rows = [];
try {
  for (let i = 0; i < runs; i++) {
    const json = join(dir, `run-${i}.json`);
    const started = performance.now();
    await execa(process.execPath, ['dist/cli/index.js', 'run', '--config', config, '--json', json, '--seed', String(100 + i), '--quiet'], { reject: false });
    const wall = (performance.now() - started) / 1000;
    const results = JSON.parse(readFileSync(json, 'utf8'));
    // Processes and interpreters also time a second, warm batch per repetition (steady state,
    // outside wallSeconds): timed work too. The per-batch figure alone is printed beside it.
    const sum = (extra) =>
      results.values.trials.reduce(
        (total, t) => total + (t.outcome.ok ? t.outcome.repetitions.reduce((s, r) => s + r.wallSeconds + extra(t, r), 0) : 0),
        0,
      );
    const timed = sum((t, r) => (['processes', 'interpreters'].includes(t.arm.model) ? r.steadySeconds : 0));
    const perBatch = sum(() => 0);
    const trials = results.values.trials.length;
    const verdicts = results.workloads.map((w) => `${w.name}=${w.recommendation}`).join(' ');
    rows.push({ wall, timed, trials });
    console.log(`run ${i + 1}: total ${wall.toFixed(1)} s, timed work ${timed.toFixed(1)} s, ratio ${(wall / timed).toFixed(2)} (per-batch repetitions alone ${perBatch.toFixed(1)} s, ratio ${(wall / perBatch).toFixed(2)}), ${trials} trials, ${results.rounds} rounds; ${verdicts}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const ratios = rows.map((r) => r.wall / r.timed).sort((a, b) => a - b);
const walls = rows.map((r) => r.wall).sort((a, b) => a - b);
console.log(`median: total ${walls[Math.floor(walls.length / 2)].toFixed(1)} s, ratio ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}`);
