"""Reference data for tests/AutoGrad.Engine.Tests/OpTableTests.cs: every op of the engine's OpTable, run in PyTorch.

Run with a python3 that has torch (Debian's python3-torch); build.ps1 OpReference does both steps:
    1. the engine writes its sample calls to tests/data/ops-samples.json (OpCasesFileTests, with
       AUTOGRAD_OP_SAMPLES_OUT set);
    2. /usr/bin/python3 tests/data/ops.py tests/data/ops-samples.json tests/data/ops-reference.json

For every case (op, sample, dtype) the script rebuilds the inputs exactly - storage, sizes, strides and offset, so a
transposed input is a transposed leaf here too - evaluates the op's PyTorch expression (OpInfo.Torch) with x, other
and the keyword arguments as variables, and records for each output its dtype, shape, strides, values, grad_fn and
the grad_fn of out.reshape(-1) (which shows whether the output's layout lets reshape view it), and the gradients of
sum(out * w) for the fixed weights w = 0.5 + (7 i mod 11) / 8 with respect to every input that requires grad. Where PyTorch raises (gelu of an int64 tensor), the error's type
and message are recorded instead, and the test expects the engine to raise the same.

The target is PyTorch 2.x. Where this PyTorch (1.13) names nodes differently, the 2.x name is recorded:
    ReshapeAliasBackward0 -> ViewBackward0   (1.13 records reshape of a contiguous tensor as _reshape_alias)
    SqueezeBackward2/3    -> SqueezeBackward3/4  (2.x added squeeze.dims to derivatives.yaml before squeeze_,
                                                  so the in-place squeeze_ entries, which matmul's vector @ matrix
                                                  uses, moved up by one)
and var/std's correction, a float in 2.x, must be an int in 1.13: integral corrections are passed as ints.
"""
import json
import math
import sys

import torch

TORCH2_NAMES = {
    "ReshapeAliasBackward0": "ViewBackward0",
    "SqueezeBackward2": "SqueezeBackward3",
    "SqueezeBackward3": "SqueezeBackward4",
}

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def node_name(t):
    if t.grad_fn is None:
        return None
    name = type(t.grad_fn).__name__
    return TORCH2_NAMES.get(name, name)


def number(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return v


def encode(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def decode(v):
    """An argument as the engine wrote it (see OpCases.WriteValue)."""
    if isinstance(v, dict):
        if "storage" in v:
            dtype = DTYPES[v["dtype"]]
            values = [number(s) for s in v["storage"]]
            if dtype == torch.bool:
                values = [s != 0 for s in values]
            elif dtype == torch.int64:
                values = [int(s) for s in values]
            storage = torch.tensor(values, dtype=dtype)
            t = torch.as_strided(storage, v["shape"], v["strides"], v["offset"]).detach()
            return t.requires_grad_(v["requires_grad"])
        if "int" in v:
            return int(v["int"])
        if "float" in v:
            return float(number(v["float"]))
        if "torch_dtype" in v:
            return DTYPES[v["torch_dtype"]]
        raise ValueError(f"unknown value {v}")
    return v


def weights(out):
    w = [0.5 + (i * 7 % 11) / 8 for i in range(out.numel())]
    return torch.tensor(w, dtype=out.dtype).reshape(out.shape)


def values(t):
    flat = t.detach().reshape(-1)
    if t.dtype == torch.bool:
        return [1 if b else 0 for b in flat.tolist()]
    return [encode(float(v)) if t.dtype.is_floating_point else int(v) for v in flat.tolist()]


def run(case):
    """The case's outputs and gradients, or the error PyTorch raises for it (the engine must raise the same)."""
    try:
        return evaluate(case)
    except (RuntimeError, TypeError, ValueError, IndexError) as e:
        return {"error": {"type": type(e).__name__, "message": str(e)}}


def evaluate(case):
    args = {name: decode(value) for name, value in case["args"].items()}
    if isinstance(args.get("correction"), float) and args["correction"].is_integer():
        args["correction"] = int(args["correction"])  # 1.13 takes int corrections only
    result = eval(case["torch"], {"torch": torch}, dict(args))
    outputs = list(result) if isinstance(result, tuple) else [result]
    described = []
    for out in outputs:
        described.append({
            "dtype": NAMES[out.dtype],
            "shape": list(out.shape),
            "strides": list(out.stride()),
            "values": values(out),
            "requires_grad": out.requires_grad,
            "grad_fn": node_name(out),
            "reshape_grad_fn": node_name(out.reshape(-1)) if out.grad_fn is not None else None,
        })
    grads = {}
    differentiable = [o for o in outputs if o.requires_grad]
    if case["grad"] and differentiable:
        loss = sum((o * weights(o)).sum() for o in differentiable)
        inputs = [args[name] for name in case["grad"]]
        for name, g in zip(case["grad"], torch.autograd.grad(loss, inputs, allow_unused=True)):
            grads[name] = None if g is None else values(g)
    else:
        grads = {name: None for name in case["grad"]}
    return {"outputs": described, "grads": grads}


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "tests/data/ops-samples.json"
    target = sys.argv[2] if len(sys.argv) > 2 else "tests/data/ops-reference.json"
    with open(source, encoding="utf-8") as f:
        samples = json.load(f)
    cases = {case["id"]: run(case) for case in samples["cases"]}
    for case_id, result in cases.items():
        if "error" in result:
            print(f"{case_id}: PyTorch raises {result['error']['type']}: {result['error']['message']}")
    reference = {
        "source": f"tests/data/ops.py with PyTorch {torch.__version__} (node names mapped to 2.x, see the script)",
        "cases": cases,
    }
    # One case a line, so that a change to one op's samples is a readable diff.
    lines = ",\n".join(json.dumps(k) + ": " + json.dumps(v, separators=(",", ":")) for k, v in cases.items())
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"source": ' + json.dumps(reference["source"]) + ',\n"cases": {\n' + lines + "\n}}\n")
    print(f"{len(cases)} cases -> {target}")


if __name__ == "__main__":
    main()
