using System.Text.Json;
using AutoGrad.Autograd;
using AutoGrad.Ops;

namespace AutoGrad.Tests;

/// <summary>
/// Tests generated from the op table, one case per op, sample and dtype (no per-op code here): forward values,
/// dtypes, shapes, node names and the node of a later reshape against real PyTorch (tests/data/ops-reference.json,
/// written by tests/data/ops.py from the samples the table generates); gradients of sum(out * w) against
/// PyTorch's; float64 gradients and second derivatives against central differences; float32 against float64.
/// </summary>
public class OpTableTests
{
    // Float64 is held tight (the kernels and PyTorch's differ by a few ulps and in summation order); float32 to what
    // float32 arithmetic can promise after a handful of roundings.
    private static (double Abs, double Rel) Tolerance(DType dtype) => dtype == DType.Float64 ? (1e-14, 1e-12) : (1e-6, 1e-5);

    public static TheoryData<string> Cases => new(OpCases.All().Select(c => c.Id));

    /// <summary>The cases PyTorch computes (not those where it raises an error).</summary>
    public static TheoryData<string> ComputedCases => new(OpCases.All().Where(c => !OpCases.RaisesInPyTorch(c.Id)).Select(c => c.Id));

    /// <summary>
    /// Float64 cases of differentiable ops with inputs that require grad and a float64 result that does (a cast to
    /// float32 cannot be checked by differences in float64): gradient-checked.
    /// </summary>
    public static TheoryData<string> DifferentiableCases => new(OpCases.All()
        .Where(c => c.DType == DType.Float64 && c.Op.Differentiable && c.Sample.GradInputs.Length > 0
            && !OpCases.RaisesInPyTorch(c.Id) && OpCases.Outputs(c.Op.Apply(c.Call))[0] is { DType: DType.Float64, RequiresGrad: true })
        .Select(c => c.Id));

    /// <summary>Float32 cases, each checked against its float64 twin.</summary>
    public static TheoryData<string> Float32Cases => new(OpCases.All()
        .Where(c => c.DType == DType.Float32 && !OpCases.RaisesInPyTorch(c.Id)).Select(c => c.Id));

    // ---- the table and the data ---------------------------------------------------------------------------------

