using AutoGrad.Autograd;

namespace AutoGrad.Tests;

/// <summary>
/// AnomalyMode is torch.autograd.detect_anomaly: off by default and thread-local; while on, nodes record where
/// their forward call was, a backward output with NaN is PyTorch's error, and a failing node first warns with its
/// forward traceback (PyTorch's print_stack texts). The warning handler and trace provider are process-wide, so
/// every test that sets them lives in this class (xUnit runs a class's tests one at a time).
/// </summary>
public class AnomalyModeTests
{
    /// <summary>Runs <paramref name="action"/> with anomaly detection on, collecting its warnings.</summary>
    private static List<string> WithAnomaly(Action action, bool checkNan = true)
    {
        var warnings = new List<string>();
        var previous = AnomalyMode.WarningHandler;
        AnomalyMode.WarningHandler = warnings.Add;
        try
        {
            using (AnomalyMode.Enable(checkNan)) action();
        }
        finally
        {
            AnomalyMode.WarningHandler = previous;
        }
        return warnings;
    }

    [Fact]
    public void It_is_off_by_default_thread_local_and_restored_by_its_scope()
    {
        Assert.False(AnomalyMode.IsEnabled);
        using (AnomalyMode.Enable(checkNan: false))
        {
            Assert.True(AnomalyMode.IsEnabled);
            Assert.False(AnomalyMode.ShouldCheckNan);
            bool elsewhere = true;
            var thread = new Thread(() => elsewhere = AnomalyMode.IsEnabled);
            thread.Start();
            thread.Join();
            Assert.False(elsewhere);
            using (AnomalyMode.Set(false)) Assert.False(AnomalyMode.IsEnabled);
            Assert.True(AnomalyMode.IsEnabled);
        }
        Assert.False(AnomalyMode.IsEnabled);
        Assert.True(AnomalyMode.ShouldCheckNan);
    }

    [Fact]
    public void A_node_records_its_forward_traceback_only_under_anomaly_detection()
    {
        var x = Tensor.Ones([2], requiresGrad: true);
        Assert.Null(x.Mul(2).GradFn!.ForwardTraceback);
        Node? node = null;
        WithAnomaly(() => node = x.Mul(2).GradFn);
        // Without a host's provider: the .NET frames outside the engine, this test's lambda among them.
        Assert.Contains(nameof(A_node_records_its_forward_traceback_only_under_anomaly_detection), node!.ForwardTraceback);
        Assert.DoesNotContain("AutoGrad.Autograd", node.ForwardTraceback);
    }

    [Fact]
    public void A_host_provider_describes_the_forward_call_and_a_failing_one_falls_back_to_the_stack()
    {
        var x = Tensor.Ones([2], requiresGrad: true);
        var previous = AnomalyMode.ForwardTraceProvider;
        try
        {
            AnomalyMode.ForwardTraceProvider = () => "at line 7: $y = $x * 2";
            Node? node = null;
            WithAnomaly(() => node = x.Mul(2).GradFn);
            Assert.Equal("at line 7: $y = $x * 2", node!.ForwardTraceback);

            AnomalyMode.ForwardTraceProvider = () => throw new InvalidOperationException("no runspace");
            WithAnomaly(() => node = x.Mul(2).GradFn);
            Assert.Contains(nameof(A_host_provider_describes_the_forward_call_and_a_failing_one_falls_back_to_the_stack), node!.ForwardTraceback);
        }
        finally
        {
            AnomalyMode.ForwardTraceProvider = previous;
        }
    }

    [Fact]
    public void A_NaN_gradient_is_PyTorchs_error_after_a_warning_with_the_forward_traceback()
    {
        var x = Tensor.FromDoubles([-1, 4], [2], DType.Float32, requiresGrad: true);
        TorchException? error = null;
        var warnings = WithAnomaly(() => error = Assert.Throws<TorchException>(() => x.Sqrt().Sum().Backward()));
        Assert.Equal("Function 'SqrtBackward0' returned nan values in its 0th output.", error!.Message);
        Assert.Equal("NanGradient", error.Id);
        var warning = Assert.Single(warnings);
        Assert.StartsWith("Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n", warning);
        Assert.Contains(nameof(A_NaN_gradient_is_PyTorchs_error_after_a_warning_with_the_forward_traceback), warning);
    }

