// The experiment state machine driven with plain data: a simulated runner that answers each trial
// request from a table of true times with seeded noise, and a simulated clock. No Python here: the
// engine's decisions (what runs, when to stop, what is dropped) are the thing under test.
import { describe, expect, it } from 'vitest';
import { finish, interpreterChange, next, probePlan, record, rejudge, start, type ExperimentInput, type ExperimentState } from '../src/core/experiment.js';
import { armLabel, MACHINE_PROBE_EVERY, repetitionsFor, seededRandom } from '../src/core/plan.js';
import type {
  SideFacts,
  ExperimentSetup,
  MachineProbe,
  Model,
  PythonEnvironment,
  Results,
  Step,
  TrialOutcome,
  TrialRequest,
  WorkloadConfig,
  WorkloadProbe,
  Failure,
} from '../src/core/types.js';
import { failure, probe as okProbe, trial } from './helpers/samples.js';
import { simulatedCpuSeconds } from './helpers/experiment.js';
import { WORDS } from '../src/report/explain.js';

const MACHINE: MachineProbe = { cpus: [{ cpu: 0, loopSeconds: 0.01 }, { cpu: 1, loopSeconds: 0.011 }], capacity: [{ workers: 2, ratio: 1.8 }], singleLoopSeconds: 0.01 };

function environment(extra: Partial<PythonEnvironment> = {}): PythonEnvironment {
  return {
    cores: 2, coresSource: 'affinity', python: '3.11.7', implementation: 'CPython', executable: '/usr/bin/python3',
    gilEnabled: true, freeThreadedBuild: false, startMethod: 'fork', os: 'Linux', cpuModel: 'test',
    cpus: [0, 1], placement: 'affinity', interpretersUnavailable: 'Python < 3.14', ...extra,
  };
}

const workload = (name: string, extra: Partial<WorkloadConfig> = {}): WorkloadConfig => ({ name, run: `bench:${name}`, tasks: 100, timeout: 60, ...extra });

interface Build {
  workloads?: WorkloadConfig[];
  base?: ExperimentSetup['base'];
  pythons?: string[];
  environments?: PythonEnvironment[];
  probe?: (name: string, side: 'head' | 'base', python: string) => WorkloadProbe | Failure;
  settings?: Partial<Results['settings']>;
}

function input(b: Build = {}): ExperimentInput {
  const pythons = b.pythons ?? ['python3'];
  const setup: ExperimentSetup = { pythons, workloads: b.workloads ?? [workload('a')], base: b.base ?? null };
  return {
    setup,
    settings: {
      seed: 7, threshold: 0.1, margin: 0.1, memoryThreshold: 0.2, alpha: 0.01, minRounds: 5, maxRounds: 20,
      maxTimeSeconds: null, trialEnvironment: { OMP_NUM_THREADS: '1' }, ...b.settings,
    },
    environments: b.environments ?? pythons.map(() => environment()),
    probes: probePlan(setup).map((r) => ({
      workload: r.workload.name, python: r.python, side: r.side,
      probe: b.probe ? b.probe(r.workload.name, r.side, r.python) : okProbe({ pilotWallSeconds: 0.1, pilotCpuSeconds: 0.1 }),
    })),
    startedAt: '2026-01-01T00:00:00.000Z',
    git: { head: null, base: null, baseRef: null },
    config: 'gilgate.yml',
  };
}

/** True seconds per trial: a function of the request; the runner adds seeded ±noise. */
type Truth = (t: TrialRequest, round: number) => number | TrialOutcome;
const gilBound: Record<Model, number> = { serial: 1, threads: 1.02, processes: 0.55, interpreters: 0.6 };

function simulate(i: ExperimentInput, truth: Truth = (t) => gilBound[t.arm.model], noise = 0.02, secondsPerTrial = 1) {
  const random = seededRandom(99);
  const state: ExperimentState = start(i);
  const steps: Step[] = [];
  let now = 0;
  for (;;) {
    const step = next(state, now);
    steps.push(step);
    if (step.kind === 'stop') break;
    if (step.kind === 'machine') {
      record(state, { kind: 'machine', probe: MACHINE });
      continue;
    }
    const outcomes = step.trials.map((t) => {
      const value = truth(t, step.round);
      if (typeof value !== 'number') return value;
      const wall = value * (1 + noise * (2 * random() - 1));
      return trial(wall, { cpuSeconds: simulatedCpuSeconds(truth, t, step.round, wall) });
    });
    now += step.trials.length * secondsPerTrial;
    record(state, { kind: 'trials', outcomes });
  }
  return { state, steps, rounds: steps.filter((s): s is Extract<Step, { kind: 'trials' }> => s.kind === 'trials'), results: finish(state) };
}