    [Fact]
    public void Every_op_has_a_torch_expression_and_samples_with_unique_labels()
    {
        foreach (var op in OpTable.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(op.Torch), $"{op.Name} has no Torch expression");
            foreach (var dtype in OpCases.DTypes)
            {
                var labels = op.SamplesFor(dtype).Select(s => s.Label).ToArray();
                Assert.True(labels.Length > 0, $"{op.Name} has no samples");
                Assert.True(labels.Distinct().Count() == labels.Length, $"{op.Name} repeats a sample label: {string.Join(", ", labels)}");
                Assert.All(labels, l => Assert.DoesNotContain('/', l));
            }
        }
    }

    [Fact]
    public void Float32_and_float64_samples_hold_the_same_calls()
    {
        foreach (var op in OpTable.All)
        {
            var f32 = op.SamplesFor(DType.Float32);
            var f64 = op.SamplesFor(DType.Float64);
            Assert.Equal(f32.Select(s => s.Label), f64.Select(s => s.Label));
            for (int i = 0; i < f32.Count; i++)
                Assert.Equal(f64[i].Call.Input.ToDoubleArray(), f32[i].Call.Input.ToDoubleArray());
        }
    }

    /// <summary>
    /// The checked-in samples are what the table generates; with AUTOGRAD_OP_SAMPLES_OUT set (build.ps1
    /// OpReference) this writes them there instead, for tests/data/ops.py to run in PyTorch.
    /// </summary>
    [Fact]
    public void The_checked_in_samples_are_the_tables()
    {
        var generated = OpCases.SamplesJson();
        if (Environment.GetEnvironmentVariable("AUTOGRAD_OP_SAMPLES_OUT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, generated);
            return;
        }
        var file = Path.Combine(AppContext.BaseDirectory, "data", "ops-samples.json");
        var checkedIn = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        Assert.True(checkedIn == generated,
            "tests/data/ops-samples.json differs from the samples the op table generates (an op or a sample was added or changed): run build.ps1 OpReference to regenerate it and PyTorch's reference values.");
    }

    [Fact]
    public void The_reference_holds_every_case_and_nothing_else()
    {
        var ids = OpCases.All().Select(c => c.Id).ToHashSet();
        var missing = ids.Except(OpCases.ReferenceIds).ToArray();
        var stale = OpCases.ReferenceIds.Except(ids).ToArray();
        Assert.True(missing.Length == 0 && stale.Length == 0,
            $"tests/data/ops-reference.json is out of date (missing: {string.Join(", ", missing.Take(5))}; stale: {string.Join(", ", stale.Take(5))}): run build.ps1 OpReference.");
    }

    // ---- against PyTorch ----------------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Cases))]
    public void Forward_matches_PyTorch(string id)
    {
        var c = OpCases.Get(id);
        if (OpCases.Reference(id).TryGetProperty("error", out var error))
        {
            var e = Assert.Throws<TorchException>(() => c.Op.Apply(c.Call));
            Assert.Equal(error.GetProperty("type").GetString(), e.Kind.ToString());
            Assert.Equal(error.GetProperty("message").GetString(), e.Message);
            return;
        }
        var expected = OpCases.Reference(id).GetProperty("outputs").EnumerateArray().ToArray();
        var outputs = OpCases.Outputs(c.Op.Apply(c.Call));
        Assert.Equal(expected.Length, outputs.Length);
        for (int k = 0; k < outputs.Length; k++)
        {
            var (e, o) = (expected[k], outputs[k]);
            var what = $"{id} output {k}";
            Assert.True(e.GetProperty("dtype").GetString() == OpCases.DTypeName(o.DType), $"{what}: dtype {OpCases.DTypeName(o.DType)}, PyTorch {e.GetProperty("dtype")}");
            Assert.True(ReferenceData.Ints(e.GetProperty("shape")).SequenceEqual(o.Shape), $"{what}: shape [{string.Join(",", o.Shape)}], PyTorch {e.GetProperty("shape")}");
            AssertClose(OpCases.Numbers(e.GetProperty("values")), o.ToDoubleArray(), o.DType, $"{what} values");
            Assert.True(e.GetProperty("requires_grad").GetBoolean() == o.RequiresGrad, $"{what}: requires_grad {o.RequiresGrad}");
            Assert.True(ReferenceData.String(e, "grad_fn") == o.GradFn?.Name, $"{what}: grad_fn {o.GradFn?.Name ?? "None"}, PyTorch {ReferenceData.String(e, "grad_fn") ?? "None"}");
            // The node a later reshape records shows whether the result is laid out as PyTorch lays it out.
            if (o.GradFn is not null)
                Assert.True(ReferenceData.String(e, "reshape_grad_fn") == o.Reshape(-1).GradFn?.Name,
                    $"{what}: reshape(-1) records {o.Reshape(-1).GradFn?.Name}, PyTorch {ReferenceData.String(e, "reshape_grad_fn")} (result strides [{string.Join(",", o.Strides)}], PyTorch {e.GetProperty("strides")})");
        }
    }

    [Theory, MemberData(nameof(ComputedCases))]
    public void Gradients_match_PyTorch(string id)
    {
        var c = OpCases.Get(id);
        var expected = OpCases.Reference(id).GetProperty("grads");
        var names = OpCases.GradNames(c);
        var grads = Gradients(c);
        for (int k = 0; k < names.Length; k++)
        {
            var e = expected.GetProperty(names[k]);
            if (e.ValueKind == JsonValueKind.Null)
            {
                Assert.True(grads[k] is null, $"{id}: PyTorch gives {names[k]} no gradient, the engine does");
                continue;
            }
            Assert.True(grads[k] is not null, $"{id}: PyTorch gives {names[k]} a gradient, the engine none");
            Assert.Equal(c.Sample.GradInputs[k].Shape, grads[k]!.Shape);
            AssertClose(OpCases.Numbers(e), grads[k]!.ToDoubleArray(), c.DType, $"{id} gradient of {names[k]}");
        }
    }

    // ---- against finite differences and float64 ---------------------------------------------------------------

    [Theory, MemberData(nameof(DifferentiableCases))]
    public void Float64_gradients_match_central_differences(string id)
    {
        var c = OpCases.Get(id);
        var result = GradientCheck.Run(xs => Output(c, xs), c.Sample.GradInputs);
        Assert.True(result.Passed, $"{id}: {result}");
    }

    /// <summary>
    /// d/dx of d(sum(exp(f)))/dx: each op's backward formula differentiated again (create_graph), against central
    /// differences of the first derivative.
    /// </summary>
    [Theory, MemberData(nameof(DifferentiableCases))]
    public void Second_derivatives_match_central_differences(string id)
    {
        var c = OpCases.Get(id);
        Tensor FirstDerivative(Tensor[] xs)
        {
            // The check evaluates shifted inputs without grad; the first derivative needs them as leaves that do.
            if (!xs[0].RequiresGrad) xs = xs.Select(x => Tensor.FromDoubles(x.ToDoubleArray(), x.Shape, DType.Float64, requiresGrad: true)).ToArray();
            using (GradMode.Set(true))
                return BackwardEngine.Grad([Output(c, xs).Exp().Sum()], [xs[0]], createGraph: true, allowUnused: true)[0]
                    ?? Tensor.Zeros(xs[0].Shape, DType.Float64);
        }
        var result = GradientCheck.Run(FirstDerivative, c.Sample.GradInputs);
        Assert.True(result.Passed, $"{id}: {result}");
    }

    [Theory, MemberData(nameof(Float32Cases))]
    public void Float32_agrees_with_float64(string id)
    {
        var c32 = OpCases.Get(id);
        var c64 = OpCases.Get(OpCases.Name(c32.Op, c32.Sample.Label, DType.Float64));
        var o32 = OpCases.Outputs(c32.Op.Apply(c32.Call));
        var o64 = OpCases.Outputs(c64.Op.Apply(c64.Call));
        Assert.Equal(o64.Length, o32.Length);
        for (int k = 0; k < o32.Length; k++)
        {
            Assert.Equal(o64[k].Shape, o32[k].Shape);
            AssertClose(o64[k].ToDoubleArray(), o32[k].ToDoubleArray(), DType.Float32, $"{id} output {k}");
        }
        var g32 = Gradients(c32);
        var g64 = Gradients(c64);
        for (int k = 0; k < g32.Length; k++)
        {
            Assert.Equal(g64[k] is null, g32[k] is null);
            if (g32[k] is not null) AssertClose(g64[k]!.ToDoubleArray(), g32[k]!.ToDoubleArray(), DType.Float32, $"{id} gradient {k}");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>The gradients of the loss ops.py differentiates, for each of the sample's gradient inputs.</summary>
    private static Tensor?[] Gradients(OpCases.Case c)
    {
        var loss = OpCases.Loss(OpCases.Outputs(c.Op.Apply(c.Call)));
        if (loss is null || c.Sample.GradInputs.Length == 0) return new Tensor?[c.Sample.GradInputs.Length];
        return BackwardEngine.Grad([loss], c.Sample.GradInputs, allowUnused: true);
    }

    /// <summary>
    /// The op's first floating output for the inputs <paramref name="xs"/> (a gradient check's contiguous float64
    /// copies), each laid out first as the sample's own input is (a transposed input stays transposed).
    /// </summary>
    private static Tensor Output(OpCases.Case c, Tensor[] xs)
    {
        var laidOut = xs.Select((x, k) => LayOutAs(x, c.Sample.GradInputs[k])).ToArray();
        return OpCases.Outputs(c.Op.Apply(OpCases.Substitute(c.Call, c.Sample.GradInputs, laidOut))).First(o => o.DType.IsFloating());
    }

    /// <summary>x with <paramref name="like"/>'s memory order: a permuted contiguous copy, permuted back.</summary>
    private static Tensor LayOutAs(Tensor x, Tensor like)
    {
        if (like.IsContiguous()) return x;
        var strides = like.Strides;
        var order = Enumerable.Range(0, like.Rank).OrderByDescending(d => strides[d]).ToArray();
        var inverse = new int[order.Length];
        for (int i = 0; i < order.Length; i++) inverse[order[i]] = i;
        return x.Permute(order).Contiguous().Permute(inverse);
    }

    private static void AssertClose(double[] expected, double[] actual, DType dtype, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        var (abs, rel) = Tolerance(dtype);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool same = double.IsNaN(e) ? double.IsNaN(a) : e == a || Math.Abs(a - e) <= abs + rel * Math.Abs(e);
            Assert.True(same, $"{what}: element {i} is {a:R}, expected {e:R} (|difference| {Math.Abs(a - e):G3})");
        }
    }
}
