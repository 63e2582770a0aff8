namespace AutoGrad.Autograd;

/// <summary>The outcome of a gradient check: both Jacobians and where they disagree most.</summary>
public sealed class GradientCheckResult
{
    internal GradientCheckResult(bool passed, double[][,] analytic, double[][,] numeric, int worstInput, int worstOutput,
        int worstElement, double worstError, double tolerance, double absTolerance, double relTolerance)
    {
        Passed = passed;
        Analytical = analytic;
        Numerical = numeric;
        WorstInput = worstInput;
        WorstOutputElement = worstOutput;
        WorstInputElement = worstElement;
        WorstError = worstError;
        WorstTolerance = tolerance;
        AbsTolerance = absTolerance;
        RelTolerance = relTolerance;
    }

    public bool Passed { get; }

    /// <summary>Per input, the Jacobian [output element, input element] from backward passes.</summary>
    public double[][,] Analytical { get; }

    /// <summary>Per input, the Jacobian from central differences.</summary>
    public double[][,] Numerical { get; }

    /// <summary>Input index, output element and input element of the largest disagreement (-1 when none).</summary>
    public int WorstInput { get; }
    public int WorstOutputElement { get; }
    public int WorstInputElement { get; }

    /// <summary>|analytic - numeric| at the worst element, and the tolerance it was held to there.</summary>
    public double WorstError { get; }
    public double WorstTolerance { get; }
    public double AbsTolerance { get; }
    public double RelTolerance { get; }

    /// <summary>One line, in the invariant culture (6.99E-10 in every session).</summary>
    public override string ToString() => Passed
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Gradient check passed (largest difference {WorstError:G3})")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Gradient check failed: input {WorstInput}, output element {WorstOutputElement}, input element {WorstInputElement}: analytical {Analytical[WorstInput][WorstOutputElement, WorstInputElement]:G6} vs numerical {Numerical[WorstInput][WorstOutputElement, WorstInputElement]:G6}");
}

/// <summary>
/// torch.autograd.gradcheck: compares the Jacobian the backward pass gives with central finite differences,
/// in float64, element by element: |a - n| &lt;= atol + rtol * |n|.
/// </summary>
public static class GradientCheck
{
    public static GradientCheckResult Run(Func<Tensor[], Tensor> function, Tensor[] inputs, double eps = 1e-6,
        double absTolerance = 1e-5, double relTolerance = 1e-3)
    {
        // Work on float64 copies so that the check itself is precise whatever the caller's dtypes.
        var xs = inputs.Select(t => Tensor.FromDoubles(t.ToDoubleArray(), t.Shape, DType.Float64, t.DType.IsFloating())).ToArray();
        // A check of nothing must not report "passed".
        if (!xs.Any(x => x.RequiresGrad))
            throw TorchException.Value("NoInputRequiresGrad",
                "gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.");
        Tensor output;
        using (GradMode.Set(true)) output = function(xs);
        int m = output.NumElements;
        var analytic = xs.Select(x => new double[m, x.NumElements]).ToArray();
        var numeric = xs.Select(x => new double[m, x.NumElements]).ToArray();
        var differentiable = xs.Where(x => x.RequiresGrad).ToArray();

        // Analytic: one vector-Jacobian product per output element.
        if (output.RequiresGrad && differentiable.Length > 0)
            for (int o = 0; o < m; o++)
            {
                var seed = new double[m];
                seed[o] = 1;
                var grads = BackwardEngine.Grad([output], differentiable,
                    [Tensor.FromDoubles(seed, output.Shape, output.DType)], retainGraph: true, allowUnused: true);
                for (int k = 0, j = 0; k < xs.Length; k++)
                {
                    if (!xs[k].RequiresGrad) continue;
                    var g = grads[j++]?.ToDoubleArray();
                    if (g is null) continue;
                    for (int i = 0; i < g.Length; i++) analytic[k][o, i] = g[i];
                }
            }

        // Numeric: central differences, one input element at a time.
        using (GradMode.NoGrad())
            for (int k = 0; k < xs.Length; k++)
            {
                if (!xs[k].RequiresGrad) continue;
                var baseValues = xs[k].ToDoubleArray();
                for (int i = 0; i < baseValues.Length; i++)
                {
                    var plus = Evaluate(function, xs, k, baseValues, i, +eps);
                    var minus = Evaluate(function, xs, k, baseValues, i, -eps);
                    for (int o = 0; o < m; o++) numeric[k][o, i] = (plus[o] - minus[o]) / (2 * eps);
                }
            }

        bool passed = true;
        int wk = -1, wo = -1, wi = -1;
        double worst = 0, worstTol = 0, worstRatio = -1;
        for (int k = 0; k < xs.Length; k++)
            for (int o = 0; o < m; o++)
                for (int i = 0; i < xs[k].NumElements; i++)
                {
                    double a = analytic[k][o, i], n = numeric[k][o, i];
                    double error = Math.Abs(a - n), tolerance = absTolerance + relTolerance * Math.Abs(n);
                    bool ok = error <= tolerance;
                    double ratio = double.IsNaN(error) ? double.PositiveInfinity : error / tolerance;
                    if (!ok) passed = false;
                    if (ratio > worstRatio) { worstRatio = ratio; worst = error; worstTol = tolerance; wk = k; wo = o; wi = i; }
                }
        return new GradientCheckResult(passed, analytic, numeric, wk, wo, wi, worst, worstTol, absTolerance, relTolerance);
    }

    private static double[] Evaluate(Func<Tensor[], Tensor> function, Tensor[] xs, int k, double[] values, int i, double delta)
    {
        var shifted = (double[])values.Clone();
        shifted[i] += delta;
        var args = (Tensor[])xs.Clone();
        args[k] = Tensor.FromDoubles(shifted, xs[k].Shape, DType.Float64);
        return function(args).ToDoubleArray();
    }
}
