#!/usr/bin/env python3
"""The right answer per workload, measured independently of gilgate (stdlib only, imports nothing from it).

For each workload, interleaved rounds; in each round every arm runs once, in random order, each in a
fresh interpreter (the configured python, resolved once to its real executable):

  serial@CPU       the batch in a loop, pinned to one CPU (every usable CPU in turn: runner vCPUs differ)
  threads-batch    ThreadPoolExecutor(2), created inside the timed region (what a per-batch pool pays)
  processes-batch  ProcessPoolExecutor(2), likewise
  threads-steady   ThreadPoolExecutor(2), started and warmed before timing (a long-lived pool)
  processes-steady ProcessPoolExecutor(2), likewise
  interpreters-batch, interpreters-steady
                   InterpreterPoolExecutor(2), likewise; only where the interpreter has it (3.14+,
                   found once per run by a child probe), otherwise these arms do not exist at all

Processes and interpreters get the function by reference (pickled, imported in the worker) and the
same chunksize (interpreter pools ignore it); a subinterpreter gets the child's sys.path through
its initializer. An arm that fails (unpicklable work, a module that cannot be imported in a
subinterpreter, a timeout) is recorded with its error line, and that model does not help.

Pools are not pinned. Each interpreter makes one untimed warm-up call first, as gilgate's trials do.
The serial reference is the mean over CPUs (the expected time of unpinned serial code). Speedups
are serial mean / arm median, with a bootstrap 95% interval over rounds (rounds resampled whole,
so the pairing within a round is kept).

The rule, per pool kind (batch, steady), as gilgate's (src/core/verdict.ts, decide): a model helps
when its speedup interval lies above HELPS. None helps: serial. One: that one. Several: the fastest,
unless a cheaper helping model is within the margin of it (their time ratio interval not beyond
+-10%): then the cheaper one; the cost order is threads < interpreters < processes. Precisely: the
first helping model, in cost order, that is faster beyond the margin than every cheaper helping
model and that no costlier helping model beats beyond the margin. When that is threads and
processes help too, within the margin of threads: either (threads preferred), interpreters or not,
as gilgate says. Where no model is that (ties that do not chain: threads ~ interpreters ~
processes, processes beyond threads; gilgate stays inconclusive), the words above decide and the
why says so. When an interval straddles HELPS and the answer depends on it: undecided (reported,
never guessed).

Each pool's truth keeps threadsVsProcesses; with interpreters it also has pairs: threadsVsProcesses,
threadsVsInterpreters, interpretersVsProcesses (gilgate's names), each the costlier model's time
over the cheaper one's (> 1: the cheaper is faster), null where either model failed.

  /usr/bin/python3 bench/truth.py bench/thirdparty/gilgate.yml [--rounds 10] [--workload NAME ...]
  python3 bench/truth.py --run workloads:json_roundtrip_small --tasks 8 --path bench/stdlib --suite adhoc
  python3 bench/truth.py --run ... --python python3.14     # --run measures python3 unless told

Writes bench/truth-<suite>.json (suite: the config's folder name, or --suite).
"""
import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

HELPS = 1.10
MARGIN = 0.10
WORKERS = 2
TRIAL_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}

# ---------------------------------------------------------------- the child: one measurement

