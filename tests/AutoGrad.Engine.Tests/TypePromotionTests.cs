using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>
/// torch.result_type: n-d tensors, 0-d tensors and plain numbers form three groups; a lower group only changes the
/// result when its category (bool &lt; integer &lt; floating) is higher (c10's update_result_type_state and
/// combine_categories). A plain float number counts as the default dtype, float32.
/// </summary>
public class TypePromotionTests
{
    /// <summary>Operands by name: "f32", "f64", "i64", "bool" n-d tensors, the same with "0d", or a number.</summary>
    private static Func<Tensor, Tensor> Operand(string spec) => spec switch
    {
        "int 2" => t => t.Add(2L),
        "float 2.5" => t => t.Add(2.5),
        _ => t => t.Add(Make(spec)),
    };

    private static Tensor Make(string spec)
    {
        var parts = spec.Split(' ');
        DTypes.TryParse(parts[0] == "i64" ? "int64" : parts[0] == "f32" ? "float32" : parts[0] == "f64" ? "float64" : "bool", out var dtype);
        return parts.Length > 1 && parts[1] == "0d" ? Tensor.Full([], 1, dtype) : Tensor.Ones([2], dtype);
    }

    public static TheoryData<string, string, DType> AddCases => new()
    {
        { "f32", "f64", DType.Float64 },
        { "f32", "f64 0d", DType.Float32 },
        { "f64 0d", "f32", DType.Float32 },
        { "i64", "f64 0d", DType.Float64 },     // integer n-d, floating 0-d: the 0-d's category wins, with its dtype
        { "i64", "f32 0d", DType.Float32 },
        { "i64", "float 2.5", DType.Float32 },
        { "i64", "int 2", DType.Int64 },
        { "i64", "bool", DType.Int64 },
        { "i64", "bool 0d", DType.Int64 },
        { "i64", "f32", DType.Float32 },
        { "f32", "i64", DType.Float32 },
        { "f32", "float 2.5", DType.Float32 },
        { "f64", "float 2.5", DType.Float64 },
        { "f32", "int 2", DType.Float32 },
        { "f32", "i64 0d", DType.Float32 },
        { "bool", "bool", DType.Bool },
        { "bool", "int 2", DType.Int64 },
        { "bool", "float 2.5", DType.Float32 },
        { "bool", "i64 0d", DType.Int64 },
        { "bool", "f64 0d", DType.Float64 },
        { "bool 0d", "int 2", DType.Int64 },
        { "bool 0d", "float 2.5", DType.Float32 },
        { "i64 0d", "float 2.5", DType.Float32 },
        { "i64 0d", "int 2", DType.Int64 },
        { "f64 0d", "float 2.5", DType.Float64 },
        { "f32 0d", "f64 0d", DType.Float64 },
        { "i64 0d", "f32 0d", DType.Float32 },
        { "i64 0d", "bool", DType.Int64 },
        { "f64 0d", "i64", DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(AddCases))]
    public void Add_result_dtype_follows_torch_result_type(string left, string right, DType expected)
    {
        var result = Operand(right)(Make(left));
        Assert.Equal(expected, result.DType);
        if (!right.StartsWith("int") && !right.StartsWith("float"))
            Assert.Equal(expected, TypePromotion.ResultType(Make(left), Make(right)));
    }

    public static TheoryData<string, DType> DivisionCases => new()
    {
        { "i64 / i64", DType.Float32 },
        { "i64 / int 2", DType.Float32 },
        { "bool / bool", DType.Float32 },
        { "i64 / f64 0d", DType.Float64 },
        { "f64 / int 2", DType.Float64 },
        { "int 1 / i64", DType.Float32 },
    };

    [Theory]
    [MemberData(nameof(DivisionCases))]
    public void True_division_of_integers_gives_the_default_float(string expression, DType expected)
    {
        var i = I64([1, 2], 2);
        Tensor result = expression switch
        {
            "i64 / i64" => i.Div(I64([2, 2], 2)),
            "i64 / int 2" => i.Div(2L),
            "bool / bool" => Tensor.Ones([2], DType.Bool).Div(Tensor.Ones([2], DType.Bool)),
            "i64 / f64 0d" => i.Div(Tensor.Full([], 2, DType.Float64)),
            "f64 / int 2" => F64([1, 2], 2).Div(2L),
            _ => 1L / i,
        };
        Assert.Equal(expected, result.DType);
        if (expression.StartsWith("i64 /")) Assert.Equal([0.5, 1.0], result.ToDoubleArray());
    }

    [Fact]
    public void Int64_times_a_float_number_is_float32()
    {
        var r = I64([1, 3], 2) * 2.5;
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal([2.5, 7.5], r.ToDoubleArray());
    }

    [Fact]
    public void Int64_times_an_int_number_stays_int64_and_exact()
    {
        var r = I64([1L << 40, 3], 2) * 3L;
        Assert.Equal(DType.Int64, r.DType);
        Assert.Equal(new long[] { 3L << 40, 9 }, (long[])r.ToArray());
    }

    [Fact]
    public void A_float_number_is_rounded_to_float32_for_a_float32_tensor()
    {
        // The number 0.1 becomes float32 0.1f before the product, as in PyTorch's CPU kernels.
        var r = F32([3], 1) * 0.1;
        Assert.Equal((double)(3f * 0.1f), r.ToDoubleArray()[0]);
    }

    [Fact]
    public void Float64_tensor_keeps_a_float_number_at_double_precision()
    {
        var r = F64([3], 1) * 0.1;
        Assert.Equal(3 * 0.1, r.ToDoubleArray()[0]);
    }

