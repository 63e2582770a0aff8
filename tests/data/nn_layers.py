#!/usr/bin/python3
"""Reference data for the layers and the global seed (issue 13, items 1 and 2), from real PyTorch.

Run with a Python that has torch (Debian's python3-torch 1.13 here):
    /usr/bin/python3 tests/data/nn_layers.py > tests/data/nn_layers.json

Read by tests/AutoGrad.Engine.Tests/NNReferenceTests.cs (engine) and tests/Layers.Tests.ps1 (cmdlets). Tensors are
{"shape": [...], "dtype": "float32"|"float64"|"int64", "values": [...flat, row-major...]}; float32 values are
written as the exact doubles they widen to, so equality checks can be bit-exact.

Layer specs use New-Layer's parameter names (InFeatures, OutFeatures, ...), so the Pester tests can splat them.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}


def enc(t):
    t = t.detach()
    name = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}[t.dtype]
    values = t.flatten().tolist()
    return {"shape": list(t.shape), "dtype": name, "values": values}


def dec(d):
    return torch.tensor(d["values"], dtype=DTYPES[d["dtype"]]).reshape(d["shape"])


def build(spec):
    """The PyTorch module for a spec (type + New-Layer's parameter names)."""
    a = dict(spec.get("args", {}))
    dtype = DTYPES[a.pop("DType", "float32")]
    t = spec["type"]
    if t == "Linear":
        return nn.Linear(a["InFeatures"], a["OutFeatures"], bias=a.get("Bias", True), dtype=dtype)
    if t == "Sequential":
        return nn.Sequential(*[build(s) for s in spec["layers"]])
    if t == "ReLU":
        return nn.ReLU()
    if t == "Tanh":
        return nn.Tanh()
    if t == "Sigmoid":
        return nn.Sigmoid()
    if t == "SiLU":
        return nn.SiLU()
    if t == "Identity":
        return nn.Identity()
    if t == "GELU":
        return nn.GELU(approximate=a.get("Approximate", "none"))
    if t == "LeakyReLU":
        return nn.LeakyReLU(a.get("NegativeSlope", 0.01))
    if t == "Softmax":
        return nn.Softmax(dim=a.get("Dim"))
    if t == "LogSoftmax":
        return nn.LogSoftmax(dim=a.get("Dim"))
    if t == "Dropout":
        return nn.Dropout(a.get("P", 0.5))
    if t == "Flatten":
        return nn.Flatten(a.get("StartDim", 1), a.get("EndDim", -1))
    if t == "Embedding":
        return nn.Embedding(a["NumEmbeddings"], a["EmbeddingDim"], padding_idx=a.get("PaddingIdx"), dtype=dtype)
    if t == "LayerNorm":
        return nn.LayerNorm(a["NormalizedShape"], eps=a.get("Eps", 1e-5),
                            elementwise_affine=a.get("ElementwiseAffine", True), dtype=dtype)
    if t == "BatchNorm1d":
        return nn.BatchNorm1d(a["NumFeatures"], eps=a.get("Eps", 1e-5), momentum=a.get("Momentum", 0.1),
                              affine=a.get("Affine", True), track_running_stats=a.get("TrackRunningStats", True),
                              dtype=dtype)
    raise ValueError(t)


def weights_for(shape, dtype, offset=0.0):
    """A fixed, irregular upstream gradient / input: sin(1.3 * i + 0.7 + offset)."""
    n = math.prod(shape)
    return torch.tensor([math.sin(1.3 * i + 0.7 + offset) for i in range(n)], dtype=dtype).reshape(shape)


# ---- 1. the global generator --------------------------------------------------------------------------------------

def init_cases():
    cases = []
    for dtype in ("float32", "float64"):
        for seed in (0, 3, 42, 1234, 2**40 + 5):
            torch.manual_seed(seed)
            l1 = nn.Linear(4, 8, dtype=DTYPES[dtype])
            l2 = nn.Linear(8, 3, dtype=DTYPES[dtype])
            l3 = nn.Linear(5, 2, bias=False, dtype=DTYPES[dtype])
            e1 = nn.Embedding(10, 3, dtype=DTYPES[dtype])           # 30 values: the 16-at-a-time normal path
            e2 = nn.Embedding(3, 4, padding_idx=-2, dtype=DTYPES[dtype])  # 12 values: one-by-one normals
            after = torch.rand(5, dtype=DTYPES[dtype])
            cases.append({
                "seed": seed, "dtype": dtype,
                "tensors": {
                    "l1.weight": enc(l1.weight), "l1.bias": enc(l1.bias),
                    "l2.weight": enc(l2.weight), "l2.bias": enc(l2.bias),
                    "l3.weight": enc(l3.weight),
                    "e1.weight": enc(e1.weight), "e2.weight": enc(e2.weight),
                },
                "after": enc(after),
            })
    return cases


def sequential_init_cases():
    spec = {"type": "Sequential", "layers": [
        {"type": "Linear", "args": {"InFeatures": 6, "OutFeatures": 16}},
        {"type": "ReLU"},
        {"type": "Dropout", "args": {"P": 0.25}},
        {"type": "Linear", "args": {"InFeatures": 16, "OutFeatures": 16}},
        {"type": "LayerNorm", "args": {"NormalizedShape": [16]}},
        {"type": "Linear", "args": {"InFeatures": 16, "OutFeatures": 3}},
    ]}
    cases = []
    for seed in (7, 2024):
        torch.manual_seed(seed)
        m = build(spec)
        cases.append({"seed": seed, "spec": spec,
                      "state_dict": {k: enc(v) for k, v in m.state_dict().items()},
                      "after": enc(torch.randn(3))})
    return cases


def sampling_cases():
    out = {"uniform": [], "randperm": [], "bernoulli": [], "state": []}
    for dtype in ("float32", "float64"):
        for seed, lo, hi in ((0, -0.5, 0.5), (11, -2.0, 3.0), (99, 0.0, 1e-3), (5, -1 / math.sqrt(7), 1 / math.sqrt(7))):
            torch.manual_seed(seed)
            u = torch.empty(300, dtype=DTYPES[dtype]).uniform_(lo, hi)
            out["uniform"].append({"seed": seed, "dtype": dtype, "from": lo, "to": hi, "values": enc(u)})
    for seed in (0, 7, 123):
        for n in (0, 1, 2, 5, 10, 100, 1000):
            torch.manual_seed(seed)
            r = torch.randperm(n)
            out["randperm"].append({"seed": seed, "n": n, "values": enc(r), "after": enc(torch.rand(2))})
    out["randn"] = []
    for dtype in ("float32", "float64"):
        for seed, n in ((0, 16), (1, 17), (2, 31), (3, 100), (4, 1000), (5, 5)):
            torch.manual_seed(seed)
            out["randn"].append({"seed": seed, "dtype": dtype, "values": enc(torch.randn(n, dtype=DTYPES[dtype])),
                                 "after": enc(torch.rand(2))})
    for seed, p in ((0, 0.5), (3, 0.8), (17, 0.1)):
        torch.manual_seed(seed)
        b = torch.empty(50).bernoulli_(p)
        out["bernoulli"].append({"seed": seed, "p": p, "values": enc(b), "after": enc(torch.rand(2))})
    # state save/restore: get_rng_state in the middle of a stream replays the same numbers
    torch.manual_seed(8)
    torch.randn(3)                       # leaves a cached normal behind
    state = torch.get_rng_state()
    first = torch.cat([torch.randn(5), torch.rand(4)])
    torch.set_rng_state(state)
    again = torch.cat([torch.randn(5), torch.rand(4)])
    assert torch.equal(first, again)
    out["state"].append({"seed": 8, "values": enc(first), "initial_seed": torch.initial_seed()})
    # New-Tensor -Rand/-RandN after Set-RandomSeed: one stream, PyTorch's order of draws
    for seed in (3, -1):
        torch.manual_seed(seed)
        out["stream"] = out.get("stream", [])
        out["stream"].append({"seed": seed, "initial_seed": torch.initial_seed(), "draws": [
            {"kind": "rand", "shape": [3], "dtype": "float32", "values": enc(torch.rand(3))},
            {"kind": "randn", "shape": [4], "dtype": "float32", "values": enc(torch.randn(4))},
            {"kind": "rand", "shape": [2], "dtype": "float64", "values": enc(torch.rand(2, dtype=torch.float64))},
            {"kind": "randn", "shape": [2, 3], "dtype": "float64", "values": enc(torch.randn(2, 3, dtype=torch.float64))},
        ]})
    return out


def dropout_cases():
    cases = []
    for dtype in ("float32", "float64"):
        for seed, p, shape in ((0, 0.5, [4, 5]), (3, 0.3, [2, 3, 4]), (42, 0.9, [20]), (1, 1.0, [3]), (2, 0.0, [3])):
            torch.manual_seed(seed)
            x = weights_for(shape, DTYPES[dtype]).requires_grad_()
            y = F.dropout(x, p, True)
            up = weights_for(shape, DTYPES[dtype], 1.0)
            (y * up).sum().backward()
            cases.append({"seed": seed, "p": p, "dtype": dtype, "input": enc(x), "output": enc(y),
                          "grad_fn": type(y.grad_fn).__name__ if y.grad_fn is not None else None,
                          "upstream": enc(up), "input_grad": enc(x.grad),
                          "after": enc(torch.rand(2, dtype=DTYPES[dtype]))})
    return cases


# ---- 2. layers: forward, graph node, gradients -------------------------------------------------------------------

LAYER_CASES = [
    ("Linear 2-d", {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 3, "DType": "float64"}}, [5, 4]),
    ("Linear 2-d float32", {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 3}}, [5, 4]),
    ("Linear no bias", {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 3, "Bias": False, "DType": "float64"}}, [5, 4]),
    ("Linear 3-d", {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 2, "DType": "float64"}}, [2, 3, 4]),
    ("Linear 1-d", {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 2, "DType": "float64"}}, [4]),
    ("ReLU", {"type": "ReLU"}, [3, 4]),
    ("Tanh", {"type": "Tanh"}, [3, 4]),
    ("Sigmoid", {"type": "Sigmoid"}, [3, 4]),
    ("SiLU", {"type": "SiLU"}, [3, 4]),
    ("GELU", {"type": "GELU"}, [3, 4]),
    ("GELU tanh", {"type": "GELU", "args": {"Approximate": "tanh"}}, [3, 4]),
    ("LeakyReLU", {"type": "LeakyReLU", "args": {"NegativeSlope": 0.2}}, [3, 4]),
    ("Softmax", {"type": "Softmax", "args": {"Dim": 1}}, [3, 4]),
    ("LogSoftmax", {"type": "LogSoftmax", "args": {"Dim": -1}}, [2, 3, 4]),
    ("Flatten", {"type": "Flatten"}, [2, 3, 4]),
    ("Flatten 0..1", {"type": "Flatten", "args": {"StartDim": 0, "EndDim": 1}}, [2, 3, 4]),
    ("Identity", {"type": "Identity"}, [3, 4]),
    ("LayerNorm", {"type": "LayerNorm", "args": {"NormalizedShape": [4], "DType": "float64"}}, [3, 4]),
    ("LayerNorm 2 dims", {"type": "LayerNorm", "args": {"NormalizedShape": [3, 4], "Eps": 1e-3, "DType": "float64"}}, [2, 3, 4]),
    ("LayerNorm no affine", {"type": "LayerNorm", "args": {"NormalizedShape": [4], "ElementwiseAffine": False, "DType": "float64"}}, [3, 4]),
    ("LayerNorm float32", {"type": "LayerNorm", "args": {"NormalizedShape": [4]}}, [3, 4]),
    ("BatchNorm1d 2-d", {"type": "BatchNorm1d", "args": {"NumFeatures": 4, "DType": "float64"}}, [5, 4]),
    ("BatchNorm1d 3-d", {"type": "BatchNorm1d", "args": {"NumFeatures": 3, "DType": "float64"}}, [2, 3, 4]),
    ("BatchNorm1d no affine", {"type": "BatchNorm1d", "args": {"NumFeatures": 4, "Affine": False, "DType": "float64"}}, [5, 4]),
    ("BatchNorm1d float32", {"type": "BatchNorm1d", "args": {"NumFeatures": 4}}, [5, 4]),
    ("Embedding", {"type": "Embedding", "args": {"NumEmbeddings": 6, "EmbeddingDim": 3, "DType": "float64"}}, "indices"),
    ("Embedding padding", {"type": "Embedding", "args": {"NumEmbeddings": 6, "EmbeddingDim": 3, "PaddingIdx": 2, "DType": "float64"}}, "indices"),
    ("Sequential MLP", {"type": "Sequential", "layers": [
        {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 6, "DType": "float64"}},
        {"type": "Tanh"},
        {"type": "LayerNorm", "args": {"NormalizedShape": [6], "DType": "float64"}},
        {"type": "Linear", "args": {"InFeatures": 6, "OutFeatures": 3, "DType": "float64"}},
        {"type": "LogSoftmax", "args": {"Dim": 1}},
    ]}, [5, 4]),
]

