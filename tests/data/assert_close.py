"""Reference data for torch.testing.assert_close: tests/AutoGrad.Engine.Tests/AssertCloseTests.cs and
tests/AssertTensorClose.Tests.ps1 check every case's outcome and message text against this file.

Run with a python3 that has torch (Debian's python3-torch):
    /usr/bin/python3 tests/data/assert_close.py > tests/data/assert_close.json

Each case is a pair of tensors (values, shape, dtype), the options (rtol/atol/equal_nan/check_dtype as given to
assert_close; absent means omitted) and:
  torch1    what PyTorch 1.13 (installed here) raises: {"type": ..., "message": ...}, or null when the pair is close;
  expected  what PyTorch 2.x raises, the target. 2.x is not installed here, so `torch2_assert_close` below computes
            it with this torch, following torch/testing/_comparison.py of 2.x. Two differences from 1.13 matter:
            * 2.x compares the values in their own dtype (1.13 first promoted float32 to float64 and bool to int64),
              so float32 differences, tolerances and relative differences are float32 arithmetic;
            * 2.x's scalar (0-d) message has the line "Expected {expected} but got {actual}."
            The script checks that, apart from those two, its 2.x message is 1.13's message word for word.
Non-finite numbers are written as the strings "nan", "inf" and "-inf" (JSON has no spelling for them).
"""
import json
import math
import sys

import torch
from torch.testing import assert_close

torch.manual_seed(0)

# 2.x's default (rtol, atol) per dtype; other dtypes compare exactly.
PRECISIONS = {torch.float32: (1.3e-6, 1e-5), torch.float64: (1e-7, 1e-7)}
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}


