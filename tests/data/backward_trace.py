"""Reference traces of backward passes, recorded from real PyTorch: tests/data/backward_trace.json.

Run with a python3 that has torch (here: Debian's python3-torch 1.13.1):
    /usr/bin/python3 tests/data/backward_trace.py > tests/data/backward_trace.json

Each case is a small program (leaves, then ops by the op table's names, Invoke-Op's -Name), a backward pass
(tensor.backward() or torch.autograd.grad) and what PyTorch's node hooks saw during it: a hook registered with
grad_fn.register_hook(hook(grad_inputs, grad_outputs)) on every node of the graph (AccumulateGrad included) records,
in the order the engine runs the nodes, the node's class name, the gradients that flowed in (grad_outputs) and the
ones it passed on (grad_inputs, None where an input needs none). For AccumulateGrad it also names the leaf. Then the
resulting gradients. Cases with "hooks" also register tensor hooks (tensor.register_hook) that scale or shift a
gradient, so the trace shows the hooked values.

The tests that read this: tests/AutoGrad.Engine.Tests/BackwardTraceTests.cs (the engine replays every program) and
tests/BackwardTrace.Tests.ps1 (Invoke-Op / Invoke-Backward -Trace / Get-Grad -Trace replay them, and the notebook's
trace is compared with the notebook cases).

Programs: tensors are numbered in creation order, leaves first. An op input is a tensor number or {"scalar": n}
(an int or a float, as Python passes it); "dim"/"keepdim" are the reduction's arguments.
The random graphs use only ops that record exactly one node in both engines, so that sequence numbers (the engine's
order among ready nodes) correspond; reshape is left out (1.13 records ReshapeAliasBackward0, 2.x ViewBackward0).
"""
import json
import random
import sys

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def run_op(op, args, params):
    """The op table's op `op` (Invoke-Op -Name) in PyTorch."""
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if op == "Add": return a + b
    if op == "Sub": return a - b
    if op == "Mul": return a * b
    if op == "Div": return a / b
    if op == "Pow": return a ** b
    if op == "MatMul": return a @ b
    if op == "T": return a.t()
    if op == "Exp": return a.exp()
    if op == "Tanh": return a.tanh()
    if op == "Sigmoid": return a.sigmoid()
    if op == "Sin": return a.sin()
    if op == "Cos": return a.cos()
    if op == "Log": return a.log()
    if op == "Sqrt": return a.sqrt()
    if op == "Sum": return a.sum() if "dim" not in params else a.sum(dim=params["dim"], keepdim=params.get("keepdim", False))
    if op == "Mean": return a.mean() if "dim" not in params else a.mean(dim=params["dim"], keepdim=params.get("keepdim", False))
    raise ValueError(op)


def build(program):
    """The program's tensors, in order (leaves, then each op's result)."""
    tensors = []
    for leaf in program["leaves"]:
        t = torch.tensor(leaf["values"], dtype=DTYPES[leaf["dtype"]]).reshape(leaf["shape"])
        t.requires_grad_(leaf["requires_grad"])
        tensors.append(t)
    for step in program["ops"]:
        args = [tensors[i] if isinstance(i, int) else i["scalar"] for i in step["inputs"]]
        tensors.append(run_op(step["op"], args, step))
    return tensors


def value(t):
    if t is None:
        return None
    t = t.detach()
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def record(program):
    """Runs the program's backward with node hooks on every node; returns the trace and the gradients."""
    tensors = build(program)
    leaf_index = {id(t): i for i, t in enumerate(tensors) if t.is_leaf}
    leaf_hooks = {}
    for hook in program.get("hooks", []):
        t = tensors[hook["tensor"]]
        fn = (lambda g, k=hook["value"]: g * k) if hook["kind"] == "scale" else (lambda g, k=hook["value"]: g + k)
        t.register_hook(fn)
        if t.is_leaf:
            leaf_hooks.setdefault(hook["tensor"], []).append(fn)
    backward = program["backward"]
    outputs = [tensors[i] for i in backward["outputs"]]
    trace = []
    seen = set()
    # A leaf output's node is its AccumulateGrad, reachable only through an op that uses the leaf; `keep` holds
    # those ops' results, because a leaf refers to its AccumulateGrad weakly.
    keep = [o * 1 for o in outputs if o.grad_fn is None]
    accumulators = iter(k.grad_fn.next_functions[0][0] for k in keep)
    stack = [o.grad_fn if o.grad_fn is not None else next(accumulators) for o in outputs]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)

        def hook(grad_inputs, grad_outputs, fn=fn):
            leaf = leaf_index[id(fn.variable)] if type(fn).__name__ == "AccumulateGrad" else None
            entry = {
                "node": type(fn).__name__,
                "grad_outputs": [value(g) for g in grad_outputs],
                "grad_inputs": [value(g) for g in grad_inputs],
                "leaf": leaf,
            }
            if leaf in leaf_hooks:
                # PyTorch 2.x (the target) runs a leaf's tensor hooks as its AccumulateGrad's tensor pre-hooks, so
                # the node's post hook sees the hooked gradient; 1.13 ran them inside AccumulateGrad and its post
                # hook saw the gradient before them. Record 2.x's view (1.13's value with the leaf's hooks applied),
                # and keep 1.13's.
                entry["grad_outputs_torch_1_13"] = entry["grad_outputs"]
                hooked = grad_outputs[0]
                for leaf_hook in leaf_hooks[leaf]:
                    hooked = leaf_hook(hooked)
                entry["grad_outputs"] = [value(hooked)]
            trace.append(entry)

        fn.register_hook(hook)
        stack.extend(n for n, _ in fn.next_functions)

    if backward["kind"] == "backward":
        torch.autograd.backward(outputs)
        grads = {str(i): value(t.grad) for i, t in enumerate(tensors) if t.is_leaf and t.requires_grad}
    else:
        inputs = [tensors[i] for i in backward["inputs"]]
        grads = [value(g) for g in torch.autograd.grad(outputs, inputs)]
    return trace, grads