CHILD = r'''
import concurrent.futures, functools, importlib, json, os, sys, time
spec = json.loads(sys.argv[1])
for entry in reversed(spec["paths"]):
    sys.path.insert(0, entry)
if spec["cpu"] is not None:
    os.sched_setaffinity(0, {spec["cpu"]})

def resolve(reference):
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)

fn = resolve(spec["run"])
tasks = spec["tasks"]
if isinstance(tasks, str):
    tasks = resolve(tasks)()
if isinstance(tasks, int):
    tasks = list(range(tasks))
tasks = list(tasks)
fn(tasks[0])  # untimed warm-up, as in gilgate's trials

arm = spec["arm"]
model, _, pool = arm.partition("-")
workers = spec["workers"]
if model == "interpreters":
    # The cause comes back wrapped (NotShareableError: args not shareable, from an Exception that
    # holds the subinterpreter's traceback): the last line of stderr, the error line, names it.
    def excepthook(kind, value, tb, print_exception=sys.excepthook):
        print_exception(kind, value, tb)
        chain, link = [], value
        while link is not None and all(link is not seen for seen in chain):
            chain.append(link)
            link = link.__cause__ or link.__context__
        root = chain[-1]
        text = "%s: %s" % (type(root).__name__, root)
        if type(root) is Exception:  # a traceback as text: its first exception line is the cause
            lines = [line for line in str(root).splitlines() if line[:1].strip() and ": " in line and not line.startswith(("Traceback ", "The above ", "During handling "))]
            text = lines[0] if lines else text
        if root is not value:
            print("%s (raised as %s: %s)" % (text, type(value).__name__, value), file=sys.stderr)
    sys.excepthook = excepthook
def make_pool():
    if model == "threads":
        return concurrent.futures.ThreadPoolExecutor(workers)
    if model == "interpreters":
        # A subinterpreter starts with the default sys.path: give it this one (exec ships by name).
        code = "import sys\nsys.path[:0] = [p for p in %r if p not in sys.path]\n" % (list(sys.path),)
        return concurrent.futures.InterpreterPoolExecutor(workers, initializer=exec, initargs=(code, {}))
    return concurrent.futures.ProcessPoolExecutor(workers)
# An interpreter pool would share a function that uses no globals by its code, without importing
# its module; wrapped, it is pickled by reference, as for processes (the module is imported there).
call = functools.partial(fn) if model == "interpreters" else fn
chunksize = max(1, round(len(tasks) / (4 * workers)))
def run_on(executor):
    if model == "threads":
        return list(executor.map(call, tasks))
    return list(executor.map(call, tasks, chunksize=chunksize))  # interpreter pools ignore chunksize

if model == "serial":
    cpu0, t0 = time.process_time(), time.perf_counter()
    results = [fn(task) for task in tasks]
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
elif pool == "batch":
    times0, t0 = os.times(), time.perf_counter()
    with make_pool() as executor:
        results = run_on(executor)
    wall = time.perf_counter() - t0
    times1 = os.times()
    cpu = sum(times1[:4]) - sum(times0[:4])
else:
    executor = make_pool()
    # Every worker started (sleeps overlap, so each worker takes one) and has run the workload once.
    list(executor.map(time.sleep, [0.05] * (2 * workers)))
    list(executor.map(call, tasks[: 2 * workers]))
    cpu0, t0 = time.process_time(), time.perf_counter()
    results = run_on(executor)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    executor.shutdown()
    # CPU of processes' workers is not counted here (unreaped until shutdown): only threads' (and
    # interpreters', threads of this process) is meaningful.
with open(spec["out"], "w") as out:
    json.dump({"wall": wall, "cpu": cpu, "tasks": len(tasks)}, out)
'''

# ---------------------------------------------------------------- config


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d*", text):
        return float(text)
    return text


def _strip_comment(line):
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _split_flow(text):
    """Split 'a, "b, c", d' at top-level commas."""
    parts, depth, quote, current = [], 0, None, ""
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current)
    return parts


def _value(text):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_value(part) for part in _split_flow(text[1:-1])]
    if text.startswith("{") and text.endswith("}"):
        mapping = {}
        for part in _split_flow(text[1:-1]):
            key, _, value = part.partition(":")
            mapping[key.strip()] = _value(value)
        return mapping
    return _scalar(text)