const stopOf = (steps: Step[]) => steps.at(-1) as Extract<Step, { kind: 'stop' }>;

describe('experiment: stopping', () => {
  it('stops on the time budget between rounds, using the last round\'s duration', () => {
    // Each round of one workload (serial×2 CPUs, threads×2, processes×2) takes 4 simulated seconds.
    const run = simulate(input({ settings: { maxTimeSeconds: 10 } }), (t) => gilBound[t.arm.model], 0.3);
    expect(stopOf(run.steps).reason).toBe('budget');
    // After round 2 (t = 8 s) a third round of 4 s would end past 10 s.
    expect(run.rounds).toHaveLength(2);
    expect(run.results.budgetExhausted).toBe(true);
    expect(run.results.rounds).toBe(2);
    expect(run.results.values!.stopReason).toBe('budget');
  });

  it('stops at the round cap, and when every workload has settled', () => {
    const capped = simulate(input({ settings: { maxRounds: 4, minRounds: 5 } }), (t) => gilBound[t.arm.model], 0.3);
    expect(stopOf(capped.steps).reason).toBe('cap');
    expect(capped.rounds).toHaveLength(4);
    const clear = simulate(input());
    expect(stopOf(clear.steps).reason).toBe('settled');
    expect(clear.results.workloads[0]!.recommendation).toBe('processes');
    expect(clear.rounds.length).toBeLessThan(20);
  });

  it('stops running a workload that settled while another goes on', () => {
    const i = input({ workloads: [workload('clear'), workload('murky')], settings: { maxRounds: 30 } });
    // murky: processes about as fast as serial, with heavy noise: unknown for many looks.
    const run = simulate(i, (t, round) => (t.workload === 'clear' ? gilBound[t.arm.model] : t.arm.model === 'serial' ? 1 : 0.93 * (1 + 0.25 * Math.sin(round * 2.1 + t.arm.workers))), 0.02);
    const ranIn = (name: string) => run.rounds.filter((r) => r.trials.some((t) => t.workload === name)).length;
    const byName = Object.fromEntries(run.results.workloads.map((w) => [w.name, w]));
    expect(ranIn('clear')).toBeLessThan(ranIn('murky'));
    expect(byName.clear!.rounds).toBe(ranIn('clear'));
    expect(byName.murky!.rounds).toBe(ranIn('murky'));
    // Once clear stopped, it never comes back.
    const last = Math.max(...run.rounds.filter((r) => r.trials.some((t) => t.workload === 'clear')).map((r) => r.round));
    expect(last).toBe(ranIn('clear') - 1);
  });
});

describe('experiment: failures', () => {
  it('drops an arm after its first failure and keeps the rest running', () => {
    const truth: Truth = (t, round) => (t.arm.model === 'processes' && round === 1 ? failure('crash', 'worker died') : gilBound[t.arm.model]);
    const run = simulate(input({ settings: { maxRounds: 6, minRounds: 6 } }), truth, 0.3);
    const processesIn = run.rounds.map((r) => r.trials.filter((t) => t.arm.model === 'processes').length);
    expect(processesIn).toEqual([1, 1, 0, 0, 0, 0]);
    expect(run.rounds.every((r) => r.trials.some((t) => t.arm.model === 'threads'))).toBe(true);
    const processes = run.results.workloads[0]!.arms.find((a) => a.model === 'processes')!;
    expect(processes.failures).toBe(1);
  });

  it('stops a workload whose probe failed without running a trial', () => {
    const run = simulate(input({ workloads: [workload('a'), workload('broken')], probe: (name) => (name === 'broken' ? failure('import', 'No module named x') : okProbe()) }));
    expect(run.rounds.flatMap((r) => r.trials).some((t) => t.workload === 'broken')).toBe(false);
    expect(run.results.workloads.find((w) => w.name === 'broken')).toMatchObject({ recommendation: 'error', error: { kind: 'import' } });
  });
});