    [Fact]
    public void The_NaN_check_names_the_output_that_has_NaN()
    {
        // MulBackward0 of a * b with b = NaN: output 0 (a's gradient, g * b) has NaN, output 1 does not.
        var a = Tensor.FromDoubles([1], [1], DType.Float64, requiresGrad: true);
        var b = Tensor.FromDoubles([double.NaN], [1], DType.Float64, requiresGrad: true);
        TorchException? error = null;
        WithAnomaly(() => error = Assert.Throws<TorchException>(() => a.Mul(b).Sum().Backward()));
        Assert.Equal("Function 'MulBackward0' returned nan values in its 0th output.", error!.Message);
        var c = Tensor.FromDoubles([2], [1], DType.Float64, requiresGrad: true);
        WithAnomaly(() => error = Assert.Throws<TorchException>(() => b.Mul(c).Sum().Backward()));
        Assert.Equal("Function 'MulBackward0' returned nan values in its 1th output.", error!.Message);
    }

    [Fact]
    public void Without_the_NaN_check_or_outside_the_mode_NaN_gradients_pass()
    {
        var x = Tensor.FromDoubles([-1], [1], DType.Float64, requiresGrad: true);
        var warnings = WithAnomaly(() => x.Sqrt().Sum().Backward(), checkNan: false);
        Assert.Empty(warnings);
        Assert.True(double.IsNaN(x.Grad!.ToDoubleArray()[0]));
        x.Grad = null;
        x.Sqrt().Sum().Backward();
        Assert.True(double.IsNaN(x.Grad!.ToDoubleArray()[0]));
    }

    [Fact]
    public void A_node_recorded_before_the_mode_was_on_has_no_forward_information()
    {
        var x = Tensor.FromDoubles([-1], [1], DType.Float64, requiresGrad: true);
        var y = x.Sqrt().Sum();
        var warnings = WithAnomaly(() => Assert.Throws<TorchException>(() => y.Backward()));
        Assert.Equal(["Error detected in SqrtBackward0. No forward pass information available. Enable detect anomaly during forward pass for more information."], warnings);
    }

    [Fact]
    public void Any_error_in_a_node_warns_and_the_in_place_error_points_at_the_warning()
    {
        TorchException? error = null;
        var warnings = WithAnomaly(() =>
        {
            var a = Tensor.Ones([2], requiresGrad: true);
            var b = a.Sigmoid();
            b.Mul_(2);
            error = Assert.Throws<TorchException>(() => b.Sum().Backward());
        });
        Assert.StartsWith("one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]]", error!.Message);
        Assert.EndsWith("is at version 1; expected version 0 instead. Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!", error.Message);
        Assert.StartsWith("Error detected in SigmoidBackward0. Traceback of forward call that caused the error:", Assert.Single(warnings));
    }

    [Fact]
    public void A_node_made_by_a_backward_pass_names_the_node_that_induced_it()
    {
        // As in PyTorch: the first backward (create_graph) of x * x sums MulBackward0's two gradients into an
        // AddBackward0 while MulBackward0 runs; a NaN fed into the second backward fails there first.
        TorchException? error = null;
        var warnings = WithAnomaly(() =>
        {
            var x = Tensor.FromDoubles([3], [1], DType.Float64, requiresGrad: true);
            var g = BackwardEngine.Grad([x.Mul(x).Sum()], [x], createGraph: true)[0]!;
            Assert.Equal("AddBackward0", g.GradFn!.Name);
            error = Assert.Throws<TorchException>(() => g.Backward(Tensor.FromDoubles([double.NaN], [1], DType.Float64)));
        });
        Assert.Equal("Function 'AddBackward0' returned nan values in its 0th output.", error!.Message);
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("Error detected in AddBackward0. Traceback of forward call that caused the error:\n", warnings[0]);
        Assert.StartsWith("Previous calculation was induced by MulBackward0. Traceback of forward call that induced the previous calculation:\n", warnings[1]);
    }

    [Fact]
    public void Without_a_handler_warnings_go_to_standard_error_as_UserWarning()
    {
        var x = Tensor.FromDoubles([-1], [1], DType.Float64, requiresGrad: true);
        var previous = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            using (AnomalyMode.Enable()) Assert.Throws<TorchException>(() => x.Sqrt().Sum().Backward());
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.StartsWith("UserWarning: Error detected in SqrtBackward0. Traceback of forward call that caused the error:", captured.ToString());
    }
}