    [Fact]
    public void Bool_add_is_or_and_bool_mul_is_and()
    {
        var a = Tensor.FromArray([true, true, false, false], 4);
        var b = Tensor.FromArray([true, false, true, false], 4);
        Assert.Equal(new[] { true, true, true, false }, (bool[])a.Add(b).ToArray());
        Assert.Equal(new[] { true, false, false, false }, (bool[])a.Mul(b).ToArray());
        Assert.Equal(DType.Bool, a.Add(b).DType);
    }

    [Fact]
    public void Bool_plus_an_int_number_counts_in_int64()
    {
        var r = Tensor.FromArray([true, false], 2).Add(2L);
        Assert.Equal(DType.Int64, r.DType);
        Assert.Equal(new long[] { 3, 2 }, (long[])r.ToArray());
    }

    [Theory]
    [InlineData(DType.Int64)]
    [InlineData(DType.Bool)]
    public void Mean_of_a_non_floating_tensor_is_an_error(DType dtype)
    {
        var e = Assert.Throws<TorchException>(() => Tensor.Ones([2], dtype).Mean());
        Assert.Equal($"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {dtype.ScalarTypeName()}", e.Message);
        Assert.Throws<TorchException>(() => Tensor.Ones([2], dtype).Mean(0));
    }

    public static TheoryData<string, DType, DType> UnaryCases => new()
    {
        { "exp", DType.Int64, DType.Float32 },
        { "log", DType.Int64, DType.Float32 },
        { "sqrt", DType.Bool, DType.Float32 },
        { "sigmoid", DType.Int64, DType.Float32 },
        { "tanh", DType.Float64, DType.Float64 },
        { "reciprocal", DType.Int64, DType.Float32 },
        { "neg", DType.Int64, DType.Int64 },
        { "abs", DType.Int64, DType.Int64 },
        { "relu", DType.Int64, DType.Int64 },
        { "sum", DType.Int64, DType.Int64 },
        { "sum", DType.Bool, DType.Int64 },
        { "sum", DType.Float32, DType.Float32 },
        { "sum(0)", DType.Bool, DType.Int64 },
        { "mean", DType.Float64, DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_result_dtype(string op, DType input, DType expected)
    {
        var t = Tensor.Ones([2, 2], input);
        Tensor r = op switch
        {
            "exp" => t.Exp(), "log" => t.Log(), "sqrt" => t.Sqrt(), "sigmoid" => t.Sigmoid(), "tanh" => t.Tanh(),
            "reciprocal" => t.Reciprocal(), "neg" => t.Neg(), "abs" => t.Abs(), "relu" => t.Relu(),
            "sum" => t.Sum(), "sum(0)" => t.Sum(0), _ => t.Mean(),
        };
        Assert.Equal(expected, r.DType);
    }

    [Fact]
    public void Exp_of_int64_computes_in_float32()
    {
        var r = I64([0, 1, 2], 3).Exp();
        Assert.Equal(DType.Float32, r.DType);
        Assert.Equal(new[] { 1f, (float)Math.E, (float)Math.Exp(2) }, (float[])r.ToArray());
    }

    public static TheoryData<string, DType> PowCases => new()
    {
        { "i64 ** int 2", DType.Int64 },
        { "i64 ** float 0.5", DType.Float32 },
        { "f32 ** int 2", DType.Float32 },
        { "int 2 ** i64", DType.Int64 },
        { "float 2.0 ** i64", DType.Float32 },
        { "i64 ** f64", DType.Float64 },
        { "f32 ** f64 0d", DType.Float32 },
    };

    [Theory]
    [MemberData(nameof(PowCases))]
    public void Pow_result_dtype(string expression, DType expected)
    {
        var i = I64([2, 3], 2);
        Tensor r = expression switch
        {
            "i64 ** int 2" => i.Pow(2L),
            "i64 ** float 0.5" => i.Pow(0.5),
            "f32 ** int 2" => F32([2, 3], 2).Pow(2L),
            "int 2 ** i64" => Tensor.Pow(2L, i),
            "float 2.0 ** i64" => Tensor.Pow(2.0, i),
            "i64 ** f64" => i.Pow(F64([1, 2], 2)),
            _ => F32([2, 3], 2).Pow(Tensor.Full([], 2, DType.Float64)),
        };
        Assert.Equal(expected, r.DType);
    }

    [Fact]
    public void Integer_pow_is_exact()
    {
        Assert.Equal(new long[] { 1L << 62, 3486784401 }, (long[])I64([2, 3], 2).Pow(I64([62, 20], 2)).ToArray());
    }

    [Fact]
    public void Comparison_of_int64_with_a_float_number_compares_in_float32()
    {
        var r = I64([2, 3], 2).Gt(2.5);
        Assert.Equal(DType.Bool, r.DType);
        Assert.Equal(new[] { false, true }, (bool[])r.ToArray());
    }

    [Fact]
    public void Comparison_of_large_int64_with_an_int_number_is_exact()
    {
        // 2^53 + 1 > 2^53 in int64; comparing through float32 or double would call them equal.
        long big = (1L << 53) + 1;
        Assert.Equal(new[] { true }, (bool[])I64([big], 1).Gt(1L << 53).ToArray());
        Assert.Equal(new[] { false }, (bool[])I64([big], 1).Eq(1L << 53).ToArray());
    }

    [Fact]
    public void Where_promotes_its_two_value_operands()
    {
        var r = Tensor.Where(Tensor.FromArray([true, false], 2), F32([1, 2], 2), F64([3, 4], 2));
        Assert.Equal(DType.Float64, r.DType);
        Assert.Equal([1.0, 4.0], r.ToDoubleArray());
    }
}
