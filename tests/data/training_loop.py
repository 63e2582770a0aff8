#!/usr/bin/python3
"""Reference training runs for tests/Training.Tests.ps1 and tests/AutoGrad.Engine.Tests/TrainingTests.cs, produced
by real PyTorch:

    /usr/bin/python3 tests/data/training_loop.py      (Debian's python3-torch 1.13.1)

writes tests/data/training_loop.json with two kinds of cases.

"loaders": the batches torch.utils.data.DataLoader(TensorDataset(...), batch_size, shuffle, drop_last) gives over a
few epochs after torch.manual_seed(seed), as lists of sample indices, and torch.rand(2) drawn afterwards (which shows
how many numbers the loader took from the global generator). Per epoch, iter(loader) draws a base seed for worker
processes from the global generator (even without shuffle and without workers), and a shuffling RandomSampler then
draws a second number as the seed of a fresh torch.Generator whose torch.randperm(n) is the order. With
DataLoader(generator=g), all come from g: the base seed, then randperm(n, generator=g) directly, and when the
epoch's last batch has been taken, a second randperm(n, generator=g) (RandomSampler's generator goes on to its
`randperm(n)[:num_samples % n]`, empty here, once the batch sampler exhausts it). PyTorch 2.x does the same
(_BaseDataLoaderIter.__init__ and RandomSampler.__iter__).

"runs": complete training loops, written as PyTorch users write them, in float64:

    torch.manual_seed(seed); model = nn.Sequential(...); opt = ...; sched = ...
    loader = DataLoader(TensorDataset(x, y), batch_size=..., shuffle=..., drop_last=...)
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward(); opt.step()
            running += loss.item() * len(xb); seen += len(xb)     # epoch loss = running / seen
            correct += (model output's class == yb).sum().item()   # classification losses
            [sched.step() per batch]
        [validation: model.eval(); with torch.no_grad(): the same sums over
         DataLoader(val, batch_size, generator=torch.Generator()), which leaves the global generator alone]
        [sched.step() per epoch; ReduceLROnPlateau.step(validation loss, else epoch loss)]

(A Linear layer before BatchNorm has no bias: its gradient would be rounding noise, which Adam scales up to full
steps, so no two implementations could agree on it.) Recording per epoch ("history") the loss, accuracy, the lr of the epoch's last optimizer step, and the validation loss and
accuracy, and the parameters and buffers (state_dict) at the end. The data come from a separate generator and are
stored in the file, so the runs depend on the global seed only through the layers' initialisation, Dropout and the
loaders. Adam uses PyTorch 2.x's single-tensor arithmetic (the patch in optim_trajectories.py, imported here); SGD
is the same in both versions.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from optim_trajectories import compact_json  # noqa: E402  (importing it also installs the 2.x Adam update)

torch.set_default_dtype(torch.float64)


# ---- loaders ------------------------------------------------------------------------------------------------------

# name, seed, samples, batch_size, shuffle, drop_last, epochs, explicit generator seed (or None)
LOADERS = [
    ('shuffle_partial_last', 0, 10, 3, True, False, 3, None),
    ('shuffle_one_batch', 7, 7, 7, True, False, 2, None),
    ('sequential', 5, 10, 4, False, False, 2, None),
    ('shuffle_drop_last', 11, 23, 5, True, True, 3, None),
    ('shuffle_batch_one', 3, 6, 1, True, False, 2, None),
    ('shuffle_own_generator', 13, 9, 4, True, False, 2, 99),
]


def loader_case(name, seed, n, batch_size, shuffle, drop_last, epochs, generator_seed):
    torch.manual_seed(seed)
    data = TensorDataset(torch.arange(n))
    generator = None if generator_seed is None else torch.Generator().manual_seed(generator_seed)
    loader = DataLoader(data, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=generator)
    batches = [[[int(i) for i in b[0].tolist()] for b in loader] for _ in range(epochs)]
    return dict(name=name, seed=seed, samples=n, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                epochs=epochs, generator_seed=generator_seed, batches=batches, rand_after=torch.rand(2).tolist())


# ---- training runs ------------------------------------------------------------------------------------------------

def build(layers):
    made = []
    for spec in layers:
        kind = spec['type']
        if kind == 'Linear':
            made.append(nn.Linear(spec['in'], spec['out'], bias=spec.get('bias', True)))
        elif kind == 'BatchNorm1d':
            made.append(nn.BatchNorm1d(spec['features']))
        elif kind == 'Dropout':
            made.append(nn.Dropout(spec['p']))
        elif kind in ('LogSoftmax', 'Softmax'):
            made.append(getattr(nn, kind)(dim=spec['dim']))
        else:
            made.append(getattr(nn, kind)())
    return nn.Sequential(*made)


def make_optimizer(spec, params):
    options = dict(spec['options'])
    if 'betas' in options:
        options['betas'] = tuple(options['betas'])
    return getattr(torch.optim, spec['type'])(params, foreach=False, **options)


def make_scheduler(spec, opt):
    if spec is None:
        return None
    return getattr(torch.optim.lr_scheduler, spec['type'])(opt, **spec['options'])


LOSSES = {
    'CrossEntropy': F.cross_entropy,
    'NllLoss': F.nll_loss,
    'MseLoss': F.mse_loss,
    'L1Loss': F.l1_loss,
    'BinaryCrossEntropyWithLogits': F.binary_cross_entropy_with_logits,
}


def correct_of(loss, out, y):
    if loss in ('CrossEntropy', 'NllLoss'):
        return int((out.argmax(1) == y).sum().item()), y.numel()
    if loss == 'BinaryCrossEntropyWithLogits':
        return int(((out > 0) == (y > 0.5)).sum().item()), y.numel()
    return None, None


def sums(model, loader, loss, train=None):
    """One pass: (loss sum weighted by batch size, samples, correct, counted) and the lr of each optimizer step."""
    running, seen, correct, counted, lrs = 0.0, 0, 0, 0, []
    for xb, yb in loader:
        if train is not None:
            opt, sched, per_batch = train
            opt.zero_grad()
            out = model(xb)
            batch_loss = LOSSES[loss](out, yb)
            batch_loss.backward()
            opt.step()
            lrs.append(opt.param_groups[0]['lr'])
            if per_batch:
                sched.step()
        else:
            out = model(xb)
            batch_loss = LOSSES[loss](out, yb)
        running += batch_loss.item() * len(xb)
        seen += len(xb)
        c, k = correct_of(loss, out, yb)
        if c is not None:
            correct += c
            counted += k
    return running / seen, (correct / counted if counted else None), lrs


def run(case, data):
    x, y = data['x'], data['y']
    torch.manual_seed(case['seed'])
    model = build(case['layers'])
    opt = make_optimizer(case['optimizer'], model.parameters())
    sched = make_scheduler(case['scheduler'], opt)
    interval = case['scheduler']['interval'] if case['scheduler'] else None
    loader = DataLoader(TensorDataset(x, y), batch_size=case['batch_size'], shuffle=case['shuffle'],
                        drop_last=case['drop_last'])
    val_loader = None
    if 'xv' in data:
        # A generator of its own: scoring the validation data leaves the global generator (and so the training
        # batches and Dropout's masks) as they would be without it.
        val_loader = DataLoader(TensorDataset(data['xv'], data['yv']), batch_size=case['batch_size'],
                                generator=torch.Generator())
    epochs = []
    for epoch in range(1, case['epochs'] + 1):
        model.train()
        loss, accuracy, lrs = sums(model, loader, case['loss'], (opt, sched, interval == 'Batch'))
        row = dict(Epoch=epoch, Loss=loss)
        if accuracy is not None:
            row['Accuracy'] = accuracy
        if val_loader is not None:
            model.eval()
            with torch.no_grad():
                val_loss, val_accuracy, _ = sums(model, val_loader, case['loss'])
            row['ValidationLoss'] = val_loss
            if val_accuracy is not None:
                row['ValidationAccuracy'] = val_accuracy
        row['LR'] = lrs[-1]
        if interval == 'Epoch':
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                sched.step(row.get('ValidationLoss', loss))
            else:
                sched.step()
        epochs.append(row)
    state = {k: v.reshape(-1).tolist() for k, v in model.state_dict().items() if v.is_floating_point()}
    return epochs, state


def dataset(kind, n, features, gen):
    x = torch.randn(n, features, generator=gen)
    if kind == 'classes':
        w = torch.randn(features, 3, generator=gen)
        y = (x @ w + 0.3 * torch.randn(n, 3, generator=gen)).argmax(1)
    elif kind == 'binary':
        y = ((x[:, :1] - 0.5 * x[:, 1:2] + 0.3 * torch.randn(n, 1, generator=gen)) > 0).double()
    else:
        y = torch.sin(x @ torch.randn(features, 1, generator=gen)) + 0.1 * torch.randn(n, 1, generator=gen)
    return x, y


RUNS = [
    dict(name='classifier_sgd_momentum_steplr', seed=0, data=('classes', 50, 4, 0), validation=None,
         layers=[dict(type='Linear', **{'in': 4, 'out': 8}), dict(type='ReLU'), dict(type='Linear', **{'in': 8, 'out': 3})],
         loss='CrossEntropy', optimizer=dict(type='SGD', options=dict(lr=0.1, momentum=0.9)),
         scheduler=dict(type='StepLR', options=dict(step_size=2, gamma=0.5), interval='Epoch'),
         batch_size=16, shuffle=True, drop_last=False, epochs=5),
    dict(name='regression_adam_onecycle_per_batch', seed=1, data=('regression', 30, 3, 1), validation=None,
         layers=[dict(type='Linear', **{'in': 3, 'out': 16}), dict(type='Tanh'), dict(type='Linear', **{'in': 16, 'out': 1})],
         loss='MseLoss', optimizer=dict(type='Adam', options=dict(lr=0.01)),
         scheduler=dict(type='OneCycleLR', options=dict(max_lr=0.05, total_steps=16), interval='Batch'),
         batch_size=8, shuffle=True, drop_last=False, epochs=4),
    dict(name='classifier_batchnorm_dropout_validation_plateau', seed=2, data=('classes', 40, 4, 2), validation=20,
         layers=[dict(type='Linear', bias=False, **{'in': 4, 'out': 16}), dict(type='BatchNorm1d', features=16), dict(type='ReLU'),
                 dict(type='Dropout', p=0.2), dict(type='Linear', **{'in': 16, 'out': 3})],
         loss='CrossEntropy', optimizer=dict(type='Adam', options=dict(lr=0.02)),
         scheduler=dict(type='ReduceLROnPlateau', options=dict(factor=0.5, patience=0), interval='Epoch'),
         batch_size=12, shuffle=True, drop_last=False, epochs=5),
    dict(name='binary_logits_sgd_sequential_drop_last', seed=3, data=('binary', 26, 2, 3), validation=None,
         layers=[dict(type='Linear', **{'in': 2, 'out': 1})],
         loss='BinaryCrossEntropyWithLogits', optimizer=dict(type='SGD', options=dict(lr=0.5)),
         scheduler=None, batch_size=8, shuffle=False, drop_last=True, epochs=4),
    dict(name='nll_logsoftmax_full_batch_cosine', seed=4, data=('classes', 24, 3, 4), validation=None,
         layers=[dict(type='Linear', **{'in': 3, 'out': 3}), dict(type='LogSoftmax', dim=1)],
         loss='NllLoss', optimizer=dict(type='SGD', options=dict(lr=0.3, nesterov=True, momentum=0.5)),
         scheduler=dict(type='CosineAnnealingLR', options=dict(T_max=3), interval='Epoch'),
         batch_size=24, shuffle=True, drop_last=False, epochs=3),
]


def run_case(spec):
    kind, n, features, data_seed = spec['data']
    gen = torch.Generator().manual_seed(1000 + data_seed)
    x, y = dataset(kind, n + (spec['validation'] or 0), features, gen)
    data = dict(x=x[:n], y=y[:n])
    if spec['validation']:
        data['xv'], data['yv'] = x[n:], y[n:]
    case = {k: v for k, v in spec.items() if k not in ('data', 'validation')}
    epochs, state = run(case, data)
    return dict(case, data={k: v.tolist() for k, v in data.items()}, history=epochs, state=state)


def main():
    out = dict(generator='tests/data/training_loop.py', torch=torch.__version__,
               loaders=[loader_case(*c) for c in LOADERS], runs=[run_case(r) for r in RUNS])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'training_loop.json')
    with open(path, 'w') as f:
        f.write(compact_json(out))


if __name__ == '__main__':
    main()
