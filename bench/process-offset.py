"""How much of the paired noise between two trials is the processes themselves, not the moment?

bench/floor.py times consecutive repetitions inside ONE process; a trial pair is TWO fresh
interpreters. This script starts pairs of fresh interpreters pinned to one CPU, has them take turns
(A B, B A, ...) for K repetitions of the same loop, and splits the spread of the pair's mean log
ratio into the repetition-to-repetition part (which more repetitions average away) and a
per-process offset (which they cannot: only more processes, that is more rounds, average it).

  python3 bench/process-offset.py                 # 40 pairs, 6 repetitions, CPU 1
  PAIRS=60 K=10 CPU=0 python3 bench/process-offset.py
  FIXED_LAYOUT=1 python3 bench/process-offset.py  # the same under `setarch -R` (no ASLR)

Trials run with PYTHONHASHSEED=0, as gilgate's do. Prints the figures; asserts nothing.
"""
import math
import os
import platform
import statistics
import subprocess
import sys

CPU = int(os.environ.get("CPU", "1"))
K = int(os.environ.get("K", "6"))
PAIRS = int(os.environ.get("PAIRS", "40"))
UNITS = int(os.environ.get("UNITS", "1500000"))
PREFIX = ["setarch", platform.machine(), "-R"] if os.environ.get("FIXED_LAYOUT") else []

WORKER = r'''
import os, sys, time
os.sched_setaffinity(0, {%d})
def spin(n):
    s = 0
    for i in range(n):
        s += (i * i) %% 7
    return s
spin(%d // 8)
for line in sys.stdin:
    t = time.perf_counter(); spin(%d); print(time.perf_counter() - t, flush=True)
''' % (CPU, UNITS, UNITS)


def pair_log_ratios():
    env = dict(os.environ, PYTHONHASHSEED="0")
    procs = [subprocess.Popen(PREFIX + [sys.executable, "-c", WORKER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    ratios = []
    for k in range(K):
        seconds = {}
        for i in ((0, 1) if k % 2 == 0 else (1, 0)):
            procs[i].stdin.write("go\n")
            procs[i].stdin.flush()
            seconds[i] = float(procs[i].stdout.readline())
        ratios.append(math.log(seconds[0] / seconds[1]))
    for proc in procs:
        proc.stdin.close()
        proc.wait()
    return ratios


def main():
    pairs = [pair_log_ratios() for _ in range(PAIRS)]
    means = [statistics.mean(r) for r in pairs]
    between = statistics.stdev(means)
    within = math.sqrt(statistics.mean(statistics.variance(r) for r in pairs))
    offset = math.sqrt(max(0.0, between ** 2 - within ** 2 / K))
    print("%s, CPU %d, %d pairs of fresh interpreters x %d repetitions%s:" % (
        sys.executable, CPU, PAIRS, K, " under setarch -R" if PREFIX else ""))
    print("  sd of a pair's mean log ratio        %.3f" % between)
    print("  repetition-to-repetition sd          %.3f  (alone it would give %.3f)" % (within, within / math.sqrt(K)))
    print("  per-process offset (pair difference) %.3f" % offset)


if __name__ == "__main__":
    main()
