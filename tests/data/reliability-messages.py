"""PyTorch's own results for the cases of issue 16 (reliability): error texts, warning texts and exact values.

Run with a python3 that has torch (Debian's python3-torch 1.13.1 here):
    /usr/bin/python3 tests/data/reliability-messages.py > tests/data/reliability-messages.json
tests/Reliability.Tests.ps1 and tests/AutoGrad.Engine.Tests/ReliabilityTests.cs compare against the JSON.
"""
import json
import warnings

import torch
import torch.nn.functional as F


def outcome(f):
    """{'kind': exception class, 'message': text} for a raise; {'value': ..., 'warnings': [...]} otherwise."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = f()
        except Exception as e:  # noqa: BLE001 - the exception is the data
            return {"kind": type(e).__name__, "message": str(e)}
    result = {"warnings": [str(w.message) for w in caught]}
    if isinstance(value, torch.Tensor):
        result["dtype"] = str(value.dtype).replace("torch.", "")
        result["shape"] = list(value.shape)
        result["value"] = value.tolist()
    else:
        result["value"] = value
    return result


def set_requires_grad():
    t = torch.tensor([1, 2])
    t.requires_grad = True


def requires_grad_method():
    torch.tensor([1, 2]).requires_grad_(True)


def nested(depth):
    x = 1.0
    for _ in range(depth):
        x = [x]
    return x


cases = {
    # 3. silent wrong values
    "tensor_1e19_int64": lambda: torch.tensor(1e19, dtype=torch.int64),
    "tensor_nan_int64": lambda: torch.tensor(float("nan"), dtype=torch.int64),
    "tensor_inf_int64": lambda: torch.tensor(float("inf"), dtype=torch.int64),
    "tensor_list_with_big_int64": lambda: torch.tensor([1.0, -1e19], dtype=torch.int64),
    "tensor_2p63_int64": lambda: torch.tensor(2.0 ** 63, dtype=torch.int64),
    "tensor_1p5_int64": lambda: torch.tensor([1.5, -2.7], dtype=torch.int64),
    "full_int64_exact": lambda: torch.full((1,), 9007199254740993, dtype=torch.int64),
    "full_int_into_float32": lambda: torch.full((1,), 1152921573326323713, dtype=torch.float32),
    "full_1e19_int64": lambda: torch.full((1,), 1e19, dtype=torch.int64),
    "full_nan_int64": lambda: torch.full((1,), float("nan"), dtype=torch.int64),
    "full_1e39_float32": lambda: torch.full((1,), 1e39, dtype=torch.float32),
    "gradcheck_no_input_requires_grad": lambda: torch.autograd.gradcheck(
        lambda x: x * 2, (torch.tensor([1.0, 2.0], dtype=torch.float64),)),
    "mse_loss_broadcast": lambda: F.mse_loss(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([1.0, 2.0, 4.0])),
    "l1_loss_broadcast": lambda: F.l1_loss(torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([1.0, 2.0, 4.0])),
    "mse_loss_same_size": lambda: F.mse_loss(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 4.0])),
    "tensor_from_2x3": lambda: torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64),
    # 4. operators
    "tensor_minus_none": lambda: torch.tensor(1.0) - None,
    "tensor_plus_none": lambda: torch.tensor(1.0) + None,
    "tensor_times_none": lambda: torch.tensor(1.0) * None,
    "tensor_div_none": lambda: torch.tensor(1.0) / None,
    "none_plus_tensor": lambda: None + torch.tensor(1.0),
    # 5. messages
    "tensor_int_requires_grad": lambda: torch.tensor([1, 2], requires_grad=True),
    "zeros_int_requires_grad": lambda: torch.zeros(2, dtype=torch.int64, requires_grad=True),
    "set_requires_grad_int": set_requires_grad,
    "requires_grad_method_int": requires_grad_method,
    "cross_entropy_0d_target": lambda: F.cross_entropy(torch.ones(1, 2), torch.tensor(0)),
    "cross_entropy_batch_mismatch": lambda: F.cross_entropy(torch.ones(3, 2), torch.tensor([0, 1])),
    "nll_loss_multi_target": lambda: F.nll_loss(torch.ones(3, 2), torch.tensor([[0], [1], [0]])),
    "nll_loss_0d_input": lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(0)),
    "out_of_memory": lambda: torch.empty(10 ** 12),
    # 2. crash-proofing: how deep torch.tensor lets data nest
    "nested_128": lambda: torch.tensor(nested(128)).dim(),
    "nested_129": lambda: torch.tensor(nested(129)).dim(),
}

print(json.dumps({name: outcome(f) for name, f in cases.items()}, indent=1, sort_keys=True))
