// Every sentence a verdict or a change is told in, written from the facts core/ returns (which rule
// fired, with the figures). Pure. The engine passes explainSide to judge and explainChange to
// compareSides, so the words live here and the decisions in core/.
import type { ChangeFact, Comparison, ModelFacts, NotComparedFact, PairFacts, ParallelModel, SideFacts, SideWords, WarningFact, WorkloadCharacter } from '../core/types.js';
import { PARALLEL_MODELS } from '../core/types.js';
import type { Words } from '../core/experiment.js';
import { threadsRunInParallel } from '../core/verdict.js';
import { formatSeconds, interpreterName, percentOfCapacity } from './format.js';

/** Two decimals below 10, one above: ×1.53, ×12.4. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  // An interval on two or three rounds can reach astronomic bounds: past ×1000 the number says
  // nothing a reader can use, and 8.7e+80 printed in full reads as a bug.
  if (x > 1000) return '>1000';
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

const CHARACTER_PHRASE: Record<WorkloadCharacter, string> = {
  'cpu-bound-gil': 'CPU-bound and holds the GIL',
  'gil-releasing': 'CPU-bound in code that releases the GIL',
  'io-wait': 'mostly waiting (I/O or sleep)',
  'overhead-bound': 'tasks too small for a pool to pay off',
  'memory-heavy': 'CPU-bound, holds the GIL, and memory-heavy under processes',
  unknown: 'mixed character',
};

/** Without a GIL the character is not about the GIL: say what the threads did. */
const FREE_THREADED_PHRASE: Partial<Record<WorkloadCharacter, string>> = {
  'cpu-bound-gil': 'CPU-bound, and threads do not scale',
  'gil-releasing': 'CPU-bound, and threads run in parallel',
  'memory-heavy': 'CPU-bound, threads do not scale, and memory-heavy under processes',
};

/** Threads can run Python code in parallel: a free-threaded build whose GIL no import re-enabled. */
function freeThreaded(f: SideFacts): boolean {
  return f.build?.freeThreadedBuild === true && f.build.gilEnabled === false && !f.warnings.some((w) => w.kind === 'gil-reenabled');
}

/** Why each model is cheaper than the next: said when the cheaper one is preferred. */
const CHEAPER_BECAUSE: Record<ParallelModel, string> = {
  threads: 'less memory, no pickling',
  interpreters: 'no second process',
  processes: '',
};

/** The reason and the warnings of one side. */
export function explainSide(facts: SideFacts): SideWords {
  return { reason: explainReason(facts), warnings: facts.warnings.map((w) => explainWarning(w, facts)) };
}

