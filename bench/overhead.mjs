// Harness overhead: the runner's wallSeconds for one arm vs a bare concurrent.futures loop doing
// the same work, timed the same way in its own fresh interpreter. Ratio ≈ 1 means the runner
// adds nothing users would not pay anyway; the goal is a median ≤ 1.02.
//
//   npx tsc -p tsconfig.json && node_modules/.bin/node bench/overhead.mjs [repetitions]
//
// Repetitions alternate which of the pair runs first, so drift on a noisy machine hits both. The
// headline figure is the paired estimate the engine itself uses (src/stats/estimate.ts pairedRatio:
// 25%-trimmed mean of the per-pair log ratios, with its 95% interval): the goal is met when the
// interval's upper end is ≤ 1.02, refuted when its lower end is above 1.02, and undecided otherwise.
// The ratio of minima (each side's least-disturbed run) is printed beside it.

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTrial } from '../lib/measure/python.js';
import { pairedRatio } from '../lib/core/stats/estimate.js';
import { TRIM } from '../lib/core/stats/sequential.js';
import { trialEnvironment } from '../lib/measure/trial-environment.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workloadsDir = join(root, 'examples', 'workloads');
const repetitions = Math.max(10, Number(process.argv[2] ?? 30));
const python = process.env.GILGATE_PYTHON ?? 'python3';

const workload = {
  name: 'pure-python-cpu',
  run: 'pure_python_cpu:count_primes',
  tasks: 'pure_python_cpu:tasks',
  timeout: 120,
};
const arms = [
  { model: 'serial', workers: 1 },
  { model: 'threads', workers: 2 },
  { model: 'processes', workers: 2 },
];

const env = trialEnvironment(process.env, []);
const target = { python, cwd: workloadsDir, paths: [workloadsDir], env };

// What a user would write: import, build the tasks, warm up, then time the pool's whole life.
const BARE = String.raw`
import concurrent.futures, importlib, json, sys, time
sys.path.insert(0, sys.argv[1])
def load(ref):
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)
fn, tasks = load(sys.argv[2]), load(sys.argv[3])()
tasks = list(range(tasks)) if isinstance(tasks, int) else list(tasks)
model, workers = sys.argv[4], int(sys.argv[5])
fn(tasks[0])
start = time.perf_counter()
if model == "serial":
    results = [fn(t) for t in tasks]
elif model == "threads":
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(fn, tasks))
else:
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(fn, tasks, chunksize=max(1, len(tasks) // (4 * workers))))
print(json.dumps(time.perf_counter() - start))
`;

function bareSeconds(arm) {
  const out = execFileSync(
    python,
    ['-c', BARE, workloadsDir, workload.run, workload.tasks, arm.model, String(arm.workers)],
    { cwd: workloadsDir, env, encoding: 'utf8' },
  );
  return Number(out.trim());
}

async function runnerSeconds(arm) {
  const outcome = await runTrial(target, workload, arm);
  if (!outcome.ok) throw new Error(`runner failed: ${JSON.stringify(outcome)}`);
  return outcome.wallSeconds;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

console.log(`harness overhead: ${workload.name}, ${repetitions} paired repetitions per arm, ${python}`);
console.log('arm            runner s   bare s   ratio (trimmed, 95% CI)   goal ≤ 1.02   ratio of minima   ratio range');
for (const arm of arms) {
  const runner = [];
  const bare = [];
  const ratios = [];
  for (let i = 0; i < repetitions; i++) {
    let r;
    let b;
    if (i % 2 === 0) {
      r = await runnerSeconds(arm);
      b = bareSeconds(arm);
    } else {
      b = bareSeconds(arm);
      r = await runnerSeconds(arm);
    }
    runner.push(r);
    bare.push(b);
    ratios.push(r / b);
  }
  const label = arm.model === 'serial' ? 'serial' : `${arm.model}×${arm.workers}`;
  const estimate = pairedRatio(runner, bare, 0.95, TRIM);
  const goal = estimate.upper <= 1.02 ? 'met' : estimate.lower > 1.02 ? 'missed' : 'undecided';
  const interval = `${estimate.ratio.toFixed(3)} (${estimate.lower.toFixed(3)}…${estimate.upper.toFixed(3)})`;
  console.log(
    `${label.padEnd(14)} ${median(runner).toFixed(3).padStart(8)} ${median(bare).toFixed(3).padStart(8)}   ` +
      `${interval.padEnd(23)}   ${goal.padEnd(11)}   ${(Math.min(...runner) / Math.min(...bare)).toFixed(3).padStart(15)}   ` +
      `${Math.min(...ratios).toFixed(3)}…${Math.max(...ratios).toFixed(3)}`,
  );
}
