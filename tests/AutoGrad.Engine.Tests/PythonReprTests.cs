using AutoGrad.Printing;

namespace AutoGrad.Tests;

/// <summary>Python's repr() of floats (checked against /usr/bin/python3), as optimizer reprs and messages print them.</summary>
public class PythonReprTests
{
    [Theory]
    [InlineData(0.001, "0.001")]
    [InlineData(1e-08, "1e-08")]
    [InlineData(0.9, "0.9")]
    [InlineData(1e-10, "1e-10")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.5, "1.5")]
    [InlineData(0.020000000000000018, "0.020000000000000018")]
    [InlineData(2.5e-07, "2.5e-07")]
    [InlineData(1234567890123456.7, "1234567890123456.8")]
    [InlineData(12345678901234567.0, "1.2345678901234568e+16")]
    [InlineData(-0.3, "-0.3")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(0.0, "0")]
    [InlineData(-1.0, "-1")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void NumberIsPythonsRepr(double value, string expected) => Assert.Equal(expected, PythonRepr.Number(value));

    [Fact]
    public void ValuesArePrintedAsPythonPrintsThem()
    {
        Assert.Equal("(0.9, 0.999)", PythonRepr.Format(new[] { 0.9, 0.999 }));
        Assert.Equal("None", PythonRepr.Format(null));
        Assert.Equal("False", PythonRepr.Format(false));
        Assert.Equal("'rel'", PythonRepr.Format("rel"));
        Assert.Equal("[3, 0.5]", PythonRepr.Format(new List<object> { 3, 0.5 }));
    }
}

/// <summary>State dicts and parameter groups print as Python prints the same dicts.</summary>
public class PythonDictPrintingTests
{
    [Fact]
    public void AnOptimizersStateDictPrintsAsPyTorchsDoes()
    {
        var w = Tensor.FromDoubles([1, 2], [2], DType.Float32, requiresGrad: true);
        var opt = new AutoGrad.Optim.SGD([w], lr: 0.1, momentum: 0.9);
        w.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float32);
        opt.Step();
        // print(opt.state_dict()) in PyTorch 2 for the same optimizer.
        Assert.Equal("{'state': {0: {'momentum_buffer': tensor([1., 1.])}}, 'param_groups': [{'lr': 0.1, 'momentum': 0.9, 'dampening': 0, 'weight_decay': 0, 'nesterov': False, 'maximize': False, 'foreach': None, 'differentiable': False, 'fused': None, 'params': [0]}]}",
            opt.StateDict().ToString());
        Assert.Equal("{'params': [tensor([0.9000, 1.9000], requires_grad=True)], 'lr': 0.1, 'momentum': 0.9, 'dampening': 0, 'weight_decay': 0, 'nesterov': False, 'maximize': False, 'foreach': None, 'differentiable': False, 'fused': None}",
            opt.ParamGroups[0].ToString());
    }
}
