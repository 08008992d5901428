// The pure parts of history: the file contract, ordering, the creep detector on a 3×4% creep and an
// A/A series, verdict timelines, shard costs, and the comment's wording.
import { describe, expect, it } from 'vitest';
import { detectCreep, fitLevels } from '../src/core/creep.js';
import { measuringCost, orderEntries, readHistoryFile, retain, SHARD_COST_ENTRIES, shardCostsFromHistory, type WorkloadPoint } from '../src/core/history.js';
import { TRIAL_NOISE } from '../src/core/plan.js';
import { costsFromResults, shardOf, trialSeconds } from '../src/core/shard.js';
import { historyView, timelineOf } from '../src/core/trend.js';
import { renderHistoryPage, renderHistorySection, renderHistoryTable, sparkline } from '../src/report/history.js';
import { creepFixture, entryAt, normals, point, sha } from './helpers/history-fixtures.js';


describe('creep detector (L1 Potts fit, BIC-like penalty)', () => {
  it('reports three commits each ~4% slower as creep, naming those commits', () => {
    const series = creepFixture().map((e) => ({ commit: e.commit, seconds: e.workloads[0]!.seconds }));
    const creep = detectCreep(series, { threshold: 0.1 });
    expect(creep).not.toBeNull();
    expect(creep!.ratio).toBeGreaterThan(1.1);
    expect(creep!.steps.map((s) => s.commit)).toEqual([sha(8), sha(11), sha(14)]);
    for (const s of creep!.steps) expect(s.ratio).toBeGreaterThan(1.02);
  });

  it('finds that creep in most noisy replays (1% noise, 200 seeds): the power the γ was chosen for', () => {
    let found = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const noise = normals(seed);
      const series = Array.from({ length: 17 }, (_, i) => {
        const steps = (i >= 8 ? 1 : 0) + (i >= 11 ? 1 : 0) + (i >= 14 ? 1 : 0);
        return { commit: sha(i), seconds: 0.1 * 1.04 ** steps * Math.exp(0.01 * noise()) };
      });
      if (detectCreep(series, { threshold: 0.1 }) !== null) found++;
    }
    expect(found).toBeGreaterThanOrEqual(160);
  });

  it('reports no creep on an A/A series of 20 commits (3% or 5% runner-to-runner noise), for any of 200 seeds', () => {
    let reported = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const noise = normals(seed + 1000);
      const series = Array.from({ length: 20 }, (_, i) => ({ commit: sha(i), seconds: 0.1 * Math.exp((seed % 2 ? 0.03 : 0.05) * noise()) }));
      if (detectCreep(series, { threshold: 0.1 }) !== null) reported++;
    }
    expect(reported).toBe(0);
  });

  it('a verdict that flipped to another arm is not creep: the newest arm is compared with itself', () => {
    const entries = Array.from({ length: 20 }, (_, i) => {
      const p = point('flip', i < 10 ? 0.1 : 0.2, i < 10 ? 'threads' : 'processes');
      // The processes arm took 0.2 s all along; threads (recommended first) 0.1 s.
      return entryAt(i, [{ ...p, arms: [...p.arms.filter((a) => a.model === 'serial'), { model: 'processes', workers: 4, median: 0.2, cv: 0.01, n: 3 }, { model: 'threads', workers: 4, median: 0.1, cv: 0.01, n: 3 }] }]);
    });
    const view = historyView(entries, null, { threshold: 0.1 });
    expect(view.workloads[0]!.timeline.flips).toHaveLength(1);
    expect(view.workloads[0]!.creep).toBeNull();
  });

  it('a single slow commit at the end is not a level (segments hold two commits)', () => {
    const series = Array.from({ length: 12 }, (_, i) => ({ commit: sha(i), seconds: i === 11 ? 0.15 : 0.1 }));
    expect(detectCreep(series, { threshold: 0.1 })).toBeNull();
  });

  it('the fit finds a clean step exactly', () => {
    const values = [0, 0, 0, 0, 1, 1, 1, 1].map((v) => v * 0.1);
    expect(fitLevels(values, 0.05).map((s) => [s.start, s.end])).toEqual([[0, 4], [4, 8]]);
  });
});

