"""Real stdlib workloads of known character, for bench/verdicts.mjs (not the bundled examples).

Each task takes 40-80 ms and each serial pass roughly 0.4-0.8 s on the 2-core runner: big enough
that pool start-up (tens of ms) does not decide the answer, as in the code people actually
parallelize. Inputs are built at import time or from small task arguments, except where passing a
big argument is the point (hashlib_args).
"""
import hashlib
import json
import random
import re
import sqlite3
import subprocess
import time
import zlib

# --- pure-Python CPU: holds the GIL ------------------------------------------------------------


def collatz(n):
    steps = 0
    for start in range(1, 8000):
        x = start + n
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            steps += 1
    return steps


def eight(_=None):
    return list(range(8))


# --- json: C accelerated, but holds the GIL ---------------------------------------------------

_DOC = [{"id": i, "name": "item-%d" % i, "tags": ["a", "b", "c"], "score": i * 0.5} for i in range(4000)]


def json_roundtrip(n):
    total = n
    for _ in range(4):
        total += len(json.loads(json.dumps(_DOC)))
    return total


def json_roundtrip_small(n):
    """A quarter of json_roundtrip: a batch of ~60-120 ms, where pool start-up can decide."""
    return len(json.loads(json.dumps(_DOC))) + n


# --- regex: holds the GIL ---------------------------------------------------------------------

_TEXT = " ".join("word%d foo@example.com 2024-01-%02d" % (i, i % 28 + 1) for i in range(24000))
_PATTERN = re.compile(r"(\w+)@(\w+)\.com|(\d{4})-(\d{2})-(\d{2})")


def regex_scan(n):
    return sum(1 for _ in _PATTERN.finditer(_TEXT)) + n


_TEXT_QUARTER = _TEXT[: len(_TEXT) // 4]


def regex_scan_small(n):
    """A quarter of regex_scan: a batch of ~60-120 ms, where pool start-up can decide."""
    return sum(1 for _ in _PATTERN.finditer(_TEXT_QUARTER)) + n


# --- sleep and subprocess waits: threads overlap them -----------------------------------------


def nap(_):
    time.sleep(0.02)
    return 1


def child_process(_):
    return subprocess.run(["sleep", "0.03"]).returncode


def twenty_four(_=None):
    return list(range(24))


# --- hashlib: releases the GIL on large buffers -----------------------------------------------

_BUFFERS = [random.Random(i).randbytes(8 * 2**20) if hasattr(random.Random, "randbytes") else bytes(8 * 2**20) for i in range(2)]


def hashlib_args_tasks():
    """Big buffers passed as arguments: processes pay to pickle them, threads share them."""
    return [_BUFFERS[i % 2] for i in range(24)]


def sha256_of(buffer):
    return hashlib.sha256(buffer).hexdigest()


# --- zlib: releases the GIL on large buffers --------------------------------------------------

_COMPRESSIBLE = b"".join(b"line %d of some moderately compressible text\n" % i for i in range(80000))


def compress(level):
    return sum(len(zlib.compress(_COMPRESSIBLE, 6)) for _ in range(2))


# --- sqlite in memory: did not scale under threads here ----------------------------------------


def sqlite_query(n):
    db = sqlite3.connect(":memory:")
    db.execute("create table t (a integer, b text)")
    db.executemany("insert into t values (?, ?)", ((i, "v%d" % (i % 97)) for i in range(36000)))
    row = db.execute("select b, count(*), sum(a) from t group by b order by 3 desc limit 1").fetchone()
    db.close()
    return row[1] + n


# --- tiny tasks: overhead dominates -----------------------------------------------------------


def increment(x):
    return x + 1


# --- unpicklable results: processes cannot run ------------------------------------------------


def make_counter(n):
    total = sum(i * i for i in range(1000000 + n))
    return (x for x in range(total % 7))  # a generator cannot be pickled
