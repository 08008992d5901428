"""C code that releases the GIL, on data the caller already holds: hashlib drops the GIL while
hashing more than 2 KiB at a time, so threads scale; each task gets a 4 MB buffer as its argument,
which threads share for free and a process pool must pickle and pipe to a worker.

The buffers are built once, at import, and reused: building a buffer inside the task would hold the
GIL (bytes * n runs under it) and measure that instead of hashing."""

import hashlib

BUFFER_BYTES = 4 * 1024 * 1024
BUFFERS = [bytes([seed]) * BUFFER_BYTES for seed in range(4)]
ROUNDS = 8


def digest(buffer):
    value = hashlib.sha256()
    for _ in range(ROUNDS):
        value.update(buffer)
    return value.hexdigest()


def tasks():
    return [BUFFERS[i % len(BUFFERS)] for i in range(16)]