describe('history entries and views', () => {
  it('validates files and names the bad one', () => {
    expect(() => readHistoryFile('commits/x/python3.json', { format: 1, commit: 'nope' })).toThrow(/commits\/x\/python3.json: not a gilgate history file/);
    const e = entryAt(1, [point('a', 0.1)]);
    expect(readHistoryFile('f.json', JSON.parse(JSON.stringify(e)))).toEqual([e]);
    expect(readHistoryFile('squashed.json', { format: 1, entries: [e] })).toEqual([e]);
  });

  it('orders by commit date and keeps the newest N for retention', () => {
    const entries = [3, 1, 2, 5, 4].map((n) => entryAt(n, [point('a', 0.1)]));
    expect(orderEntries(entries).map((e) => e.commit)).toEqual([1, 2, 3, 4, 5].map(sha));
    const { kept, squashed } = retain(entries, 2);
    expect(kept.map((e) => e.commit)).toEqual([sha(4), sha(5)]);
    expect(squashed).toHaveLength(3);
  });

  it('the timeline says since when and where it flipped', () => {
    const recs: WorkloadPoint['recommendation'][] = ['threads', 'threads', 'processes', 'inconclusive', 'processes', 'processes'];
    const t = timelineOf(recs.map((r, i) => ({ commit: sha(i), point: point('a', 0.1, r) })));
    expect(t).toEqual({ current: 'processes', since: sha(2), commits: 4, flips: [{ commit: sha(2), from: 'threads', to: 'processes' }] });
  });

  it('the comment section has a trend and a timeline per workload, the head last, and says it is not the gate', () => {
    const entries = Array.from({ length: 25 }, (_, i) => entryAt(i, [point('resize', 0.1 + i * 0.001), point('hash*|', 0.2, i < 20 ? 'threads' : 'processes')]));
    const results = {
      git: { head: 'f'.repeat(40), base: sha(24), baseRef: null },
      workloads: [
        { name: 'resize', python: 'python3', status: 'measured', recommendation: 'processes', rounds: 3, arms: [{ model: 'serial', workers: 1, wall: { median: 0.4, n: 3, cv: 0, min: 0, max: 0 }, speedup: 1 }, { model: 'processes', workers: 4, wall: { median: 0.12, n: 3, cv: 0, min: 0, max: 0 }, speedup: 3.3 }] },
      ],
    } as never;
    const view = historyView(entries, results, { threshold: 0.1 });
    expect(view.commits).toBe(20);
    expect(view.workloads).toHaveLength(1);
    expect(view.workloads[0]!.points).toHaveLength(21);
    expect(view.workloads[0]!.points.at(-1)!.head).toBe(true);
    const text = renderHistorySection(historyView(entries, null, { threshold: 0.1 }), { branch: 'gilgate-data' });
    expect(text).toMatch(/Context, not the gate/);
    expect(text).toMatch(/processes since `0000014`, 5 commits; flipped threads → processes at `0000014`/);
    expect(text).toMatch(/resize: .*% slower since/);
    expect(text).toContain('hash\\*\\|');
    const page = renderHistoryPage(historyView(entries, null, { threshold: 0.1 }), { branch: 'gilgate-data' });
    expect(page.match(/xychart-beta/g)).toHaveLength(4);
    expect(renderHistoryTable(historyView(entries, null, { threshold: 0.1 }))).toMatch(/resize .* processes \(processes×4\)/);
  });

  it('sparklines span the range', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([2, 2, null, 2])).toBe('▄▄ ▄');
  });
});

describe('shard costs from history', () => {
  it('balances four legs from history alone: legs within 25% of their mean', () => {
    // Twelve workloads whose measuring costs span ~16×; the split sees only history's figures.
    const costs = [1.6, 0.1, 0.8, 0.2, 0.4, 1.2, 0.3, 0.6, 0.15, 0.9, 0.5, 0.25];
    const names = costs.map((_, i) => `w${i}`);
    const entry = entryAt(1, names.map((name, i) => ({ ...point(name, costs[i]! / 6), serialSeconds: costs[i]! / 6, rounds: 3, arms: [{ model: 'serial' as const, workers: 1, median: costs[i]! / 6, cv: 0, n: 3 }, { model: 'processes' as const, workers: 4, median: costs[i]! / 6, cv: 0, n: 3 }] })));
    const fromHistory = shardCostsFromHistory([entry]);
    expect(fromHistory).not.toBeNull();
    const split = shardOf(costsFromResults(fromHistory!, names), 4, { step: Math.SQRT2 });
    const legs = [0, 0, 0, 0];
    names.forEach((name, i) => (legs[split.get(name)!]! += costs[i]!));
    const mean = legs.reduce((a, b) => a + b) / 4;
    for (const leg of legs) expect(Math.abs(leg - mean) / mean).toBeLessThan(0.25);
  });
});