def read_config(path):
    """The subset of gilgate.yml this needs: python, paths, workloads (flow or block mappings)."""
    config = {"python": "python3", "paths": ["."], "workloads": []}
    in_workloads = False
    current = None
    with open(path) as handle:
        for raw in handle:
            line = _strip_comment(raw).rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                key, _, value = line.partition(":")
                in_workloads = key.strip() == "workloads"
                if not in_workloads and value.strip():
                    config[key.strip()] = _value(value)
                continue
            if not in_workloads:
                continue
            body = line.strip()
            if body.startswith("- "):
                body = body[2:].strip()
                current = {}
                config["workloads"].append(current)
                if body.startswith("{"):
                    current.update(_value(body))
                    continue
            key, _, value = body.partition(":")
            current[key.strip()] = _value(value)
    directory = os.path.dirname(os.path.abspath(path))
    config["paths"] = [os.path.normpath(os.path.join(directory, entry)) for entry in config["paths"]]
    return config


# ---------------------------------------------------------------- measuring


def real_executable(command):
    """The interpreter behind a command (a pyenv shim costs ~100 ms a start and can change under us)."""
    out = subprocess.run([command, "-c", "import sys; print(sys.executable)"], check=True, capture_output=True, text=True)
    return out.stdout.strip()


PROBE_INTERPRETERS = "import concurrent.futures as f; print(hasattr(f, 'InterpreterPoolExecutor'))"


def has_interpreter_pool(python):
    """Whether the interpreter has concurrent.futures.InterpreterPoolExecutor (3.14+)."""
    out = subprocess.run([python, "-c", PROBE_INTERPRETERS], env=dict(os.environ, **TRIAL_ENVIRONMENT), capture_output=True, text=True)
    return out.returncode == 0 and out.stdout.strip() == "True"


