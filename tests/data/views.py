"""Reference data for tests/AutoGrad.Engine.Tests/ViewSemanticsTests.cs: what PyTorch does with each view op.

Run with a python3 that has torch (Debian's python3-torch):  /usr/bin/python3 tests/data/views.py > tests/data/views.json
For every case: the view's shape, strides and storage offset over a fresh arange base; the base after an in-place
multiply through the view (the write reaches the base); the grad_fn names of the view, of the view after the
in-place op and of the base (CopySlices); and the gradient that reaches a leaf through clone -> view -> mul_ ->
weighted sum. PyTorch 1.13 and 2.x agree on all of these.
"""
import json
import torch

VIEWS = {
    "T": lambda x: x.t(),
    "Transpose": lambda x: x.transpose(0, 1),
    "Permute": lambda x: x.permute(1, 0),
    "Select0": lambda x: x.select(0, 1),
    "Select1": lambda x: x.select(1, 2),
    "SelectNegative": lambda x: x.select(-1, -1),
    "Narrow": lambda x: x.narrow(1, 1, 2),
    "SliceStep": lambda x: x[:, 0:4:2],
    "SliceRows": lambda x: x[1:3],
    "Unsqueeze": lambda x: x.unsqueeze(1),
    "Squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "View": lambda x: x.view(4, 3),
    "Reshape": lambda x: x.reshape(2, 6),
    "Flatten": lambda x: x.flatten(),
    "Unflatten": lambda x: x.unflatten(1, (2, 2)),
    "Diagonal": lambda x: x.diagonal(),
    "DiagonalOffset": lambda x: x.diagonal(1),
    "TThenSelect": lambda x: x.t().select(0, 1),
    "NarrowThenT": lambda x: x.narrow(0, 1, 2).t(),
    "Detach": lambda x: x.detach(),
}


# PyTorch 1.13 records a reshape of a contiguous tensor as ReshapeAliasBackward0; 2.x (the reference) as ViewBackward0.
TORCH2_NAMES = {"ReshapeAliasBackward0": "ViewBackward0"}


def names(t):
    if t.grad_fn is None:
        return None
    name = type(t.grad_fn).__name__
    return TORCH2_NAMES.get(name, name)


cases = []
for name, view in VIEWS.items():
    base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    v = view(base)
    case = {
        "name": name,
        "shape": list(v.shape),
        "strides": list(v.stride()),
        "offset": v.storage_offset(),
    }
    v.mul_(10)
    case["baseAfterWrite"] = base.flatten().tolist()

    leaf = torch.arange(12, dtype=torch.float64).reshape(3, 4).requires_grad_()
    case["viewNode"] = names(view(leaf))
    if name != "Detach":
        b = leaf.clone()
        v = view(b)
        v.mul_(3)
        case["viewNodeAfterInPlace"] = names(v)
        case["baseNodeAfterInPlace"] = names(b)
        weights = torch.arange(1, 13, dtype=torch.float64).reshape(3, 4)
        (b * weights).sum().backward()
        case["leafGrad"] = leaf.grad.flatten().tolist()
    cases.append(case)

# Layout of elementwise results and the node a later reshape records (a view only if the layout allows it).
layouts = []
x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
for name, f in {
    "ExpOfT": lambda x: x.t().exp(),
    "AddTAndContiguous": lambda x: x.t() + torch.ones(3, 2, dtype=torch.float64),
    "AddContiguousAndT": lambda x: torch.ones(3, 2, dtype=torch.float64) + x.t(),
    "Log1pOfT": lambda x: x.t().log1p(),
    "LeakyReluOfT": lambda x: torch.nn.functional.leaky_relu(x.t()),
    "SiluOfT": lambda x: torch.nn.functional.silu(x.t()),
    "CloneOfT": lambda x: x.t().clone(),
    "ContiguousOfT": lambda x: x.t().contiguous(),
    "MulScalarOfPermute": lambda x: x.unsqueeze(2).permute(2, 1, 0) * 2,
}.items():
    r = f(x)
    layouts.append({"name": name, "strides": list(r.stride()), "reshapeNode": names(r.reshape(-1))})

errors = {}
leaf = torch.ones(3, requires_grad=True)
for name, f in {
    "InPlaceOnViewOfLeaf": lambda: leaf[0].mul_(2),
    "InPlaceOnExpanded": lambda: torch.zeros(1).expand(3).add_(1),
}.items():
    try:
        f()
    except RuntimeError as e:
        errors[name] = str(e)
with torch.no_grad():
    nv = leaf[0]
try:
    nv.mul_(2)
except RuntimeError as e:
    errors["InPlaceOnNoGradView"] = str(e)

# Building a tensor from slices: z is a leaf that does not require grad; copy_ of y * 2 into z[1:3].
z = torch.zeros(4, dtype=torch.float64)
y = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
z[1:3].copy_(y * 2)
(z * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
copy_into_slice = {"values": z.detach().tolist(), "node": names(z), "yGrad": y.grad.tolist()}

print(json.dumps({"torch": torch.__version__, "views": cases, "layouts": layouts, "errors": errors,
                  "copyIntoSlice": copy_into_slice}, indent=None, separators=(",", ":")).replace('{"name"', '\n{"name"'))
