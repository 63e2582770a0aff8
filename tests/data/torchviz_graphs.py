"""Reference graphs for tests/ExportTensorGraph.Tests.ps1: torchviz's make_dot on PyTorch, normalized.

Run:  PYTHONPATH=<a checkout of github.com/szagoruyko/pytorchviz> /usr/bin/python3 tests/data/torchviz_graphs.py
Needs PyTorch (Debian: python3-torch) and the graphviz Python package (Debian: python3-graphviz); torchviz is not
installed, only its torchviz/dot.py read from the checkout (commit 5cf04c1 was used).

Each scenario below has a PowerShell twin in the test. make_dot's DOT source is normalized so that it can be
compared with Export-TensorGraph's: ids are Python object addresses there and node0, node1, ... here, so each id is
numbered by its first node statement; a box's label and colour are those of its last node statement (Graphviz's
rule); edges keep their order. Shapes matter, values do not.
"""
import json
import os
import re
import warnings

import torch
from torchviz import make_dot

warnings.simplefilter("ignore")  # make_dot warns about LooseVersion on Python 3.11


def normalize(source):
    ids, nodes, edges = {}, {}, []
    stmt = re.compile(r'^\t(\d+) \[label=(?:"((?:[^"\\]|\\.)*)"|(\S+?))(?: fillcolor=(\S+))?\]$')
    edge = re.compile(r'^\t(\d+) -> (\d+)( \[dir=none\])?$')
    # Labels hold raw newlines in make_dot's source: join continuation lines onto their statement first.
    lines, current = [], None
    for raw in source.split('\n'):
        if raw.startswith('\t') or raw in ('}', '') or raw.startswith('digraph'):
            if current is not None:
                lines.append(current)
            current = raw
        else:
            current += '\n' + raw
    if current is not None:
        lines.append(current)
    for line in lines:
        m = stmt.match(line.replace('\n', '\\n'))
        if m:
            key = m.group(1)
            label = (m.group(2) if m.group(2) is not None else m.group(3)).replace('\\n', '\n')
            if key not in ids:
                ids[key] = 'node%d' % len(ids)
            nodes[ids[key]] = [label, m.group(4) or '']
            continue
        m = edge.match(line)
        if m:
            edges.append([m.group(1), m.group(2), 'none' if m.group(3) else ''])
    return {
        'nodes': [nodes['node%d' % i] for i in range(len(ids))],
        'edges': [[ids[a], ids[b], d] for a, b, d in edges],
    }


def scenarios():
    # The notebook's In [4]..In [7]: out = mean(3 * (x + 2)**2).
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    yield 'notebook', make_dot(z.mean())

    # In [11]: a scalar and a matrix in one graph.
    x = torch.tensor(3., requires_grad=True)
    y = torch.ones(2, 2, requires_grad=True)
    t = x * x
    z = 2 * t + 2 * y * y
    yield 'scalar_and_matrix', make_dot(z.mean())

    # A linear layer with relu, its parameters named (make_dot's params).
    torch.manual_seed(0)
    inp = torch.randn(4, 3)
    w = torch.randn(3, 2, requires_grad=True)
    b = torch.randn(2, requires_grad=True)
    loss = (inp.mm(w) + b).relu().sum()
    yield 'linear_relu_named', make_dot(loss, params={'w': w, 'b': b})

    # Two outputs sharing a leaf, drawn in one picture.
    a = torch.randn(3, requires_grad=True)
    p = (a * 2).sum()
    q = a.exp().mean()
    yield 'two_outputs', make_dot((p, q))

    # Saved tensors: a leaf's is the leaf's box; exp's result has a box of its own.
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = (a * b).exp().sum()
    yield 'saved_tensors', make_dot(c, show_saved=True)


if __name__ == '__main__':
    out = {'torch': torch.__version__}
    for name, dot in scenarios():
        out[name] = normalize(dot.source)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'torchviz_graphs.json')
    # One node or edge per line, so a diff of this file reads as a diff of the graphs.
    parts = ['{', ' "torch": %s,' % json.dumps(out.pop('torch'))]
    for i, (name, graph) in enumerate(out.items()):
        parts.append(' %s: {' % json.dumps(name))
        for key in ('nodes', 'edges'):
            items = ',\n'.join('   ' + json.dumps(item, ensure_ascii=False) for item in graph[key])
            parts.append('  "%s": [\n%s\n  ]%s' % (key, items, ',' if key == 'nodes' else ''))
        parts.append(' }' + (',' if i < len(out) - 1 else ''))
    parts.append('}')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(parts) + '\n')
    print('wrote', path)
