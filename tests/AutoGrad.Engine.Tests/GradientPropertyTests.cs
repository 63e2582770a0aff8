using AutoGrad.Autograd;
using CsCheck;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Property tests: for random shapes (broadcasting between operands), random values and every op, the backward
/// pass agrees with central finite differences in float64 (GradientCheck, gradcheck's tolerances).
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

    private static Tensor Values(int[] shape, uint seed, double lo, double hi)
    {
        var r = Tensor.Rand(shape, DType.Float64, seed).ToDoubleArray();
        return Tensor.FromDoubles(r.Select(v => lo + (hi - lo) * v).ToArray(), shape, DType.Float64, requiresGrad: true);
    }

    public static TheoryData<string> BinaryOps => new() { "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Where" };

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void BinaryOpGradientsMatchFiniteDifferences(string op)
    {
        Property.Check(GenBroadcastPair.Select(Gen.UInt), t =>
        {
            var ((sa, sb), seed) = t;
            // Positive bases for pow; divisors away from zero.
            var a = Values(sa, seed, op == "Pow" ? 0.5 : -2, 2);
            var b = Values(sb, seed + 1, op == "Div" ? 0.5 : -1.5, 1.5);
            Func<Tensor[], Tensor> f = op switch
            {
                "Add" => x => x[0].Add(x[1]),
                "Sub" => x => x[0].Sub(x[1]),
                "Mul" => x => x[0].Mul(x[1]),
                "Div" => x => x[0].Div(x[1]),
                "Pow" => x => x[0].Pow(x[1]),
                "Maximum" => x => x[0].Maximum(x[1]),
                "Minimum" => x => x[0].Minimum(x[1]),
                _ => x => Tensor.Where(x[0].Gt(0L), x[0], x[1]),
            };
            var result = GradientCheck.Run(f, [a, b]);
            Assert.True(result.Passed, $"{op} [{string.Join(",", sa)}] with [{string.Join(",", sb)}]: {result}");
        }, cases: 40, output);
    }

    public static TheoryData<string> UnaryOps => new()
    {
        "Neg", "Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "Square", "Log1p", "Expm1",
        "Rsqrt", "Reciprocal", "Sum", "Mean", "SumDim", "MeanDimKeep", "Softmax", "LogSoftmax", "LogSumExp",
        "Var", "Std", "Norm", "Prod", "Amax", "Clamp", "LeakyRelu", "Gelu", "Silu", "Softplus", "Flatten", "T",
    };

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void UnaryOpGradientsMatchFiniteDifferences(string op)
    {
        bool positive = op is "Log" or "Sqrt" or "Rsqrt" or "Reciprocal" or "Log1p";
        Property.Check(GenShape.Select(Gen.UInt), t =>
        {
            var (shape, seed) = t;
            if (op == "T" && shape.Length > 2) shape = shape[..2];
            var x = Values(shape, seed, positive ? 0.3 : -2, 2);
            // Away from the kinks of abs/relu/clamp/leaky_relu, where finite differences straddle two slopes.
            if (op is "Abs" or "Relu" or "LeakyRelu" or "Clamp")
                x = Tensor.FromDoubles(x.ToDoubleArray().Select(v => Math.Abs(v) < 0.05 || Math.Abs(Math.Abs(v) - 0.5) < 0.05 ? v + 0.2 : v).ToArray(), shape, DType.Float64, true);
            int last = Math.Max(shape.Length - 1, 0);
            Func<Tensor[], Tensor> f = op switch
            {
                "Neg" => a => a[0].Neg(), "Exp" => a => a[0].Exp(), "Log" => a => a[0].Log(), "Sqrt" => a => a[0].Sqrt(),
                "Abs" => a => a[0].Abs(), "Sin" => a => a[0].Sin(), "Cos" => a => a[0].Cos(), "Tanh" => a => a[0].Tanh(),
                "Sigmoid" => a => a[0].Sigmoid(), "Relu" => a => a[0].Relu(), "Square" => a => a[0].Square(),
                "Log1p" => a => a[0].Log1p(), "Expm1" => a => a[0].Expm1(), "Rsqrt" => a => a[0].Rsqrt(),
                "Reciprocal" => a => a[0].Reciprocal(), "Sum" => a => a[0].Sum(), "Mean" => a => a[0].Mean(),
                "SumDim" => a => a[0].Sum([-1]), "MeanDimKeep" => a => a[0].Mean([0], keepDim: true),
                "Softmax" => a => a[0].Softmax(-1), "LogSoftmax" => a => a[0].LogSoftmax(-1),
                "LogSumExp" => a => a[0].LogSumExp([last]), "Var" => a => a[0].Var(), "Std" => a => a[0].Std(),
                "Norm" => a => a[0].Norm(), "Prod" => a => a[0].Prod(), "Amax" => a => a[0].Amax(),
                "Clamp" => a => a[0].Clamp(-0.5, 0.5), "LeakyRelu" => a => a[0].LeakyRelu(0.2), "Gelu" => a => a[0].Gelu(),
                "Silu" => a => a[0].Silu(), "Softplus" => a => a[0].Softplus(), "Flatten" => a => a[0].Flatten(),
                _ => a => a[0].T(),
            };
            if (op is "Var" or "Std" && x.NumElements < 2) return;
            var result = GradientCheck.Run(f, [x]);
            Assert.True(result.Passed, $"{op} [{string.Join(",", shape)}]: {result}");
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
            var a = Values(left, seed, -1, 1);
            var b = Values(right, seed + 7, -1, 1);
            var result = GradientCheck.Run(x => x[0].MatMul(x[1]), [a, b]);
            Assert.True(result.Passed, $"[{string.Join(",", left)}] @ [{string.Join(",", right)}]: {result}");
        }, cases: 40, output);
    }
}