describe('measuring costs', () => {
  it('keeps what a workload\'s trials took: repetitions, pools\' second batches and a fixed cost per trial', () => {
    const rep = (wall: number, steady: number) => ({ wallSeconds: wall, steadySeconds: steady, startupSeconds: wall - steady, cpuSeconds: wall });
    const trial = (model: 'serial' | 'threads' | 'processes', reps: ReturnType<typeof rep>[]) =>
      ({ arm: { model, workers: model === 'serial' ? 1 : 2 }, outcome: { ok: true, repetitions: reps, wallSeconds: reps[0]!.wallSeconds } }) as never;
    // Serial: its repetitions. Threads: theirs (warm workers, no second batch). Processes: each
    // repetition's batch and its second, warm batch (the steady time).
    expect(trialSeconds(trial('serial', [rep(0.2, 0.2), rep(0.3, 0.3)]))).toBeCloseTo(0.5 + TRIAL_NOISE.overheadSeconds, 12);
    expect(trialSeconds(trial('threads', [rep(0.2, 0.15)]))).toBeCloseTo(0.2 + TRIAL_NOISE.overheadSeconds, 12);
    expect(trialSeconds(trial('processes', [rep(0.2, 0.15), rep(0.2, 0.15)]))).toBeCloseTo(0.7 + TRIAL_NOISE.overheadSeconds, 12);
    expect(trialSeconds({ arm: { model: 'serial', workers: 1 }, outcome: { ok: false } } as never)).toBe(TRIAL_NOISE.overheadSeconds);
  });

  it('prefers the measured seconds to the old proxy, and takes a workload\'s median over its newest entries', () => {
    const measured = (seconds: number | undefined) => ({ ...point('w', 0.1), ...(seconds === undefined ? {} : { measuringSeconds: seconds }) });
    // The proxy: rounds × the sum of the arms' medians (0.4 + 0.1) × 3.
    expect(measuringCost(measured(undefined))).toBeCloseTo(1.5, 12);
    expect(measuringCost(measured(12))).toBe(12);
    // Five entries 10, 50 (a run that went to the round cap), 12, 11, 9 and an older 1000: the
    // newest five's median, not the newest alone nor the outlier.
    const seconds = [1000, 9, 11, 12, 50, 10];
    const entries = seconds.map((s, i) => entryAt(i, [measured(s)]));
    expect(SHARD_COST_ENTRIES).toBe(5);
    expect(shardCostsFromHistory(entries)!.shard.measured['w']).toBe(11);
    expect(shardCostsFromHistory(entries.slice(-1))!.shard.measured['w']).toBe(10);
  });

  it('splits shared costs as they are: rounded to powers of two, 5.5, 3 and 2.9 all weigh 4', () => {
    // Rounded: a, b, c → 4 and d → 2, so c joins a (8.4 s against 5.7 s); as they are, c joins b
    // and d joins a (8.2 s against 5.9 s).
    const uneven = [{ name: 'a', cost: 5.5 }, { name: 'b', cost: 3 }, { name: 'c', cost: 2.9 }, { name: 'd', cost: 2.7 }];
    const load = (split: Map<string, number>) => [0, 1].map((leg) => uneven.filter((w) => split.get(w.name) === leg).reduce((sum, w) => sum + w.cost, 0));
    const rounded = load(shardOf(uneven, 2));
    const asTheyAre = load(shardOf(uneven, 2, { step: null }));
    expect(Math.max(...asTheyAre) - Math.min(...asTheyAre)).toBeLessThan(Math.max(...rounded) - Math.min(...rounded));
  });
});

describe('fail-on: creep', () => {
  const results = (kinds: string[]) => ({ workloads: [{ regressions: kinds.map((kind) => ({ kind, detail: '' })) }] }) as never;
  it('gates on creep only when asked, and on regressions as `regression` does', async () => {
    const { gateFails, parseFailOn } = await import('../src/core/gate.js');
    expect(parseFailOn('creep')).toBe('creep');
    expect(gateFails(results([]), 'regression', 2)).toBe(false);
    expect(gateFails(results([]), 'creep', 0)).toBe(false);
    expect(gateFails(results([]), 'creep', 1)).toBe(true);
    expect(gateFails(results(['slower']), 'creep', 0)).toBe(true);
    expect(gateFails(results([]), 'never', 3)).toBe(false);
  });
});
