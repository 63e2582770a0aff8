using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>Dtype conversion with C's rules (float to int truncates, out of range gives INT64_MIN, nonzero is true).</summary>
internal static class CastKernel
{
    /// <summary>A compact array converted to <paramref name="to"/> (a pooled array unless <paramref name="pooled"/> is false).</summary>
    public static Array Convert(Array source, DType to, bool pooled = true)
    {
        int n = source.Length;
        var dst = pooled ? Tensor.Allocate(to, n) : Array.CreateInstance(to.ClrType(), n);
        switch (source)
        {
            case float[] s: ConvertFrom<float>(s, dst); break;
            case double[] s: ConvertFrom<double>(s, dst); break;
            case long[] s: ConvertFrom<long>(s, dst); break;
            case bool[] s: ConvertFrom<bool>(s, dst); break;
            default: throw new InvalidOperationException();
        }
        return dst;
    }

    private static void ConvertFrom<TIn>(TIn[] s, Array dst)
    {
        switch (dst)
        {
            case float[] d: Convert<TIn, float>(s, d); break;
            case double[] d: Convert<TIn, double>(s, d); break;
            case long[] d: Convert<TIn, long>(s, d); break;
            case bool[] d: Convert<TIn, bool>(s, d); break;
        }
    }

    /// <summary>
    /// Converts a run of elements. The branches on the types are resolved when the method is compiled for each
    /// pair, so every pair is a plain loop (or a vectorized conversion).
    /// </summary>
    public static void Convert<TIn, TOut>(ReadOnlySpan<TIn> s, Span<TOut> d)
    {
        if (typeof(TIn) == typeof(TOut))
        {
            System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
                ref System.Runtime.CompilerServices.Unsafe.As<TIn, TOut>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s)), s.Length).CopyTo(d);
            return;
        }
        if (typeof(TIn) == typeof(float) && typeof(TOut) == typeof(double))
        {
            TensorPrimitives.ConvertTruncating<float, double>(As<TIn, float>(s), As<TOut, double>(d));
            return;
        }
        if (typeof(TIn) == typeof(double) && typeof(TOut) == typeof(float))
        {
            TensorPrimitives.ConvertTruncating<double, float>(As<TIn, double>(s), As<TOut, float>(d));
            return;
        }
        if (typeof(TIn) == typeof(long) && typeof(TOut) == typeof(float))
        {
            // One rounding, as static_cast<float>(int64_t); through double, values past 2^53 would round twice.
            var longs = As<TIn, long>(s);
            var floats = As<TOut, float>(d);
            for (int i = 0; i < longs.Length; i++) floats[i] = longs[i];
            return;
        }
        for (int i = 0; i < s.Length; i++) d[i] = FromDouble<TOut>(ToDouble(s[i]));
    }

    private static ReadOnlySpan<TTo> As<TFrom, TTo>(ReadOnlySpan<TFrom> s) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref System.Runtime.CompilerServices.Unsafe.As<TFrom, TTo>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s)), s.Length);

    private static Span<TTo> As<TFrom, TTo>(Span<TFrom> s) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateSpan(
            ref System.Runtime.CompilerServices.Unsafe.As<TFrom, TTo>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s)), s.Length);

    private static double ToDouble<T>(T v)
    {
        if (typeof(T) == typeof(float)) return (float)(object)v!;
        if (typeof(T) == typeof(double)) return (double)(object)v!;
        if (typeof(T) == typeof(long)) return (long)(object)v!;
        return (bool)(object)v! ? 1 : 0;
    }

    // (T)(object)v with T known when the method is compiled is a no-op for the JIT, not a box.
    private static TOut FromDouble<TOut>(double v)
    {
        if (typeof(TOut) == typeof(float)) return (TOut)(object)(float)v;
        if (typeof(TOut) == typeof(double)) return (TOut)(object)v;
        if (typeof(TOut) == typeof(long)) return (TOut)(object)Tensor.CastToLong(v);
        return (TOut)(object)(v != 0);
    }
}
