using System.Globalization;
using System.Text.Json;
using AutoGrad.Autograd;
using AutoGrad.Ops;

namespace AutoGrad.Tests;

/// <summary>
/// Issue 16, the engine's side: no silent wrong values, PyTorch's messages and warnings, limits that are errors
/// rather than crashes or wrapped numbers. Expected texts and values come from real PyTorch:
/// tests/data/reliability-messages.py -> tests/data/reliability-messages.json.
/// </summary>
public class ReliabilityTests
{
    private static readonly JsonElement Torch = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "data", "reliability-messages.json"))).RootElement;

    /// <summary>PyTorch's message for a case that raises there.</summary>
    private static string TorchMessage(string name) => Torch.GetProperty(name).GetProperty("message").GetString()!;

    private static TorchException Raises(Action action) => Assert.Throws<TorchException>(action);

    // ---- checked conversions (torch.tensor, torch.full) ----------------------------------------------------------

    [Theory]
    [InlineData(1e19, "tensor_1e19_int64")]
    [InlineData(double.NaN, "tensor_nan_int64")]
    [InlineData(double.PositiveInfinity, "tensor_inf_int64")]
    [InlineData(-1e19, "tensor_list_with_big_int64")]
    public void A_number_int64_cannot_hold_is_PyTorchs_overflow_error(double value, string torchCase)
    {
        var e = Raises(() => ScalarConversion.ToInt64(value));
        Assert.Equal(TorchMessage(torchCase), e.Message);
        Assert.Equal(TorchErrorKind.RuntimeError, e.Kind);
    }

    [Fact]
    public void What_int64_can_hold_truncates_and_two_to_the_63_wraps_as_in_PyTorch()
    {
        Assert.Equal(1, ScalarConversion.ToInt64(1.5));
        Assert.Equal(-2, ScalarConversion.ToInt64(-2.7));
        Assert.Equal(Torch.GetProperty("tensor_2p63_int64").GetProperty("value").GetInt64(), ScalarConversion.ToInt64(Math.Pow(2, 63)));
        Assert.Equal(long.MinValue, ScalarConversion.ToInt64(-Math.Pow(2, 63)));
    }

    [Fact]
    public void Full_checks_its_value_against_the_dtype_as_torch_full_does()
    {
        Assert.Equal(TorchMessage("full_1e19_int64"), Raises(() => Tensor.Full([1], 1e19, DType.Int64)).Message);
        Assert.Equal(TorchMessage("full_nan_int64"), Raises(() => Tensor.Full([1], double.NaN, DType.Int64)).Message);
        Assert.Equal(TorchMessage("full_1e39_float32"), Raises(() => Tensor.Full([1], 1e39, DType.Float32)).Message);
        // Infinities and NaN are floats: they carry over.
        Assert.Equal(float.PositiveInfinity, ((float[])Tensor.Full([1], double.PositiveInfinity).ToArray())[0]);
        Assert.True(float.IsNaN(((float[])Tensor.Full([1], double.NaN).ToArray())[0]));
        // fill_ converts the same way.
        Assert.Equal(TorchMessage("full_1e39_float32"), Raises(() => Tensor.Zeros([2]).Fill_(1e39)).Message);
    }

    [Fact]
    public void Full_of_an_integer_is_exact_in_int64_and_rounds_once_into_float32()
    {
        var exact = Torch.GetProperty("full_int64_exact").GetProperty("value")[0].GetInt64();
        Assert.Equal(exact, ((long[])Tensor.Full([1], 9007199254740993L, DType.Int64).ToArray())[0]);
        // 2^60 + 2^36 + 1: through a double it would round to 2^60 (a tie), directly it rounds up to 2^60 + 2^37.
        var rounded = Torch.GetProperty("full_int_into_float32").GetProperty("value")[0].GetDouble();
        Assert.Equal(rounded, ((float[])Tensor.Full([1], 1152921573326323713L, DType.Float32).ToArray())[0]);
        Assert.Equal(DType.Int64, Tensor.Full([2], 3L).DType);
        Assert.True(((bool[])Tensor.Full([1], 2L, DType.Bool).ToArray())[0]);
    }

    // ---- requires_grad messages ----------------------------------------------------------------------------------

    [Fact]
    public void Factories_and_the_attribute_setter_each_say_what_PyTorch_says()
    {
        Assert.Equal(TorchMessage("zeros_int_requires_grad"), Raises(() => Tensor.Zeros([2], DType.Int64, requiresGrad: true)).Message);
        Assert.Equal(TorchMessage("tensor_int_requires_grad"), Raises(() => Tensor.FromDoubles([1, 2], [2], DType.Int64, requiresGrad: true)).Message);
        Assert.Equal(TorchMessage("zeros_int_requires_grad"), Raises(() => Tensor.Full([2], 1L, DType.Bool, requiresGrad: true)).Message);
        var t = Tensor.FromArray(new long[] { 1, 2 }, 2);
        Assert.Equal(TorchMessage("set_requires_grad_int"), Raises(() => t.RequiresGrad = true).Message);
    }

    // ---- gradcheck -----------------------------------------------------------------------------------------------

    [Fact]
    public void A_gradient_check_with_nothing_to_check_is_an_error_not_a_pass()
    {
        var x = Tensor.FromArray(new long[] { 1, 2 }, 2);
        var e = Raises(() => GradientCheck.Run(a => a[0].Mul(2L), [x]));
        Assert.Equal(TorchMessage("gradcheck_no_input_requires_grad"), e.Message);
        Assert.Equal(TorchErrorKind.ValueError, e.Kind);
    }

    [Fact]
    public void A_gradient_check_prints_in_the_invariant_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var x = Tensor.FromDoubles([2.5], [], DType.Float64);
            var failed = GradientCheck.Run(a => a[0].Mul(a[0].Detach()), [x]);
            Assert.Equal("Gradient check failed: input 0, output element 0, input element 0: analytical 2.5 vs numerical 5", failed.ToString());
            var passed = GradientCheck.Run(a => a[0].Mul(a[0]).Mul(a[0]), [x]);
            Assert.Matches(@"^Gradient check passed \(largest difference \d\.\d+E-\d+\)$", passed.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    // ---- losses --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("MseLoss", "mse_loss_broadcast")]
    [InlineData("L1Loss", "l1_loss_broadcast")]
    public void A_loss_target_that_broadcasts_raises_PyTorchs_warning_and_the_loss_is_PyTorchs(string loss, string torchCase)
    {
        var pred = Tensor.FromDoubles([1, 2, 3], [3, 1], DType.Float32);
        var target = Tensor.FromDoubles([1, 2, 4], [3], DType.Float32);
        var warnings = new List<TorchWarning>();
        Tensor result;
        using (TorchWarnings.Capture(warnings.Add))
            result = loss == "MseLoss" ? pred.MseLoss(target) : pred.L1Loss(target);
        var expected = Torch.GetProperty(torchCase);
        Assert.Equal(expected.GetProperty("warnings")[0].GetString(), Assert.Single(warnings).Message);
        Assert.Equal(expected.GetProperty("value").GetDouble(), (double)result.Item(), 6);
    }

    [Fact]
    public void Warnings_go_to_the_capturing_thread_only_and_otherwise_to_the_unhandled_handler()
    {
        var pred = Tensor.FromDoubles([1, 2], [2, 1], DType.Float32);
        var target = Tensor.FromDoubles([1, 2], [2], DType.Float32);
        var mine = new List<TorchWarning>();
        var other = new List<TorchWarning>();
        using (TorchWarnings.Capture(mine.Add))
        {
            var t = new Thread(() => { using (TorchWarnings.Capture(other.Add)) pred.MseLoss(target); });
            t.Start();
            t.Join();
        }
        Assert.Empty(mine);
        Assert.Single(other);
        Assert.Empty(CaptureNothingFrom(() => pred.MseLoss(pred)));   // same sizes: no warning
    }

    private static List<TorchWarning> CaptureNothingFrom(Action action)
    {
        var seen = new List<TorchWarning>();
        using (TorchWarnings.Capture(seen.Add)) action();
        return seen;
    }

    [Theory]
    [InlineData("cross_entropy_0d_target", new[] { 1, 2 }, new int[0])]
    [InlineData("cross_entropy_batch_mismatch", new[] { 3, 2 }, new[] { 2 })]
    public void CrossEntropy_batch_size_messages_are_PyTorchs(string torchCase, int[] inputShape, int[] targetShape)
    {
        var input = Tensor.Ones(inputShape);
        var target = Tensor.Zeros(targetShape, DType.Int64);
        var e = Raises(() => input.CrossEntropy(target));
        Assert.Equal(TorchMessage(torchCase), e.Message);
        Assert.Equal(TorchErrorKind.ValueError, e.Kind);
    }

    [Fact]
    public void NllLoss_rank_messages_are_PyTorchs()
    {
        Assert.Equal(TorchMessage("nll_loss_multi_target"),
            Raises(() => Tensor.Ones([3, 2]).NllLoss(Tensor.Zeros([3, 1], DType.Int64))).Message);
        Assert.Equal(TorchMessage("nll_loss_0d_input"),
            Raises(() => Tensor.Ones([]).NllLoss(Tensor.Zeros([], DType.Int64))).Message);
    }

    // ---- operators -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("-", "tensor_minus_none")]
    [InlineData("+", "tensor_plus_none")]
    [InlineData("*", "tensor_times_none")]
    [InlineData("/", "tensor_div_none")]
    public void An_operator_with_a_null_operand_is_PyTorchs_TypeError(string op, string torchCase)
    {
        var t = Tensor.Ones([]);
        Tensor? none = null;
        Func<Tensor> apply = op switch
        {
            "-" => () => t - none!,
            "+" => () => t + none!,
            "*" => () => t * none!,
            _ => () => t / none!,
        };
        var e = Raises(() => apply());
        Assert.Equal(TorchMessage(torchCase), e.Message);
        Assert.Equal(TorchErrorKind.TypeError, e.Kind);
        Assert.Equal(TorchMessage("none_plus_tensor"), Raises(() => _ = none! + t).Message);
    }

    // ---- the op table: null arguments, checked once for every op ---------------------------------------------------

    public static TheoryData<string> TableOps => new(OpTable.All.Select(op => op.Name));

    [Theory]
    [MemberData(nameof(TableOps))]
    public void Every_op_of_the_table_refuses_a_null_input_or_required_argument_with_a_TypeError_naming_it(string name)
    {
        var op = OpTable.Get(name);
        var e = Raises(() => op.Apply(new OpCall(null!)));
        Assert.Equal(TorchErrorKind.TypeError, e.Kind);
        Assert.Matches(@"^[a-z0-9_]+\(\): argument 'input' must be Tensor, not NoneType$", e.Message);
        if ((op.Required & (OpArgs.Other | OpArgs.Dim | OpArgs.Shape | OpArgs.Dims | OpArgs.Index | OpArgs.Target | OpArgs.Condition)) == 0) return;
        e = Raises(() => op.Apply(new OpCall(Tensor.Ones([2, 2]))));
        Assert.Equal(TorchErrorKind.TypeError, e.Kind);
        Assert.EndsWith(", not NoneType", e.Message);
    }

    [Fact]
    public void A_one_dim_op_given_several_dims_says_so()
    {
        var e = Raises(() => OpTable.Get("Softmax").Apply(new OpCall(Tensor.Ones([2, 2]), Dim: [0, 1])));
        Assert.Equal("softmax(): argument 'dim' must be int, not a list of 2", e.Message);
    }

    [Fact]
    public void The_declared_elementwise_ops_name_themselves_and_the_null_operand()
    {
        var t = Tensor.Ones([2]);
        Assert.Equal("add(): argument 'other' must be Tensor, not NoneType", Raises(() => t.Add((Tensor)null!)).Message);
        Assert.Equal("maximum(): argument 'other' must be Tensor, not NoneType", Raises(() => t.Maximum(null!)).Message);
        Assert.Equal("eq(): argument 'other' must be Tensor, not NoneType", Raises(() => t.Eq((Tensor)null!)).Message);
    }

    // ---- what the fuzz suites found in the code merged from main (each case leaked a .NET exception before) -------

    [Fact]
    public void A_number_that_is_no_integer_is_Pythons_error_when_converted_not_an_OverflowException()
    {
        Assert.Equal("cannot convert float NaN to integer", Raises(() => _ = (long)Tensor.Scalar(double.NaN)).Message);
        Assert.Equal("cannot convert float infinity to integer", Raises(() => _ = (int)Tensor.Scalar(double.PositiveInfinity)).Message);
        Assert.Equal("value cannot be converted to type int32 without overflow", Raises(() => _ = (int)Tensor.FromArray(new[] { 1L << 40 })).Message);
        Assert.Equal("value cannot be converted to type int64 without overflow", Raises(() => _ = (long)Tensor.Scalar(1e30, DType.Float64)).Message);
        Assert.Equal(-3, (int)Tensor.Scalar(-3.7));
    }

    [Fact]
    public void The_layer_ops_name_a_null_argument()
    {
        var x = Tensor.Ones([2, 2]);
        Assert.Equal("addmm(): argument 'mat1' must be Tensor, not NoneType", Raises(() => Tensor.Addmm(x, null!, x)).Message);
        Assert.Equal("linear(): argument 'weight' must be Tensor, not NoneType", Raises(() => Tensor.Linear(x, null!)).Message);
        Assert.Equal("embedding(): argument 'input' must be Tensor, not NoneType", Raises(() => Tensor.Embedding(x, null!)).Message);
        Assert.Equal("layer_norm(): argument 'normalized_shape' must be tuple of ints, not NoneType", Raises(() => Tensor.LayerNorm(x, null!)).Message);
        Assert.Equal("batch_norm(): argument 'input' must be Tensor, not NoneType", Raises(() => Tensor.BatchNorm(null!, null, null)).Message);
        Assert.Equal("logical_or(): argument 'other' must be Tensor, not NoneType", Raises(() => x.Gt(0.0).LogicalOr(null!)).Message);
        Assert.Equal("bernoulli(): argument 'shape' must be tuple of ints, not NoneType", Raises(() => Tensor.Bernoulli(null!, 0.5)).Message);
        Assert.Equal("forward(): argument 'input' must be Tensor, not NoneType", Raises(() => new NN.ReLU().Forward(null!)).Message);
        Assert.Equal("layer_norm(): argument 'normalized_shape' must be tuple of ints, not NoneType", Raises(() => new NN.LayerNorm(null!)).Message);
    }

    [Fact]
    public void RandPerm_beyond_what_an_array_holds_is_the_allocators_error()
    {
        var e = Raises(() => Tensor.RandPerm(int.MaxValue));
        Assert.Equal(OutOfMemory.Id, e.Id);
        Assert.Contains($"you tried to allocate {(long)int.MaxValue * 8} bytes", e.Message);
    }

    [Fact]
    public void Unflatten_of_a_0d_tensor_and_Index_of_null_say_what_PyTorch_does()
    {
        Assert.Equal("Dimension specified as 0 but tensor has no dimensions", Raises(() => Tensor.Scalar(1).Unflatten(-1, [1])).Message);
        Assert.Equal([1, 2], Tensor.Ones([2]).Index(null!).Shape);   // t[None]
    }

    [Fact]
    public void A_tensor_over_2_GB_can_be_made()
    {
        // 300 million doubles: the storage's byte count used to overflow an int (OverflowException after the
        // allocation). Uninitialized, so the pages are never touched.
        using var t = Tensor.Empty([300_000_000], DType.Float64);
        Assert.Equal(300_000_000, t.NumElements);
    }

    [Fact]
    public void A_torch_save_zip_whose_directory_lies_about_its_entries_is_a_TensorFileException()
    {
        var bytes = SavedFile(Tensor.Ones([2]), ".pt");
        // The end-of-central-directory record: its two entry counts, one higher than the directory holds.
        int eocd = bytes.AsSpan().LastIndexOf(new byte[] { 0x50, 0x4B, 0x05, 0x06 });
        bytes[eocd + 8]++;
        bytes[eocd + 10]++;
        var e = Assert.Throws<Serialization.TensorFileException>(() => Serialization.TensorFile.Load(new MemoryStream(bytes), "f.pt", Serialization.TensorFileFormat.Auto));
        Assert.StartsWith("'f.pt' is a corrupt zip archive: ", e.Message);
    }

    [Fact]
    public void A_safetensors_header_that_is_not_UTF8_is_a_TensorFileException()
    {
        var bytes = SavedFile(Tensor.Ones([2]), ".safetensors");
        bytes[Array.IndexOf(bytes, (byte)'d', 8)] = 0xFF;   // a byte of "dtype" (the first 'd' after the length)
        var e = Assert.Throws<Serialization.TensorFileException>(() => Serialization.TensorFile.Load(new MemoryStream(bytes), "f", Serialization.TensorFileFormat.Safetensors));
        Assert.Equal("'f' is not a valid safetensors file: its header is not valid UTF-8.", e.Message);
    }

    private static byte[] SavedFile(Tensor t, string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"autograd-reliability-{Guid.NewGuid():N}{extension}");
        try
        {
            Serialization.TensorFile.Save(path, t);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OneCycleLR_refuses_a_step_count_that_does_not_fit_instead_of_wrapping_it()
    {
        var optimizer = new Optim.SGD([Tensor.Ones([1], requiresGrad: true)], lr: 0.1);
        var e = Raises(() => new Optim.OneCycleLR(optimizer, [0.1], epochs: 65536, stepsPerEpoch: 65536));
        Assert.Equal("epochs * steps_per_epoch = 4294967296 steps is more than a step counter holds (2147483647)", e.Message);
    }

    // ---- limits --------------------------------------------------------------------------------------------------

    [Fact]
    public void An_element_count_that_does_not_fit_is_an_error_not_a_wrapped_count()
    {
        // 65536^4 = 2^64 wraps a long to 0.
        var e = Raises(() => Tensor.Zeros([65536, 65536, 65536, 65536]));
        Assert.Equal("TensorTooLarge", e.Id);
        Assert.Equal(0, Shapes.NumElements([65536, 65536, 65536, 0, 65536]));
        Assert.Equal(0, Tensor.Zeros([int.MaxValue, 0, int.MaxValue]).NumElements);
    }

    [Fact]
    public void Out_of_memory_is_PyTorchs_allocator_message_with_the_byte_count()
    {
        // PyTorch's text after the source position of its enforce macro, for another size.
        var torch = TorchMessage("out_of_memory");
        var expected = torch[torch.IndexOf("DefaultCPUAllocator", StringComparison.Ordinal)..].Replace("4000000000000", "6400000000");
        var e = OutOfMemory.For(6_400_000_000);
        Assert.Equal(expected, e.Message);
        Assert.Equal(OutOfMemory.Id, e.Id);
    }
}
