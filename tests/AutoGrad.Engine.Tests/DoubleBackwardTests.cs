using System.Text.Json;
using AutoGrad.Autograd;
using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>
/// Second-order gradients through softmax, log_softmax, mse_loss, nll_loss and cross_entropy against real PyTorch
/// (tests/data/double_backward.py): the create_graph gradient's node name (SoftmaxBackwardDataBackward0, ...), its
/// values, and the derivatives of (g * v).sum() in x, in the incoming gradient and in a differentiable target.
/// </summary>
public class DoubleBackwardTests
{
    public static IEnumerable<object[]> Cases => ReferenceData.CaseNames("double_backward");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Create_graph_gradients_match_pytorch(string name)
    {
        var c = ReferenceData.Case("double_backward", name);
        var x = Leaf(Flat(c.GetProperty("x")), 2, 3);
        bool targetGrad = c.TryGetProperty("d_target", out _);
        Tensor? target = c.GetProperty("target").ValueKind switch
        {
            JsonValueKind.Null => null,
            _ when name.StartsWith("mse", StringComparison.Ordinal) =>
                Tensor.FromDoubles(Flat(c.GetProperty("target")), [2, 3], DType.Float64, requiresGrad: targetGrad),
            _ => I64(c.GetProperty("target").EnumerateArray().Select(e => e.GetInt64()).ToArray(), 2),
        };
        var y = Apply(name, x, target);
        var go = Tensor.FromDoubles(Flat(c.GetProperty("go")), y.ShapeArray, DType.Float64, requiresGrad: true);

        var g = BackwardEngine.Grad([y], [x], [go], createGraph: true)[0]!;
        Assert.Equal(ReferenceData.String(c, "grad_fn"), g.GradFn?.Name);
        AssertClose(ReferenceData.Doubles(c.GetProperty("grad")), g);

        var inputs = targetGrad ? new[] { x, go, target! } : new[] { x, go };
        var d = BackwardEngine.Grad([g.Mul(F64(Flat(c.GetProperty("v")), 2, 3)).Sum()], inputs, allowUnused: true);
        AssertClose(ReferenceData.Doubles(c.GetProperty("d_x")), d[0] ?? Tensor.ZerosLike(x));
        AssertClose(ReferenceData.Doubles(c.GetProperty("d_go")), d[1] ?? Tensor.ZerosLike(go));
        if (targetGrad) AssertClose(ReferenceData.Doubles(c.GetProperty("d_target")), d[2]!);
    }

    private static Tensor Apply(string name, Tensor x, Tensor? t) => name switch
    {
        "softmax dim 1" => x.Softmax(1),
        "softmax dim 0" => x.Softmax(0),
        "log_softmax dim 1" => x.LogSoftmax(1),
        "log_softmax dim 0" => x.LogSoftmax(0),
        "mse_loss mean" => x.MseLoss(t!),
        "mse_loss sum" => x.MseLoss(t!, Reduction.Sum),
        "mse_loss none" => x.MseLoss(t!, Reduction.None),
        "nll_loss mean" => x.NllLoss(t!),
        "nll_loss sum" => x.NllLoss(t!, Reduction.Sum),
        "nll_loss none" => x.NllLoss(t!, Reduction.None),
        "cross_entropy mean" => x.CrossEntropy(t!),
        _ => throw new ArgumentException($"no case '{name}' here: add it to Apply", nameof(name)),
    };

    /// <summary>A number, a list or a list of lists, flattened row by row.</summary>
    private static double[] Flat(JsonElement nested) => nested.ValueKind == JsonValueKind.Array
        ? nested.EnumerateArray().SelectMany(Flat).ToArray()
        : [nested.GetDouble()];
}
