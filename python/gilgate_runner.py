#!/usr/bin/env python3
"""gilgate's Python runner: one call, one fresh interpreter, one JSON result file.

Usage: python gilgate_runner.py <environment|machine|probe|trial> <spec.json> <result.json>

Results never travel over stdout or stderr, because workload code may print anything there
(floods included). Lockstep trials (see Turns) take turns over a private fd 3 for the same reason. The result file is written under a temporary name and renamed, so a killed
interpreter leaves either a whole result or none; the TypeScript side reports "none" as a crash.

Stdlib only, Python >= 3.8, also under PyPy. Keep it one file: it is copied beside the bundle.
"""

import concurrent.futures
import contextlib
import functools
import hashlib
import importlib
import json
import math
import multiprocessing
import multiprocessing.reduction
import os
import platform
import re
import resource  # Unix only, and so is gilgate: it runs on Linux and macOS runners.
import sys
import sysconfig
import threading
import time
import traceback
import warnings


# ---------------------------------------------------------------- failures


class Failed(Exception):
    """A failure already classified into one of the FailureKind values of src/core/types.ts.

    Carrying the original exception (not a copy of its text) keeps its traceback and cause chain,
    which for process pools holds the worker's remote traceback.
    """

    def __init__(self, kind, exc, note=None):
        super().__init__(kind)
        self.kind = kind
        self.exc = exc
        self.note = note

    def as_result(self):
        message = str(self.exc)
        if self.note:
            message = "%s (%s)" % (message, self.note)
        return {
            "ok": False,
            "kind": self.kind,
            "type": type(self.exc).__name__,
            "message": message,
            "traceback": format_exception(self.exc),
            "stderrTail": "",  # the TypeScript side fills it from the interpreter's stderr
            # The module an import failed on (ModuleNotFoundError.name): gilgate tells a base that
            # cannot import what head imports (an environment problem) from a fix.
            "missingModule": missing_module(self.exc) if self.kind == "import" else None,
        }


def missing_module(exc):
    """The name of the module an ImportError (or one in its cause chain) could not find."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ImportError) and getattr(exc, "name", None):
            return exc.name
        exc = exc.__cause__ or exc.__context__
    return None


def format_exception(exc):
    """Traceback text with the cause chain (the 3-argument form works on every Python >= 3.8)."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def describe(exc):
    """One line for people, e.g. "TypeError: cannot pickle 'generator' object"."""
    return "%s: %s" % (type(exc).__name__, exc)


# A task's exception is tagged before it leaves a worker process, so the parent can tell it from
# a pickling error (which also arrives as TypeError/AttributeError with a remote traceback).
TASK_ERROR_TAG = "_gilgate_task_error"


def call_tagging_errors(fn, argument):
    """Run one task in a worker process or interpreter, tagging what it raises as the task's own.

    Module-level (and so picklable by reference) on purpose: it is what the pool ships.
    """
    try:
        return fn(argument)
    except BaseException as exc:
        try:
            setattr(exc, TASK_ERROR_TAG, True)
        except Exception:
            pass
        raise


# ---------------------------------------------------------------- loading the workload


def load_callable(reference, what):
    """Import "module:function" (the function part may be dotted, e.g. Class.method).

    Any exception while importing counts as kind 'import': a module that raises at import time
    is as unusable as one that is missing.
    """
    if not isinstance(reference, str) or reference.count(":") != 1:
        raise Failed("import", ValueError(
            "%s must look like 'module:function', got %r" % (what, reference)))
    module_name, _, attribute_path = reference.partition(":")
    if not module_name or not attribute_path:
        raise Failed("import", ValueError(
            "%s must look like 'module:function', got %r" % (what, reference)))
    try:
        target = importlib.import_module(module_name)
        for attribute in attribute_path.split("."):
            target = getattr(target, attribute)
    except BaseException as exc:
        raise Failed("import", exc, "%s %s" % (what, reference))
    if not callable(target):
        raise Failed("import", TypeError("%s %s is not callable" % (what, reference)))
    return target


def build_tasks(tasks_spec):
    """The task arguments as a list: a literal int N, or "module:function" returning an int N
    (meaning range(N)) or an iterable of arguments."""
    if isinstance(tasks_spec, bool):
        raise Failed("tasks", TypeError("tasks must be an int or 'module:function', got a bool"))
    if isinstance(tasks_spec, int):
        return list(range(tasks_spec))
    make_tasks = load_callable(tasks_spec, "tasks")
    try:
        produced = make_tasks()
    except BaseException as exc:
        raise Failed("tasks", exc, "raised by tasks function %s" % tasks_spec)
    if isinstance(produced, bool) or isinstance(produced, (str, bytes)):
        raise Failed("tasks", TypeError(
            "tasks function %s returned %s; expected an int or a list of task arguments"
            % (tasks_spec, type(produced).__name__)))
    if isinstance(produced, int):
        return list(range(produced))
    try:
        return list(produced)
    except TypeError as exc:
        raise Failed("tasks", TypeError(
            "tasks function %s returned %s, which is neither an int nor iterable"
            % (tasks_spec, type(produced).__name__)))
    except BaseException as exc:
        raise Failed("tasks", exc, "while iterating the tasks of %s" % tasks_spec)


