"""Waiting, not computing: time.sleep stands in for network or disk latency. The GIL is released
while waiting, so threads overlap the waits cheaply; processes do too, at a higher start-up cost."""

import time


def wait(seconds):
    time.sleep(seconds)
    return seconds


def tasks():
    return [0.01] * 40
