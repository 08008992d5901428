#!/usr/bin/env python3
"""gilgate's Python runner: one call, one fresh interpreter, one JSON result file.

Usage: python gilgate_runner.py <environment|probe|trial> <spec.json> <result.json>

Results never travel over stdout or stderr, because workload code may print anything there
(floods included). The result file is written under a temporary name and renamed, so a killed
interpreter leaves either a whole result or none; the TypeScript side reports "none" as a crash.

Stdlib only, Python >= 3.8, also under PyPy. Keep it one file: it is copied beside the bundle.
"""

import concurrent.futures
import functools
import hashlib
import importlib
import json
import math
import multiprocessing
import multiprocessing.reduction
import os
import platform
import sys
import sysconfig
import time
import traceback

try:  # Unix only; gilgate runs on Linux and macOS runners.
    import resource
except ImportError:  # pragma: no cover
    resource = None


# ---------------------------------------------------------------- failures


class Failed(Exception):
    """A failure already classified into one of the FailureKind values of src/types.ts.

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
        }


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
    """Run one task in a worker process, tagging anything it raises as the task's own error.

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
    for path in reversed(spec.get("paths") or []):
        sys.path.insert(0, path)
    fn = load_callable(spec.get("run"), "run")
    tasks = build_tasks(spec.get("tasks"))
    return fn, tasks


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


def describe_environment(_spec):
    cores, source = usable_cores()
    return {
        "cores": cores,
        "coresSource": source,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "gilEnabled": gil_enabled(),
        "freeThreadedBuild": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "startMethod": multiprocessing.get_start_method(),
        "os": platform.platform(),
        "cpuModel": cpu_model(),
    }


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


def run_in_process_pool(fn, tasks, context):
    """Run a few tasks in a one-worker pool; returns the error text, or None when it worked."""
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            list(pool.map(functools.partial(call_tagging_errors, fn), tasks))
    except BaseException as exc:
        return describe(exc)
    return None


