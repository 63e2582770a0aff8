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
/// A function that also computes on Vector512 lanes (sixteen floats, eight doubles), giving the same bits as
/// <see cref="IVectorFunction{T}.Apply"/> on each half: the same IEEE operations in wider registers.
/// </summary>
internal interface IWideVectorFunction<T> : IVectorFunction<T> where T : unmanaged
{
    static abstract Vector512<T> ApplyWide(Vector512<T> x);
}

/// <summary>
/// The one loop of the functions that compute in lanes of their element type (float64 exp, sigmoid and tanh in
/// <see cref="VectorMath"/>, float32 exp in <see cref="SingleExp"/>): whole vectors through the function's lanes,
/// the rest through its scalar form. Without AVX2 and FMA every element takes the scalar form.
/// <para>
/// On a CPU with AVX-512 a function with wide lanes (<see cref="MapWide{TF, T}"/>) runs two 512-bit vectors per
/// iteration first: an exp is a long dependency chain, and two independent wide chains per iteration kept about
/// twice the work in flight of one 256-bit chain (unrolling the 256-bit loop gained nothing: docs/performance.md,
/// design measurements).
/// </para>
/// </summary>
internal static class VectorLoop
{
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Whether functions with wide lanes use them: AVX-512 (F, DQ, VL) present and the runtime accelerating
    /// Vector512. A field so tests can run the 256-bit loop on the same CPU and compare the bits.
    /// </summary>
    internal static bool UseWideLanes = IsSupported && Vector512.IsHardwareAccelerated && Avx512F.IsSupported
        && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TF, T>(ReadOnlySpan<T> x, Span<T> d) where TF : IVectorFunction<T> where T : unmanaged =>
        MapFrom<TF, T>(x, d, 0);

    /// <summary>As <see cref="Map{TF, T}"/>, with pairs of 512-bit vectors first where the CPU has them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void MapWide<TF, T>(ReadOnlySpan<T> x, Span<T> d) where TF : IWideVectorFunction<T> where T : unmanaged
    {
        int i = 0;
        if (UseWideLanes)
            fixed (T* px = x, pd = d)
                for (; i + 2 * Vector512<T>.Count <= x.Length; i += 2 * Vector512<T>.Count)
                {
                    var a = TF.ApplyWide(Vector512.Load(px + i));
                    var b = TF.ApplyWide(Vector512.Load(px + i + Vector512<T>.Count));
                    Vector512.Store(a, pd + i);
                    Vector512.Store(b, pd + i + Vector512<T>.Count);
                }
        MapFrom<TF, T>(x, d, i);
    }

    /// <summary>Elements from <paramref name="i"/> on: whole 256-bit vectors, then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MapFrom<TF, T>(ReadOnlySpan<T> x, Span<T> d, int i) where TF : IVectorFunction<T> where T : unmanaged
    {
        if (IsSupported)
            fixed (T* px = x, pd = d)
                for (; i + Vector256<T>.Count <= x.Length; i += Vector256<T>.Count)
                    Vector256.Store(TF.Apply(Vector256.Load(px + i)), pd + i);
        for (; i < x.Length; i++) d[i] = TF.Scalar(x[i]);
    }
}