describe('experiment: head and base', () => {
  it('marks new and removed workloads and runs each only on the side it has', () => {
    const run = simulate(input({ workloads: [workload('kept'), workload('added')], base: { workloads: [workload('kept'), workload('gone')], configMissing: false } }));
    const status = Object.fromEntries(run.results.workloads.map((w) => [w.name, w.status]));
    expect(status).toEqual({ kept: 'measured', added: 'new', gone: 'removed' });
    const sides = (name: string) => new Set(run.rounds.flatMap((r) => r.trials).filter((t) => t.workload === name).map((t) => t.side));
    expect(sides('kept')).toEqual(new Set(['head', 'base']));
    expect(sides('added')).toEqual(new Set(['head']));
    expect(sides('gone')).toEqual(new Set(['base']));
  });

  it('counts a workload as new when base has no config and cannot import it', () => {
    const probe = (name: string, side: 'head' | 'base') => (side === 'base' && name === 'fresh' ? failure('import', 'No module named bench.fresh') : okProbe());
    const run = simulate(input({ workloads: [workload('old'), workload('fresh')], base: { workloads: null, configMissing: true }, probe }));
    const byName = Object.fromEntries(run.results.workloads.map((w) => [w.name, w]));
    expect(byName.fresh!.status).toBe('new');
    expect(byName.fresh!.base).toBeNull();
    expect(byName.old!.status).toBe('measured');
    expect(run.rounds.flatMap((r) => r.trials).some((t) => t.workload === 'fresh' && t.side === 'base')).toBe(false);
  });

  it('runs head and base of the same (arm, cpu) back to back, in either order', () => {
    const run = simulate(input({ base: { workloads: null, configMissing: false }, settings: { maxRounds: 12, minRounds: 12 } }));
    const firsts = new Set<string>();
    for (const round of run.rounds) {
      const t = round.trials;
      expect(t).toHaveLength(8); // (serial on 2 CPUs + threads + processes) × 2 sides
      for (let i = 0; i < t.length; i += 2) {
        expect(armLabel(t[i]!.arm)).toBe(armLabel(t[i + 1]!.arm));
        expect(t[i]!.cpu).toBe(t[i + 1]!.cpu);
        expect(new Set([t[i]!.side, t[i + 1]!.side])).toEqual(new Set(['head', 'base']));
        firsts.add(t[i]!.side);
      }
    }
    expect(firsts).toEqual(new Set(['head', 'base']));
  });

  it('gives each workload variant of a round one lockstep group: its arms, head and base, numbered in run order', () => {
    const pythons = ['python3.11', 'python3.14'];
    const i = input({ pythons, workloads: [workload('a'), workload('b')], base: { workloads: null, configMissing: false }, settings: { maxRounds: 6, minRounds: 6 } });
    const run = simulate(i);
    for (const round of run.rounds) {
      const groups = round.trials.map((t) => t.group);
      // Contiguous and numbered 0, 1, 2, … in the order they run.
      const starts = groups.filter((g, j) => j === 0 || groups[j - 1] !== g);
      expect(starts).toEqual([0, 1, 2, 3]);
      for (const g of starts) {
        const members = round.trials.filter((t) => t.group === g);
        expect(new Set(members.map((t) => `${t.workload}@${t.interpreter}`)).size).toBe(1);
        expect(new Set(members.map((t) => t.side))).toEqual(new Set(['head', 'base']));
        expect(new Set(members.map((t) => t.arm.model))).toEqual(new Set(['serial', 'threads', 'processes']));
      }
    }
  });

  it('once both verdicts settle, runs only the arms the comparison reads and holds each verdict at the round it settled', () => {
    // Processes beat serial clearly on both sides, but head's and base's processes times swing
    // against each other, so the head/base comparison stays open long after the verdicts settled.
    const swing = (t: TrialRequest, round: number) => 1 + 0.3 * Math.sin(round * 2.1 + (t.side === 'head' ? 0 : 1.7));
    const truth: Truth = (t, round) => gilBound[t.arm.model] * (t.arm.model === 'processes' ? swing(t, round) : 1);
    const run = simulate(input({ base: { workloads: null, configMissing: false }, settings: { maxRounds: 20 } }), truth);
    const w = run.results.workloads[0]!;
    expect(w.recommendation).toBe('processes');
    expect(w.base!.recommendation).toBe('processes');
    const settledAt = w.rounds;
    expect(settledAt).toBeLessThan(run.rounds.length);
    expect(w.base!.detail.rounds).toBe(settledAt);
    for (const round of run.rounds) {
      const models = new Set(round.trials.map((t) => t.arm.model));
      if (round.round < settledAt) expect(models).toEqual(new Set(['serial', 'threads', 'processes']));
      else {
        // serial (on both CPUs) and the recommended arm, on both sides: nothing else.
        expect(models).toEqual(new Set(['serial', 'processes']));
        expect(round.trials).toHaveLength(6);
      }
    }
    // The comparison went on with every round; the verdict's rows keep the rounds it was judged on.
    expect(w.vsBase!.estimate.n).toBeGreaterThan(settledAt);
    expect(w.arms.find((a) => a.model === 'threads')!.wall.n).toBe(settledAt);
    const file = JSON.parse(JSON.stringify(run.results)) as Results;
    expect(JSON.parse(JSON.stringify(rejudge(file)))).toEqual(file);
  });

  it('keeps regressions that survive Holm across workloads and turns the rest into warnings', () => {
    const names = Array.from({ length: 16 }, (_, k) => `w${k + 1}`);
    // Head slower than base: twice as slow in w1 (a clear regression), 15% in the others, with
    // noise that leaves several of them just significant on their own.
    const truth: Truth = (t) => gilBound[t.arm.model] * (t.side === 'head' ? (t.workload === 'w1' ? 2 : 1.15) : 1);
    const run = simulate(input({ workloads: names.map((n) => workload(n)), base: { workloads: null, configMissing: false }, settings: { maxRounds: 10, minRounds: 10 } }), truth, 0.1);
    const warned = run.results.workloads.flatMap((w) => w.warnings).filter((x) => x.includes('did not survive the Holm correction across 16 workloads'));
    const kept = run.results.workloads.flatMap((w) => w.regressions.filter((r) => r.kind === 'slower'));
    expect(kept.length).toBeGreaterThan(0);
    expect(warned.length).toBeGreaterThan(0);
    expect(run.results.workloads.find((w) => w.name === 'w1')!.regressions.map((r) => r.kind)).toContain('slower');
    expect(run.results.regressions).toBe(run.results.workloads.reduce((n, w) => n + w.regressions.length, 0));
  });
});