def leaf(values, shape, dtype="float32", requires_grad=True):
    return {"values": values, "shape": shape, "dtype": dtype, "requires_grad": requires_grad}


def notebook_cases():
    """The seed notebook's cells that run backward, as programs."""
    ones = leaf([1.0] * 4, [2, 2])
    x64 = leaf([1.0, 2.0, 2.0, 3.0], [2, 2], "float64")
    yield "notebook In [3]", {
        "leaves": [x64],
        "ops": [{"op": "Mean", "inputs": [0]}],
        "backward": {"kind": "backward", "outputs": [1]},
    }
    # In [4]-[8]: x = ones(2, 2); y = x + 2; z = y * y * 3; out = z.mean(); out.backward()
    cells_4_to_8 = {
        "leaves": [ones],
        "ops": [
            {"op": "Add", "inputs": [0, {"scalar": 2}]},
            {"op": "Mul", "inputs": [1, 1]},
            {"op": "Mul", "inputs": [2, {"scalar": 3}]},
            {"op": "Mean", "inputs": [3]},
        ],
        "backward": {"kind": "backward", "outputs": [4]},
    }
    yield "notebook In [4]-[8]", cells_4_to_8
    yield "notebook In [9]", dict(cells_4_to_8, leaves=[x64])
    yield "notebook In [10]", {
        "leaves": [x64],
        "ops": [{"op": "Sum", "inputs": [0]}],
        "backward": {"kind": "backward", "outputs": [1]},
    }
    # In [11]: t = x * x; z = 2 * t + 2 * y * y; z.mean().backward() (2 * t is t * 2 in PyTorch: __rmul__)
    cell_11 = {
        "leaves": [leaf([3.0], []), ones],
        "ops": [
            {"op": "Mul", "inputs": [0, 0]},
            {"op": "Mul", "inputs": [2, {"scalar": 2}]},
            {"op": "Mul", "inputs": [1, {"scalar": 2}]},
            {"op": "Mul", "inputs": [4, 1]},
            {"op": "Add", "inputs": [3, 5]},
            {"op": "Mean", "inputs": [6]},
        ],
        "backward": {"kind": "backward", "outputs": [7]},
    }
    yield "notebook In [11]", cell_11
    yield "notebook In [12]", dict(cell_11, leaves=[x64, ones])
    # The notebook's graph with tensor hooks: y's gradient doubled, x's shifted by 1 before accumulation.
    yield "notebook In [4]-[8] with tensor hooks", dict(cells_4_to_8, hooks=[
        {"tensor": 1, "kind": "scale", "value": 2},
        {"tensor": 0, "kind": "shift", "value": 1},
    ])
    # Six leaves as the outputs of one backward: six AccumulateGrads ready at once, all with the same (largest)
    # sequence number. Their order is that of libstdc++'s binary heap under std::priority_queue: 0, 2, 5, 4, 1, 3.
    yield "six scalar leaves as the outputs of one backward", {
        "leaves": [leaf([float(i)], []) for i in range(6)],
        "ops": [],
        "backward": {"kind": "backward", "outputs": list(range(6))},
    }
    # torch.autograd.grad(out, [x]) on the same graph: the leaf's AccumulateGrad does not run.
    yield "notebook In [4]-[8] as autograd.grad", dict(cells_4_to_8, backward={"kind": "grad", "outputs": [4], "inputs": [0]})


def broadcast(a, b):
    try:
        return list(torch.broadcast_shapes(tuple(a), tuple(b)))
    except RuntimeError:
        return None


