using System.Text.Json;
using AutoGrad.Printing;
using AutoGrad.Testing;

namespace AutoGrad.Tests;

/// <summary>
/// TensorTesting against torch.testing.assert_close: every case of tests/data/assert_close.json (written by
/// tests/data/assert_close.py with PyTorch 1.13, the expected outcome following PyTorch 2.x's rules) must pass or
/// fail as PyTorch does, with the same exception type and the same message, character for character.
/// </summary>
public class AssertCloseTests
{
    public static IEnumerable<object[]> Cases => ReferenceData.CaseNames("assert_close");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        var c = ReferenceData.Case("assert_close", name);
        var actual = ToTensor(c.GetProperty("actual"));
        var expected = ToTensor(c.GetProperty("expected"));
        var options = c.GetProperty("options");
        double? rtol = options.TryGetProperty("rtol", out var r) ? r.GetDouble() : null;
        double? atol = options.TryGetProperty("atol", out var a) ? a.GetDouble() : null;
        bool equalNan = options.TryGetProperty("equal_nan", out var n) && n.GetBoolean();
        bool checkDType = !options.TryGetProperty("check_dtype", out var d) || d.GetBoolean();

        var outcome = c.GetProperty("outcome");
        if (outcome.ValueKind == JsonValueKind.Null)
        {
            TensorTesting.AssertClose(actual, expected, rtol, atol, equalNan, checkDType);
            Assert.True(TensorTesting.Compare(actual, expected, rtol, atol, equalNan, checkDType).IsClose);
            return;
        }

        string type = outcome.GetProperty("type").GetString()!;
        string message = outcome.GetProperty("message").GetString()!;
        if (type == "AssertionError")
        {
            var ex = Assert.Throws<TensorAssertionException>(() => TensorTesting.AssertClose(actual, expected, rtol, atol, equalNan, checkDType));
            Assert.Equal(message, ex.Message);
            Assert.False(ex.Result.IsClose);
        }
        else
        {
            var ex = Assert.Throws<TorchException>(() => TensorTesting.AssertClose(actual, expected, rtol, atol, equalNan, checkDType));
            Assert.Equal(type, ex.Kind.ToString());
            Assert.Equal(message, ex.Message);
        }
    }

    [Fact]
    public void ResultNamesWhatDiffered()
    {
        var x = Tensor.FromDoubles([1, 2, 3, 4], [2, 2], DType.Float32);
        var y = Tensor.FromDoubles([1, 2, 3, 4.5], [2, 2], DType.Float32);
        var values = TensorTesting.Compare(x, y);
        Assert.Equal(CloseMismatch.Values, values.Mismatch);
        Assert.Equal(1, values.MismatchedElements);
        Assert.Equal(4, values.NumElements);
        Assert.Equal((1.3e-6, 1e-5), (values.RTol, values.ATol));

        Assert.Equal(CloseMismatch.Shape, TensorTesting.Compare(x, Tensor.Zeros([4])).Mismatch);
        Assert.Equal(CloseMismatch.DType, TensorTesting.Compare(x, x.To(DType.Float64)).Mismatch);
        var close = TensorTesting.Compare(x, x.To(DType.Float64), checkDType: false);
        Assert.True(close.IsClose);
        Assert.Null(close.Message);
    }

    [Fact]
    public void ComparesViewsByTheirElements()
    {
        // A transposed view compares element by element in its own (logical) order, not its storage's.
        var m = Tensor.FromDoubles([1, 2, 3, 4, 5, 6], [2, 3], DType.Float64);
        var t = Tensor.FromDoubles([1, 4, 2, 5, 3, 6], [3, 2], DType.Float64);
        TensorTesting.AssertClose(m.T(), t);
        var off = Tensor.FromDoubles([1, 4, 2, 5, 3, 7], [3, 2], DType.Float64);
        var ex = Assert.Throws<TensorAssertionException>(() => TensorTesting.AssertClose(m.T(), off));
        Assert.Contains("at index (2, 1)", ex.Message);
    }

    [Theory]
    [InlineData(DType.Float32, DType.Float32, 1.3e-6, 1e-5)]
    [InlineData(DType.Float64, DType.Float64, 1e-7, 1e-7)]
    [InlineData(DType.Float32, DType.Float64, 1.3e-6, 1e-5)]
    [InlineData(DType.Int64, DType.Float64, 1e-7, 1e-7)]
    [InlineData(DType.Int64, DType.Bool, 0.0, 0.0)]
    public void DefaultTolerancesAreTheLoosestOfBothDTypes(DType a, DType b, double rtol, double atol) =>
        Assert.Equal((rtol, atol), TensorTesting.DefaultTolerances(a, b));

    [Theory]
    [InlineData(2.0, "2.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1.3e-06, "1.3e-06")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123.0, "123.0")]
    [InlineData(0.1111111119389534, "0.1111111119389534")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void FloatIsPythonsReprOfAFloat(double value, string expected) => Assert.Equal(expected, PythonRepr.Float(value));

    private static Tensor ToTensor(JsonElement t)
    {
        var values = t.GetProperty("values").EnumerateArray().Select(v => v.ValueKind switch
        {
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            JsonValueKind.String => v.GetString() switch
            {
                "nan" => double.NaN,
                "inf" => double.PositiveInfinity,
                "-inf" => double.NegativeInfinity,
                var s => throw new FormatException(s),
            },
            _ => v.GetDouble(),
        }).ToArray();
        var dtype = Enum.Parse<DType>(t.GetProperty("dtype").GetString()!, ignoreCase: true);
        bool grad = t.TryGetProperty("requires_grad", out var g) && g.GetBoolean();
        return Tensor.FromDoubles(values, ReferenceData.Ints(t.GetProperty("shape")), dtype, grad);
    }
}