export function explainReason(f: SideFacts): string {
  if (f.error) return `failed (${f.error.kind}): ${f.error.message}.`;
  const parts: string[] = [];
  // A model no workload can run here (interpreters before 3.14) is said once by the report, not per workload.
  const models = PARALLEL_MODELS.filter((m) => f.models[m] || (f.unavailable[m] && !f.everywhere[m]));
  const speed = models.map((m) => {
    const facts = f.models[m];
    return facts ? `${m} ×${fmt(facts.speedup)} at ${facts.workers} workers` : `${m} unavailable`;
  });
  const character = (freeThreaded(f) ? FREE_THREADED_PHRASE[f.character] : undefined) ?? CHARACTER_PHRASE[f.character];
  parts.push(`${character}: ${speed.join(', ')}`);
  const threads = f.models.threads;
  if (f.serial && threads) {
    const ratio = threads.cpuPerWall;
    const meaning =
      f.character === 'io-wait'
        ? 'the code waits more than it computes'
        : !threadsRunInParallel(ratio)
          ? freeThreaded(f)
            ? 'even on this free-threaded build the threads do not run in parallel'
            : reenabledBy(f) !== undefined
              ? `the GIL, re-enabled by importing ${reenabledBy(f) ?? 'the workload'}, serializes this code`
              : 'the GIL serializes this code'
          : freeThreaded(f)
            ? 'on this free-threaded build threads run Python code in parallel'
            : 'threads run in parallel, so the code releases the GIL';
    // The CPU bound (verdict.ts, runOneAtATime) ruled threads out: say so, since their timing may
    // have looked faster (a faster CPU) or undecided.
    const bound = !threads.oneAtATime
      ? ''
      : threads.vsSerial.outcome === 'a-faster'
        ? ', so threads cannot beat serial: their faster time was a faster CPU'
        : ', so threads cannot beat serial';
    parts.push(`CPU/wall ${fmt(f.serial.cpuPerWall)} serial, ${fmt(ratio)} under ${threads.workers} threads: ${meaning}${bound}`);
  }
  const capacity = capacityClause(f);
  if (capacity) parts.push(capacity);
  const percent = Math.round(f.margin * 100);
  switch (f.rule) {
    case 'at-least-as-fast':
    case 'threads-at-least-as-fast-at-cap': {
      const p = f.deciding!;
      parts.push(
        `${p.a} are at least as fast as ${p.b} (${ratioText(p.comparison)}: ${p.b} cannot be more than ${percent}% faster): use ${p.a}${because(p.a as ParallelModel)}`,
      );
      break;
    }
    case 'either':
      parts.push(`threads and processes are within ±${percent}% of each other (${ratioText(f.deciding?.comparison ?? null)}): prefer threads — less memory, no pickling`);
      break;
    case 'within-margin-prefer-cheaper': {
      const p = f.deciding!;
      parts.push(`${p.b} are within ±${percent}% of ${p.a} (${ratioText(p.comparison)}): prefer ${p.a}${because(p.a as ParallelModel)}`);
      break;
    }
    case 'no-model-helps':
      parts.push(`no parallel model beats serial by more than ${percent}%`);
      break;
    case 'undecided':
      parts.push(`${f.final ? 'undecided' : 'not yet decided'} after ${roundsText(f.rounds)}${f.open ? `: ${openText(f.open)}` : ''}`);
      break;
    default:
      break;
  }
  const lifetime = lifetimeClause(f);
  if (lifetime) parts.push(lifetime);
  // Racing took these models out (their arms stop running where raced under both pool lifetimes): say where.
  for (const m of PARALLEL_MODELS) {
    const raced = f.models[m]?.raced;
    if (raced) parts.push(`${m} out of the race at round ${raced.round}: slower than ${raced.by} by more than ${percent}%`);
  }
  for (const m of PARALLEL_MODELS) if (f.unavailable[m] && !f.everywhere[m]) parts.push(`${m} cannot run: ${f.unavailable[m]}`);
  return `${parts.join('; ')}.`;
}

/** The module that re-enabled the GIL (null: unknown), or undefined when none did. */
function reenabledBy(f: SideFacts): string | null | undefined {
  const w = f.warnings.find((x) => x.kind === 'gil-reenabled');
  return w && w.kind === 'gil-reenabled' ? w.module : undefined;
}

function because(model: ParallelModel): string {
  return CHEAPER_BECAUSE[model] ? ` — ${CHEAPER_BECAUSE[model]}` : '';
}

/** "this runner delivers ×1.56 with 2 workers: processes reach 96% of it", for the recommended (or best) model. */
function capacityClause(f: SideFacts): string | null {
  const model = (PARALLEL_MODELS as readonly string[]).includes(f.recommendation)
    ? (f.recommendation as ParallelModel)
    : f.recommendation === 'either'
      ? 'threads'
      : bestModel(f);
  const facts = model ? f.models[model] : undefined;
  if (!facts || facts.capacity === null || facts.capacityShare === null) return null;
  // Capacity is what N busy CPUs give: code that waits is not bounded by it (not a word of it), and
  // a model that does not beat serial has no share of it worth saying.
  if (f.character === 'io-wait') return null;
  if (facts.speedup <= 1) return `this runner delivers ×${fmt(facts.capacity)} with ${facts.workers} busy workers`;
  const percent = percentOfCapacity(facts.speedup, facts.capacity);
  if (percent === null) {
    return `this runner's machine probe read ×${fmt(facts.capacity)} with ${facts.workers} workers, less than the ×${fmt(facts.speedup)} ${facts.model} reached here: the probe was disturbed, so no share of it is given`;
  }
  return `this runner delivers ×${fmt(facts.capacity)} with ${facts.workers} workers: ${facts.model} reach ${percent}% of it`;
}

function bestModel(f: SideFacts): ParallelModel | null {
  const present = PARALLEL_MODELS.filter((m) => f.models[m]);
  if (present.length === 0) return null;
  return present.reduce((a, b) => (f.models[b]!.speedup > f.models[a]!.speedup ? b : a));
}

/**
 * When the other pool lifetime would change the advice, say what it would be and at which batch
 * size a per-batch pool starts to pay: "serial for this 57 ms batch; processes scale ×1.6 once
 * started and pay off above about 150 ms of work per pool".
 */