def measure(python, workload, paths, arm, cpu, timeout):
    handle, out = tempfile.mkstemp(suffix=".json", prefix="truth-")
    os.close(handle)
    spec = {"run": workload["run"], "tasks": workload["tasks"], "paths": paths, "arm": arm, "cpu": cpu, "workers": WORKERS, "out": out}
    environment = dict(os.environ, **TRIAL_ENVIRONMENT)
    try:
        done = subprocess.run([python, "-c", CHILD, json.dumps(spec)], env=environment, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["exit %d" % done.returncode]
            return {"error": lines[-1]}
        with open(out) as handle:
            return json.load(handle)
    except subprocess.TimeoutExpired:
        return {"error": "timeout after %.0f s" % timeout}
    finally:
        os.unlink(out)


def models_of(interpreters):
    """The parallel models measured, in arm order (interpreters last: without them, arms as before)."""
    return ["threads", "processes", "interpreters"] if interpreters else ["threads", "processes"]


def arms_of(cpus, models=("threads", "processes")):
    return ["serial@%d" % cpu for cpu in cpus] + ["%s-%s" % (model, pool) for pool in ("batch", "steady") for model in models]


# ---------------------------------------------------------------- statistics


def percentile(sorted_values, q):
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def serial_mean(rounds, cpus):
    """Mean over CPUs of each CPU's median serial time."""
    return statistics.fmean(statistics.median(r["serial@%d" % cpu] for r in rounds) for cpu in cpus)


def summarize(rounds, cpus, arm, versus, generator, resamples):
    """Estimate and bootstrap 95% interval of a time ratio computed from medians over rounds."""

    def ratio(sample):
        return versus(sample) / statistics.median(r[arm] for r in sample)

    boots = sorted(ratio([generator.choice(rounds) for _ in rounds]) for _ in range(resamples))
    return {"x": ratio(rounds), "lower": percentile(boots, 0.025), "upper": percentile(boots, 0.975)}


def helps(estimate):
    if estimate is None:  # the model could not run this workload
        return "no"
    if estimate["lower"] > HELPS:
        return "yes"
    if estimate["upper"] <= HELPS:
        return "no"
    return "straddles"


COST_ORDER = ("threads", "interpreters", "processes")
# The pairs of models, cheaper first (gilgate's comparison names): x is the costlier model's time over
# the cheaper one's, > 1 when the cheaper model is faster.
PAIRS = {"threadsVsProcesses": ("threads", "processes"), "threadsVsInterpreters": ("threads", "interpreters"), "interpretersVsProcesses": ("interpreters", "processes")}


def pair_key(a, b):
    cheap, dear = sorted((a, b), key=COST_ORDER.index)
    return "%sVs%s" % (cheap, dear[0].upper() + dear[1:])


def beyond(ratio):
    """'cheaper' or 'dearer' when that model of a pair is faster beyond the margin, else 'tie'."""
    if ratio is None:  # not measured (a model did not run): no evidence either way
        return "tie"
    if ratio["lower"] > 1 + MARGIN:
        return "cheaper"
    if ratio["upper"] < 1 / (1 + MARGIN):
        return "dearer"
    return "tie"


def answer(helping, pairs, speedups=None, notes=None):
    """The rule for one combination of decided 'helps' (model -> boolean, the models measured).

    pairs: pair_key -> time ratio estimate (dearer's time / cheaper's) or None. speedups (model ->
    estimate) only serve when the ties do not chain (see below), which is then noted in notes."""
    helpers = [m for m in COST_ORDER if helping.get(m)]
    if not helpers:
        return "serial"
    if len(helpers) == 1:
        return helpers[0]

    def outcome(cheap, dear):
        return beyond(pairs.get(pair_key(cheap, dear)))

    for rank, model in enumerate(helpers):
        cheaper, dearer = helpers[:rank], helpers[rank + 1 :]
        if all(outcome(c, model) == "dearer" for c in cheaper) and all(outcome(model, d) != "dearer" for d in dearer):
            if model == "threads" and "processes" in helpers and outcome("threads", "processes") == "tie":
                return "either"
            return model
    # No model wins: the ties do not chain (e.g. threads ~ interpreters ~ processes, but processes
    # beyond threads), where gilgate stays inconclusive. The rule in words: the fastest, unless a
    # cheaper helping model is within the margin of it; then the cheapest such.
    speedups = speedups or {}
    fastest = max(helpers, key=lambda m: speedups[m]["x"] if speedups.get(m) else 0.0)
    chosen = next(c for c in helpers if c == fastest or outcome(c, fastest) == "tie")
    if notes is not None:
        notes.append("ties do not chain (gilgate: inconclusive): %s, the cheapest within the margin of the fastest, %s" % (chosen, fastest))
    return chosen


ACCEPTED = {"error": ["error"], "serial": ["serial"], "threads": ["threads"], "processes": ["processes"], "interpreters": ["interpreters"], "either": ["either", "threads"], "undecided": []}


def truth_for(speedups, pairs, pool, models=("threads", "processes")):
    """pairs: pair_key -> ratio estimate or None (threadsVsProcesses at least)."""
    states = {m: helps(speedups[m + "-" + pool]) for m in models}
    options = [[True, False] if states[m] == "straddles" else [states[m] == "yes"] for m in models]
    pool_speedups = {m: speedups[m + "-" + pool] for m in models}
    combinations = [[]]
    for choices in options:
        combinations = [done + [choice] for done in combinations for choice in choices]
    notes = []
    answers = sorted({answer(dict(zip(models, combination)), pairs, pool_speedups, notes) for combination in combinations})
    verdict = answers[0] if len(answers) == 1 else "undecided"
    # Undecided between answers that share an acceptable verdict (either/threads): that verdict is
    # right whichever way the straddling interval falls, so it can still be scored.
    accepted = [v for v in ACCEPTED[answers[0]] if all(v in ACCEPTED[other] for other in answers)]
    shown = [m for m in ("threads", "interpreters", "processes") if m in models]
    why = "%s (helps: interval above x%.2f)" % (", ".join("%s %s" % (m, states[m]) for m in shown), HELPS)
    if verdict == "undecided":
        why += "; could be %s" % " or ".join(answers)
    for note in sorted(set(notes)):
        why += "; " + note
    return {"answer": verdict, "accepted": accepted, "why": why}


def analyze(workload, rounds, cpus, generator, resamples, failures, models=("threads", "processes")):
    arms = arms_of(cpus, models)
    interpreters = "interpreters" in models  # only then the pairs beside threadsVsProcesses
    ran = [arm for arm in arms if arm not in failures]
    medians = {arm: statistics.median(r[arm] for r in rounds) if arm in ran else None for arm in arms}
    common = {"name": workload["name"], "run": workload["run"], "tasks": workload["tasks"], "rounds": len(rounds), "failures": failures}
    if any(arm.startswith("serial@") for arm in failures):
        error = {"answer": "error", "accepted": ["error"], "why": "serial failed: %s" % "; ".join(failures.values()), "threadsVsProcesses": None}
        if interpreters:
            error["pairs"] = None
        return dict(common, medianSeconds=medians, serialMeanSeconds=None, speedup={}, threadsCpuPerWall={}, truth={"perBatch": error, "steady": error}, values=rounds)
    serial = serial_mean(rounds, cpus)
    speedups = {}
    for arm in arms[len(cpus):]:
        speedups[arm] = summarize(rounds, cpus, arm, lambda sample: serial_mean(sample, cpus), generator, resamples) if arm in ran else None
    pools = {}
    for pool in ("batch", "steady"):
        pairs = {}
        # threadsVsProcesses first: without interpreters, the bootstrap draws are as they always were.
        for key, (cheap, dear) in PAIRS.items():
            if cheap not in models or dear not in models:
                continue
            a, b = cheap + "-" + pool, dear + "-" + pool
            both = a in ran and b in ran
            pairs[key] = summarize(rounds, cpus, a, lambda sample, b=b: statistics.median(r[b] for r in sample), generator, resamples) if both else None
        pools[pool] = dict(truth_for(speedups, pairs, pool, models), threadsVsProcesses=pairs["threadsVsProcesses"])
        if interpreters:
            pools[pool]["pairs"] = pairs
    cpu_per_wall = {arm: statistics.median(r["cpu:" + arm] / r[arm] for r in rounds) for arm in ("threads-batch", "threads-steady") if arm in ran}
    return {
        "failures": failures,
        "name": workload["name"],
        "run": workload["run"],
        "tasks": workload["tasks"],
        "rounds": len(rounds),
        "medianSeconds": medians,
        "serialMeanSeconds": serial,
        "speedup": speedups,
        "threadsCpuPerWall": cpu_per_wall,
        "truth": {"perBatch": pools["batch"], "steady": pools["steady"]},
        "values": rounds,
    }


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", nargs="?", help="a gilgate.yml")
    parser.add_argument("--run", help="module:function (instead of a config)")
    parser.add_argument("--tasks", default="8", help="with --run: an int or module:function")
    parser.add_argument("--path", action="append", default=[], help="with --run: added to sys.path")
    parser.add_argument("--workload", action="append", default=[], help="only these workloads (repeatable)")
    parser.add_argument("--python", help="interpreter command (default: the config's, else python3)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resamples", type=int, default=4000)
    parser.add_argument("--suite", help="name in the output file (default: the config's folder)")
    parser.add_argument("--out", help="output JSON (default: bench/truth-<suite>.json)")
    arguments = parser.parse_args()

    if arguments.run:
        tasks = int(arguments.tasks) if re.fullmatch(r"\d+", arguments.tasks) else arguments.tasks
        config = {"python": "python3", "paths": [os.path.abspath(p) for p in arguments.path] or [os.getcwd()], "workloads": [{"name": arguments.run, "run": arguments.run, "tasks": tasks}]}
        suite = arguments.suite or "adhoc"
    elif arguments.config:
        config = read_config(arguments.config)
        suite = arguments.suite or os.path.basename(os.path.dirname(os.path.abspath(arguments.config)))
    else:
        parser.error("give a config or --run")
    workloads = [w for w in config["workloads"] if not arguments.workload or w["name"] in arguments.workload]
    if not workloads:
        parser.error("no workload matches %s" % arguments.workload)
    python = real_executable(arguments.python or str(config["python"]))
    models = models_of(has_interpreter_pool(python))
    cpus = sorted(os.sched_getaffinity(0))
    generator = random.Random(arguments.seed)
    out = arguments.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "truth-%s.json" % suite)
    print("python %s, CPUs %s, %d rounds, %d workloads%s" % (python, cpus, arguments.rounds, len(workloads), ", with interpreters" if "interpreters" in models else ""), file=sys.stderr)

    values = {w["name"]: [] for w in workloads}
    # A failed arm (unpicklable code under processes, a module that a subinterpreter cannot import, a
    # timeout) is an answer, not retried: the model cannot run this workload, so it does not help.
    failures = {w["name"]: {} for w in workloads}
    started = time.time()
    for round_index in range(arguments.rounds):
        order = list(workloads)
        generator.shuffle(order)
        for workload in order:  # a workload's arms together, so they share the machine's momentary state
            arms = arms_of(cpus, models)
            generator.shuffle(arms)
            record = {}
            for arm in arms:
                failed = failures[workload["name"]]
                if arm in failed:
                    record[arm] = record["cpu:" + arm] = None
                    continue
                cpu = int(arm.split("@")[1]) if arm.startswith("serial@") else None
                outcome = measure(python, workload, config["paths"], arm.split("@")[0], cpu, float(workload.get("timeout", 300)))
                if "error" in outcome:
                    failed[arm] = outcome["error"]
                    print("%s %s failed: %s" % (workload["name"], arm, outcome["error"]), file=sys.stderr)
                    record[arm] = record["cpu:" + arm] = None
                    continue
                record[arm] = outcome["wall"]
                record["cpu:" + arm] = outcome["cpu"]
            values[workload["name"]].append(record)
        print("round %d/%d done, %.0f s" % (round_index + 1, arguments.rounds, time.time() - started), file=sys.stderr)

    results = [analyze(w, values[w["name"]], cpus, generator, arguments.resamples, failures[w["name"]], models) for w in workloads]
    document = {
        "suite": suite,
        "config": arguments.config,
        "python": python,
        "cpus": cpus,
        "workers": WORKERS,
        "rounds": arguments.rounds,
        "helps": HELPS,
        "margin": MARGIN,
        "seed": arguments.seed,
        "generatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workloads": results,
    }
    with open(out, "w") as handle:
        json.dump(document, handle, indent=1)
    print_table(results, cpus)
    print("\nwritten: %s" % out)


