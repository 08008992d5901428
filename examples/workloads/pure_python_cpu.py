"""Pure-Python CPU work: every bytecode runs under the GIL, so threads serialize and only
processes scale."""


def count_primes(limit):
    """Primes below `limit` by trial division: slow on purpose, and all in the interpreter."""
    count = 0
    for candidate in range(2, limit):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def tasks():
    return [LIMIT] * TASKS


TASKS = 24
LIMIT = 16_000
