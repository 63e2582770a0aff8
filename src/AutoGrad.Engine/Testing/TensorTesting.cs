using System.Globalization;
using System.Numerics;
using AutoGrad.Kernels;
using AutoGrad.Printing;

namespace AutoGrad.Testing;

/// <summary>
/// torch.testing.assert_close for two tensors, as PyTorch 2.x performs it: the same default tolerances per dtype,
/// the same checks in the same order (tolerance arguments, shape, dtype, then the values with torch.isclose) and
/// the same message text. Values are compared in their own dtype (float32 arithmetic for float32: PyTorch 1.13
/// promoted to float64 first, so its relative differences print other digits).
/// </summary>
public static class TensorTesting
{
    /// <summary>
    /// Throws a <see cref="TensorAssertionException"/> (Python's AssertionError) with PyTorch's message unless the
    /// tensors are close. <paramref name="rtol"/> and <paramref name="atol"/> are given together or not at all
    /// (then the loosest defaults of the two dtypes apply: float32 1.3e-6 / 1e-5, float64 1e-7 / 1e-7, others exact).
    /// </summary>
    public static void AssertClose(Tensor actual, Tensor expected, double? rtol = null, double? atol = null,
        bool equalNan = false, bool checkDType = true)
    {
        var result = Compare(actual, expected, rtol, atol, equalNan, checkDType);
        if (!result.IsClose) throw new TensorAssertionException(result);
    }

    /// <summary>
    /// The comparison <see cref="AssertClose"/> makes, as a result instead of an exception. Bad arguments (only one
    /// tolerance given, a negative tolerance) still throw a <see cref="TorchException"/>, as PyTorch raises them.
    /// </summary>
    public static CloseResult Compare(Tensor actual, Tensor expected, double? rtol = null, double? atol = null,
        bool equalNan = false, bool checkDType = true)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        if (rtol.HasValue != atol.HasValue)
            throw TorchException.Value("ToleranceMissing",
                $"Both 'rtol' and 'atol' must be either specified or omitted, but got no {(rtol is null ? "rtol" : "atol")}.");
        var (r, a) = rtol.HasValue ? (rtol.Value, atol!.Value) : DefaultTolerances(actual.DType, expected.DType);

        if (!Shapes.Equal(actual.ShapeArray, expected.ShapeArray))
            return CloseResult.Attribute(CloseMismatch.Shape, r, a,
                $"The values for attribute 'shape' do not match: {TorchSize(actual)} != {TorchSize(expected)}.");
        if (checkDType && actual.DType != expected.DType)
            return CloseResult.Attribute(CloseMismatch.DType, r, a,
                $"The values for attribute 'dtype' do not match: {actual.DType.TorchName()} != {expected.DType.TorchName()}.");

        // torch.isclose's own argument checks, which PyTorch reaches only now.
        if (r < 0) throw TorchException.Runtime("NegativeTolerance", $"rtol must be greater than or equal to zero, but got {CppDouble(r)}");
        if (a < 0) throw TorchException.Runtime("NegativeTolerance", $"atol must be greater than or equal to zero, but got {CppDouble(a)}");

        var dtype = DTypes.Promote(actual.DType, expected.DType);
        var values = new ValuePair(actual, expected, dtype);
        var matches = values.IsClose(r, a, equalNan);
        int mismatched = matches.Count(m => !m);
        if (mismatched == 0) return CloseResult.Close(r, a, matches.Length);