def print_table(results, cpus):
    ms = lambda seconds: "%.0f" % (seconds * 1000)
    x = lambda e: "%.2f [%.2f-%.2f]" % (e["x"], e["lower"], e["upper"])
    for r in results:
        m = r["medianSeconds"]
        print("\n%s (%d rounds)" % (r["name"], r["rounds"]))
        print("  median ms: " + ", ".join("%s %s" % (arm, ms(m[arm]) if m[arm] is not None else "failed") for arm in m) + ("; serial mean %s" % ms(r["serialMeanSeconds"]) if r["serialMeanSeconds"] else ""))
        width = max([17] + [len(arm) for arm in m])
        for arm, message in r["failures"].items():
            print("  %-*s failed: %s" % (width, arm, message))
        for arm, estimate in r["speedup"].items():
            if estimate is None:
                continue
            extra = " cpu/wall %.2f" % r["threadsCpuPerWall"][arm] if arm in r["threadsCpuPerWall"] else ""
            print("  %-*s x%s%s" % (width, arm, x(estimate), extra))
        for pool, key in (("per-batch", "perBatch"), ("steady", "steady")):
            t = r["truth"][key]
            if t.get("pairs"):
                ratio = "".join("; %s/%s time x%s" % (PAIRS[key][1], PAIRS[key][0], x(e)) for key, e in t["pairs"].items() if e)
            else:
                ratio = "; processes/threads time x%s" % x(t["threadsVsProcesses"]) if t["threadsVsProcesses"] else ""
            print("  truth %-9s %-10s accepts %s: %s%s" % (pool, t["answer"], "|".join(t["accepted"]) or "nothing", t["why"], ratio))


if __name__ == "__main__":
    main()