TRAIN_EVAL = {"BatchNorm1d 2-d", "BatchNorm1d 3-d", "BatchNorm1d no affine", "BatchNorm1d float32"}


def layer_cases():
    cases = []
    for i, (name, spec, shape) in enumerate(LAYER_CASES):
        torch.manual_seed(100 + i)
        m = build(spec)
        pdtype = next((p.dtype for p in list(m.parameters()) + list(m.buffers()) if p.is_floating_point()), torch.float32)
        dtype = "float64" if pdtype == torch.float64 else "float32"
        if shape == "indices":
            x = torch.tensor([[0, 2, 5, 2], [1, 1, 3, 2]])
        else:
            x = (weights_for(shape, DTYPES[dtype]) * 2).requires_grad_()
        modes = ["train", "eval"] if name in TRAIN_EVAL else ["train"]
        runs = []
        for mode in modes:
            m.train(mode == "train")
            for p in m.parameters():
                p.grad = None
            if x.requires_grad:
                x.grad = None
            y = m(x)
            up = weights_for(list(y.shape), y.dtype, 0.5)
            (y * up).sum().backward()
            run = {"mode": mode, "output": enc(y), "grad_fn": type(y.grad_fn).__name__, "upstream": enc(up),
                   "grads": {k: enc(p.grad) for k, p in m.named_parameters()},
                   "buffers": {k: enc(b) for k, b in m.named_buffers()}}
            if x.requires_grad:
                run["input_grad"] = enc(x.grad)
            runs.append(run)
        cases.append({"name": name, "spec": spec, "seed": 100 + i, "repr": repr(m),
                      "state_dict": {k: enc(v) for k, v in build_state(m, spec, 100 + i).items()},
                      "input": enc(x), "runs": runs})
    return cases


