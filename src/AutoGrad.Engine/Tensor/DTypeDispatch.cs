using System.Numerics;
using System.Runtime.CompilerServices;

namespace AutoGrad;

/// <summary>Code written once, generic in the element type, for <see cref="DTypeDispatch.Numeric{TAction}"/> to run.</summary>
internal interface INumericAction
{
    void Run<T>() where T : unmanaged, INumber<T>;
}

/// <summary>
/// The engine's one switch from a numeric dtype to its element type, for code that is the same for each of them
/// (a matrix product, an elementwise loop): the call is written once, in an <see cref="INumericAction"/> struct,
/// which the JIT specializes per element type. Bool is the caller's to handle first, since PyTorch's kernels
/// mostly refuse it, each with a message of its own. Kernels that differ by element type on purpose (float32
/// sigmoid reproducing PyTorch's float kernel, exp in float lanes) are picked from their op's own table instead.
/// </summary>
internal static class DTypeDispatch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Numeric<TAction>(DType dtype, TAction action) where TAction : struct, INumericAction
    {
        switch (dtype)
        {
            case DType.Float32: action.Run<float>(); break;
            case DType.Float64: action.Run<double>(); break;
            case DType.Int64: action.Run<long>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a numeric dtype: Bool is the caller's to handle");
        }
    }
}