def random_case(seed, dtype):
    """A random graph: leaves of broadcastable shapes, ops that reuse earlier results, a scalar at the end."""
    rng = random.Random(seed)
    shapes = [[2, 3], [3], [2, 1], [2, 3], [1, 3]]
    leaves = []
    for i in range(rng.randint(3, 5)):
        shape = rng.choice(shapes)
        n = 1
        for s in shape:
            n *= s
        leaves.append(leaf([round(rng.uniform(0.5, 1.5), 3) for _ in range(n)], shape, dtype, requires_grad=i != 1))
    info = [(l["shape"], True) for l in leaves]  # (shape, positive)
    used = [0] * len(info)
    ops = []

    def pick(pred=lambda i: True):
        candidates = [i for i in range(len(info)) if pred(i)]
        recent = candidates[-4:]
        return rng.choice(recent if rng.random() < 0.6 else candidates)

    def add(op, inputs, shape, positive, **params):
        ops.append(dict({"op": op, "inputs": inputs}, **params))
        for i in inputs:
            if isinstance(i, int):
                used[i] += 1
        info.append((shape, positive))
        used.append(0)

    for _ in range(rng.randint(8, 12)):
        kind = rng.random()
        a = pick()
        shape, positive = info[a]
        if kind < 0.35:
            b = pick(lambda i: broadcast(info[i][0], shape) is not None)
            op = rng.choice(["Add", "Sub", "Mul"] + (["Div"] if info[b][1] else []))
            add(op, [a, b], broadcast(info[b][0], shape), positive and info[b][1] and op in ("Add", "Mul", "Div"))
        elif kind < 0.5:
            op, k = rng.choice([("Add", 2), ("Mul", 3), ("Mul", 0.5), ("Sub", 1.5), ("Pow", 2), ("Div", 4)])
            add(op, [a, {"scalar": k}], shape, positive and op in ("Add", "Mul", "Div", "Pow"))
        elif kind < 0.75:
            op = rng.choice(["Exp", "Tanh", "Sigmoid", "Sin"] + (["Log", "Sqrt"] if positive else []))
            add(op, [a], shape, op in ("Exp", "Sigmoid", "Sqrt"))
        elif kind < 0.85 and len(shape) == 2:
            dim = rng.choice([0, 1])
            keep = rng.random() < 0.5
            op = rng.choice(["Sum", "Mean"])
            out = [s for d, s in enumerate(shape) if d != dim] if not keep else [1 if d == dim else s for d, s in enumerate(shape)]
            add(op, [a], out, positive, dim=[dim], keepdim=keep)
        else:
            two_d = [i for i in range(len(info)) if len(info[i][0]) == 2 and info[i][0][0] == 2]
            b = rng.choice(two_d) if two_d else None
            if b is None or len(shape) != 2 or shape[0] != 2:
                add("Exp", [a], shape, True)
                continue
            # a @ b.t(): [2, k] @ [k, 2], when the inner sizes agree.
            add("T", [b], [info[b][0][1], info[b][0][0]], info[b][1])
            if shape[1] == info[b][0][1]:
                add("MatMul", [a, len(info) - 1], [shape[0], 2], False)
            else:
                add("Tanh", [a], shape, False)

    # Every result nobody used (and every leaf) flows into the scalar output: sum each, then add them up.
    dangling = [i for i in range(len(info)) if used[i] == 0 and (i >= len(leaves) or leaves[i]["requires_grad"])]
    total = None
    for i in dangling:
        add("Sum", [i], [], False)
        s = len(info) - 1
        if total is None:
            total = s
        else:
            add("Add", [total, s], [], False)
            total = len(info) - 1
    program = {"leaves": leaves, "ops": ops, "backward": {"kind": "backward", "outputs": [total]}}
    yield f"random graph {seed} ({dtype})", program
    # Two leaves and an intermediate result that requires grad (its own node is then not run, only captured).
    tensors = build(program)
    wanted = [i for i in range(len(leaves)) if leaves[i]["requires_grad"]]
    rng.shuffle(wanted)
    middle = [i for i in range(len(leaves), len(leaves) + len(ops) // 2) if tensors[i].requires_grad]
    inputs = wanted[:2] + ([rng.choice(middle)] if middle else [])
    yield f"random graph {seed} ({dtype}) as autograd.grad", dict(program, backward={"kind": "grad", "outputs": [total], "inputs": inputs})


def main():
    cases = []
    sources = list(notebook_cases())
    for seed in range(1, 7):
        sources.extend(random_case(seed, "float64" if seed % 3 else "float32"))
    for name, program in sources:
        trace, grads = record(program)
        if "NaN" in json.dumps(trace) or "Infinity" in json.dumps(trace):
            print(f"skipped {name}: its gradients overflow", file=sys.stderr)
            continue
        cases.append(dict({"name": name}, **program, trace=trace, grads=grads))
    json.dump({"producer": "tests/data/backward_trace.py", "torch": torch.__version__, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