def build_state(m, spec, seed):
    """The module's state before any forward pass (rebuilt from the seed, as the test will)."""
    torch.manual_seed(seed)
    return build(spec).state_dict()


def batchnorm_sequences():
    """Running statistics over several training batches, then eval; momentum 0.1 and None (cumulative)."""
    out = []
    for momentum in (0.1, None, 0.5):
        for dtype in ("float64", "float32"):
            bn = build({"type": "BatchNorm1d", "args": {"NumFeatures": 3, "Momentum": momentum, "DType": dtype}})
            steps = []
            for k in range(3):
                x = weights_for([4, 3], DTYPES[dtype], 0.3 * k) * (k + 1) + k
                y = bn(x)
                steps.append({"input": enc(x), "output": enc(y),
                              "running_mean": enc(bn.running_mean), "running_var": enc(bn.running_var),
                              "num_batches_tracked": int(bn.num_batches_tracked)})
            bn.eval()
            xe = weights_for([2, 3], DTYPES[dtype], 2.0)
            out.append({"momentum": momentum, "dtype": dtype, "steps": steps,
                        "eval_input": enc(xe), "eval_output": enc(bn(xe)), "repr": repr(bn)})
    return out


# ---- reprs, state-dict keys, errors ------------------------------------------------------------------------------

