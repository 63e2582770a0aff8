#!/usr/bin/python3
"""Reference optimizer trajectories for tests/AutoGrad.Engine.Tests/OptimizerTrajectoryTests.cs and
tests/Optimizer.Tests.ps1, produced by real PyTorch:

    /usr/bin/python3 tests/data/optim_trajectories.py      (Debian's python3-torch 1.13.1)

writes tests/data/optim_trajectories.json. Every case runs torch.optim's own optimizer class with foreach=False (the
single-tensor path) on three parameters (shapes [2, 3], [3], [2]) for 25 steps. The gradients come from autograd of a
fixed loss at the current parameters and are recorded with the parameters after each step, so the engine's tests
replay exactly these gradients and compare the parameters; the third parameter gets no gradient on every third step
(a step must leave it and its state alone). The final optimizer state (state_dict()["state"]) is recorded too.

Where PyTorch 1.13's arithmetic differs from PyTorch 2.x's, the 2.x single-tensor update is used (our target):
  * Adam, AdamW: 2.x updates the first moment with exp_avg.lerp_(grad, 1 - beta1); 1.13 with
    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1). Rounding differs in the last bit.
  * RMSprop (centered): 2.x updates grad_avg with grad_avg.lerp_(grad, 1 - alpha); 1.13 with mul_/add_.
These cases run 1.13's optimizer classes with their update function replaced by `adam_2x` / `rmsprop_2x` below,
which perform 2.x's sequence of tensor ops (written here from the 2.x algorithm, not copied). SGD and Adagrad are
the same in both versions and run unmodified. All arithmetic is done by real torch kernels.
"""
import json
import math
import os
import re

import sys

import torch
import torch.optim.adam
import torch.optim.adamw
import torch.optim.rmsprop

STEPS = 25
SHAPES = [[2, 3], [3], [2]]


def adam_2x(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *args, amsgrad, beta1, beta2,
            lr, weight_decay, eps, maximize, decoupled=False, **kwargs):
    """PyTorch 2.x _single_tensor_adam (capturable=False, differentiable=False); decoupled=True is AdamW."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg, exp_avg_sq, step_t = exp_avgs[i], exp_avg_sqs[i], state_steps[i]
        step_t += 1
        if decoupled:
            param.mul_(1 - lr * weight_decay)
        elif weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)
        step = step_t.item()
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = math.sqrt(bias_correction2)
        if amsgrad:
            torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
            denom = (max_exp_avg_sqs[i].sqrt() / bias_correction2_sqrt).add_(eps)
        else:
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-step_size)


def adamw_2x(*args, **kwargs):
    adam_2x(*args, decoupled=True, **kwargs)


def rmsprop_2x(params, grads, square_avgs, grad_avgs, momentum_buffer_list, *args, lr, alpha, eps, weight_decay,
               momentum, centered, maximize, **kwargs):
    """PyTorch 2.x _single_tensor_rmsprop (the step counter lives in the optimizer state and is not used here)."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        square_avg = square_avgs[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(eps)
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).addcdiv_(grad, avg)
            param.add_(buf, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)


# torch/optim/__init__.py deletes the submodule names, so reach the modules through sys.modules.
sys.modules['torch.optim.adam']._single_tensor_adam = adam_2x
sys.modules['torch.optim.adamw']._single_tensor_adamw = adamw_2x
sys.modules['torch.optim.rmsprop']._single_tensor_rmsprop = rmsprop_2x

OPTIMIZERS = {
    'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
    'RMSprop': torch.optim.RMSprop, 'Adagrad': torch.optim.Adagrad,
}

