"""The machine's floor for paired noise: back-to-back repetitions of one pure-Python loop in ONE
process pinned to one CPU, nothing else scheduled in between. Two consecutive repetitions form a
pair; the sd of their log ratio is what no protocol can go below for repetitions of that length,
since even a pair with no process switch, no placement change and no other trial between them
differs by that much. Compare bench/noise's A/A sd (means of several repetitions of separate
processes in lockstep) with this floor divided by the square root of the repetitions per trial.

    python3 bench/floor.py [seconds per CPU, default 20]

Linux only (sched_setaffinity). Prints per CPU and per repetition length: the median repetition,
the consecutive-pair sd, and the share of CPU time the hypervisor stole (/proc/stat)."""
import math
import os
import statistics
import sys
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
UNITS = (2000000, 250000)  # bench/noise's default repetition (about 0.1 s) and calibration's (about 14 ms)


def spin(units):
    s = 0
    for i in range(units):
        s += (i * i) % 7
    return s


def cpu_times():
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def measure(units, seconds):
    walls, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(walls) < 4:
        start = time.perf_counter()
        spin(units)
        walls.append(time.perf_counter() - start)
    if len(walls) % 2:
        walls.pop()
    pairs = [math.log(a / b) for a, b in zip(walls[::2], walls[1::2])]
    return statistics.median(walls), statistics.stdev(pairs), len(pairs)


def main():
    print("%-4s %-9s %-12s %-7s %-20s %s" % ("cpu", "units", "median rep", "pairs", "consecutive pair sd", "steal"))
    for cpu in sorted(os.sched_getaffinity(0)):
        os.sched_setaffinity(0, {cpu})
        spin(200000)  # warm-up
        for units in UNITS:
            before = cpu_times()
            rep, pair_sd, n = measure(units, SECONDS / len(UNITS))
            after = cpu_times()
            total = sum(after) - sum(before)
            steal = (after[7] - before[7]) / total if len(after) > 7 and total else float("nan")
            print("%-4d %-9d %-12s %-7d %-20s %.3f" % (cpu, units, "%.4f s" % rep, n, "%.3f" % pair_sd, steal))


if __name__ == "__main__":
    main()
