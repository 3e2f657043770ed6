#!/usr/bin/env python3
"""Sums a libtorch profiler trace (chrome trace JSON, as UnetForwardBench -Dlathe.bench.trace
writes it) by operator: total ms, calls, share. Top-level aten ops only (events nested in another
op's time span on the same thread are skipped), so the shares add up to the forward's op time.

    trace_summary.py TRACE.json [top=25]
"""
import collections
import json
import sys

trace = json.load(open(sys.argv[1]))
trace = trace["traceEvents"] if isinstance(trace, dict) else trace
events = [e for e in trace if e.get("ph") == "X" and "dur" in e]
events.sort(key=lambda e: (e.get("tid"), e["ts"], -e["dur"]))
top_level = []
end_by_thread = {}
for e in events:
    tid = e.get("tid")
    if e["ts"] >= end_by_thread.get(tid, -1):
        top_level.append(e)
        end_by_thread[tid] = e["ts"] + e["dur"]
total = sum(e["dur"] for e in top_level)
by_op = collections.defaultdict(lambda: [0.0, 0])
for e in top_level:
    by_op[e["name"]][0] += e["dur"]
    by_op[e["name"]][1] += 1
span = (max(e["ts"] + e["dur"] for e in top_level) - min(e["ts"] for e in top_level)) / 1000
print(f"{len(top_level)} top-level ops, {total / 1000:.1f} ms in ops, {span:.1f} ms wall span")
for name, (dur, calls) in sorted(by_op.items(), key=lambda kv: -kv[1][0])[:int(sys.argv[2]) if len(sys.argv) > 2 else 25]:
    print(f"{dur / 1000:9.1f} ms {100 * dur / total:5.1f}% {calls:6d}  {name}")