describe('experiment: placement, repetitions, machine probes', () => {
  it('rotates serial trials over the CPUs so each is used equally, and leaves pools unpinned', () => {
    const i = input({ environments: [environment({ cores: 4, cpus: [0, 1, 2] })], settings: { maxRounds: 6, minRounds: 6 } });
    const run = simulate(i, (t) => gilBound[t.arm.model], 0.3);
    const uses = new Map<number | null, number>();
    for (const round of run.rounds) {
      const serial = round.trials.filter((t) => t.arm.model === 'serial');
      expect(serial).toHaveLength(2);
      expect(new Set(serial.map((t) => t.cpu)).size).toBe(2);
      for (const t of serial) uses.set(t.cpu, (uses.get(t.cpu) ?? 0) + 1);
      expect(round.trials.filter((t) => t.arm.model !== 'serial').every((t) => t.cpu === null)).toBe(true);
    }
    expect([...uses.entries()].sort()).toEqual([[0, 4], [1, 4], [2, 4]]);
  });

  it('runs one unpinned serial trial per round without affinity', () => {
    const run = simulate(input({ environments: [environment({ placement: 'unsupported' })], settings: { maxRounds: 3, minRounds: 3 } }));
    for (const round of run.rounds) expect(round.trials.filter((t) => t.arm.model === 'serial').map((t) => t.cpu)).toEqual([null]);
  });

  it('races: an arm shown slower than its side\'s best beyond the margin runs no more rounds, while the verdict is still open', () => {
    // 4 cores, code that releases the GIL: threads×4 and processes×4 within 5% of each other (the
    // verdict needs many rounds to tell them apart), threads×2 and processes×2 twice as slow: shown
    // slower than the best at an early look, they stop running while the verdict goes on.
    const truth: Truth = (t) => (t.arm.model === 'serial' ? 1 : t.arm.workers === 2 ? 0.9 : t.arm.model === 'threads' ? 0.47 : 0.45);
    const run = simulate(input({ environments: [environment({ cores: 4, cpus: [0, 1, 2, 3] })], settings: { minRounds: 3, maxRounds: 20 } }), truth, 0.15);
    const labels = (round: number) => new Set(run.rounds[round]!.trials.map((t) => armLabel(t.arm)));
    expect(labels(0)).toEqual(new Set(['serial', 'threads×2', 'threads×4', 'processes×2', 'processes×4']));
    const head = run.state.variants[0]!.head!;
    const raced = head.verdict!.raced!;
    expect([...raced.keys()].sort()).toEqual(['processes×2', 'threads×2']);
    const first = Math.min(...[...raced.values()].map((r) => r.round));
    // The verdict was still open when they stopped: the rounds after ran the other arms only.
    expect(head.settledAt === null || head.settledAt > first).toBe(true);
    for (const [label, race] of raced) {
      const after = run.rounds.filter((r) => r.round >= race.round);
      expect(after.length).toBeGreaterThan(0);
      for (const round of after) expect(round.trials.some((t) => armLabel(t.arm) === label)).toBe(false);
      expect(after[0]!.trials.some((t) => armLabel(t.arm) === 'threads×4')).toBe(true);
    }
    // Every arm is still in the results, on the rounds it ran.
    expect(run.results.workloads[0]!.arms.map((a) => `${a.model}×${a.workers}`).sort()).toEqual(['processes×2', 'processes×4', 'serial×1', 'threads×2', 'threads×4']);
  });

  it('gives round 0 the pilot\'s count and later rounds each arm\'s own, one count for head and base, serial\'s shared over its CPUs', () => {
    const probe = (name: string, side: 'head' | 'base') => okProbe({ pilotWallSeconds: name === 'tiny' ? 0.001 : side === 'base' ? 0.05 : 0.06 });
    // Threads on tiny tasks: 0.3 s a repetition beside serial's 1 ms (measured on examples/tiny_tasks).
    const truth: Truth = (t) => (t.workload === 'tiny' ? (t.arm.model === 'threads' ? 0.3 : 0.001) : 0.05);
    const run = simulate(input({ workloads: [workload('tiny'), workload('small')], base: { workloads: null, configMissing: false }, probe, settings: { maxRounds: 3, minRounds: 3 } }), truth);
    const counts = (name: string, round: number, model: Model) =>
      new Set(run.rounds[round]!.trials.filter((t) => t.workload === name && t.arm.model === model).map((t) => t.repetitions));
    const serialProcesses = run.rounds[0]!.trials.filter((t) => t.workload === 'tiny' && t.arm.model === 'serial' && t.side === 'head').length;
    expect(serialProcesses).toBe(2);
    // Round 0: the faster side's pilot (0.05 s, not head's 0.06 s); serial's count split over its CPUs.
    expect(repetitionsFor(0.001)).toBe(21);
    expect(repetitionsFor(0.05)).toBe(4);
    expect(counts('tiny', 0, 'threads')).toEqual(new Set([21]));
    expect(counts('tiny', 0, 'serial')).toEqual(new Set([11]));
    expect(counts('small', 0, 'processes')).toEqual(new Set([4]));
    expect(counts('small', 0, 'serial')).toEqual(new Set([2]));
    // Later rounds: each arm's own repetition time, so threads on tiny tasks stop paying 21 × 0.3 s.
    expect(repetitionsFor(0.3)).toBe(2);
    for (const round of [1, 2]) {
      expect(counts('tiny', round, 'threads')).toEqual(new Set([2]));
      expect(counts('tiny', round, 'serial')).toEqual(new Set([11]));
      expect(counts('small', round, 'processes')).toEqual(new Set([4]));
    }
  });

  it('probes the machine before the first round and every MACHINE_PROBE_EVERY rounds, keeping every probe', () => {
    const run = simulate(input({ settings: { maxRounds: 12, minRounds: 12 } }), (t) => gilBound[t.arm.model], 0.3);
    const before = run.steps.flatMap((s, i) => (s.kind === 'machine' ? [(run.steps[i + 1] as Extract<Step, { kind: 'trials' }>).round] : []));
    expect(MACHINE_PROBE_EVERY).toBe(5);
    expect(before).toEqual([0, 5, 10]);
    expect(run.results.values!.machine).toHaveLength(3);
  });

  it('plans interpreters arms only where the interpreter and the workload allow them', () => {
    const armsOf = (env: Partial<PythonEnvironment>, interp: string | null) =>
      simulate(input({ environments: [environment(env)], probe: () => okProbe({ interpretersUnavailable: interp }), settings: { maxRounds: 1, minRounds: 1 } }))
        .rounds[0]!.trials.map((t) => t.arm.model);
    expect(armsOf({ interpretersUnavailable: null }, null)).toContain('interpreters');
    expect(armsOf({ interpretersUnavailable: null }, 'cannot import in a subinterpreter')).not.toContain('interpreters');
    expect(armsOf({ interpretersUnavailable: 'Python < 3.14' }, null)).not.toContain('interpreters');
  });
});

