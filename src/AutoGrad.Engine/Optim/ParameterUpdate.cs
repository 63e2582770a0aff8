using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AutoGrad.Kernels;

namespace AutoGrad.Optim;

/// <summary>
/// The one place the optimizers reach into tensor storage. The update runs over compact tensors (row-major from
/// offset 0, so element i of each is the same logical element): the state buffers are made so, a gradient in any
/// other layout is read through a row-major copy, and a parameter that is not compact is updated in a compact copy
/// that is then written back through its strides.
/// </summary>
internal static class OptimizerStorage
{
    /// <summary>A compact tensor with the same elements (the tensor itself when it already is).</summary>
    public static Tensor Compact(Tensor t)
    {
        if (t.IsCompact) return t;
        var copy = Tensor.Empty(t.Shape, t.DType);
        copy.CopyValuesFrom(t);
        return copy;
    }

    public static Span<T> Elements<T>(Tensor t) where T : unmanaged => t.Fillable<T>();

    /// <summary>Records an in-place write, as PyTorch's add_/addcdiv_ on a parameter do.</summary>
    public static void MarkWritten(Tensor t) => t.StorageObject.BumpVersion();
}

/// <summary>
/// One optimizer's update of one vector of elements: the parameter, its gradient and up to three state buffers,
/// the parameter and buffers updated in place. Each optimizer writes its update once, as the sequence of
/// elementwise operations PyTorch's single-tensor path performs, so one pass over memory does what PyTorch does in
/// several with the same rounding at every step.
/// </summary>
internal interface IParameterUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    void Apply(ref Vector256<T> param, Vector256<T> grad, ref Vector256<T> s0, ref Vector256<T> s1, ref Vector256<T> s2);
}

