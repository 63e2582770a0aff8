"""Interop, PyTorch -> AutoGrad.PS: writes with real PyTorch (torch.save), NumPy (numpy.save) and the safetensors
format every file tests/TensorFilesInterop.Tests.ps1 then reads with Import-Tensor, plus expected.json, the values
each file must give. Usage: python3 torch_writes.py <dir>"""
import collections
import json
import os
import sys

import numpy as np
import torch

import safetensors_ref

out = sys.argv[1]
expected = {}


def value_of(t):
    return {"dtype": str(t.dtype), "shape": list(t.shape), "values": t.detach().double().reshape(-1).tolist(),
            "requires_grad": t.requires_grad}


def record(name, value):
    if isinstance(value, torch.Tensor):
        expected[name] = {"kind": "tensor", **value_of(value)}
    else:
        expected[name] = {"kind": "dict", "entries": {k: value_of(v) for k, v in value.items()}}


torch.manual_seed(0)
samples = {
    "float32": torch.randn(2, 3),
    "float64": torch.randn(3, 2, dtype=torch.float64),
    "int64": torch.tensor([[1, -2, 3], [2**40, -(2**40), 0]]),
    "bool": torch.tensor([True, False, True]),
    "float16": torch.tensor([0.5, -1.25, 3.0], dtype=torch.float16),
    "bfloat16": torch.tensor([0.5, -1.25, 3.0], dtype=torch.bfloat16),
    "int32": torch.tensor([1, -2, 2**31 - 1], dtype=torch.int32),
    "int16": torch.tensor([1, -2, 300], dtype=torch.int16),
    "int8": torch.tensor([1, -2, 100], dtype=torch.int8),
    "uint8": torch.tensor([1, 2, 255], dtype=torch.uint8),
    "scalar": torch.tensor(3.5),
    "empty": torch.zeros(2, 0),
    "empty_int": torch.zeros(0, dtype=torch.int64),
}
for name, t in samples.items():
    torch.save(t, os.path.join(out, f"t_{name}.pt"))
    record(f"t_{name}.pt", t)
    if t.dtype != torch.bfloat16:
        np.save(os.path.join(out, f"t_{name}.npy"), t.numpy())
        record(f"t_{name}.npy", t)
    safetensors_ref.save({"x": t}, os.path.join(out, f"t_{name}.safetensors"))
    record(f"t_{name}.safetensors", {"x": t})

# Views: a transposed (non-contiguous) tensor and slices sharing one storage at offsets.
base = torch.arange(12.0).reshape(3, 4)
views = collections.OrderedDict(t=base.t(), row=base[1], col=base[:, 2], whole=base)
torch.save(views, os.path.join(out, "views.pt"))
record("views.pt", views)

# NumPy: Fortran order and big-endian data.
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
record("fortran.npy", torch.arange(6, dtype=torch.float64).reshape(2, 3))
np.save(os.path.join(out, "bigendian.npy"), np.arange(4, dtype=">i4"))
record("bigendian.npy", torch.arange(4, dtype=torch.int32))

# A parameter saved as itself keeps requires_grad; pickle protocol 4 uses other opcodes.
p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
torch.save(p, os.path.join(out, "parameter.pt"))
record("parameter.pt", p)
torch.save({"a": torch.ones(2), "b": torch.arange(3)}, os.path.join(out, "protocol4.pt"), pickle_protocol=4)
record("protocol4.pt", {"a": torch.ones(2), "b": torch.arange(3)})

# Metadata in a safetensors file.
safetensors_ref.save({"w": torch.ones(2)}, os.path.join(out, "meta.safetensors"), metadata={"format": "pt", "note": "hi"})

# The model: Sequential(Linear(3, 4), Tanh, Linear(4, 2)); its state dict (with _metadata), an input and the output.
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
torch.save(model.state_dict(), os.path.join(out, "model.pt"))
safetensors_ref.save(dict(model.state_dict()), os.path.join(out, "model.safetensors"))
x = torch.randn(5, 3)
with torch.no_grad():
    y = model(x)
torch.save(x, os.path.join(out, "model_x.pt"))
expected["model_y"] = value_of(y)
record("model.pt", model.state_dict())

# An optimizer-like nested state: numbers, lists, int keys.
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(x).sum().backward()
opt.step()
torch.save(opt.state_dict(), os.path.join(out, "optimizer.pt"))


# Hostile: a pickle that would run a command when unpickled by pickle.load.
class Evil:
    def __reduce__(self):
        return (os.system, (f"touch {os.path.join(out, 'PWNED')}",))


torch.save({"w": torch.ones(1), "evil": Evil()}, os.path.join(out, "evil.pt"))

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
print(f"wrote {len(expected)} expectations to {out}")
