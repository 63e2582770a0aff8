"""Interop, AutoGrad.PS -> PyTorch: reads with real PyTorch (torch.load(weights_only=True)), NumPy (numpy.load) and
the safetensors format every file listed in <dir>/written.json (written by Export-Tensor in
tests/TensorFilesInterop.Tests.ps1), compares dtype, shape and values, and loads model.* into
Sequential(Linear(3, 4), Tanh, Linear(4, 2)) with load_state_dict to compute its output on model_x.
Prints one JSON object: {"results": {file: "ok" | error}, "model_y": [...]}. Usage: python3 torch_reads.py <dir>"""
import json
import math
import os
import sys

import numpy as np
import torch

import safetensors_ref

out = sys.argv[1]
written = json.load(open(os.path.join(out, "written.json")))
results = {}


def same(t, spec):
    if str(t.dtype) != spec["dtype"]:
        return f"dtype {t.dtype}, expected {spec['dtype']}"
    if list(t.shape) != spec["shape"]:
        return f"shape {list(t.shape)}, expected {spec['shape']}"
    got = t.double().reshape(-1).tolist()
    for a, b in zip(got, spec["values"]):
        if not (a == b or (math.isnan(a) and math.isnan(b))):
            return f"values {got}, expected {spec['values']}"
    if t.requires_grad != spec.get("requires_grad", False):
        return f"requires_grad {t.requires_grad}"
    return "ok"


for name, spec in written.items():
    path = os.path.join(out, name)
    try:
        if name.endswith(".pt") or name.endswith(".pth"):
            obj = torch.load(path, weights_only=True)
        elif name.endswith(".npy"):
            obj = torch.from_numpy(np.load(path, allow_pickle=False))
        else:
            obj, meta = safetensors_ref.load(path)
            if spec.get("metadata") is not None and meta != spec["metadata"]:
                raise AssertionError(f"metadata {meta}, expected {spec['metadata']}")
        if spec["kind"] == "tensor":
            if isinstance(obj, dict):
                obj = obj["tensor"]
            results[name] = same(obj, spec)
        else:
            if list(obj.keys()) != list(spec["entries"].keys()) and not name.endswith(".safetensors"):
                raise AssertionError(f"keys {list(obj.keys())}, expected {list(spec['entries'].keys())}")
            if sorted(obj.keys()) != sorted(spec["entries"].keys()):
                raise AssertionError(f"keys {sorted(obj.keys())}")
            bad = [f"{k}: {r}" for k, r in ((k, same(obj[k], v)) for k, v in spec["entries"].items()) if r != "ok"]
            results[name] = "ok" if not bad else "; ".join(bad)
    except Exception as e:  # reported to the Pester test, which fails on anything but "ok"
        results[name] = f"{type(e).__name__}: {e}"

model_y = {}
x = torch.load(os.path.join(out, "model_x.pt"), weights_only=True)
for name in ("model_ps.pt", "model_ps.safetensors"):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    sd = torch.load(os.path.join(out, name), weights_only=True) if name.endswith(".pt") else safetensors_ref.load(os.path.join(out, name))[0]
    model.load_state_dict(sd)
    with torch.no_grad():
        model_y[name] = model(x).double().reshape(-1).tolist()
print(json.dumps({"results": results, "model_y": model_y}))
