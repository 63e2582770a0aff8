using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Kernels;

/// <summary>
/// torch.clamp with number bounds, as ATen's vectorized kernel computes it: min(hi, max(lo, x)) with the x86
/// semantics of maxps/minps, which return their second operand when the two are equal or either is NaN. So a NaN
/// in x stays NaN, and x is kept when it equals a bound: clamp(-0.0, min=0.0) is -0.0, as in PyTorch.
/// </summary>
internal static class ClampKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> d, T lo, T hi) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var (vlo, vhi) = (Vector256.Create(lo), Vector256.Create(hi));
            for (; i + Vector256<T>.Count <= x.Length; i += Vector256<T>.Count)
            {
                var v = Vector256.Create(x.Slice(i, Vector256<T>.Count));
                v = Vector256.ConditionalSelect(Vector256.GreaterThan(vlo, v), vlo, v);
                Vector256.ConditionalSelect(Vector256.LessThan(vhi, v), vhi, v).CopyTo(d.Slice(i, Vector256<T>.Count));
            }
        }
        for (; i < x.Length; i++) d[i] = Scalar(x[i], lo, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Scalar<T>(T x, T lo, T hi) where T : IFloatingPointIeee754<T>
    {
        var v = lo > x ? lo : x;
        return hi < v ? hi : v;
    }
}