describe('experiment: several interpreters', () => {
  it('interleaves two interpreters in one round and reports one result per (workload, interpreter)', () => {
    const pythons = ['python3.11', 'python3.14'];
    const i = input({ pythons, workloads: [workload('a'), workload('b')], base: { workloads: null, configMissing: false }, settings: { maxRounds: 8, minRounds: 8 } });
    // 3.14 runs threads faster (say, free-threaded): a different answer per interpreter.
    const truth: Truth = (t) => (t.interpreter === 1 && t.arm.model === 'threads' ? 0.5 : gilBound[t.arm.model]);
    const run = simulate(i, truth);
    const orders = new Set<string>();
    for (const round of run.rounds) {
      expect(new Set(round.trials.map((t) => t.interpreter))).toEqual(new Set([0, 1]));
      const blocks = round.trials.map((t) => `${t.workload}@${t.interpreter}`).filter((k, j, all) => j === 0 || all[j - 1] !== k);
      expect(blocks).toHaveLength(4); // one block per (workload, interpreter)
      orders.add(blocks.join(','));
      // Head and base pairs never mix interpreters.
      for (let j = 0; j < round.trials.length; j += 2) expect(round.trials[j]!.interpreter).toBe(round.trials[j + 1]!.interpreter);
    }
    expect(orders.size).toBeGreaterThan(1);
    expect(run.results.workloads.map((w) => `${w.name}@${w.python}`)).toEqual(['a@python3.11', 'a@python3.14', 'b@python3.11', 'b@python3.14']);
    const rec = Object.fromEntries(run.results.workloads.map((w) => [`${w.name}@${w.python}`, w.recommendation]));
    expect(rec['a@python3.11']).toBe('processes');
    expect(rec['a@python3.14']).toBe('threads');
    expect(run.results.values!.trials.every((t) => pythons.includes(t.python))).toBe(true);
  });
});

