"""Reference for tests/DataInOut.Tests.ps1 ('indexing'): PyTorch 1.13's results for Python's basic indexing of
x = torch.arange(24.).reshape(2, 3, 4).requires_grad_(), next to the PowerShell spelling of the same index.
Run: /usr/bin/python3 tests/data/indexing.py > tests/data/indexing.json"""
import json

import torch

CASES = [  # (python index, PowerShell index)
    ("x[0]", "$x[0]"),
    ("x[1]", "$x[1]"),
    ("x[-1]", "$x[-1]"),
    ("x[1, 2]", "$x[1, 2]"),
    ("x[1, 2, 3]", "$x[1, 2, 3]"),
    ("x[0, -1, -2]", "$x[0, -1, -2]"),
    ("x[:]", "$x[':']"),
    ("x[0:1]", "$x['0:1']"),
    ("x[:, 1]", "$x[':', 1]"),
    ("x[:, 1]", "$x[':, 1']"),
    ("x[:, :, 2]", "$x[':, :, 2']"),
    ("x[..., 2]", "$x['...', 2]"),
    ("x[1, ...]", "$x['1, ...']"),
    ("x[:, 1:3]", "$x[':', '1:3']"),
    ("x[:, -2:]", "$x[':, -2:']"),
    ("x[1, :2, 1:]", "$x[1, ':2', '1:']"),
    ("x[:, 5:9]", "$x[':, 5:9']"),
    ("x[None]", "$x['None']"),
    ("x[0, None]", "$x[0, 'None']"),
    ("x[:, :, ::2]", "$x[':, :, ::2']"),
    ("x[3]", "$x[3]"),
    ("x[0, 0, 0, 0]", "$x[0, 0, 0, 0]"),
    ("x[:, -4]", "$x[':', -4]"),
    ("x[1.5]", "$x[1.5]"),
    ("x[::0]", "$x['::0']"),
    ("x[::-1]", "$x['::-1']"),
    ("x[..., ...]", "$x['...', '...']"),
    ("torch.tensor(5.)[0]", "(New-Tensor 5.0)[0]"),
]

x = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()
out = []
for py, ps in CASES:
    try:
        r = eval(py)
        out.append({"python": py, "powershell": ps, "shape": list(r.shape), "values": r.detach().reshape(-1).tolist(),
                    "grad_fn": type(r.grad_fn).__name__ if r.grad_fn is not None else None})
    except Exception as e:
        out.append({"python": py, "powershell": ps, "error": type(e).__name__, "message": str(e)})
print(json.dumps(out, indent=1))