def load_workload(spec):
    """Put the configured paths first on sys.path, then import the function and build the tasks."""
    global MODULES_BEFORE
    MODULES_BEFORE = set(sys.modules)
    for path in reversed(spec.get("paths") or []):
        sys.path.insert(0, path)
    fn = load_callable(spec.get("run"), "run")
    tasks = build_tasks(spec.get("tasks"))
    return fn, tasks


# ---------------------------------------------------------------- provenance

# The modules loaded before the workload was imported: what the workload imported is the rest.
MODULES_BEFORE = set()


def module_file(module):
    """Where a module was loaded from: its file, or a namespace package's first directory."""
    file = getattr(module, "__file__", None)
    if file:
        return os.path.abspath(file)
    path = getattr(module, "__path__", None)
    try:
        first = next(iter(path)) if path is not None else None
    except Exception:
        first = None
    return os.path.abspath(first) if first else None


def standard_library_dirs():
    paths = sysconfig.get_paths()
    return [os.path.abspath(paths[key]) for key in ("stdlib", "platstdlib") if paths.get(key)]


def under(file, directory):
    return file == directory or file.startswith(directory.rstrip(os.sep) + os.sep)


def tree_names(root):
    """Top-level module names a repository defines: its root's and its src/'s packages and modules."""
    names = set()
    for directory in (root, os.path.join(root, "src")):
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            full = os.path.join(directory, entry)
            if entry.endswith(".py") and os.path.isfile(full):
                names.add(entry[:-3])
            elif "." not in entry and os.path.isdir(full):
                names.add(entry)
            elif entry.endswith((".so", ".pyd")) and os.path.isfile(full):
                names.add(entry.split(".", 1)[0])
    return names


