#!/usr/bin/python3
"""Reference learning-rate sequences for tests/AutoGrad.Engine.Tests/LRSchedulerTests.cs and
tests/LRScheduler.Tests.ps1, produced by real PyTorch:

    /usr/bin/python3 tests/data/lr_schedulers.py      (Debian's python3-torch 1.13.1)

writes tests/data/lr_schedulers.json. Each case builds an optimizer with two parameter groups (different learning
rates), attaches torch.optim.lr_scheduler's scheduler (which performs its initial step at construction), records every
group's lr and momentum (or beta1) after construction, then `steps` times calls optimizer.step() (no gradients: a
no-op) and scheduler.step() (with the case's metric for ReduceLROnPlateau) and records get_last_lr(), every group's lr
and momentum again. The schedulers compute their values recursively from the previous lr (CosineAnnealingLR's
chainable form, not its closed form), so a long run checks that the engine does the same arithmetic in the same order.

PyTorch 2.x computes these sequences with the same arithmetic as 1.13 (its changes to these classes are messages,
warnings and tensor-valued lrs); the cases avoid the one behavioural difference we know of: 1.13's ReduceLROnPlateau
has no get_last_lr() before its first step (2.x sets it at construction), so it is recorded from the groups instead.
"""
import json
import os
import re

import torch

STEPS = 60

# name, optimizer (type, options for both groups), group lrs, scheduler type, options, steps, metrics (plateau only)
CASES = [
    ('steplr', 'SGD', dict(momentum=0.9), [0.1, 0.05], 'StepLR', dict(step_size=7, gamma=0.5), STEPS, None),
    ('steplr_default_gamma', 'Adam', {}, [0.001, 0.01], 'StepLR', dict(step_size=3), 20, None),
    ('multisteplr_repeated_milestone', 'SGD', {}, [0.1, 0.3], 'MultiStepLR', dict(milestones=[3, 10, 10, 25], gamma=0.3), 40, None),
    ('exponentiallr', 'SGD', {}, [0.1, 1.0], 'ExponentialLR', dict(gamma=0.93), STEPS, None),
    ('cosineannealinglr_past_tmax', 'SGD', {}, [0.1, 0.02], 'CosineAnnealingLR', dict(T_max=10, eta_min=0.001), STEPS, None),
    ('cosineannealinglr_odd_tmax', 'Adam', {}, [0.003, 0.0007], 'CosineAnnealingLR', dict(T_max=7), 30, None),
    ('linearlr_warmup', 'SGD', {}, [0.1, 0.05], 'LinearLR', dict(start_factor=0.25, end_factor=1.0, total_iters=8), 20, None),
    ('linearlr_decay', 'Adam', {}, [0.01, 0.02], 'LinearLR', dict(start_factor=1.0, end_factor=0.1, total_iters=15), 25, None),
    ('linearlr_default', 'SGD', {}, [0.3, 0.1], 'LinearLR', {}, 10, None),
    ('reducelronplateau_min_rel', 'SGD', {}, [0.1, 0.01], 'ReduceLROnPlateau', dict(patience=2, factor=0.5, cooldown=1, min_lr=[0.004, 0.002]), 40,
     [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.80001, 0.8, 0.81, 0.82, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69995, 0.7, 0.7, 0.7,
      0.6, 0.61, 0.62, 0.63, 0.64, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]),
    ('reducelronplateau_max_abs', 'Adam', {}, [0.001, 0.002], 'ReduceLROnPlateau', dict(mode='max', threshold_mode='abs', threshold=0.01, patience=1, factor=0.2, eps=1e-5), 30,
     [0.5, 0.6, 0.605, 0.61, 0.7, 0.7, 0.71, 0.715, 0.72, 0.8, 0.8, 0.8, 0.81, 0.9, 0.9, 0.9, 0.9, 0.9, 0.95, 0.95,
      0.95, 0.95, 0.96, 0.97, 0.975, 0.98, 0.99, 0.99, 0.99, 0.99]),
    ('reducelronplateau_default', 'SGD', {}, [0.1, 0.2], 'ReduceLROnPlateau', {}, 40,
     [5.0 - 0.01 * k if k < 8 else 4.93 for k in range(40)]),
    ('onecyclelr_cos_sgd_momentum', 'SGD', dict(momentum=0.9), [0.1, 0.05], 'OneCycleLR', dict(max_lr=[0.5, 0.2], total_steps=50), 50, None),
    ('onecyclelr_linear_three_phase', 'SGD', dict(momentum=0.5), [0.1, 0.05], 'OneCycleLR', dict(max_lr=1.0, epochs=4, steps_per_epoch=9, anneal_strategy='linear', three_phase=True, pct_start=0.25, div_factor=10.0, final_div_factor=100.0), 36, None),
    ('onecyclelr_adam_beta1', 'Adam', dict(betas=(0.9, 0.99)), [0.001, 0.002], 'OneCycleLR', dict(max_lr=0.01, total_steps=30, base_momentum=0.8, max_momentum=0.9), 30, None),
    ('onecyclelr_no_cycle_momentum', 'Adam', {}, [0.001, 0.002], 'OneCycleLR', dict(max_lr=0.05, total_steps=20, cycle_momentum=False, pct_start=0.4), 20, None),
]


def momentum_of(group):
    if 'betas' in group:
        return group['betas'][0]
    return group.get('momentum')


def run(name, kind, opt_options, lrs, sched_kind, sched_options, steps, metrics):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    opt = getattr(torch.optim, kind)([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], **opt_options)
    sched = getattr(torch.optim.lr_scheduler, sched_kind)(opt, **sched_options)
    groups = opt.param_groups
    initial = dict(lr=[g['lr'] for g in groups], momentum=[momentum_of(g) for g in groups],
                   initial_lr=[g.get('initial_lr') for g in groups])
    sequence = []
    for k in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[k])
        sequence.append(dict(last_lr=list(sched._last_lr), lr=[g['lr'] for g in groups],
                             momentum=[momentum_of(g) for g in groups]))
    options = {k: (list(v) if isinstance(v, tuple) else v) for k, v in sched_options.items()}
    return dict(name=name, optimizer=kind, optimizer_options={k: (list(v) if isinstance(v, tuple) else v) for k, v in opt_options.items()},
                lrs=lrs, scheduler=sched_kind, options=options, steps=steps, metrics=metrics,
                initial=initial, sequence=sequence)


def compact_json(value):
    """Indented JSON with each list of numbers on one line (floats as repr: they round-trip exactly)."""
    text = json.dumps(value, indent=1)
    text = re.sub(r'\[\s+([-0-9.e+,\snul]+?)\s+\]',
                  lambda m: '[' + ', '.join(x.strip() for x in m.group(1).split(',')) + ']', text)
    return text + '\n'


def main():
    out = dict(generator='tests/data/lr_schedulers.py', torch=torch.__version__, cases=[run(*case) for case in CASES])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lr_schedulers.json')
    with open(path, 'w') as f:
        f.write(compact_json(out))


if __name__ == '__main__':
    main()