internal static class ParameterUpdate
{
    /// <summary>Runs an update over a parameter (split across threads when it is large) and bumps its version.</summary>
    public static void Run<TUpdate, T>(TUpdate update, Tensor param, Tensor grad, Tensor? s0 = null, Tensor? s1 = null, Tensor? s2 = null)
        where TUpdate : struct, IParameterUpdate<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = param.NumElements;
        var p = OptimizerStorage.Compact(param);
        var g = OptimizerStorage.Compact(grad);
        if (ParallelChunks.Worth(n))
            ParallelChunks.Run(n, (start, count) => RunRange<TUpdate, T>(update, p, g, s0, s1, s2, start, count));
        else
            RunRange<TUpdate, T>(update, p, g, s0, s1, s2, 0, n);
        if (!ReferenceEquals(p, param)) param.CopyValuesFrom(p);
        OptimizerStorage.MarkWritten(param);
    }

    private static void RunRange<TUpdate, T>(TUpdate update, Tensor param, Tensor grad, Tensor? s0, Tensor? s1, Tensor? s2,
        int start, int count)
        where TUpdate : struct, IParameterUpdate<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> p = OptimizerStorage.Elements<T>(param).Slice(start, count);
        Span<T> g = OptimizerStorage.Elements<T>(grad).Slice(start, count);
        Span<T> a = s0 is null ? default : OptimizerStorage.Elements<T>(s0).Slice(start, count);
        Span<T> b = s1 is null ? default : OptimizerStorage.Elements<T>(s1).Slice(start, count);
        Span<T> c = s2 is null ? default : OptimizerStorage.Elements<T>(s2).Slice(start, count);
        bool hasA = s0 is not null, hasB = s1 is not null, hasC = s2 is not null;

        ref T rp = ref MemoryMarshal.GetReference(p);
        ref T rg = ref MemoryMarshal.GetReference(g);
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rc = ref MemoryMarshal.GetReference(c);
        int width = Vector256<T>.Count;
        int i = 0;
        for (; i <= count - width; i += width)
        {
            nuint at = (nuint)i;
            var vp = Vector256.LoadUnsafe(ref rp, at);
            var vg = Vector256.LoadUnsafe(ref rg, at);
            var va = hasA ? Vector256.LoadUnsafe(ref ra, at) : default;
            var vb = hasB ? Vector256.LoadUnsafe(ref rb, at) : default;
            var vc = hasC ? Vector256.LoadUnsafe(ref rc, at) : default;
            update.Apply(ref vp, vg, ref va, ref vb, ref vc);
            vp.StoreUnsafe(ref rp, at);
            if (hasA) va.StoreUnsafe(ref ra, at);
            if (hasB) vb.StoreUnsafe(ref rb, at);
            if (hasC) vc.StoreUnsafe(ref rc, at);
        }
        if (i == count) return;

        // The last partial vector goes through the same code in zero-padded scratch; the padding lanes are dropped.
        int rest = count - i;
        Span<T> scratch = stackalloc T[5 * Vector256<T>.Count];
        scratch.Clear();
        var sp = scratch.Slice(0, width);
        var sg = scratch.Slice(width, width);
        var sa = scratch.Slice(2 * width, width);
        var sb = scratch.Slice(3 * width, width);
        var sc = scratch.Slice(4 * width, width);
        p.Slice(i).CopyTo(sp);
        g.Slice(i).CopyTo(sg);
        if (hasA) a.Slice(i).CopyTo(sa);
        if (hasB) b.Slice(i).CopyTo(sb);
        if (hasC) c.Slice(i).CopyTo(sc);
        var tp = Vector256.Create<T>(sp);
        var ta = Vector256.Create<T>(sa);
        var tb = Vector256.Create<T>(sb);
        var tc = Vector256.Create<T>(sc);
        update.Apply(ref tp, Vector256.Create<T>(sg), ref ta, ref tb, ref tc);
        tp.CopyTo(sp);
        ta.CopyTo(sa);
        tb.CopyTo(sb);
        tc.CopyTo(sc);
        sp.Slice(0, rest).CopyTo(p.Slice(i));
        if (hasA) sa.Slice(0, rest).CopyTo(a.Slice(i));
        if (hasB) sb.Slice(0, rest).CopyTo(b.Slice(i));
        if (hasC) sc.Slice(0, rest).CopyTo(c.Slice(i));
    }
}

/// <summary>
/// The elementwise steps of PyTorch's optimizer ops, with PyTorch's CPU rounding: its kernels compute
/// <c>self + alpha * other</c> (add_ with alpha), <c>self + value * t1 * t2</c> (addcmul_) and lerp as one fused
/// multiply-add each (explicitly in the vectorized kernels, by compiler contraction in the scalar ones), while
/// mul_, div, sqrt, add of a scalar and addcdiv_'s <c>self + value * t1 / t2</c> round every operation.
/// </summary>
internal static class UpdateMath
{
    /// <summary>a * b + c rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return MultiplyAddLanes(a, b, c);
    }

    private static Vector256<T> MultiplyAddLanes<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> lanes = stackalloc T[Vector256<T>.Count];
        for (int k = 0; k < lanes.Length; k++) lanes[k] = T.FusedMultiplyAdd(a[k], b[k], c[k]);
        return Vector256.Create<T>(lanes);
    }

    /// <summary>
    /// torch.lerp(self, end, weight) on CPU: <c>self + weight * (end - self)</c> for |weight| &lt; 0.5, else
    /// <c>end - (end - self) * (1 - weight)</c>, each a fused multiply-add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Lerp<T>(Vector256<T> self, Vector256<T> end, T weight)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var difference = end - self;
        return T.Abs(weight) < T.CreateTruncating(0.5)
            ? MultiplyAdd(Vector256.Create(weight), difference, self)
            : MultiplyAdd(Vector256.Create(weight - T.One), difference, end);
    }

    /// <summary>torch.maximum: the larger element, NaN if either is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Maximum<T>(Vector256<T> a, Vector256<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(a, b) | ~Vector256.Equals(a, a), a, b);
}
