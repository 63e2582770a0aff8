#!/usr/bin/python3
"""Reference second-order gradients for tests/AutoGrad.Engine.Tests/DoubleBackwardTests.cs, produced by real PyTorch:

    /usr/bin/python3 tests/data/double_backward.py      (Debian's python3-torch 1.13.1)

writes tests/data/double_backward.json. Each case is a function of x (float64, shape [2, 3]) and, for the losses, a
target. With create_graph=True PyTorch records the backward pass itself, using dedicated differentiable backward
functions for softmax, log_softmax, mse_loss and nll_loss; the gradient's grad_fn is named after them
(SoftmaxBackwardDataBackward0, ...). For each case the file holds:

  grad_fn        g.grad_fn.name() where g = torch.autograd.grad(f(x), x, grad_outputs=go, create_graph=True)[0]
  grad           g
  d_x            torch.autograd.grad((g * v).sum(), x) : the Hessian-vector product through the backward graph
  d_go           torch.autograd.grad((g * v).sum(), go): the derivative in the incoming gradient
  d_target       torch.autograd.grad((g * v).sum(), target) where the target is differentiable (mse_loss)

go is ones for a 0-d output, else fixed values; v is fixed. These names are the same in PyTorch 2.x
(tools/autograd/derivatives.yaml: _softmax_backward_data, _log_softmax_backward_data, mse_loss_backward,
nll_loss_backward).
"""
import json
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
X = [[0.5, -1.25, 2.0], [0.75, 0.1, -0.3]]
V = [[0.3, -0.7, 1.1], [-0.2, 0.9, 0.4]]
TARGET = [[0.1, 0.2, -0.5], [1.5, -0.25, 0.05]]
CLASSES = [2, 0]

def cases():
    yield 'softmax dim 1', lambda x, t: x.softmax(1), None, False
    yield 'softmax dim 0', lambda x, t: x.softmax(0), None, False
    yield 'log_softmax dim 1', lambda x, t: x.log_softmax(1), None, False
    yield 'log_softmax dim 0', lambda x, t: x.log_softmax(0), None, False
    yield 'mse_loss mean', lambda x, t: F.mse_loss(x, t), TARGET, True
    yield 'mse_loss sum', lambda x, t: F.mse_loss(x, t, reduction='sum'), TARGET, True
    yield 'mse_loss none', lambda x, t: F.mse_loss(x, t, reduction='none'), TARGET, True
    yield 'nll_loss mean', lambda x, t: F.nll_loss(x, t), CLASSES, False
    yield 'nll_loss sum', lambda x, t: F.nll_loss(x, t, reduction='sum'), CLASSES, False
    yield 'nll_loss none', lambda x, t: F.nll_loss(x, t, reduction='none'), CLASSES, False
    yield 'cross_entropy mean', lambda x, t: F.cross_entropy(x, t), CLASSES, False

out = []
for name, f, target, target_grad in cases():
    x = torch.tensor(X, requires_grad=True)
    t = None
    if target is not None:
        t = torch.tensor(target, requires_grad=target_grad) if target_grad else torch.tensor(target)
    y = f(x, t)
    go = torch.ones_like(y) if y.dim() == 0 else torch.tensor([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]] if y.dim() == 2 else [1.5, -0.5])
    go.requires_grad_(True)
    g, = torch.autograd.grad(y, x, grad_outputs=go, create_graph=True)
    v = torch.tensor(V)
    inputs = [x, go] + ([t] if target_grad else [])
    d = torch.autograd.grad((g * v).sum(), inputs, allow_unused=True)
    z = lambda a, like: (a if a is not None else torch.zeros_like(like)).detach().flatten().tolist()
    case = {
        'name': name, 'x': X, 'target': target, 'go': go.detach().tolist(), 'v': V,
        'grad_fn': g.grad_fn.name() if g.grad_fn is not None else None,
        'grad': g.detach().flatten().tolist(),
        'd_x': z(d[0], x), 'd_go': z(d[1], go),
    }
    if target_grad: case['d_target'] = z(d[2], t)
    out.append(case)

with open(__file__.replace('.py', '.json'), 'w') as fh:
    json.dump({'torch': torch.__version__, 'cases': out}, fh, indent=1)
print('\n'.join(f"{c['name']}: {c['grad_fn']}" for c in out))