        string message = actual.Rank == 0
            ? ScalarMessage(values, r, a)
            : TensorMessage(values, matches, mismatched, actual.ShapeArray, r, a);
        return CloseResult.Values(r, a, mismatched, matches.Length, message);
    }

    /// <summary>PyTorch's default (rtol, atol) for a pair of dtypes: the loosest of the two.</summary>
    public static (double RTol, double ATol) DefaultTolerances(DType actual, DType expected)
    {
        var (r1, a1) = DefaultTolerances(actual);
        var (r2, a2) = DefaultTolerances(expected);
        return (Math.Max(r1, r2), Math.Max(a1, a2));
    }

    /// <summary>PyTorch's default (rtol, atol) for one dtype; integral and bool dtypes compare exactly.</summary>
    public static (double RTol, double ATol) DefaultTolerances(DType dtype) => dtype switch
    {
        DType.Float32 => (1.3e-6, 1e-5),
        DType.Float64 => (1e-7, 1e-7),
        _ => (0.0, 0.0),
    };

    // ---- messages ---------------------------------------------------------------------------------------------

    private static string ScalarMessage(ValuePair values, double rtol, double atol)
    {
        // Python numbers from .item(): float, int or bool; differences in Python's arithmetic.
        object a = values.Item(values.Actual, 0), e = values.Item(values.Expected, 0);
        string difference, relative;
        if (a is double da && e is double de)
        {
            double d = Math.Abs(da - de);
            difference = PythonRepr.Float(d);
            relative = PythonRepr.Float(de == 0 ? double.PositiveInfinity : d / Math.Abs(de));
        }
        else
        {
            Int128 ia = AsInteger(a), ie = AsInteger(e);
            Int128 d = Int128.Abs(ia - ie);
            difference = d.ToString(CultureInfo.InvariantCulture);
            relative = PythonRepr.Float(ie == 0 ? double.PositiveInfinity : (double)d / (double)Int128.Abs(ie));
        }
        return NumbersMessage("Scalars", $"Expected {PythonStr(e)} but got {PythonStr(a)}.",
            $"Absolute difference: {difference}", $"Relative difference: {relative}", rtol, atol);
    }

    private static string TensorMessage(ValuePair values, bool[] matches, int mismatched, int[] shape, double rtol, double atol)
    {
        int count = matches.Length;
        string extra = $"Mismatched elements: {mismatched} / {count} ({PythonFloatFormat.Fixed((double)mismatched / count * 100, 1)}%)";
        var (absolute, absoluteAt, relative, relativeAt) = values.GreatestDifferences(matches);
        return NumbersMessage("Tensor-likes", extra,
            $"Greatest absolute difference: {absolute} at index {IndexTuple(absoluteAt, shape)}",
            $"Greatest relative difference: {relative} at index {IndexTuple(relativeAt, shape)}", rtol, atol);
    }

    private static string NumbersMessage(string what, string extra, string absoluteLine, string relativeLine,
        double rtol, double atol)
    {
        bool exact = rtol == 0 && atol == 0;
        string Allowed(double tol) => exact ? "" : $" (up to {PythonRepr.Float(tol)} allowed)";
        return $"{what} are not {(exact ? "equal" : "close")}!\n\n{extra}\n" +
               $"{absoluteLine}{Allowed(atol)}\n{relativeLine}{Allowed(rtol)}";
    }

    /// <summary>torch.Size([2, 3]).</summary>
    private static string TorchSize(Tensor t) => "torch.Size([" + string.Join(", ", t.ShapeArray) + "])";

    /// <summary>A row-major flat position as Python prints the multi-index tuple: (1, 2), (3,).</summary>
    private static string IndexTuple(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index.Length == 1 ? $"({index[0]},)" : "(" + string.Join(", ", index) + ")";
    }

    /// <summary>str() of a Python number from .item().</summary>
    private static string PythonStr(object value) => value switch
    {
        double d => PythonRepr.Float(d),
        bool b => b ? "True" : "False",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static Int128 AsInteger(object value) => value is bool b ? (b ? 1 : 0) : (long)value;

    /// <summary>A double as C++'s ostream prints it in PyTorch's messages (%g: -1, -0.5, -1e-05).</summary>
    private static string CppDouble(double value)
    {
        string text = value.ToString("G6", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E');
        if (e < 0) return text;
        string exponent = text[(e + 1)..];
        string sign = exponent.StartsWith('-') ? "-" : "+";
        string digits = exponent.TrimStart('+', '-').TrimStart('0').PadLeft(2, '0');
        return text[..e] + "e" + sign + digits;
    }

    /// <summary>
    /// The two tensors' elements in row-major order, cast to their common dtype, with torch.isclose and the
    /// differences PyTorch's message reports computed in that dtype's arithmetic.
    /// </summary>
    private sealed class ValuePair
    {
        public ValuePair(Tensor actual, Tensor expected, DType dtype)
        {
            DType = dtype;
            Actual = actual.DType == dtype ? actual.Dense : CastKernel.Convert(actual.Dense, dtype, pooled: false);
            Expected = expected.DType == dtype ? expected.Dense : CastKernel.Convert(expected.Dense, dtype, pooled: false);
        }

        public DType DType { get; }
        public Array Actual { get; }
        public Array Expected { get; }

        /// <summary>.item() of one element: a double (floating dtypes, float32 widened), a long or a bool.</summary>
        public object Item(Array values, int i) => values switch
        {
            float[] f => (double)f[i],
            double[] d => d[i],
            long[] l => l[i],
            bool[] b => b[i],
            _ => throw new InvalidOperationException($"Unsupported dtype {DType}."),
        };

        /// <summary>
        /// torch.isclose: equal, or both NaN with <paramref name="equalNan"/>, or (unless both tolerances are 0)
        /// a finite |actual - expected| &lt;= atol + |rtol * expected|. Integral and bool tensors compute the error
        /// in the default float dtype (float32), as PyTorch does.
        /// </summary>
        public bool[] IsClose(double rtol, double atol, bool equalNan)
        {
            bool exact = rtol == 0 && atol == 0;
            float r32 = (float)rtol, a32 = (float)atol;
            return (Actual, Expected) switch
            {
                (float[] a, float[] e) => CloseFloating(a, e, r32, a32, equalNan, exact),
                (double[] a, double[] e) => CloseFloating(a, e, rtol, atol, equalNan, exact),
                (long[] a, long[] e) => Close(a, e, (x, y) => x == y || (!exact && Within<float>(x, y, r32, a32))),
                (bool[] a, bool[] e) => Close(a, e, (x, y) => x == y || (!exact && Within(x ? 1f : 0f, y ? 1f : 0f, r32, a32))),
                _ => throw new InvalidOperationException($"Unsupported dtype {DType}."),
            };
        }

        private static bool[] Close<T>(T[] a, T[] e, Func<T, T, bool> close)
        {
            var result = new bool[a.Length];
            for (int i = 0; i < a.Length; i++) result[i] = close(a[i], e[i]);
            return result;
        }

        private static bool[] CloseFloating<T>(T[] a, T[] e, T rtol, T atol, bool equalNan, bool exact)
            where T : IFloatingPointIeee754<T> =>
            Close(a, e, (x, y) => x == y || (equalNan && T.IsNaN(x) && T.IsNaN(y)) || (!exact && Within(x, y, rtol, atol)));

        // In T's own arithmetic, one rounded operation per statement, as PyTorch's float32 kernels round them.
        private static bool Within<T>(T actual, T expected, T rtol, T atol) where T : IFloatingPointIeee754<T>
        {
            T scaled = rtol * expected;
            T allowed = atol + T.Abs(scaled);
            T error = T.Abs(actual - expected);
            return T.IsFinite(error) && error <= allowed;
        }

        /// <summary>
        /// The greatest absolute and relative differences among the mismatches (matches count as 0) and their flat
        /// positions, as torch.max(dim=0) picks them: NaN wins, then the first of equal values. Floating dtypes
        /// compute in their own arithmetic; integral ones in int64, their relative difference in float32.
        /// </summary>
        public (string Absolute, int AbsoluteAt, string Relative, int RelativeAt) GreatestDifferences(bool[] matches)
        {
            int n = matches.Length;
            switch (Actual, Expected)
            {
                case (float[] a, float[] e):
                    return FloatingDifferences(a, e, matches);
                case (double[] a, double[] e):
                    return FloatingDifferences(a, e, matches);
                default:
                {
                    long[] a = AsLongs(Actual), e = AsLongs(Expected);
                    var abs = new long[n];
                    var rel = new double[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (matches[i]) continue;
                        long d = Math.Abs(unchecked(a[i] - e[i]));
                        abs[i] = d;
                        rel[i] = (float)d / (float)Math.Abs(e[i]);   // int64 / int64 is a float32 true division
                    }
                    int ai = 0;
                    for (int i = 1; i < n; i++) if (abs[i] > abs[ai]) ai = i;
                    int ri = ArgMax(rel);
                    return (abs[ai].ToString(CultureInfo.InvariantCulture), ai, PythonRepr.Float(rel[ri]), ri);
                }
            }
        }

        /// <summary>The differences of a floating dtype, in its own arithmetic (float32 stays float32).</summary>
        private static (string, int, string, int) FloatingDifferences<T>(T[] a, T[] e, bool[] matches)
            where T : IFloatingPointIeee754<T>
        {
            var abs = new double[a.Length];
            var rel = new double[a.Length];
            for (int i = 0; i < a.Length; i++)
            {
                if (matches[i]) continue;
                T d = T.Abs(a[i] - e[i]);
                abs[i] = double.CreateChecked(d);
                rel[i] = double.CreateChecked(d / T.Abs(e[i]));
            }
            int ai = ArgMax(abs), ri = ArgMax(rel);
            return (PythonRepr.Float(abs[ai]), ai, PythonRepr.Float(rel[ri]), ri);
        }

        private static long[] AsLongs(Array values) => values switch
        {
            long[] l => l,
            bool[] b => b.Select(x => x ? 1L : 0L).ToArray(),
            _ => throw new InvalidOperationException("Unsupported dtype."),
        };

        /// <summary>torch.max's choice: the first NaN, else the first of the largest values.</summary>
        private static int ArgMax(double[] values)
        {
            int best = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (double.IsNaN(values[i])) return i;
                if (values[i] > values[best]) best = i;
            }
            return best;
        }
    }
}

