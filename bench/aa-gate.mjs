// A/A bench for the gate: base and head are the same commit, so every regression it reports is a
// false alarm. Runs the examples N times in a temporary git repository and prints, per run, what
// was flagged and how long it took, then the false-alarm totals.
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/aa-gate.mjs
//   AA_N=10 AA_MAX_TIME=120 node_modules/.bin/node bench/aa-gate.mjs
//
// Prints the figures issue 20 asks for: the median wall per run (goal ≤ 75 s over 7 runs), the
// false alarms (goal 0), and the median rounds an A/A workload's head/base comparison takes to
// reach "no regression" (goal ≤ 8), with which boundary ended each comparison.
//
// Env: AA_N runs (default 7), AA_EXAMPLES directory to copy (default examples/), AA_SEED first
// seed (default 1; run i uses seed + i, so runs differ in schedule), AA_MAX_TIME seconds per run.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { measure } from '../lib/measure/run.js';
import { formatChange, formatVerdictRounds } from '../lib/report/format.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.AA_N ?? 7);
const examples = resolve(root, process.env.AA_EXAMPLES ?? 'examples');
const firstSeed = Number(process.env.AA_SEED ?? 1);
const maxTime = process.env.AA_MAX_TIME ? Number(process.env.AA_MAX_TIME) : null;

const git = (cwd, ...args) =>
  execa('git', args, { cwd, env: { LC_ALL: 'C', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

const dir = await mkdtemp(join(tmpdir(), 'gilgate-aa-'));
try {
  await cp(examples, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'config', 'user.name', 'gilgate bench');
  await git(dir, 'config', 'user.email', 'bench@gilgate.invalid');
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '-m', 'examples');
  // Bytecode caches written by trials must not count as a change between runs.
  await execa('sh', ['-c', 'echo "__pycache__/" >> .git/info/exclude'], { cwd: dir });

  let falseAlarms = 0;
  let runsWithAlarm = 0;
  let recommendationMismatches = 0;
  let comparisons = 0;
  const walls = [];
  const passRounds = [];
  let comparisonsOpen = 0;
  console.log(`A/A gate bench: ${runs} runs of ${examples} (base = head = HEAD)`);
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const results = await measure({ cwd: dir, base: 'HEAD', seed: firstSeed + i, maxTimeSeconds: maxTime });
    const wall = (performance.now() - started) / 1000;
    walls.push(wall);
    const flagged = results.workloads.flatMap((w) => w.regressions.map((r) => `${w.name}:${r.kind} (${r.detail})`));
    const mismatched = results.workloads.filter((w) => w.base && w.base.recommendation !== w.recommendation);
    falseAlarms += results.regressions;
    if (results.regressions > 0) runsWithAlarm += 1;
    recommendationMismatches += mismatched.length;
    comparisons += results.workloads.filter((w) => w.base).length;
    const verdicts = results.workloads
      .map((w) => `${w.name}=${w.recommendation}${w.base ? `/${w.base.recommendation}` : ''}`)
      .join(' ');
    console.log(
      `run ${i + 1}/${runs}: ${wall.toFixed(1)} s, ${results.regressions} regression(s)` +
        `${flagged.length ? `: ${flagged.join('; ')}` : ''}  [head/base: ${verdicts}]` +
        `${results.budgetExhausted ? ' (budget exhausted)' : ''}`,
    );
    // What kept each workload going: the verdict's rounds, and the head/base comparison's with the
    // boundary that ended it (formatChange, the report's own words).
    for (const w of results.workloads) {
      const change = w.vsBase ? formatChange(w.vsBase, results.settings.threshold) : 'no head/base comparison';
      if (w.vsBase?.outcome === 'equivalent') passRounds.push(w.vsBase.estimate.look ?? w.vsBase.estimate.n);
      else if (w.vsBase) comparisonsOpen += 1;
      console.log(`    ${w.name}: ${formatVerdictRounds(w, results.settings.alpha)}; head/base: ${change}`);
    }
  }
  const sorted = [...walls].sort((a, b) => a - b);
  const passes = [...passRounds].sort((a, b) => a - b);
  console.log(
    `\nfalse alarms: ${falseAlarms} in ${runs} runs (${runsWithAlarm} run(s) with any); ` +
      `head≠base recommendations: ${recommendationMismatches}/${comparisons}; ` +
      `wall per run: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} s, ` +
      `min ${sorted[0]?.toFixed(1)} s, max ${sorted.at(-1)?.toFixed(1)} s`,
  );
  console.log(
    `issue 20: median wall ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} s over ${runs} runs (goal ≤ 75 s over 7), ` +
      `false alarms ${falseAlarms} (goal 0), ` +
      `median rounds to "no regression" ${passes[Math.floor(passes.length / 2)] ?? 'n/a'} over ${passes.length} A/A comparisons (goal ≤ 8), ` +
      `${comparisonsOpen} comparison(s) ended otherwise`,
  );
  process.exitCode = falseAlarms > 0 ? 1 : 0;
} finally {
  await git(dir, 'worktree', 'prune').catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
