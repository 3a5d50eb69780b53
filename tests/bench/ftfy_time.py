#!/usr/bin/env python3
# Best wall time, in nanoseconds, of ftfy's fix_text over documents:
# each file is one document (a Python string), fixed REPS times per run,
# the fastest of BEST runs printed. Used by the benchmarks that put ftfy
# beside textmend.
#
# usage: ftfy_time.py REPS BEST FILE...
import sys
import time

import ftfy

reps, best = int(sys.argv[1]), int(sys.argv[2])
docs = [open(f, encoding="utf-8", errors="replace").read() for f in sys.argv[3:]]
b = None
for _ in range(best):
    t0 = time.perf_counter_ns()
    for _ in range(reps):
        for d in docs:
            ftfy.fix_text(d)
    t = time.perf_counter_ns() - t0
    b = t if b is None or t < b else b
print(b)
