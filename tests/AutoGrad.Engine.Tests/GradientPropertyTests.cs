using AutoGrad.Autograd;
using AutoGrad.Ops;
using CsCheck;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Property tests: for random shapes (rank 0-3, dims 1-4, operands broadcasting against each other), random values
/// and every differentiable op of the table of a kind (<see cref="TableOps"/>: elementwise of one and of two tensors,
/// reductions over all elements and along the last dim), the backward pass agrees with central finite differences
/// in float64 (GradientCheck, gradcheck's tolerances). The fixed samples of every op are checked against PyTorch in
/// <see cref="OpTableTests"/>.
/// </summary>
public class GradientPropertyTests(ITestOutputHelper output)
{
    /// <summary>A shape of rank 0-3 with dims 1-4.</summary>
    private static readonly Gen<int[]> GenShape = Gen.Int[1, 4].Array[0, 3];

    /// <summary>Two shapes that broadcast: the second drops leading dims and squeezes some dims to 1.</summary>
    private static readonly Gen<(int[] A, int[] B)> GenBroadcastPair =
        from a in GenShape
        from drop in Gen.Int[0, a.Length]
        from ones in Gen.Bool.Array[a.Length]
        from swap in Gen.Bool
        let b = a.Skip(drop).Select((d, i) => ones[i + drop] ? 1 : d).ToArray()
        select swap ? (b, a) : (a, b);

    private static string Show(int[] shape) => $"[{string.Join(",", shape)}]";

    /// <summary>
    /// Values from <paramref name="domain"/> (the ranges the samples use) on a grid of 1/64 steps offset by half a
    /// step: elementwise ops have
    /// their kinks at multiples of 1/64 (0 for abs and relu, 0.5 for round and clamp's sample bounds, integers for
    /// floor), so no value sits within a finite-difference step of one.
    /// </summary>
    private static Tensor GridValues(int[] shape, uint seed, SampleDomain domain)
    {
        var (lo, hi) = domain switch
        {
            SampleDomain.Positive => (0.5, 2.0),
            SampleDomain.UnitInterval => (0.1, 0.9),
            _ => (-1.0, 1.0),
        };
        var r = Tensor.Rand(shape, DType.Float64, seed).ToDoubleArray();
        var values = r.Select(u => (Math.Floor((lo + (hi - lo) * u) * 64) + 0.5) / 64).ToArray();
        if (domain == SampleDomain.AwayFromZero)
            values = values.Select(v => Math.Abs(v) < 0.1 ? v + Math.Sign(v) * 0.25 : v).ToArray();
        return Tensor.FromDoubles(values, shape, DType.Float64, requiresGrad: true);
    }

    /// <summary>Continuous values (ties between elements, which max and amax split, have probability zero).</summary>
    private static Tensor Values(int[] shape, uint seed, SampleDomain domain)
    {
        var r = Tensor.Rand(shape, DType.Float64, seed).ToDoubleArray();
        var values = domain == SampleDomain.AwayFromZero
            ? r.Select((u, i) => (i % 2 == 0 ? 1 : -1) * (0.2 + 1.8 * u)).ToArray()
            : r.Select(u => -2 + 4 * u).ToArray();
        return Tensor.FromDoubles(values, shape, DType.Float64, requiresGrad: true);
    }

    public static TheoryData<OpKind, string> Ops =>
        TableOps.Differentiable(OpKind.Unary, OpKind.Binary, OpKind.FullReduction, OpKind.AlongLastDim);

    [Theory]
    [MemberData(nameof(Ops))]
    public void GradientsMatchFiniteDifferences(OpKind kind, string name)
    {
        var op = TableOps.Get(name);
        if (kind == OpKind.Binary)
        {
            Property.Check(GenBroadcastPair.Select(Gen.UInt), t =>
            {
                var ((sa, sb), seed) = t;
                var a = GridValues(sa, seed, op.Domain);
                var b = GridValues(sb, seed + 1, op.OtherDomain);
                // An op that takes a condition (where) gets a random one of the operands' broadcast shape.
                var condition = Tensor.Rand(Shapes.Broadcast(sa, sb), DType.Float64, seed + 2).Gt(0.5);
                var result = GradientCheck.Run(x => TableOps.Apply(op, TableOps.Call(kind, op, x[0], x[1], condition)), [a, b]);
                Assert.True(result.Passed, $"{name} {Show(sa)} with {Show(sb)}: {result}");
            }, cases: 40, output);
            return;
        }
        Property.Check(GenShape.Select(Gen.UInt, Gen.Bool), t =>
        {
            var (shape, seed, keep) = t;
            // Elementwise ops on the grid (no kinks within reach); reductions on continuous values (no ties for max).
            var x = kind == OpKind.Unary ? GridValues(shape, seed, op.Domain) : Values(shape, seed, op.Domain);
            var call = TableOps.Call(kind, op, x, keepDim: keep);
            // Where the op is undefined (var and std of one element are NaN) there is nothing to check.
            if (kind != OpKind.Unary && TableOps.Apply(op, call).ToDoubleArray().Any(v => !double.IsFinite(v))) return;
            var result = GradientCheck.Run(a => TableOps.Apply(op, call with { Input = a[0] }), [x]);
            Assert.True(result.Passed, $"{name} ({kind}) {Show(shape)}{(call.KeepDim ? " kept" : "")}: {result}");
        }, cases: 25, output);
    }

    [Fact]
    public void MatMulGradientsMatchFiniteDifferencesForEveryRankPair()
    {
        Property.Check(Gen.Int[1, 3].Array[1, 4].Select(Gen.Int[1, 3], Gen.UInt), t =>
        {
            var (dims, k, seed) = t;
            // Left [..batch, n, k] or [k]; right [k, p] or [k] or [..batch, k, p].
            int[] left = dims.Length == 1 ? [k] : [.. dims[..^1], k];
            int[] right = dims.Length % 2 == 0 ? [k, dims[^1]] : dims.Length == 3 ? [dims[0], k, 2] : [k];
            var a = Values(left, seed, SampleDomain.Any);
            var b = Values(right, seed + 7, SampleDomain.Any);
            var result = GradientCheck.Run(x => x[0].MatMul(x[1]), [a, b]);
            Assert.True(result.Passed, $"[{string.Join(",", left)}] @ [{string.Join(",", right)}]: {result}");
        }, cases: 40, output);
    }
}