/// <summary>What made two tensors not close, in the order assert_close checks it.</summary>
public enum CloseMismatch
{
    None,
    Shape,
    DType,
    Values,
}

/// <summary>
/// The outcome of <see cref="TensorTesting.Compare"/>: whether the tensors are close, the tolerances used, how many
/// elements differ, and PyTorch's message when they are not close.
/// </summary>
public sealed class CloseResult
{
    private CloseResult(CloseMismatch mismatch, double rtol, double atol, int mismatched, int count, string? message)
    {
        Mismatch = mismatch;
        RTol = rtol;
        ATol = atol;
        MismatchedElements = mismatched;
        NumElements = count;
        Message = message;
    }

    public bool IsClose => Mismatch == CloseMismatch.None;
    public CloseMismatch Mismatch { get; }
    public double RTol { get; }
    public double ATol { get; }

    /// <summary>The tolerances as Python prints keyword arguments: "rtol=1.3e-06, atol=1e-05".</summary>
    public string Tolerances => $"rtol={PythonRepr.Float(RTol)}, atol={PythonRepr.Float(ATol)}";

    /// <summary>Elements outside the tolerance (0 when the shapes or dtypes already differ).</summary>
    public int MismatchedElements { get; }
    public int NumElements { get; }

    /// <summary>PyTorch's assertion message; null when the tensors are close.</summary>
    public string? Message { get; }

    public override string ToString() => Message ?? "Tensor-likes are close.";

    internal static CloseResult Close(double rtol, double atol, int count) => new(CloseMismatch.None, rtol, atol, 0, count, null);

    internal static CloseResult Attribute(CloseMismatch mismatch, double rtol, double atol, string message) =>
        new(mismatch, rtol, atol, 0, 0, message);

    internal static CloseResult Values(double rtol, double atol, int mismatched, int count, string message) =>
        new(CloseMismatch.Values, rtol, atol, mismatched, count, message);
}

/// <summary>Python's AssertionError from torch.testing.assert_close: the tensors are not close.</summary>
public sealed class TensorAssertionException : Exception
{
    public TensorAssertionException(CloseResult result) : base(result.Message)
    {
        Result = result;
    }

    public CloseResult Result { get; }
}
