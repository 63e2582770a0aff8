using System.Globalization;
using AutoGrad.NN;
using AutoGrad.Ops;
using AutoGrad.Optim;
using AutoGrad.Printing;
using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>
/// The one-line summaries behind the console views (Format-Table/Format-List) and the op signatures behind
/// Get-TensorOp: element text as the repr prints it, culture-invariant, cut like PyTorch's summarization.
/// </summary>
public class SummariesTests
{
    [Fact]
    public void TensorColumns()
    {
        var x = Tensor.FromDoubles([1, 2, 3, 4], [2, 2], DType.Float32, requiresGrad: true);
        Assert.Equal("[2, 2]", Summaries.Shape(x));
        Assert.Equal("[]", Summaries.Shape(Tensor.Scalar(1)));
        Assert.Equal("float32", Summaries.DType(x));
        Assert.Equal("int64", Summaries.DType(Tensor.FromArray([1L])));
        Assert.Equal("", Summaries.GradFn(x));
        Assert.Equal("MulBackward0", Summaries.GradFn(x * 2));
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, new[] { 2, 2 }, DType.Float32, "[[1., 2.], [3., 4.]]")]
    [InlineData(new double[] { -1, 20 }, new[] { 2 }, DType.Float32, "[-1., 20.]")]
    [InlineData(new double[] { 0.5, 1.25 }, new[] { 2 }, DType.Float64, "[0.5000, 1.2500]")]
    [InlineData(new double[] { 3.5 }, new int[0], DType.Float32, "3.5000")]
    [InlineData(new double[] { 1, 2, 3 }, new[] { 3 }, DType.Int64, "[1, 2, 3]")]
    [InlineData(new double[] { 1, 0 }, new[] { 2 }, DType.Bool, "[True, False]")]
    [InlineData(new double[0], new[] { 0 }, DType.Float32, "[]")]
    [InlineData(new double[] { 1e-8, 1 }, new[] { 2 }, DType.Float64, "[1.0000e-08, 1.0000e+00]")]
    public void ValuesAreTheReprsElementsOnOneLine(double[] values, int[] shape, DType dtype, string expected) =>
        Assert.Equal(expected, Summaries.Values(Tensor.FromDoubles(values, shape, dtype)));

    [Fact]
    public void ValuesOfALargeTensorKeepTwoItemsAtEachEnd()
    {
        var v = Tensor.FromDoubles(Enumerable.Range(0, 100).Select(i => (double)i).ToArray(), [100], DType.Int64);
        Assert.Equal("[0, 1, ..., 98, 99]", Summaries.Values(v));
        var m = Tensor.FromDoubles(Enumerable.Range(0, 100).Select(i => (double)i).ToArray(), [10, 10], DType.Int64);
        Assert.Equal("[[0, 1, ..., 8, 9], [10, 11, ..., 18, 19], ..., [80, 81, ..., 88, 89], [90, 91, ..., 98, 99]]",
            Summaries.Values(m));
        // Seven elements is past the threshold, but no dim is longer than two edges: all shown.
        Assert.Equal("[[0, 1, 2, 3], [4, 5, 6, 7]]",
            Summaries.Values(Tensor.FromDoubles([0, 1, 2, 3, 4, 5, 6, 7], [2, 4], DType.Int64)));
    }

    [Fact]
    public void ValuesOfADisposedTensorSaySo()
    {
        var t = Tensor.FromDoubles([1, 2], [2], DType.Float32);
        t.Dispose();
        Assert.Equal("<disposed>", Summaries.Values(t));
    }

    [Fact]
    public void SummariesIgnoreTheCurrentCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("[0.5000, 1.2500]", Summaries.Values(Tensor.FromDoubles([0.5, 1.25], [2], DType.Float32)));
            Assert.Equal("1234567", Summaries.Integer(1234567));
            Assert.Equal("0.001", Summaries.Number(0.001));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void LayerColumns()
    {
        var g = new Generator(1);
        var model = new Sequential(new Linear(4, 8, generator: g), new ReLU(), new Linear(8, 3, generator: g));
        Assert.Equal("Linear, ReLU, Linear", Summaries.Settings(model));
        Assert.Equal("in_features=4, out_features=8, bias=True", Summaries.Settings(model[0]));
        Assert.Equal("", Summaries.Settings(new ReLU()));
        Assert.Equal(4 * 8 + 8 + 8 * 3 + 3, Summaries.ParameterCount(model));
        Assert.Equal("weight [8, 4], bias [8]", Summaries.ParameterShapes(model[0]));
        Assert.Equal("0.weight [8, 4], 0.bias [8], 2.weight [3, 8], 2.bias [3]", Summaries.ParameterShapes(model));
    }

    [Fact]
    public void OptimizerAndSchedulerColumns()
    {
        var w = Tensor.Zeros([2], requiresGrad: true);
        var b = Tensor.Zeros([1], requiresGrad: true);
        var sgd = new SGD([w, b], lr: 0.1, momentum: 0.9);
        Assert.Equal("0.1", Summaries.LearningRates(sgd));
        Assert.Equal(2, Summaries.ParameterCount(sgd));
        Assert.StartsWith("momentum=0.9, dampening=0, weight_decay=0, nesterov=False", Summaries.Options(sgd));
        Assert.DoesNotContain("lr=", Summaries.Options(sgd));
        Assert.StartsWith("lr=0.1, momentum=0.9", Summaries.Options(sgd.ParamGroups[0]));
        var steps = new StepLR(sgd, stepSize: 1, gamma: 0.5);
        sgd.Step();
        steps.Step();
        Assert.Equal("0.05", Summaries.LastLR(steps));
        Assert.Equal("0.1", Summaries.BaseLRs(steps));
    }

    [Fact]
    public void NodeColumns()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float32, requiresGrad: true);
        Assert.Equal("AccumulateGrad, None", Summaries.NextFunctions((x * 2).GradFn!));
    }
}