describe('experiment: base ran another interpreter', () => {
  const py311 = environment({ python: '3.11.7', executable: '/usr/bin/python3.11' });
  const py314 = environment({ python: '3.14.0', executable: '/opt/python3.14', interpretersUnavailable: null });
  // Base config: python3.11; head config: python3.14. Same code: under 3.11 (base) processes pay off,
  // under 3.14 (head) nothing beats serial.
  const changed = () =>
    input({
      pythons: ['python3.14'],
      environments: [py314],
      base: { workloads: null, configMissing: false, pythons: ['python3.11'], environments: [py311] },
      settings: { maxRounds: 12, minRounds: 6 },
      // The workload itself could run in a subinterpreter: only the interpreter's version decides.
      probe: () => okProbe({ pilotWallSeconds: 0.1, pilotCpuSeconds: 0.1, interpretersUnavailable: null }),
    });
  const truth: Truth = (t) => (t.side === 'base' ? gilBound[t.arm.model] : t.arm.model === 'serial' ? 1 : 1.6);

  it('flags the flip and carries both interpreters in its facts', () => {
    const run = simulate(changed(), truth);
    const w = run.results.workloads[0]!;
    expect(w.base?.recommendation).toBe('processes');
    expect(w.recommendation).toBe('serial');
    const flip = w.regressions.find((r) => r.kind === 'flip');
    expect(flip?.facts).toEqual({
      kind: 'flip',
      before: 'processes',
      after: 'serial',
      interpreter: {
        before: { command: 'python3.11', implementation: 'CPython', version: '3.11.7', freeThreadedBuild: false },
        after: { command: 'python3.14', implementation: 'CPython', version: '3.14.0', freeThreadedBuild: false },
      },
    });
  });

  it('words the flip as the interpreter\'s doing, the same after rejudge', () => {
    const run = simulate(changed(), truth);
    const worded = finish(run.state, WORDS);
    const detail = worded.workloads[0]!.regressions.find((r) => r.kind === 'flip')!.detail;
    expect(detail).toBe('processes → serial: the interpreter changed: CPython 3.11.7 → CPython 3.14.0');
    expect(rejudge(worded, WORDS).workloads[0]!.regressions.find((r) => r.kind === 'flip')!.detail).toBe(detail);
  });

  it('plans the base side with the base interpreter: no interpreters arm where base cannot run them', () => {
    const run = simulate(changed(), truth);
    const armsOf = (side: 'head' | 'base') => new Set(run.rounds.flatMap((r) => r.trials).filter((t) => t.side === side).map((t) => t.arm.model));
    expect(armsOf('head').has('interpreters')).toBe(true);
    expect(armsOf('base').has('interpreters')).toBe(false);
  });

  it('says nothing of the interpreter when both sides ran the same build', () => {
    const same = input({ base: { workloads: null, configMissing: false, pythons: ['/usr/bin/python3'], environments: [environment()] } });
    expect(interpreterChange(same, 0)).toBeNull();
    expect(interpreterChange(input({ base: { workloads: null, configMissing: false } }), 0)).toBeNull();
    // A flip without an interpreter change keeps the old words.
    const run = simulate(input({ base: { workloads: null, configMissing: false }, settings: { maxRounds: 12, minRounds: 6 } }), truth);
    const flip = finish(run.state, WORDS).workloads[0]!.regressions.find((r) => r.kind === 'flip')!;
    expect(flip.facts).toEqual({ kind: 'flip', before: 'processes', after: 'serial' });
    expect(flip.detail).toBe('processes → serial: parallelism no longer pays off');
  });
});