function lifetimeClause(f: SideFacts): string | null {
  if (!f.serial) return null;
  const batch = formatSeconds(f.serial.seconds);
  if (!f.otherLifetime) return unsettledLifetimeClause(f, batch);
  const other = f.otherLifetime.recommendation;
  const model: ParallelModel | null = (PARALLEL_MODELS as readonly string[]).includes(other)
    ? (other as ParallelModel)
    : other === 'either'
      ? 'threads'
      : f.pool === 'long-lived' && (PARALLEL_MODELS as readonly string[]).includes(f.recommendation)
        ? (f.recommendation as ParallelModel)
        : null;
  if (f.pool === 'per-batch' && model && f.models[model]) {
    const m = f.models[model]!;
    return `${f.recommendation} for this ${batch} batch; ${model} scale ×${fmt(m.steadySpeedup)} once started and ${perBatchPayoff(m)}`;
  }
  if (f.pool === 'long-lived' && model && f.models[model]) {
    const m = f.models[model]!;
    const payoff = m.breakEven === null ? 'a pool created per batch never pays off' : `a pool created per batch pays off only above about ${roundSeconds(m.breakEven)} of work`;
    return `with a long-lived pool ${f.recommendation}; ${payoff} (this batch: ${batch}, start-up ${formatSeconds(m.startupSeconds)}), so per batch: ${other}`;
  }
  return `with a ${f.otherLifetime.pool} pool the advice would be ${other}`;
}

/**
 * Serial per batch while the long-lived answer is still open (two models that scale alike once
 * started, not yet told apart): the start-up is still worth saying, with the best scaling model's
 * point figures and no claim of a long-lived verdict.
 */
function unsettledLifetimeClause(f: SideFacts, batch: string): string | null {
  if (!f.otherLifetimeOpen || f.pool !== 'per-batch' || f.recommendation !== 'serial') return null;
  const scaling = PARALLEL_MODELS.map((m) => f.models[m])
    .filter((m): m is ModelFacts => m !== undefined && m.breakEven !== null && m.steadySpeedup > 1 + f.margin)
    .sort((a, b) => b.steadySpeedup - a.steadySpeedup);
  const best = scaling[0];
  if (!best) return null;
  const others = scaling.slice(1).map((m) => `${m.model} ×${fmt(m.steadySpeedup)}`);
  const unsettled = others.length ? ` (${others.join(', ')}; which is best for a long-lived pool is not settled)` : '';
  return `serial for this ${batch} batch; once started ${best.model} scale ×${fmt(best.steadySpeedup)}${unsettled} and ${perBatchPayoff(best)}`;
}

/** When a pool created per batch pays off, from the break-even. */
function perBatchPayoff(m: ModelFacts): string {
  if (m.breakEven === null) return 'never pay off per batch';
  return m.breakEven === 0 ? 'pay off at any batch size' : `pay off above about ${roundSeconds(m.breakEven)} of work per pool`;
}

/** Two significant digits: a break-even is an order of magnitude, not a measurement. */
function roundSeconds(seconds: number): string {
  return formatSeconds(Number(seconds.toPrecision(2)));
}

function openText(p: PairFacts): string {
  return `${p.a} vs ${p.b} time ratio ${ratioText(p.comparison)} is not clearly inside or outside the margin`;
}

export function ratioText(c: Comparison | null): string {
  if (!c) return 'n/a';
  const e = c.estimate;
  const hi = Number.isFinite(e.upper) ? fmt(e.upper) : '∞';
  return `×${fmt(e.ratio)}, CI ${fmt(e.lower)}–${hi}`;
}

export function explainWarning(w: WarningFact, f: Pick<SideFacts, 'build'> | null = null): string {
  switch (w.kind) {
    case 'gil-reenabled':
      return `${w.module ? `importing ${w.module}` : 'importing the workload'} re-enabled the GIL${f?.build?.freeThreadedBuild ? ' on this free-threaded build' : ''}: threads are serialized again`;
    case 'spawn':
      return `works only with the fork start method: under spawn (the default on macOS and Windows) it fails: ${w.problem}`;
    case 'nondeterministic':
      return `results differ between serial runs (${w.distinct} distinct): the workload is not deterministic, so gilgate cannot check the parallel models for races`;
    case 'race':
      return w.model === 'threads'
        ? `race hint: threads returned different results than serial in ${w.differing} of ${w.trials} trials — the code is probably not thread-safe`
        : `${w.model} returned different results than serial in ${w.differing} of ${w.trials} trials — the code probably depends on shared state that ${w.model} do not share`;
  }
}