def probe_workload(spec):
    """Learn, before any timed trial, whether the workload imports, how many tasks it has,
    roughly how long a serial pass takes, and whether processes (and spawn) can run it."""
    fn, tasks = load_workload(spec)
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    results = run_serially(fn, tasks)
    pilot_wall = time.perf_counter() - wall_start
    pilot_cpu = time.process_time() - cpu_start

    processes_unavailable = first_pickling_problem(fn, tasks, results)
    spawn_problem = None
    if processes_unavailable is None and tasks:
        sample = tasks[:2]
        default_method = multiprocessing.get_start_method()
        # The default start method is tried first so that a problem shared by every start method
        # is reported as processes being unavailable, not as a spawn portability problem.
        default_error = run_in_process_pool(fn, sample, multiprocessing.get_context())
        if default_error is not None:
            processes_unavailable = default_error
        elif default_method != "spawn":
            spawn_problem = run_in_process_pool(fn, sample, multiprocessing.get_context("spawn"))
    return {
        "ok": True,
        "taskCount": len(tasks),
        "processesUnavailable": processes_unavailable,
        "spawnProblem": spawn_problem,
        "pilotWallSeconds": pilot_wall,
        "pilotCpuSeconds": pilot_cpu,
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

    Threads never pickle, so their errors are the tasks'. For processes a dead worker breaks the
    pool, a tagged error is the task's, and anything else is the pool failing to ship a function,
    an argument or a result between processes."""
    if model == "threads":
        return "task"
    if isinstance(exc, concurrent.futures.process.BrokenProcessPool):
        return "crash"
    if getattr(exc, TASK_ERROR_TAG, False):
        return "task"
    return "pickle"


def make_pool(model, workers):
    if model == "threads":
        return concurrent.futures.ThreadPoolExecutor(max_workers=workers), None
    if model == "processes":
        context = multiprocessing.get_context()
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)
        return pool, context.get_start_method()
    raise Failed("runner", ValueError("unknown model %r" % (model,)))


def shut_down(pool):
    """Shut down without running what is still queued (cancel_futures exists from 3.9)."""
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    except TypeError:
        pool.shutdown(wait=True)


def run_in_pool(model, workers, fn, tasks):
    """The timed part of a pool trial: create, start the workers, map, shut down.

    Returns (results, startup seconds, chunksize, start method)."""
    pool, start_method = make_pool(model, workers)
    try:
        # Start-up is timed apart from the work: trivial, picklable tasks make the pool start its
        # workers (a process pool spawns one per pending submission until it has `workers`).
        startup_start = time.perf_counter()
        concurrent.futures.wait([pool.submit(os.getpid) for _ in range(workers)])
        startup = time.perf_counter() - startup_start
        if model == "processes":
            chunksize = max(1, len(tasks) // (4 * workers))
            results = list(pool.map(functools.partial(call_tagging_errors, fn), tasks,
                                    chunksize=chunksize))
        else:
            chunksize = None
            results = list(pool.map(fn, tasks))
    except Failed:
        shut_down(pool)
        raise
    except BaseException as exc:
        shut_down(pool)
        raise Failed(classify_pool_error(exc, model), exc)
    pool.shutdown(wait=True)
    return results, startup, chunksize, start_method


def rusage_cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def rss_bytes(kilobytes_or_bytes):
    """ru_maxrss is KiB on Linux and bytes on macOS."""
    return int(kilobytes_or_bytes) * (1 if sys.platform == "darwin" else 1024)


def run_trial(spec):
    """One arm of one workload, once, with the pool's whole life inside the timed region."""
    model = spec.get("model")
    workers = int(spec.get("workers") or 1)
    fn, tasks = load_workload(spec)
    if model == "processes":
        # Python 3.8's pool hangs, instead of failing, when it cannot pickle the function itself
        # (arguments and results fail cleanly); checking first costs one small pickle.
        failure = pickling_failure([(fn, "the function")])
        if failure is not None:
            raise Failed("pickle", failure[0], failure[1])
    if spec.get("warmup", True) and tasks:
        # Untimed first call: imports done lazily, caches and JIT (PyPy) warm in this interpreter.
        run_serially(fn, tasks[:1])

    self_cpu_start = rusage_cpu(resource.RUSAGE_SELF)
    children_cpu_start = rusage_cpu(resource.RUSAGE_CHILDREN)
    wall_start = time.perf_counter()
    if model == "serial":
        results, startup, chunksize, start_method = run_serially(fn, tasks), 0.0, None, None
    else:
        results, startup, chunksize, start_method = run_in_pool(model, workers, fn, tasks)
    wall = time.perf_counter() - wall_start
    cpu = (rusage_cpu(resource.RUSAGE_SELF) - self_cpu_start
           + rusage_cpu(resource.RUSAGE_CHILDREN) - children_cpu_start)

    try:
        text = repr(results)
        # Default reprs print addresses, which differ run to run: such digests compare nothing.
        digest_stable = " at 0x" not in text
    except Exception as exc:
        # repr itself can fail (e.g. ints past sys.set_int_max_str_digits): the trial still
        # measured something; only its digest is meaningless.
        text, digest_stable = "<repr failed: %s>" % describe(exc), False
    return {
        "ok": True,
        "wallSeconds": wall,
        "startupSeconds": startup,
        "cpuSeconds": cpu,
        "peakRssSelfBytes": rss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peakRssChildBytes": rss_bytes(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "tasks": len(tasks),
        "digest": hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest(),
        "digestStable": digest_stable,
        "chunksize": chunksize,
        "startMethod": start_method,
    }


# ---------------------------------------------------------------- main

MODES = {"environment": describe_environment, "probe": probe_workload, "trial": run_trial}


def write_result(path, result):
    """Write under a temporary name, then rename: readers see a whole file or none."""
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        json.dump(result, handle)
    os.replace(temporary, path)


def main(argv):
    if len(argv) != 4 or argv[1] not in MODES:
        sys.stderr.write("usage: gilgate_runner.py <%s> <spec.json> <result.json>\n"
                         % "|".join(MODES))
        return 2
    mode, spec_path, result_path = argv[1], argv[2], os.path.abspath(argv[3])
    try:
        with open(spec_path) as handle:
            spec = json.load(handle)
        result = MODES[mode](spec)
    except Failed as failure:
        result = failure.as_result()
    except BaseException as exc:
        result = Failed("runner", exc).as_result()
    write_result(result_path, result)
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    # Leave at once: non-daemon threads or atexit handlers left by workload code must not hang
    # or change a trial whose result is already written.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)
