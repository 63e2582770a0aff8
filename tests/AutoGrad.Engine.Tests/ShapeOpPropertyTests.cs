using AutoGrad.Autograd;
using AutoGrad.Ops;
using CsCheck;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Property tests for the shape, indexing, joining and loss ops: random shapes and arguments, backward against
/// central differences in float64; and the float32 forward of every op of the table that takes any shape against
/// its float64 forward (dtype coverage).
/// </summary>
public class ShapeOpPropertyTests(ITestOutputHelper output)
{
    private static readonly Gen<int[]> GenShape = Gen.Int[1, 4].Array[1, 4];

    private static Tensor Values(int[] shape, uint seed, double lo = -1.5, double hi = 1.5)
    {
        var r = Tensor.Rand(shape, DType.Float64, seed).ToDoubleArray();
        return Tensor.FromDoubles(r.Select(v => lo + (hi - lo) * v).ToArray(), shape, DType.Float64, requiresGrad: true);
    }

    private static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, string what)
    {
        var result = GradientCheck.Run(f, inputs);
        Assert.True(result.Passed, $"{what}: {result}");
    }

    [Fact]
    public void PermuteTransposeFlattenAndViews()
    {
        Property.Check(GenShape.Select(Gen.UInt, Gen.Int[0, 1000]), t =>
        {
            var (shape, seed, pick) = t;
            int rank = shape.Length;
            var perm = Enumerable.Range(0, rank).OrderBy(i => (i * 7919 + pick) % 13).ToArray();
            int a = pick % rank, b = (pick / 7) % rank, dim = (pick / 3) % rank;
            var x = Values(shape, seed);
            Check(v => v[0].Permute(perm), [x], $"permute [{string.Join(",", shape)}] by [{string.Join(",", perm)}]");
            Check(v => v[0].Transpose(a, b).Reshape(-1), [x], $"transpose({a},{b}).reshape(-1) of [{string.Join(",", shape)}]");
            Check(v => v[0].Flatten(Math.Min(a, b), Math.Max(a, b)), [x], $"flatten({Math.Min(a, b)},{Math.Max(a, b)})");
            Check(v => v[0].Unsqueeze(dim).Squeeze(dim).Squeeze(), [x], $"unsqueeze/squeeze at {dim}");
        }, cases: 30, output);
    }

    [Fact]
    public void SelectNarrowIndexSelectAndExpand()
    {
        Property.Check(GenShape.Select(Gen.UInt, Gen.Int[0, 1000]), t =>
        {
            var (shape, seed, pick) = t;
            int dim = pick % shape.Length, size = shape[dim];
            int index = pick % size, start = (pick / 5) % size, length = 1 + (pick / 11) % (size - start);
            var x = Values(shape, seed);
            Check(v => v[0].Select(dim, index), [x], $"select({dim},{index}) of [{string.Join(",", shape)}]");
            Check(v => v[0].Narrow(dim, start, length), [x], $"narrow({dim},{start},{length})");
            long[] picks = [index, (index + 1) % size, index];
            Check(v => v[0].IndexSelect(dim, picks), [x], $"index_select({dim}, [{string.Join(",", picks)}])");
            var target = shape.Select((s, i) => i == dim ? s : s).Prepend(2).ToArray();
            Check(v => v[0].Expand(target), [x], $"expand to [{string.Join(",", target)}]");
        }, cases: 30, output);
    }

    [Fact]
    public void CatStackAndSplit()
    {
        Property.Check(GenShape.Select(Gen.UInt, Gen.Int[1, 3], Gen.Int[0, 1000]), t =>
        {
            var (shape, seed, extra, pick) = t;
            int dim = pick % shape.Length;
            var other = (int[])shape.Clone();
            other[dim] = extra;
            var x = Values(shape, seed);
            var y = Values(other, seed + 1);
            Check(v => Tensor.Cat([v[0], v[1]], dim), [x, y], $"cat along {dim}: [{string.Join(",", shape)}] + [{string.Join(",", other)}]");
            var z = Values(shape, seed + 2);
            Check(v => Tensor.Stack([v[0], v[1]], dim), [x, z], $"stack along {dim}");
            int pieces = 1 + pick % Math.Max(shape[dim], 1);
            Check(v => Tensor.Cat(v[0].Chunk(pieces, dim).Select((p, i) => p.Mul((double)(i + 1))).ToArray(), dim), [x],
                $"chunk({pieces}, {dim}) scaled and rejoined");
        }, cases: 30, output);
    }

    [Fact]
    public void LossesOverRandomShapes()
    {
        Property.Check(GenShape.Select(Gen.UInt), t =>
        {
            var (shape, seed) = t;
            var x = Values(shape, seed);
            var target = Values(shape, seed + 3).Detach();
            var labels = Tensor.FromDoubles(Tensor.Rand(shape, DType.Float64, seed + 4).ToDoubleArray().Select(v => v > 0.5 ? 1.0 : 0.0).ToArray(), shape, DType.Float64);
            foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            {
                Check(v => v[0].MseLoss(target, reduction), [x], $"mse_loss {reduction} [{string.Join(",", shape)}]");
                Check(v => v[0].BinaryCrossEntropyWithLogits(labels, reduction), [x], $"bce_with_logits {reduction}");
            }
            int n = shape[0], c = shape.Length > 1 ? shape[^1] : 3;
            var logits = Values([n, c], seed + 5);
            var classes = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (long)((i * 7 + seed) % c)).ToArray(), n);
            Check(v => v[0].CrossEntropy(classes), [logits], $"cross_entropy [{n},{c}]");
        }, cases: 25, output);
    }

    /// <summary>Every op of the table that takes inputs of any shape (<see cref="TableOps"/>).</summary>
    public static TheoryData<OpKind, string> Ops =>
        TableOps.All(OpKind.Unary, OpKind.Binary, OpKind.FullReduction, OpKind.AlongLastDim);

    [Theory]
    [MemberData(nameof(Ops))]
    public void Float32ForwardAgreesWithFloat64(OpKind kind, string name)
    {
        var op = TableOps.Get(name);
        Property.Check(GenShape.Select(Gen.UInt, Gen.Bool), t =>
        {
            var (shape, seed, keep) = t;
            // Float32 values, so that both dtypes start from the same numbers; the second operand of a binary op
            // (a divisor, an exponent) in [0.5, 2).
            var a64 = Values(shape, seed).To(DType.Float32).To(DType.Float64).Detach();
            var b64 = Values(shape, seed + 9, 0.5, 2).To(DType.Float32).To(DType.Float64).Detach();
            if (op.Domain == SampleDomain.Positive) a64 = a64.Abs().Add(0.5);
            var condition = a64.Gt(0.0);
            Tensor Apply(Tensor a, Tensor b) => TableOps.Apply(op, TableOps.Call(kind, op, a, b, condition, keep));
            var r64 = Apply(a64, b64);
            var r32 = Apply(a64.To(DType.Float32), b64.To(DType.Float32));
            Assert.Equal(r64.DType == DType.Float64 ? DType.Float32 : r64.DType, r32.DType);
            Assert.Equal(r64.Shape, r32.Shape);
            var x = r64.ToDoubleArray();
            var y = r32.ToDoubleArray();
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(x[i] - y[i]) <= 1e-5 * Math.Max(1, Math.Abs(x[i])) || (double.IsNaN(x[i]) && double.IsNaN(y[i])),
                    $"{name} ({kind}) [{string.Join(",", shape)}] element {i}: float64 {x[i]:R} vs float32 {y[i]:R}");
        }, cases: 25, output);
    }
}