REPRS = [
    {"type": "Sequential", "layers": [
        {"type": "Linear", "args": {"InFeatures": 4, "OutFeatures": 8}},
        {"type": "ReLU"},
        {"type": "Dropout", "args": {"P": 0.5}},
        {"type": "Sequential", "layers": [{"type": "Tanh"}, {"type": "Sigmoid"}]},
        {"type": "Linear", "args": {"InFeatures": 8, "OutFeatures": 3, "Bias": False}},
    ]},
    {"type": "Sequential", "layers": []},
    {"type": "GELU", "args": {"Approximate": "tanh"}},
    {"type": "Softmax"},
    {"type": "LogSoftmax", "args": {"Dim": 0}},
    {"type": "Flatten", "args": {"StartDim": 0, "EndDim": 2}},
    {"type": "Embedding", "args": {"NumEmbeddings": 10, "EmbeddingDim": 3}},
    {"type": "Embedding", "args": {"NumEmbeddings": 10, "EmbeddingDim": 3, "PaddingIdx": -1}},
    {"type": "LayerNorm", "args": {"NormalizedShape": [2, 3], "Eps": 1e-6, "ElementwiseAffine": False}},
    {"type": "LayerNorm", "args": {"NormalizedShape": [8], "Eps": 0.001}},
    {"type": "BatchNorm1d", "args": {"NumFeatures": 8}},
    {"type": "BatchNorm1d", "args": {"NumFeatures": 8, "Eps": 1e-3, "Momentum": None, "Affine": False, "TrackRunningStats": False}},
    {"type": "LeakyReLU"},
    {"type": "LeakyReLU", "args": {"NegativeSlope": 0.2}},
    {"type": "Dropout", "args": {"P": 0.125}},
    {"type": "SiLU"},
    {"type": "Identity"},
]