# name, optimizer, dtype, groups (parameter indices and options), scheduler (or None)
CASES = [
    ('sgd_plain', 'SGD', 'float64', [([0, 1, 2], dict(lr=0.1))], None),
    ('sgd_momentum_dampening_wd', 'SGD', 'float64', [([0, 1, 2], dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01))], None),
    ('sgd_nesterov_maximize', 'SGD', 'float64', [([0, 1, 2], dict(lr=0.02, momentum=0.8, nesterov=True, maximize=True))], None),
    ('sgd_two_groups', 'SGD', 'float64', [([0], dict(lr=0.1, momentum=0.5)), ([1, 2], dict(lr=0.01, weight_decay=0.1))], None),
    ('sgd_nesterov_wd_f32', 'SGD', 'float32', [([0, 1, 2], dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3))], None),
    ('adam_default', 'Adam', 'float64', [([0, 1, 2], dict(lr=0.01))], None),
    ('adam_wd_amsgrad', 'Adam', 'float64', [([0, 1, 2], dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True))], None),
    ('adam_maximize_low_betas', 'Adam', 'float64', [([0, 1, 2], dict(lr=0.01, betas=(0.3, 0.5), maximize=True))], None),
    ('adam_amsgrad_f32', 'Adam', 'float32', [([0, 1, 2], dict(lr=0.02, amsgrad=True, weight_decay=0.01))], None),
    ('adamw_default', 'AdamW', 'float64', [([0, 1, 2], dict(lr=0.01))], None),
    ('adamw_amsgrad_wd', 'AdamW', 'float64', [([0, 1, 2], dict(lr=0.05, betas=(0.85, 0.95), weight_decay=0.5, amsgrad=True))], None),
    ('adamw_maximize_f32', 'AdamW', 'float32', [([0, 1, 2], dict(lr=0.01, maximize=True))], None),
    ('rmsprop_default', 'RMSprop', 'float64', [([0, 1, 2], dict(lr=0.01))], None),
    ('rmsprop_centered_momentum_wd', 'RMSprop', 'float64', [([0, 1, 2], dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05, momentum=0.5, centered=True))], None),
    ('rmsprop_momentum_maximize', 'RMSprop', 'float64', [([0, 1, 2], dict(lr=0.005, momentum=0.9, maximize=True))], None),
    ('rmsprop_centered_low_alpha_f32', 'RMSprop', 'float32', [([0, 1, 2], dict(lr=0.01, alpha=0.3, centered=True))], None),
    ('adagrad_default', 'Adagrad', 'float64', [([0, 1, 2], dict(lr=0.1))], None),
    ('adagrad_lrdecay_wd_init', 'Adagrad', 'float64', [([0, 1, 2], dict(lr=0.5, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1, eps=1e-8))], None),
    ('adagrad_maximize_f32', 'Adagrad', 'float32', [([0, 1, 2], dict(lr=0.1, maximize=True))], None),
    ('adam_onecycle_cycles_beta1', 'Adam', 'float64', [([0, 1, 2], dict(lr=0.01))], ('OneCycleLR', dict(max_lr=0.05, total_steps=STEPS))),
    ('sgd_momentum_steplr', 'SGD', 'float64', [([0, 1, 2], dict(lr=0.1, momentum=0.9))], ('StepLR', dict(step_size=5, gamma=0.5))),
]

INITIAL = [
    [0.5, -1.25, 0.75, 2.0, -0.3, 0.1],
    [1.5, -0.5, 0.25],
    [0.2, -0.7],
]


def loss_of(w, u, b):
    # A smooth loss, bounded below, whose gradients change from step to step and differ in size between elements.
    x = torch.stack([torch.tanh(u), u * u * 0.5, torch.sin(u)])
    y = w @ x + b.unsqueeze(1)
    return (y - 0.3).pow(2).sum() + 0.05 * w.pow(4).sum() + torch.cos(b).sum()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def run(name, kind, dtype, groups, scheduler):
    dt = getattr(torch, dtype)
    params = [torch.tensor(v, dtype=dt).reshape(s).requires_grad_() for v, s in zip(INITIAL, SHAPES)]
    if len(groups) == 1:
        opt = OPTIMIZERS[kind]([params[i] for i in groups[0][0]], foreach=False, **groups[0][1])
    else:
        opt = OPTIMIZERS[kind]([dict(params=[params[i] for i in idx], **opts) for idx, opts in groups], foreach=False)
    sched = None
    if scheduler is not None:
        sched = getattr(torch.optim.lr_scheduler, scheduler[0])(opt, **scheduler[1])
    steps = []
    for k in range(STEPS):
        for p in params:
            p.grad = None
        # Maximizing cases ascend the negated loss, so every trajectory heads for the same minimum.
        loss = loss_of(*params)
        (-loss if opt.param_groups[0]['maximize'] else loss).backward()
        if k % 3 == 1:
            params[2].grad = None
        grads = [None if p.grad is None else flat(p.grad) for p in params]
        opt.step()
        if sched is not None:
            sched.step()
        steps.append(dict(grads=grads, params=[flat(p) for p in params]))
    # 1.13's SGD keeps momentum_buffer=None without momentum; 2.x keeps no state then: None entries are left out.
    state = {}
    for index, entries in opt.state_dict()['state'].items():
        kept = {key: (float(v) if not torch.is_tensor(v) or v.dim() == 0 else flat(v))
                for key, v in entries.items() if v is not None}
        if kept:
            state[str(index)] = kept
    return dict(
        name=name, optimizer=kind, dtype=dtype,
        groups=[dict(params=idx, options={k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()})
                for idx, opts in groups],
        scheduler=None if scheduler is None else dict(type=scheduler[0], options=scheduler[1]),
        shapes=SHAPES, initial=INITIAL, steps=steps, state=state)


def main():
    out = dict(generator='tests/data/optim_trajectories.py', torch=torch.__version__,
               cases=[run(*case) for case in CASES])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'optim_trajectories.json')
    with open(path, 'w') as f:
        f.write(compact_json(out))


def compact_json(value):
    """Indented JSON with each list of numbers on one line (floats as repr: they round-trip exactly)."""
    text = json.dumps(value, indent=1)
    text = re.sub(r'\[\s+([-0-9.e+,\s]+?|null|[-0-9.e+,\snul]+?)\s+\]',
                  lambda m: '[' + ', '.join(x.strip() for x in m.group(1).split(',')) + ']', text)
    return text + '\n'


if __name__ == '__main__':
    main()