function signed(x: number): string {
  const p = Math.round(x * 100);
  return `${p >= 0 ? '+' : ''}${p}%`;
}

/** One regression's or improvement's detail. */
export function explainChange(fact: ChangeFact): string {
  switch (fact.kind) {
    case 'failing':
      return `ran in base, fails in head: ${fact.message}`;
    case 'fixed':
      return `failed in base (${fact.message}), runs in head`;
    case 'not-compared':
      return explainNotCompared(fact);
    case 'time': {
      const e = fact.estimate;
      return `${signed(e.ratio - 1)} (CI ${signed(e.lower - 1)}…${signed(e.upper - 1)}) with ${fact.arm}`;
    }
    case 'memory':
      return fact.direction === 'more'
        ? `peak memory ${signed(fact.estimate.ratio - 1)} with ${fact.arm} (threshold ${Math.round(fact.threshold * 100)}%)`
        : `peak memory ${signed(fact.estimate.ratio - 1)} with ${fact.arm}`;
    case 'flip':
      // Only the interpreter changed under the same code: the flip is the interpreter's doing, say so.
      if (fact.interpreter) {
        return `${fact.before} → ${fact.after}: the interpreter changed: ${interpreterName(fact.interpreter.before)} → ${interpreterName(fact.interpreter.after)}`;
      }
      return `${fact.before} → ${fact.after}: ${flipMeaning(fact.before, fact.after)}`;
    case 'scaling':
      return `speedup with ${fact.arm} ${fact.direction} ${signed(fact.estimate.ratio - 1)} (×${fmt(fact.baseSpeedup)} → ×${fmt(fact.headSpeedup)})`;
  }
}

function flipMeaning(before: string, after: string): string {
  if (before === 'threads' && after === 'processes') return 'the PR made this code hold the GIL';
  if (before === 'processes' && after === 'threads') return 'the code now releases the GIL (or waits)';
  if (after === 'serial') return 'parallelism no longer pays off';
  if (before === 'serial') return 'parallelism now pays off';
  return 'the best concurrency model changed';
}


/** Every sentence of a run, as the engine's finish and rejudge take them (src/core/experiment.ts). */
export const WORDS: Words = { side: explainSide, change: explainChange };

function roundsText(rounds: number): string {
  return `${rounds} round${rounds === 1 ? '' : 's'}`;
}

/** Why head and base were not compared, where each side's code came from, and the fix. */
export function explainNotCompared(fact: NotComparedFact): string {
  const module = fact.module === null ? 'the workload\'s code' : `\`${fact.module}\``;
  const headWhere = fact.headFile === null ? '' : `; head's is ${fact.headFile}`;
  const install = 'give `install:` a command that installs the project into each side\'s own environment (e.g. `pip install --no-deps --no-build-isolation -e .`)';
  const paths = 'or put its source directory in `paths:` (e.g. `paths: [src]`), so that each side imports it from its own tree';
  switch (fact.reason) {
    case 'head-tree':
      return `base imported ${module} from head's working tree (${fact.baseFile}), so head was compared with itself: an editable install points every side at head's tree. Fix: ${install}, ${paths}`;
    case 'head-venv':
      return `base imported ${module} from head's environment (${fact.baseFile}), so head was compared with itself. Fix: run the \`install:\` command in the side's own tree (it runs in each side's tree; avoid absolute paths to head's)`;
    case 'same-files':
      return `both sides imported ${module} from the same files (${fact.baseFile}), an installed copy outside both trees, so neither side ran its own commit. Fix: ${install}, ${paths}`;
    case 'outside-tree':
      return `base imported ${module} from ${fact.baseFile}, outside its worktree and its own environment${headWhere}, so base did not run its own commit. Fix: ${install}, ${paths}`;
    case 'same-code':
      return `base's imported code is byte-identical to head's although git says ${fact.headFile} changed between the commits: base did not run its own commit. Fix: ${install}, ${paths}`;
    case 'base-import': {
      const found = `head found it at ${fact.headFile}`;
      const untracked = fact.untracked
        ? ', a file git does not track (ignored or untracked): the base worktree holds tracked files only, so generate it in `install:`'
        : `. Fix: ${install}, ${paths}`;
      return `base could not import ${module}, which head imports (${found}${untracked}); a base that cannot import what head imports is an environment problem, not a fix`;
    }
  }
}