def provenance(spec, with_files):
    """Where the workload's code came from: the run/tasks modules' files, the repository's
    top-level packages it imported (named in the tree, or loaded from one of `roots`: the side's
    tree, and for base also head's) and a digest of those files' names and contents.

    The digest names modules, not paths, so that the same code imported from two places has the
    same digest: head's and base's differ exactly when the code they ran differs."""
    roots = [os.path.abspath(r) for r in (spec.get("roots") or [])]
    names = set()
    for root in roots[:1]:
        names |= tree_names(root)
    workload = []
    for reference in (spec.get("run"), spec.get("tasks")):
        if isinstance(reference, str) and ":" in reference:
            module_name = reference.partition(":")[0]
            names.add(module_name.split(".")[0])
            module = sys.modules.get(module_name)
            entry = {"module": module_name, "file": module_file(module) if module else None}
            if entry not in workload:
                workload.append(entry)
    stdlib = standard_library_dirs()
    own = os.path.abspath(__file__)
    repository = {}
    for name, module in list(sys.modules.items()):
        if name in MODULES_BEFORE or module is None:
            continue
        file = module_file(module)
        if file is None or file == own:
            continue
        top = name.split(".")[0]
        if any(under(file, d) for d in stdlib) and not ("site-packages" in file or "dist-packages" in file):
            continue
        if top in names or any(under(file, r) for r in roots):
            repository[name] = file
    others = {}
    for name, module in list(sys.modules.items()):
        top = name.split(".")[0]
        if name != top or name in MODULES_BEFORE or name in repository or module is None:
            continue
        file = module_file(module)
        if file is not None and file != own and not any(under(file, d) for d in stdlib):
            others[name] = file
    tops = {}
    for name, file in repository.items():
        top = name.split(".")[0]
        top_module = sys.modules.get(top)
        tops[top] = (module_file(top_module) if top_module is not None else None) or tops.get(top) or file
    digest = hashlib.sha256()
    for name in sorted(repository):
        digest.update(name.encode("utf-8", "replace") + b"\0")
        try:
            with open(repository[name], "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
        except OSError:
            digest.update(b"-")
    result = {
        "workload": workload,
        "packages": [{"name": top, "file": tops[top]} for top in sorted(tops)],
        "digest": digest.hexdigest(),
        "fileCount": len(repository),
    }
    if with_files:
        # Every imported module of the repository, and the other top-level packages (dependencies):
        # where head found a module that base could not import.
        result["modules"] = [{"name": name, "file": repository[name], "repository": True} for name in sorted(repository)] + [
            {"name": name, "file": others[name], "repository": False} for name in sorted(others)]
    return result


# ---------------------------------------------------------------- environment


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def own_cgroup_dirs():
    """Where this process's cgroup files may live: its own cgroup (v2 unified, or the v1 cpu
    controller), then the mount root, which is what a container usually sees."""
    v2, v1 = [], []
    for line in (read_text("/proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            v2.append("/sys/fs/cgroup" + path)
        elif "cpu" in controllers.split(","):
            for mount in ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"):
                v1.append(mount + path)
    v2.append("/sys/fs/cgroup")
    v1 += ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]
    return v2, v1


def cgroup_cpu_limit():
    """CPUs allowed by a CFS quota, rounded up, with its source; (None, None) without a quota.

    Containers (and some CI runners) see every host CPU in the affinity mask but may only use a
    quota of them; a pool sized by the mask would oversubscribe."""
    v2_dirs, v1_dirs = own_cgroup_dirs()
    for directory in v2_dirs:
        text = read_text(os.path.join(directory, "cpu.max"))
        if text is None:
            continue
        fields = text.split()
        if len(fields) == 2 and fields[0] != "max":
            quota, period = int(fields[0]), int(fields[1])
            if quota > 0 and period > 0:
                return int(math.ceil(quota / period)), "cgroup cpu.max"
        return None, None
    for directory in v1_dirs:
        quota = read_text(os.path.join(directory, "cpu.cfs_quota_us"))
        period = read_text(os.path.join(directory, "cpu.cfs_period_us"))
        if quota is None or period is None:
            continue
        quota, period = int(quota), int(period)
        if quota > 0 and period > 0:
            return int(math.ceil(quota / period)), "cgroup cpu.cfs_quota_us"
        return None, None
    return None, None


def usable_cores():
    """Usable CPUs: the affinity mask (else cpu_count), capped by a cgroup quota."""
    try:
        cores, source = len(os.sched_getaffinity(0)), "affinity"
    except (AttributeError, OSError):
        cores, source = os.cpu_count() or 1, "cpu_count"
    try:
        limit, limit_source = cgroup_cpu_limit()
    except (OSError, ValueError):
        limit, limit_source = None, None
    if limit is not None and limit < cores:
        cores, source = limit, limit_source
    return max(1, cores), source


def cpu_model():
    for line in (read_text("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def gil_enabled():
    """sys._is_gil_enabled exists from 3.13; before that the GIL is always on."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return bool(probe()) if probe is not None else True


def usable_cpus(cores):
    """The CPU ids this process may run on, as many as `cores` (a cgroup quota may allow fewer
    CPUs than the mask lists; the first ones are kept so cpus and cores always agree)."""
    try:
        ids = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        ids = list(range(cores))
    return ids[:cores]


def placement():
    """Whether a trial can be pinned to one CPU ('unsupported' on macOS: no sched_setaffinity)."""
    return "affinity" if hasattr(os, "sched_setaffinity") else "unsupported"


def interpreters_unavailable():
    """Why concurrent.futures.InterpreterPoolExecutor cannot run here, or None when it can."""
    if getattr(concurrent.futures, "InterpreterPoolExecutor", None) is not None:
        return None
    implementation = platform.python_implementation()
    this = "%s %s" % (implementation, platform.python_version())
    if implementation != "CPython":
        return "needs CPython 3.14 or later (this is %s)" % this
    return "needs Python 3.14 or later (this is %s)" % this


def own_executable():
    """sys.executable, which later calls run instead of the configured command (a shim costs 0.5 s a
    start). Python leaves it empty when started by a bare name without PATH; Linux still knows."""
    if sys.executable:
        return sys.executable
    try:
        return os.path.realpath("/proc/self/exe")
    except OSError:
        return ""


def probe_environment(_spec):
    """The "environment" mode (probeEnvironment in src/measure/python.ts): this interpreter, its build
    and the CPUs it may use."""
    cores, source = usable_cores()
    return {
        "cores": cores,
        "coresSource": source,
        "cpus": usable_cpus(cores),
        "placement": placement(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        # Not realpath'd: a virtual environment's python is a link to the base interpreter, and
        # only the link makes it the environment's (its site-packages).
        "executable": own_executable(),
        "gilEnabled": gil_enabled(),
        "freeThreadedBuild": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "startMethod": multiprocessing.get_start_method(),
        "startMethods": multiprocessing.get_all_start_methods(),
        "interpretersUnavailable": interpreters_unavailable(),
        "os": platform.platform(),
        "cpuModel": cpu_model(),
    }


# ---------------------------------------------------------------- machine

# The loop is calibrated to about this long: long enough to dwarf timer and scheduling noise,
# short enough that the whole probe stays around half a second on 2 CPUs.
LOOP_TARGET_SECONDS = 0.02
MACHINE_RUNS = 3
# Capacity is what a reader compares speedups with, so it must hold still: a longer loop (about
# 80 ms: a scheduler tick or a neighbour's burst is a small part of it), more runs (its spread is
# reported), and each run's 1-process and N-process walls taken together, so that a disturbance
# hits both sides of the ratio instead of inflating it.
CAPACITY_LOOP_FACTOR = 4
CAPACITY_RUNS = 5
# N busy loops cannot deliver more than min(N, CPUs). A median ratio beyond this bound (with this
# much slack for the clock) was disturbed: the probe is taken again, up to CAPACITY_ATTEMPTS times,
# and said to be disturbed when it persists.
CAPACITY_SLACK = 0.05
CAPACITY_ATTEMPTS = 3


def spin(iterations):
    """The machine probe's pure-Python loop. Module-level: forked copies run it too."""
    total = 0
    for i in range(iterations):
        total += i ^ (total & 7)
    return total


def timed_spin(iterations):
    start = time.perf_counter()
    spin(iterations)
    return time.perf_counter() - start


def calibrate_spin():
    """Iterations that take about LOOP_TARGET_SECONDS, after a warm-up (PyPy's JIT compiles the
    loop during the first calls; timing those would measure the compiler)."""
    iterations = 10000
    while True:
        elapsed = timed_spin(iterations)
        if elapsed >= LOOP_TARGET_SECONDS / 4:
            break
        iterations *= 4
    iterations = max(1, int(iterations * LOOP_TARGET_SECONDS / elapsed))
    timed_spin(iterations)
    return iterations


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def spin_on_request(connection):
    """A capacity probe process: for each iteration count received, run the loop and send back
    when it finished (perf_counter is one system-wide clock on Linux and macOS); None ends it."""
    while True:
        iterations = connection.recv()
        if iterations is None:
            return
        spin(iterations)
        connection.send(time.perf_counter())


class SpinProcesses:
    """Processes started once and reused for every capacity round, so that neither forking nor
    exiting is timed (and the probe stays short)."""

    def __init__(self, context, count):
        self.connections, self.processes = [], []
        for _ in range(count):
            parent_end, child_end = context.Pipe()
            process = context.Process(target=shipped().spin_on_request, args=(child_end,))
            process.daemon = True
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)

    def wall(self, workers, iterations):
        """Seconds from releasing `workers` processes on the loop to the last one's end."""
        chosen = self.connections[:workers]
        start = time.perf_counter()
        for connection in chosen:
            connection.send(iterations)
        return max(connection.recv() for connection in chosen) - start

    def close(self):
        for connection in self.connections:
            try:
                connection.send(None)
            except OSError:
                pass
        for process in self.processes:
            process.join()


def machine_context():
    """Fork where it exists (cheap: nothing to import); else the default."""
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return multiprocessing.get_context()


def probe_machine(spec):
    """Each usable CPU's speed (the loop pinned to it, t1 the mean of the per-CPU medians) and the
    capacity of N unpinned processes against one (capacity_of)."""
    cores, _ = usable_cores()
    cpus = usable_cpus(cores)
    iterations = calibrate_spin()
    can_pin = placement() == "affinity"
    original = os.sched_getaffinity(0) if can_pin else None
    times = dict((cpu, []) for cpu in cpus)
    try:
        # Alternating CPUs run by run spreads a passing disturbance over all of them.
        for _ in range(MACHINE_RUNS):
            for cpu in cpus:
                if can_pin:
                    os.sched_setaffinity(0, {cpu})
                times[cpu].append(timed_spin(iterations))
    finally:
        if can_pin:
            os.sched_setaffinity(0, original)
    per_cpu = [{"cpu": cpu, "loopSeconds": median(times[cpu])} for cpu in cpus]
    single = sum(entry["loopSeconds"] for entry in per_cpu) / len(per_cpu)

    counts = [int(workers) for workers in spec.get("workers") or []]
    capacity = []
    if counts:
        processes = SpinProcesses(machine_context(), max(counts))
        try:
            # A first round unmeasured: each process's first loop pays for its page faults (and
            # PyPy's JIT in it).
            processes.wall(max(counts), iterations)
            capacity = [capacity_of(processes, workers, iterations * CAPACITY_LOOP_FACTOR, cores)
                        for workers in counts]
        finally:
            processes.close()
    return {"ok": True, "cpus": per_cpu, "capacity": capacity, "singleLoopSeconds": single}


def capacity_of(processes, workers, iterations, cores):
    """What `workers` busy processes deliver against one: the median over runs of
    workers x wall(1) / wall(workers), each run's two walls taken back to back. Every run's ratio
    is kept (the spread); a median beyond min(workers, cores) is taken again, and marked disturbed
    when every attempt broke the bound."""
    bound = min(workers, cores) * (1 + CAPACITY_SLACK)
    attempts = []
    for _ in range(CAPACITY_ATTEMPTS):
        ratios = []
        for _ in range(CAPACITY_RUNS):
            single = processes.wall(1, iterations)
            ratios.append(workers * single / processes.wall(workers, iterations))
        attempts.append(ratios)
        if median(ratios) <= bound:
            break
    ratios = attempts[-1]
    return {"workers": workers, "ratio": median(ratios), "ratios": ratios,
            "attempts": len(attempts), "disturbed": median(ratios) > bound}


# ---------------------------------------------------------------- shipping to workers


def shipped():
    """This module under its importable name, for functions sent to pool workers.

    Run as a script it is __main__, and a function pickled as __main__.f cannot be found in a
    subinterpreter (its __main__ is empty); as gilgate_runner.f it can, given sys.path."""
    if __name__ != "__main__":
        return sys.modules[__name__]
    directory = os.path.dirname(os.path.abspath(__file__))
    if directory not in sys.path:
        sys.path.append(directory)
    return importlib.import_module("gilgate_runner")


def worker_ready(fn, hold=0.0):
    """What start-up waits for: a worker that runs and has the workload's function. Taking fn as
    an argument makes a process or interpreter worker unpickle it, which imports its module.
    `hold` keeps this worker busy a moment, so that the next ready call goes to another one."""
    if hold:
        time.sleep(hold)
    return os.getpid(), threading.get_ident()


# Rounds of ready calls before start-up gives up waiting for every worker (and says so by timing
# what it has): a worker that never comes is the pool's problem, not a reason to hang.
READY_ROUNDS = 200
READY_HOLD_SECONDS = 0.001


def wait_for_workers(pool, module, fn, workers):
    """Block until `workers` distinct workers have run worker_ready. A thread or interpreter pool
    hands a ready call to whichever worker is free: a second worker still creating its
    subinterpreter (tens of ms) lets the first take every call, and steady state would then time
    the second one's start. Later rounds hold each worker a millisecond so the calls spread."""
    seen = set()
    for attempt in range(READY_ROUNDS):
        hold = 0.0 if attempt == 0 else READY_HOLD_SECONDS
        ready = [pool.submit(module.worker_ready, fn, hold) for _ in range(workers)]
        seen.update(future.result() for future in ready)
        if len(seen) >= workers:
            return


def interpreter_path_setup():
    """(initializer, initargs) that give a subinterpreter this interpreter's sys.path.

    A subinterpreter starts with the default sys.path, without the workload's paths or the
    runner's directory. exec is a builtin, so it ships by name; the code is a plain string."""
    code = "import sys\nsys.path[:0] = [p for p in %r if p not in sys.path]\n" % (list(sys.path),)
    return exec, (code, {})


# ---------------------------------------------------------------- probe


def pickling_failure(checks):
    """The first (exception, what) among (value, what) pairs that cannot be pickled, or None.

    Uses the pickler multiprocessing itself uses, so what passes here passes in the pool."""
    dumps = multiprocessing.reduction.ForkingPickler.dumps
    for value, what in checks:
        try:
            dumps(value)
        except BaseException as exc:
            return exc, what
    return None


def first_pickling_problem(fn, tasks, results):
    """Why a process pool could not ship this workload, or None."""
    checks = [(fn, "the function")]
    checks += [(argument, "argument of task %d" % i) for i, argument in enumerate(tasks)]
    checks += [(result, "result of task %d" % i) for i, result in enumerate(results)]
    failure = pickling_failure(checks)
    return None if failure is None else "%s (%s)" % (describe(failure[0]), failure[1])


def run_few_in_pool(make_pool, fn, tasks):
    """Run a few tasks in a one-worker pool; returns the exception, or None when it worked."""
    try:
        with make_pool() as pool:
            list(pool.map(functools.partial(shipped().call_tagging_errors, fn), tasks))
    except BaseException as exc:
        return exc
    return None


def process_pool_maker(context):
    return lambda: concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context)


def interpreter_pool_maker():
    initializer, initargs = interpreter_path_setup()
    return lambda: concurrent.futures.InterpreterPoolExecutor(
        max_workers=1, initializer=initializer, initargs=initargs)


SUBINTERPRETER_IMPORT_PATTERNS = (
    re.compile(r"module (\S+) does not support loading in subinterpreters"),
    re.compile(r"No module named '([^']+)'"),
)


def exception_chain(exc):
    seen = []
    while exc is not None and not any(exc is other for other in seen):
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def module_not_importable(exc):
    """The module an import failure in a subinterpreter names, or None.

    The import fails inside the subinterpreter and arrives as text in a cause chain (a
    NotShareableError caused by a proxy exception), so the message is read as well as .name."""
    for link in exception_chain(exc):
        if isinstance(link, ImportError) and getattr(link, "name", None):
            return link.name
        for pattern in SUBINTERPRETER_IMPORT_PATTERNS:
            match = pattern.search(str(link))
            if match:
                return match.group(1)
    return None


def interpreters_problem(fn, tasks, results):
    """Why an interpreter pool cannot run this workload, or None."""
    reason = interpreters_unavailable()
    if reason is not None:
        return reason
    # Arguments and results cross interpreters by pickling, like processes.
    problem = first_pickling_problem(fn, tasks, results)
    if problem is not None:
        return problem
    if not tasks:
        return None
    exc = run_few_in_pool(interpreter_pool_maker(), fn, tasks[:2])
    if exc is None:
        return None
    module = module_not_importable(exc)
    if module is not None:
        # The chain's innermost link is the subinterpreter's whole traceback as text: too long
        # for a reason; the module's name is what a reader needs.
        return "module %s cannot be imported in a subinterpreter" % module
    return describe(exc)


GIL_REENABLED = re.compile(
    r"The global interpreter lock \(GIL\) has been enabled to load module '([^']+)'")


def gil_reenabled_by(messages):
    """The module named by CPython's warning that importing it turned the GIL back on (in a
    free-threaded build), or None. `messages`: the text of warnings raised during the import."""
    for message in messages:
        match = GIL_REENABLED.search(str(message))
        if match:
            return match.group(1)
    return None


@contextlib.contextmanager
def showing_warnings_to(shown):
    """Also append the message of every warning shown meanwhile to `shown`.

    Hooks warnings.showwarning instead of using catch_warnings, which would reset on exit any
    filter the workload sets while importing and so make the pilot behave unlike a trial. CPython
    shows its GIL warning once, by the default filter for RuntimeWarning."""
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        shown.append(message)
        original(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        if warnings.showwarning is show:  # unless the workload installed its own meanwhile
            warnings.showwarning = original


def start_context(method):
    """The multiprocessing context for a start method (None: the interpreter's default)."""
    return multiprocessing.get_context(method) if method else multiprocessing.get_context()


# Below this, the probe times a second, warm serial pass for the pilot (see probe_workload); above
# it a trial runs one repetition whatever the warm time, so the second pass would only cost.
WARM_PILOT_BELOW_SECONDS = 1.0


def probe_workload(spec):
    """Learn, before any timed trial, whether the workload imports, how many tasks it has,
    roughly how long a serial pass takes, and whether processes (and spawn) and interpreters can
    run it."""
    shown = []
    with showing_warnings_to(shown):
        fn, tasks = load_workload(spec)
    gil_after_import = gil_enabled()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    results = run_serially(fn, tasks)
    pilot_wall = time.perf_counter() - wall_start
    pilot_cpu = time.process_time() - cpu_start
    if pilot_wall < WARM_PILOT_BELOW_SECONDS:
        # The first pass pays for lazy imports, caches and specialization, which trials leave to
        # their untimed warm-up: a count calibrated on it would give trials less timed work than
        # the target. A second, warm pass is what a trial's repetitions look like.
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        run_serially(fn, tasks)
        pilot_wall = time.perf_counter() - wall_start
        pilot_cpu = time.process_time() - cpu_start

    method = spec.get("startMethod") or multiprocessing.get_start_method()
    processes_unavailable = first_pickling_problem(fn, tasks, results)
    spawn_problem = None
    if method not in multiprocessing.get_all_start_methods():
        processes_unavailable = "start method %r is not available here (available: %s)" % (
            method, ", ".join(multiprocessing.get_all_start_methods()))
    elif processes_unavailable is None and tasks:
        sample = tasks[:2]
        # The chosen start method is tried first so that a problem shared by every start method
        # is reported as processes being unavailable, not as a spawn portability problem.
        error = run_few_in_pool(process_pool_maker(start_context(method)), fn, sample)
        if error is not None:
            processes_unavailable = describe(error)
        elif method != "spawn":
            error = run_few_in_pool(process_pool_maker(start_context("spawn")), fn, sample)
            # Blame the code only when a spawn pool works at all here: PyPy 3.9's fails for any
            # function (AttributeError: '_adjust_process_count'), which says nothing about the code.
            if error is not None and run_few_in_pool(process_pool_maker(start_context("spawn")), abs, [-1]) is None:
                spawn_problem = describe(error)
    return {
        "ok": True,
        "taskCount": len(tasks),
        "processesUnavailable": processes_unavailable,
        "spawnProblem": spawn_problem,
        "interpretersUnavailable": interpreters_problem(fn, tasks, results),
        "startMethod": method,
        "gilEnabledAfterImport": gil_after_import,
        "gilReenabledBy": gil_reenabled_by(shown),
        "pilotWallSeconds": pilot_wall,
        "pilotCpuSeconds": pilot_cpu,
        "provenance": provenance(spec, True),
    }


# ---------------------------------------------------------------- trial


def run_serially(fn, tasks):
    """A plain loop; whatever escapes it was raised by a task."""
    try:
        return [fn(argument) for argument in tasks]
    except BaseException as exc:
        raise Failed("task", exc)


def classify_pool_error(exc, model):
    """Map an exception out of a pool to a FailureKind.

    Threads never pickle, so their errors are the tasks'. For processes and interpreters a broken
    pool is a crash (a dead worker, or one that could not start), a tagged error is the task's,
    and anything else is the pool failing to ship a function, an argument or a result."""
    if model == "threads":
        return "task"
    if isinstance(exc, concurrent.futures.BrokenExecutor):
        return "crash"
    if getattr(exc, TASK_ERROR_TAG, False):
        return "task"
    if model == "interpreters" and module_not_importable(exc) is not None:
        # The workload (or something it imports) cannot load in a subinterpreter.
        return "import"
    return "pickle"


def make_pool(model, workers, start_method):
    """(pool, start method used or None)."""
    if model == "threads":
        return concurrent.futures.ThreadPoolExecutor(max_workers=workers), None
    if model == "processes":
        context = start_context(start_method)
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)
        return pool, context.get_start_method()
    if model == "interpreters":
        reason = interpreters_unavailable()
        if reason is not None:
            raise Failed("runner", RuntimeError("interpreters " + reason))
        initializer, initargs = interpreter_path_setup()
        pool = concurrent.futures.InterpreterPoolExecutor(
            max_workers=workers, initializer=initializer, initargs=initargs)
        return pool, None
    raise Failed("runner", ValueError("unknown model %r" % (model,)))


def shut_down(pool):
    """Shut down without running what is still queued (cancel_futures exists from 3.9)."""
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    except TypeError:
        pool.shutdown(wait=True)


# Pools whose workers start cold: a forkserver or spawned process, or a subinterpreter, imports the
# workload afresh, and its first call pays lazy imports, caches and specialization there (a
# subinterpreter's first pure-Python call took 80-100 ms more on 3.15). Thread pools share the
# interpreter the warm-up call already warmed.
COLD_WORKER_MODELS = ("processes", "interpreters")


def map_batch(pool, model, workers, fn, tasks):
    """(results, chunksize) of the whole batch mapped over the pool."""
    if model == "threads":
        return list(pool.map(fn, tasks)), None
    # Interpreter pools ignore chunksize (they map like thread pools), so it is not kept.
    chunksize = max(1, len(tasks) // (4 * workers)) if model == "processes" else None
    call = functools.partial(shipped().call_tagging_errors, fn)
    return list(pool.map(call, tasks, chunksize=chunksize or 1)), chunksize


def run_in_pool(model, workers, fn, tasks, start_method):
    """One repetition of a pool trial: create, start the workers, map the batch, shut down. That is
    the per-batch figure, what a pool made for each batch pays: start-up and a batch on fresh
    workers. Where workers start cold, the batch is then mapped once more on the same, now warm,
    workers before shutting down: the steady figure, what a long-lived pool pays per batch.

    Returns a dict: results (of the first batch), wallSeconds (per batch: start, first batch,
    shutdown), steadySeconds, startupSeconds (what a pool per batch pays beyond a running pool's
    time: starting the workers, their cold first calls, shutting down; what break-even needs),
    extraSeconds (the second batch, outside the per-batch figure), chunksize, startMethod."""
    module = shipped()
    warm = model in COLD_WORKER_MODELS
    startup_start = time.perf_counter()
    pool, method = make_pool(model, workers, start_method)
    try:
        # Start-up ends when `workers` workers run and hold the workload's function: a process
        # pool starts one worker per pending submission until it has `workers`, and unpickling
        # fn in each imports the workload there.
        wait_for_workers(pool, module, fn, workers)
        first_start = time.perf_counter()
        results, chunksize = map_batch(pool, model, workers, fn, tasks)
        first_end = time.perf_counter()
        if warm:
            map_batch(pool, model, workers, fn, tasks)
        steady_end = time.perf_counter()
    except Failed:
        shut_down(pool)
        raise
    except BaseException as exc:
        shut_down(pool)
        module_name = module_not_importable(exc) if model == "interpreters" else None
        note = None if module_name is None else "module %s cannot be imported in a subinterpreter" % module_name
        raise Failed(classify_pool_error(exc, model), exc, note)
    pool.shutdown(wait=True)
    shutdown_seconds = time.perf_counter() - steady_end
    wall = first_end - startup_start + shutdown_seconds
    second = steady_end - first_end if warm else 0.0
    steady = second if warm else first_end - first_start
    return {
        "results": results,
        "wallSeconds": wall,
        # A warm batch a little slower than the cold one (noise) is no negative start-up.
        "startupSeconds": max(0.0, wall - steady),
        "steadySeconds": steady,
        "extraSeconds": second,
        "chunksize": chunksize,
        "startMethod": method,
    }


def rusage_cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def rss_bytes(kilobytes_or_bytes):
    """ru_maxrss is KiB on Linux and bytes on macOS."""
    return int(kilobytes_or_bytes) * (1 if sys.platform == "darwin" else 1024)


def digest_of(results):
    """(sha256 of repr(results), whether that digest can be compared across interpreters)."""
    try:
        text = repr(results)
        # Default reprs print addresses, which differ run to run: such digests compare nothing.
        stable = " at 0x" not in text
    except Exception as exc:
        # repr itself can fail (e.g. ints past sys.set_int_max_str_digits): the trial still
        # measured something; only its digest is meaningless.
        text, stable = "<repr failed: %s>" % describe(exc), False
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest(), stable


def pin(cpu):
    """Pin this interpreter to one CPU; returns the CPU, or None where affinity is unsupported."""
    if cpu is None or placement() != "affinity":
        return None
    try:
        os.sched_setaffinity(0, {int(cpu)})
    except (OSError, ValueError) as exc:
        raise Failed("runner", exc, "pinning to CPU %s" % cpu)
    return int(cpu)


# The turn channel of a lockstep trial: a socket gilgate passes as fd 3. Not stdin or stdout, which
# workload code may read or print to.
LOCKSTEP_FD = 3


class Turns:
    """A lockstep trial's side of the turns (src/measure/python.ts runLockstep).

    Several trials run at once but only one repetition works at a time, so a burst of the machine
    hits the partners' repetitions alike. One line at a time, each answered before the next:
    this interpreter says "ready" once warmed up; gilgate says "go" (run one repetition, answer
    "done <wall seconds>") or "stop" (write the result and exit). Everything untimed that belongs
    to a repetition (its digest, freeing its results) happens before "done": after it, a partner
    is timed and this interpreter must be idle."""

    def __init__(self, fd):
        try:
            os.fstat(fd)
        except OSError as exc:
            raise Failed("runner", exc, "lockstep trial without its turn channel (fd %d)" % fd)
        # Pool workers started by spawn or forkserver (or any subprocess) must not hold it.
        os.set_inheritable(fd, False)
        self.fd = fd
        self.pending = b""

    def say(self, line):
        try:
            os.write(self.fd, line.encode("ascii") + b"\n")
        except OSError:
            self.orphaned()

    def next_turn(self):
        """True for "go", False for "stop"; blocks (idle) until gilgate decides."""
        while b"\n" not in self.pending:
            try:
                chunk = os.read(self.fd, 256)
            except OSError:
                chunk = b""
            if not chunk:
                self.orphaned()
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        if line == b"go":
            return True
        if line == b"stop":
            return False
        raise Failed("runner", ValueError("unexpected lockstep message %r" % line))

    @staticmethod
    def orphaned():
        """The channel closed: gilgate is gone, and so is anyone to read a result."""
        sys.stderr.write("gilgate_runner: the lockstep turn channel closed; exiting\n")
        os._exit(4)


def repetition_cap(spec):
    """Timed work after which a trial starts no new repetition (at least one always runs): gilgate
    sends it (REPETITION_SECONDS_CAP in src/measure/trial-spec.ts). Lockstep trials leave it to
    gilgate, which applies it to partners together, head and base of one arm: None."""
    if spec.get("lockstep"):
        return None
    cap = spec.get("repetitionSecondsCap")
    if isinstance(cap, bool) or not isinstance(cap, (int, float)):
        raise Failed("runner", ValueError("a trial spec without repetitionSecondsCap"))
    return cap


def prepare_trial(spec, model):
    """Pin, import the workload, check it can be pickled where it must be, and warm it up."""
    if model != "serial" and spec.get("cpu") is not None:
        # Workers inherit the parent's affinity: a pinned pool would run on one CPU.
        raise Failed("runner", ValueError("a %s trial cannot be pinned to a CPU" % model))
    # Pinned before the workload is imported, so that threads its import starts inherit the CPU.
    cpu = pin(spec.get("cpu"))
    fn, tasks = load_workload(spec)
    if model in ("processes", "interpreters"):
        # Python 3.8's pool hangs, instead of failing, when it cannot pickle the function itself
        # (arguments and results fail cleanly); checking first costs one small pickle.
        failure = pickling_failure([(fn, "the function")])
        if failure is not None:
            raise Failed("pickle", failure[0], failure[1])
    if tasks:
        # Untimed first call: imports done lazily, caches and JIT (PyPy) warm in this interpreter.
        run_serially(fn, tasks[:1])
    return cpu, fn, tasks


def time_repetition(model, workers, fn, tasks, start_method):
    """One timed repetition, the pool's whole life inside it: its figures, the time it counts
    against the cap, its results, and the pool's chunksize and start method (None for serial)."""
    self_cpu_start = rusage_cpu(resource.RUSAGE_SELF)
    children_cpu_start = rusage_cpu(resource.RUSAGE_CHILDREN)
    wall_start = time.perf_counter()
    chunksize, used_start_method = None, None
    if model == "serial":
        results = run_serially(fn, tasks)
        wall = time.perf_counter() - wall_start
        startup, steady, extra = 0.0, wall, 0.0
    else:
        pooled = run_in_pool(model, workers, fn, tasks, start_method)
        results, chunksize, used_start_method = pooled["results"], pooled["chunksize"], pooled["startMethod"]
        wall, startup, steady, extra = (pooled[key] for key in ("wallSeconds", "startupSeconds", "steadySeconds", "extraSeconds"))
    cpu_seconds = (rusage_cpu(resource.RUSAGE_SELF) - self_cpu_start
                   + rusage_cpu(resource.RUSAGE_CHILDREN) - children_cpu_start)
    if extra:
        # A process pool's children report their CPU only once they exit, after both batches:
        # the repetition's CPU per wall second stands for the per-batch figure's.
        cpu_seconds *= wall / (wall + extra)
    figures = {
        "wallSeconds": wall,
        "steadySeconds": steady,
        "startupSeconds": startup,
        "cpuSeconds": cpu_seconds,
    }
    return figures, wall + extra, results, chunksize, used_start_method


def run_trial(spec):
    """One arm of one workload: an untimed warm-up call, then `repetitions` timed repetitions in
    this interpreter, each with the pool's whole life inside it. With "lockstep", gilgate gives
    each repetition its turn and decides how many there are (Turns)."""
    model = spec.get("model")
    workers = int(spec.get("workers") or 1)
    repetitions = max(1, int(spec.get("repetitions") or 1))
    cap = repetition_cap(spec)
    turns = Turns(LOCKSTEP_FD) if spec.get("lockstep") else None
    cpu, fn, tasks = prepare_trial(spec, model)
    if turns is not None:
        turns.say("ready")

    measured, digests = [], []
    chunksize, start_method = None, None
    timed = 0.0
    while True:
        if turns is not None:
            if not turns.next_turn():
                break
        elif len(measured) >= repetitions:
            break
        elif measured and timed >= cap:
            # The count is calibrated on the serial pass; an arm whose every repetition pays a slow
            # pool start-up (interpreters, forkserver) would otherwise take many times longer.
            break
        figures, seconds, results, chunksize, start_method = time_repetition(model, workers, fn, tasks, spec.get("startMethod"))
        timed += seconds
        measured.append(figures)
        digests.append(digest_of(results))
        results = None
        if turns is not None:
            # The time this turn took, which the group's cap counts.
            turns.say("done %r" % seconds)

    if not measured:
        raise Failed("runner", RuntimeError("told to stop before any repetition"))
    digest, digest_stable = digests[0]
    return {
        "ok": True,
        "cpu": cpu,
        "repetitions": measured,
        "peakRssSelfBytes": rss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peakRssChildBytes": rss_bytes(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "tasks": len(tasks),
        "digest": digest,
        "digestStable": digest_stable,
        # Only comparable digests can differ meaningfully: addresses change every repetition.
        "repetitionsDiffer": digest_stable and any(other != digest for other, _ in digests[1:]),
        "chunksize": chunksize,
        "startMethod": start_method,
        "provenance": provenance(spec, False),
    }


# ---------------------------------------------------------------- main

MODES = {
    "environment": probe_environment,
    "machine": probe_machine,
    "probe": probe_workload,
    "trial": run_trial,
}


def write_result(path, result):
    """Write under a temporary name, then rename: readers see a whole file or none."""
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        json.dump(result, handle)
    os.replace(temporary, path)


def serve(argv, modes, program, failure_result):
    """The command line of this runner and of gilgate_scan.py: <mode> <spec.json> <result.json>.
    The result file is always written: what the mode returned, or failure_result(the exception)."""
    if len(argv) != 4 or argv[1] not in modes:
        sys.stderr.write("usage: %s <%s> <spec.json> <result.json>\n" % (program, "|".join(modes)))
        return 2
    mode, spec_path, result_path = argv[1], argv[2], os.path.abspath(argv[3])
    try:
        with open(spec_path) as handle:
            spec = json.load(handle)
        result = modes[mode](spec)
    except BaseException as exc:
        result = failure_result(exc)
    write_result(result_path, result)
    return 0


def failure_result(exc):
    """A Failed as it says; anything else escaped the runner itself."""
    return (exc if isinstance(exc, Failed) else Failed("runner", exc)).as_result()


def main(argv):
    return serve(argv, MODES, "gilgate_runner.py", failure_result)


def leave(status):
    """Leave at once: non-daemon threads or atexit handlers left by workload code must not hang
    or change a trial whose result is already written. gilgate_scan.py leaves the same way."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)


if __name__ == "__main__":
    leave(main(sys.argv))
