"""Thousands of trivial tasks: each does a few microseconds of work, so the cost of handing tasks
to a pool (locks, queues, pickling) exceeds the work itself and serial wins."""


def square(number):
    return number * number


def tasks():
    return 20_000
