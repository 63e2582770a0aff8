"""Reference data for tests/AutoGrad.Engine.Tests/KernelTests.cs (Float32_exp_agrees_with_pytorch): PyTorch's float32
exp on 4,000 inputs spread over its whole range (uniform in bit pattern between -104 and 89, plus the edges).

Run with a python3 that has torch (Debian's python3-torch):  /usr/bin/python3 tests/data/exp_float32.py > tests/data/exp_float32.json
PyTorch's CPU float exp is Sleef's expf8_u10 (within 1 ulp); on this sample it differs from the correctly rounded
result in about 0.8% of the inputs. Values are float32 bit patterns, so nothing is lost in JSON.
"""
import json
import numpy as np
import torch

rng = np.random.default_rng(20261205)
lo, hi = np.float32(-104.0), np.float32(89.0)
# Uniform in bit pattern: as many small arguments as large ones, both signs.
neg = rng.integers(0, np.array(lo).view(np.uint32) + 1, 2000, dtype=np.uint32)
pos = rng.integers(0, np.array(hi).view(np.uint32) + 1, 1970, dtype=np.uint32)
edges = np.array([0.0, -0.0, 1.0, -1.0, 88.72283, 88.72284, 88.7229, -87.33654, -87.33655, -103.0, -103.97207,
                  -103.97208, 1e-30, -1e-30, 0.5, -0.5, 0.34657359, -0.34657359, 10.0, -10.0, 20.0, -20.0, 50.0,
                  -50.0, 80.0, -80.0, 88.0, -88.0, 0.0625, 2.0], dtype=np.float32)
x = np.concatenate([neg | np.uint32(0x80000000), pos]).view(np.float32)
x = np.concatenate([x, edges])
y = torch.exp(torch.from_numpy(x)).numpy()
print(json.dumps({
    "torch": torch.__version__,
    "inputBits": [int(b) for b in x.view(np.uint32)],
    "expBits": [int(b) for b in y.view(np.uint32)],
}))
