#!/usr/bin/python3
"""Reference gradient layouts for tests/AutoGrad.Engine.Tests/GradLayoutTests.cs, produced by real PyTorch:

    /usr/bin/python3 tests/data/grad_layout.py      (Debian's python3-torch 1.13.1)

writes tests/data/grad_layout.json: the strides of .grad after backward (the gradient layout contract of
torch/csrc/autograd/utils/grad_layout_contract.h: a dense leaf's .grad has the leaf's strides, so a gradient that
arrives as a transposed view is copied into the leaf's layout), and the strides of the gradient mm's backward hands
to a column-major (transposed) matrix operand, seen by a hook (mm_mat1_backward / mm_mat2_backward return it
column-major too). PyTorch 2.x: the same (FunctionsManual.cpp).
"""
import json
import torch

torch.manual_seed(0)
out = []

def leaf_case(name, make_leaf, f):
    w = make_leaf().requires_grad_()
    f(w).sum().backward()
    out.append({'name': name, 'kind': 'leaf', 'shape': list(w.shape), 'leaf_strides': list(w.stride()),
                'grad_strides': list(w.grad.stride())})

leaf_case('linear weight', lambda: torch.randn(6, 5), lambda w: torch.nn.functional.linear(torch.randn(4, 5), w, torch.randn(6)))
leaf_case('linear weight, no bias', lambda: torch.randn(6, 5), lambda w: torch.nn.functional.linear(torch.randn(4, 5), w))
leaf_case('x @ w', lambda: torch.randn(3, 4), lambda w: torch.randn(5, 3) @ w)
leaf_case('w.t() * 2', lambda: torch.randn(3, 4), lambda w: w.t() * 2)
leaf_case('w * e.t()', lambda: torch.randn(3, 4), lambda w: w * torch.randn(4, 3).t())
leaf_case('transposed leaf * 3', lambda: torch.randn(4, 3).t(), lambda w: w * 3)
leaf_case('transposed leaf @ x', lambda: torch.randn(4, 3).t(), lambda w: w @ torch.randn(4, 2))

def hook_case(name, f, rows, cols):
    # The gradient of a transposed view of a contiguous [cols, rows] leaf, as the hook on the view sees it.
    w = torch.randn(cols, rows, requires_grad=True)
    wt = w.t()
    seen = []
    wt.register_hook(lambda g: seen.append(list(g.stride())))
    f(wt).sum().backward()
    out.append({'name': name, 'kind': 'hook', 'shape': [rows, cols], 'grad_strides': seen[0]})

hook_case('mm, mat2 column-major', lambda wt: torch.randn(4, 5) @ wt, 5, 6)
hook_case('mm, mat1 column-major', lambda wt: wt @ torch.randn(6, 2), 5, 6)
hook_case('addmm, mat2 column-major', lambda wt: torch.addmm(torch.randn(6), torch.randn(4, 5), wt), 5, 6)

with open(__file__.replace('.py', '.json'), 'w') as fh:
    json.dump({'torch': torch.__version__, 'cases': out}, fh, indent=1)
print('\n'.join(f"{c['name']}: {c['grad_strides']}" for c in out))
