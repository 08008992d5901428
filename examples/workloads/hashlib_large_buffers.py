"""C code that releases the GIL: hashlib drops it while hashing more than 2 KiB at a time, so
threads scale like processes.

The buffers are built once, at import, and a task only names one by a small index: building an
8 MB buffer per task would hold the GIL (bytes * n runs under it), and shipping buffers to
processes would measure pickling. Forked workers inherit the buffers; spawned ones rebuild them
when they import this module."""

import hashlib

BUFFER_BYTES = 4 * 1024 * 1024
BUFFERS = [bytes([seed]) * BUFFER_BYTES for seed in range(4)]
ROUNDS = 8


def digest(index):
    value = hashlib.sha256()
    for _ in range(ROUNDS):
        value.update(BUFFERS[index % len(BUFFERS)])
    return value.hexdigest()


def tasks():
    return list(range(16))