describe('experiment: several interpreters under a time budget', () => {
  it('stops on the budget and leaves the variants it could not decide inconclusive', () => {
    const pythons = ['python3.11', 'python3.14'];
    // 3.11: processes clearly win; 3.14: processes about as fast as serial with heavy noise.
    const truth: Truth = (t, round) => (t.interpreter === 0 ? gilBound[t.arm.model] : t.arm.model === 'serial' ? 1 : 0.93 * (1 + 0.25 * Math.sin(round * 2.1 + t.arm.workers)));
    const run = simulate(input({ pythons, settings: { maxTimeSeconds: 60, maxRounds: 30 } }), truth, 0.02);
    expect(run.results.budgetExhausted).toBe(true);
    const rec = Object.fromEntries(run.results.workloads.map((w) => [w.python, w.recommendation]));
    expect(rec['python3.11']).toBe('processes');
    expect(rec['python3.14']).toBe('inconclusive');
  });
});

describe('experiment: every value kept', () => {
  it('records every trial and re-judges a results file to the same verdicts', () => {
    const i = input({ workloads: [workload('a'), workload('b')], base: { workloads: null, configMissing: false }, settings: { maxRounds: 10 } });
    const truth: Truth = (t, round) =>
      t.workload === 'b' && t.arm.model === 'processes' && round === 2 ? failure('crash') : gilBound[t.arm.model] * (t.side === 'head' && t.workload === 'a' ? 1.2 : 1);
    const run = simulate(i, truth, 0.05);
    const results = run.results;
    expect(results.schemaVersion).toBe(3);
    expect(results.values!.trials).toHaveLength(run.rounds.reduce((n, r) => n + r.trials.length, 0));
    expect(results.values!.trials[0]).toMatchObject({ workload: expect.any(String), python: 'python3', round: 0, arm: expect.any(Object), outcome: expect.any(Object) });
    const file = JSON.parse(JSON.stringify(results)) as Results;
    const again = rejudge(file);
    expect(JSON.parse(JSON.stringify(again))).toEqual(file);
    expect(again.workloads.map((w) => w.recommendation)).toEqual(results.workloads.map((w) => w.recommendation));
  });

  it('lets report/ word the reasons through the Words given to finish and rejudge', () => {
    const run = simulate(input());
    const words = (prefix: string) => ({ side: (f: SideFacts) => ({ reason: `${prefix}${f.recommendation} by ${f.rule}`, warnings: [] }), change: () => 'changed' });
    const worded = finish(run.state, words(''));
    expect(worded.workloads[0]!.reason).toBe('processes by only-helper');
    expect(rejudge(worded, words('again ')).workloads[0]!.reason).toBe('again processes by only-helper');
  });

  it('refuses to take trials it did not ask for', () => {
    const state = start(input());
    expect(() => record(state, { kind: 'trials', outcomes: [] })).toThrow(/did not ask for/);
  });
});