class Failure(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def index_tuple(flat, shape):
    """The multi-index of a flat (row-major) position, printed as a Python tuple."""
    index = []
    for size in reversed(shape):
        flat, rest = divmod(flat, size)
        index.append(rest)
    return tuple(reversed(index))


def numbers_message(header, extra, abs_line, rel_line, rtol, atol):
    exact = rtol == 0 and atol == 0
    text = f"{header} are not {'equal' if exact else 'close'}!\n\n"
    if extra:
        text += extra + "\n"
    text += abs_line + ("" if exact else f" (up to {atol} allowed)") + "\n"
    text += rel_line + ("" if exact else f" (up to {rtol} allowed)") + "\n"
    return text.strip()


def torch2_assert_close(actual, expected, rtol=None, atol=None, equal_nan=False, check_dtype=True):
    """assert_close of two tensors as PyTorch 2.x performs it: the same checks, order and messages."""
    if (rtol is None) != (atol is None):
        raise Failure("ValueError", "Both 'rtol' and 'atol' must be either specified or omitted, "
                                    f"but got no {'rtol' if rtol is None else 'atol'}.")
    if rtol is None:
        pairs = [PRECISIONS.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    if actual.shape != expected.shape:
        raise Failure("AssertionError",
                      f"The values for attribute 'shape' do not match: {actual.shape} != {expected.shape}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise Failure("AssertionError",
                      f"The values for attribute 'dtype' do not match: {actual.dtype} != {expected.dtype}.")
    if actual.dtype != expected.dtype:
        common = torch.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    try:
        matches = torch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except RuntimeError as error:
        raise Failure("RuntimeError", str(error))
    if bool(matches.all()):
        return
    if actual.dim() == 0:
        a, e = actual.item(), expected.item()
        difference = abs(a - e)
        relative = math.inf if e == 0 else difference / abs(e)
        raise Failure("AssertionError", numbers_message(
            "Scalars", f"Expected {e} but got {a}.", f"Absolute difference: {difference}",
            f"Relative difference: {relative}", rtol, atol))
    count = matches.numel()
    mismatched = count - int(matches.sum())
    a, e, hits = actual.flatten(), expected.flatten(), matches.flatten()
    if not a.dtype.is_floating_point:
        a, e = a.to(torch.int64), e.to(torch.int64)
    difference = (a - e).abs()
    difference[hits] = 0
    max_difference, at = torch.max(difference, 0)
    relative = difference / e.abs()
    relative[hits] = 0
    max_relative, rel_at = torch.max(relative, 0)
    raise Failure("AssertionError", numbers_message(
        "Tensor-likes", f"Mismatched elements: {mismatched} / {count} ({mismatched / count:.1%})",
        f"Greatest absolute difference: {max_difference.item()} at index {index_tuple(int(at), list(matches.shape))}",
        f"Greatest relative difference: {max_relative.item()} at index {index_tuple(int(rel_at), list(matches.shape))}",
        rtol, atol))


def encode(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def describe(t):
    return {"values": [encode(v) for v in t.flatten().tolist()], "shape": list(t.shape),
            "dtype": str(t.dtype).replace("torch.", "")}


def outcome(run):
    try:
        run()
        return None
    except Failure as failure:
        return {"type": failure.kind, "message": failure.message}
    except Exception as error:  # what 1.13 raises
        return {"type": type(error).__name__, "message": str(error)}


def without_scalar_line(message):
    return "\n".join(line for line in message.split("\n") if not line.startswith("Expected "))


cases = []


def case(name, actual, expected, *, compare_with_torch1=True, **options):
    torch1 = outcome(lambda: assert_close(actual, expected, **options))
    expected_outcome = outcome(lambda: torch2_assert_close(actual, expected, **options))
    promoted = actual.dtype in (torch.float32, torch.bool) or expected.dtype in (torch.float32, torch.bool)
    if compare_with_torch1 and not promoted and (torch1 is None) == (expected_outcome is None) and torch1:
        # Same dtypes in 1.13 and 2.x: the texts must agree but for 2.x's scalar line (RuntimeError: 1.13 wraps
        # isclose's message in its own report, 2.x's assert_close does too; the inner message is the one shown).
        if torch1["type"] != "RuntimeError" and without_scalar_line(expected_outcome["message"]) != torch1["message"]:
            sys.exit(f"{name}: the 2.x message differs from 1.13's beyond the known differences:\n"
                     f"{expected_outcome['message']}\n---\n{torch1['message']}")
    if compare_with_torch1 and not promoted and (torch1 is None) != (expected_outcome is None):
        sys.exit(f"{name}: 1.13 and the 2.x rules disagree on whether the pair is close")
    entry = {"name": name, "actual": describe(actual), "expected": describe(expected),
             "options": {k: v for k, v in options.items()}, "torch1": torch1, "outcome": expected_outcome}
    if actual.requires_grad:
        entry["actual"]["requires_grad"] = True
    cases.append(entry)


f32, f64, i64, b = torch.float32, torch.float64, torch.int64, torch.bool
T = torch.tensor
nan, inf = math.nan, math.inf

# The examples.
case("one of four off (float32)", T([[1., 2.], [3., 4.]]), T([[1., 2.], [3., 4.5]]))
case("shape [2] vs [3]", T([1., 2.]), T([1., 2., 3.]))
case("shape before dtype", T([1, 2]), T([1., 2., 3.]))
case("dtype int64 vs float32", T([1, 2]), T([1., 2.]))
case("dtype float32 vs float64", T([1., 2.]), T([1., 2.], dtype=f64))
case("dtype unchecked: int64 vs float32 equal", T([1, 2]), T([1., 2.]), check_dtype=False)
case("dtype unchecked: int64 vs float32 off", T([1, 2]), T([1., 2.5]), check_dtype=False)
case("dtype unchecked: float32 vs float64 takes the looser tolerances", T([1., 2.]),
     T([1.000009, 2.0], dtype=f64), check_dtype=False)
case("dtype unchecked: bool vs int64", T([True, False]), T([1, 1]), check_dtype=False)
case("close float32 within tolerances", T([1., 100.]), T([1.000009, 100.0001]))
case("close float64 within tolerances", T([1., 100.], dtype=f64), T([1.00000009, 100.000009], dtype=f64))
case("float64 off by 1e-6", T([1., 2.], dtype=f64), T([1., 2.000001], dtype=f64))
case("1-d index is a 1-tuple", T([1., 2.]), T([1., 2.5]))
case("3-d index", torch.arange(24, dtype=f32).reshape(2, 3, 4), torch.arange(24, dtype=f32).reshape(2, 3, 4).index_put(
    (T([1]), T([2]), T([3])), T([30.])))
case("abs and rel differences at different places", T([10., 0.1, 5.]), T([11., 0.2, 5.]))
case("ties: the first largest difference is reported", T([0., 1., 2., 3.]), T([0.5, 1.5, 2.5, 3.]))
case("percentage 1 / 16 rounds half to even", torch.zeros(16), torch.zeros(16).index_put((T([3]),), T([1.])))
case("percentage 1 / 3", T([1., 2., 3.]), T([1., 2., 4.]))
case("percentage 2 / 3", T([1., 2., 3.]), T([1., 5., 4.]))
case("percentage 1 / 8", torch.ones(8), torch.ones(8).index_put((T([7]),), T([2.])))
case("expected zero: relative difference inf", T([0.5, 1.]), T([0., 1.]))
case("scalar float32", T(1.5), T(1.))
case("scalar float64", T(1.5, dtype=f64), T(1., dtype=f64))
case("scalar expected zero", T(0.25), T(0.))
case("scalar int64", T(3), T(4))
case("scalar bool", T(True), T(False))
case("scalar nan", T(nan), T(nan))
case("scalar nan equal_nan", T(nan), T(nan), equal_nan=True)
case("scalar close", T(1.0), T(1.000001))
case("int64 not equal", T([1, 2]), T([1, 3]))
case("int64 relative difference is float32", T([5, 7, 9]), T([5, 3, 9]))
case("int64 with tolerances", T([100, 200]), T([101, 230]), rtol=0.1, atol=0.0)
case("int64 equal", T([1, 2]), T([1, 2]))
case("bool not equal", T([True, False]), T([True, True]))
case("bool with tolerances", T([True, False]), T([True, True]), rtol=0.5, atol=0.5)
case("nan vs nan", T([nan, 1.]), T([nan, 1.]))
case("nan vs nan, equal_nan", T([nan, 1.]), T([nan, 1.]), equal_nan=True)
case("nan vs number", T([1., nan]), T([1., 2.]), equal_nan=True)
case("number vs nan", T([1., 2.]), T([1., nan]))
case("inf vs inf", T([inf, -inf, 1.]), T([inf, -inf, 1.]))
case("inf vs -inf", T([inf, 1.]), T([-inf, 1.]))
case("inf vs number", T([inf, 1.]), T([1e30, 1.]))
case("custom tolerances pass", T([1., 2.]), T([1.05, 2.1]), rtol=0.1, atol=0.0)
case("custom tolerances fail", T([1., 2.]), T([1.5, 2.1]), rtol=0.1, atol=0.0)
case("atol only given", T([1., 2.]), T([1., 2.5]), atol=0.1)
case("rtol only given", T([1., 2.]), T([1., 2.5]), rtol=0.1)
case("zero tolerances: equality", T([1., 2.]), T([1., 2.5]), rtol=0.0, atol=0.0)
case("zero tolerances: tiny difference", T([1., 2.], dtype=f64), T([1., 2. + 2 ** -50], dtype=f64), rtol=0.0, atol=0.0)
case("negative rtol", T([1., 2.]), T([1., 2.5]), rtol=-1.0, atol=0.0)
case("negative atol", T([1., 2.]), T([1., 2.5]), rtol=0.0, atol=-1e-5)
case("large values print in exponent notation", T([1e20, 1.], dtype=f64), T([1.1e20, 1.], dtype=f64))
case("small differences print in exponent notation", T([1., 2.], dtype=f64), T([1., 2.0000005], dtype=f64))
case("empty tensors are close", torch.zeros(0), torch.zeros(0))
case("empty shapes differ", torch.zeros(0, 2), torch.zeros(2, 0))
case("requires_grad is not compared", T([1., 2.], requires_grad=True), T([1., 2.]))
case("0-d vs 1-element 1-d", T(1.), T([1.]))

# Pairs within 1% of the allowed error: float32 differences and relative differences are float32 arithmetic in
# 2.x (1.13 promoted to float64 first, so its relative differences print other digits).
base = torch.randn(6, 5)
allowed = 1e-5 + 1.3e-6 * base.abs()
edge = base + allowed * (torch.rand(6, 5) * 0.02 + 0.99) * torch.where(torch.rand(6, 5) < 0.5, -1.0, 1.0)
case("float32 random pairs at the tolerance", edge, base, compare_with_torch1=False)
case("float64 random pairs at the tolerance", edge.to(f64), base.to(f64), rtol=1.3e-6, atol=1e-5)


json.dump({"torch": torch.__version__, "cases": cases}, sys.stdout, indent=1)
print()