def repr_cases():
    return [{"spec": s, "repr": repr(build(s)), "state_dict_keys": list(build(s).state_dict().keys()),
             "parameter_names": [k for k, _ in build(s).named_parameters()]} for s in REPRS]


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we record whatever PyTorch raises
        return {"kind": type(e).__name__, "message": str(e)}
    raise AssertionError("no error")


def error_cases():
    lin = nn.Linear(2, 3)
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.BatchNorm1d(3))
    cases = {
        "load_missing": error(lambda: nn.Linear(2, 3).load_state_dict({"weight": torch.zeros(3, 2)})),
        "load_unexpected": error(lambda: nn.Linear(2, 3).load_state_dict(
            {"weight": torch.zeros(3, 2), "bias": torch.zeros(3), "foo": torch.zeros(1), "bar.baz": torch.zeros(1)})),
        "load_size": error(lambda: nn.Linear(2, 3).load_state_dict({"weight": torch.zeros(2, 2), "bias": torch.zeros(4)})),
        "load_all": error(lambda: seq.load_state_dict(
            {"0.weight": torch.zeros(3, 3), "2.weight": torch.zeros(3), "2.bias": torch.zeros(3), "x": torch.zeros(1)})),
        "load_not_tensor": error(lambda: nn.Linear(2, 3).load_state_dict({"weight": 5, "bias": torch.zeros(3)})),
        "linear_shape": error(lambda: lin(torch.zeros(5, 4))),
        "linear_dtype": error(lambda: lin(torch.zeros(5, 2, dtype=torch.float64))),
        "layernorm_shape": error(lambda: nn.LayerNorm(8)(torch.zeros(2, 4))),
        "batchnorm_rank": error(lambda: nn.BatchNorm1d(3)(torch.zeros(3))),
        "batchnorm_single": error(lambda: nn.BatchNorm1d(3)(torch.zeros(1, 3))),
        "embedding_dtype": error(lambda: nn.Embedding(4, 2)(torch.zeros(3))),
        "embedding_range": error(lambda: nn.Embedding(4, 2)(torch.tensor([1, 4]))),
        "embedding_padding": error(lambda: nn.Embedding(4, 2, padding_idx=4)),
        "dropout_p": error(lambda: nn.Dropout(1.5)),
        "randperm_negative": error(lambda: torch.randperm(-1)),
    }
    # What strict=False reports instead of raising.
    cases["load_nonstrict"] = {"message": str(nn.Linear(2, 3).load_state_dict(
        {"weight": torch.ones(3, 2), "extra": torch.ones(1)}, strict=False))}
    cases["load_ok"] = {"message": str(nn.Linear(2, 3).load_state_dict({"weight": torch.ones(3, 2), "bias": torch.ones(3)}))}
    return cases


def main():
    data = {
        "torch_version": torch.__version__,
        "init": init_cases(),
        "sequential_init": sequential_init_cases(),
        "sampling": sampling_cases(),
        "dropout": dropout_cases(),
        "layers": layer_cases(),
        "batchnorm_sequences": batchnorm_sequences(),
        "reprs": repr_cases(),
        "errors": error_cases(),
    }
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
