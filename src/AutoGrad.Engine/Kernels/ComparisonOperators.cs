using System.Numerics;

namespace AutoGrad.Kernels;

/// <summary>
/// A comparison evaluated in the operands' promoted dtype itself (float, double or long), so int64 values beyond
/// 2^53 compare exactly, as they do in PyTorch.
/// </summary>
internal interface IComparisonOperator
{
    static abstract bool Invoke<T>(T x, T y) where T : INumber<T>;
}

internal readonly struct EqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x == y;
}

internal readonly struct NotEqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x != y;
}

internal readonly struct GreaterOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x > y;
}

internal readonly struct GreaterOrEqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x >= y;
}

internal readonly struct LessOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x < y;
}

internal readonly struct LessOrEqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x <= y;
}

/// <summary>Truth of both operands (NaN counts as true, as in C).</summary>
internal readonly struct LogicalAndOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => !T.IsZero(x) && !T.IsZero(y);
}

/// <summary>Truth of either operand (NaN counts as true, as in C).</summary>
internal readonly struct LogicalOrOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => !T.IsZero(x) || !T.IsZero(y);
}
