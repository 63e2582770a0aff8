using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>An elementwise function on Vector256 lanes of its own element type, with a scalar form for the tail.</summary>
internal interface IVectorFunction<T> where T : unmanaged
{
    static abstract Vector256<T> Apply(Vector256<T> x);
    static abstract T Scalar(T x);
}

/// <summary>
/// The one loop of the functions that compute in lanes of their element type (float64 exp, sigmoid and tanh in
/// <see cref="VectorMath"/>, float32 exp in <see cref="SingleExp"/>): whole vectors through the function's lanes,
/// the rest through its scalar form. Without AVX2 and FMA every element takes the scalar form.
/// </summary>
internal static class VectorLoop
{
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Map<TF, T>(ReadOnlySpan<T> x, Span<T> d) where TF : IVectorFunction<T> where T : unmanaged
    {
        int i = 0;
        if (IsSupported)
            fixed (T* px = x, pd = d)
                for (; i + Vector256<T>.Count <= x.Length; i += Vector256<T>.Count)
                    Vector256.Store(TF.Apply(Vector256.Load(px + i)), pd + i);
        for (; i < x.Length; i++) d[i] = TF.Scalar(x[i]);
    }
}
