"""One Python side of one script-suite case (benchmarks/script/run.ps1): the setup, warm-up batches for WARMUP
seconds (as the PowerShell side), then the given number of batches of the loop; prints {"batchesUs": [...],
"coldUs": n, "rssMB": n} (microseconds per iteration; coldUs is the first batch's) as one JSON line.
Run with Debian's python3-torch: /usr/bin/python3 worker.py SETUP BODY ITERATIONS BATCHES [RSS_EVERY [WARMUP]]
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

setup, body, iterations, batches = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rss_every = int(sys.argv[5]) if len(sys.argv) > 5 else 0  # memory mode: sample the resident set every N iterations
warmup_seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 6.0
# AUTOGRAD_PEER_THREADS=N sets PyTorch's thread count; by default PyTorch keeps its own (Debian's build starts with
# one OpenMP thread here).
if os.environ.get("AUTOGRAD_PEER_THREADS"):
    torch.set_num_threads(int(os.environ["AUTOGRAD_PEER_THREADS"]))
env = {"torch": torch, "F": F}
exec(setup, env)
loop = compile("for _i in range(_n):\n" + "".join("    " + line + "\n" for line in body.split("\n")), "<case>", "exec")
def rss_mb():
    with open("/proc/self/status") as status:
        return round(next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024, 1)


if rss_every:
    samples = []
    env["_n"] = rss_every
    for _ in range(iterations // rss_every):
        exec(loop, env)
        samples.append(rss_mb())
    print(json.dumps({"rssMB": samples}))
    sys.exit(0)
env["_n"] = iterations
warm_start = time.perf_counter()
exec(loop, env)
cold = (time.perf_counter() - warm_start) * 1e6 / iterations
while time.perf_counter() - warm_start < warmup_seconds:
    exec(loop, env)
times = []
for _ in range(batches):
    start = time.perf_counter()
    exec(loop, env)
    times.append((time.perf_counter() - start) * 1e6 / iterations)
print(json.dumps({"batchesUs": times, "coldUs": cold, "rssMB": rss_mb(), "threads": torch.get_num_threads()}))
