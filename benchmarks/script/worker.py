"""One Python side of one script-suite case (benchmarks/script/run.ps1): the setup, a warm-up batch, then the given
number of batches of the loop; prints {"batchesUs": [...], "rssMB": n} (microseconds per iteration) as one JSON line.
Run with Debian's python3-torch: /usr/bin/python3 worker.py SETUP BODY ITERATIONS BATCHES
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

setup, body, iterations, batches = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rss_every = int(sys.argv[5]) if len(sys.argv) > 5 else 0  # memory mode: sample the resident set every N iterations
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
env["_n"] = max(1, iterations // 4)
exec(loop, env)
times = []
env["_n"] = iterations
for _ in range(batches):
    start = time.perf_counter()
    exec(loop, env)
    times.append((time.perf_counter() - start) * 1e6 / iterations)
print(json.dumps({"batchesUs": times, "rssMB": rss_mb(), "threads": torch.get_num_threads()}))