/// <summary>Get-TensorOp's view of the op table, and the usage line Invoke-Op's argument errors print.</summary>
public class OpSignatureTests
{
    [Fact]
    public void EveryOpHasASignatureInNameOrder() =>
        Assert.Equal(OpTable.All.Select(o => o.Name), OpSignature.All.Select(s => s.Name));

    [Theory]
    [InlineData("Abs", "$x | Invoke-Op Abs", "", "", "")]
    [InlineData("Add", "$x | Invoke-Op Add <tensor or number>", "Other", "", "<other>")]
    [InlineData("Clamp", "$x | Invoke-Op Clamp [-Min <number or tensor>] [-Max <number or tensor>]", "", "Min,Max", "[-Min] [-Max]")]
    [InlineData("Transpose", "$x | Invoke-Op Transpose -Dim0 <int> -Dim1 <int>", "Dim0,Dim1", "", "-Dim0 -Dim1")]
    [InlineData("Softmax", "$x | Invoke-Op Softmax -Dim <int>", "Dim", "", "-Dim")]
    [InlineData("Sum", "$x | Invoke-Op Sum [-Dim <int[]>] [-KeepDim]", "", "Dim,KeepDim", "[-Dim] [-KeepDim]")]
    [InlineData("Max", "$x | Invoke-Op Max [-Other <tensor>] [-Dim <int>] [-KeepDim] [-WithIndices]", "", "Other,Dim,KeepDim,WithIndices", "[-Other] [-Dim] [-KeepDim] [-WithIndices]")]
    [InlineData("CrossEntropy", "$x | Invoke-Op CrossEntropy -Target <tensor> [-Reduction <Mean|Sum|None>] [-IgnoreIndex <long>]", "Target", "Reduction,IgnoreIndex", "-Target [-Reduction] [-IgnoreIndex]")]
    public void SignatureOf(string name, string syntax, string required, string optional, string summary)
    {
        var s = OpSignature.All.Single(o => o.Name == name);
        Assert.Equal(syntax, s.Syntax);
        Assert.Equal(required, string.Join(",", s.Required));
        Assert.Equal(optional, string.Join(",", s.Optional));
        Assert.Equal(summary, s.ParameterSummary);
        Assert.Equal(s.Required.Concat(s.Optional), s.Parameters);
        Assert.Equal($"Usage: {syntax} ({s.Synopsis}).", s.Usage);
        Assert.Same(s, OpSignature.Of(s.Info));
    }
}
