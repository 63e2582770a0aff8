using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// The vector sum of a contiguous float or double run, in an order fixed by element index alone.
/// <para>
/// The order: the run is cut into groups of one vector (8 floats or 4 doubles) and blocks of 64 groups; within a
/// block, group g adds into chain g mod 8, lane by lane, in group order (8 values per chain lane, starting from 0).
/// Each block's 8 chains are then added into 4 double accumulators (chain c into accumulator c mod 4; float chains
/// are widened first, lanes j and j+4 added), the accumulators summed lane-wise as (d0 + d1) + (d2 + d3) and the
/// lanes as (l0 + l1) + (l2 + l3), and the last &lt;8 (or &lt;4) elements added to that in double, in order.
/// Float runs of 8 values keep the error within a few float ulps of each block's magnitude, well inside PyTorch's
/// own cascade sum's, and the double accumulators see one value per chain per block.
/// </para>
/// <para>
/// Why the aligned path: .NET arrays are only 8-byte aligned, and a 32-byte load that straddles two cache lines
/// (every other one, on a misaligned array) made the L3-bound 1e6 sums about 15% slower than on aligned data, where
/// libtorch, whose allocator aligns to 64 bytes, always is. So the loads start at the first 32-byte boundary, h
/// elements in: an aligned load then holds lanes h.. of one group and lanes ..h-1 of the next, which belong to the
/// next chain. Each physical accumulator therefore carries chain c's upper lanes and chain c+1's lower lanes, in
/// the same per-lane order as the plain loop; the block's chains are reassembled with a blend and a lane rotation.
/// The sum is thus bit for bit the same wherever the array happens to sit in memory (the tests pin this), and the
/// same on one thread or many (the split points are element indices).
/// </para>
/// </summary>
internal static class VectorSum
{
    private const int Chains = 8;
    private const int GroupsPerBlock = 64;

    public static unsafe double Sum(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        if (!Avx2.IsSupported)
        {
            double s = 0;
            foreach (var v in x) s += v;
            return s;
        }
        fixed (float* p = x) return SumFloat(p, n);
    }

    public static unsafe double Sum(ReadOnlySpan<double> x)
    {
        if (!Avx2.IsSupported) return TensorPrimitives.Sum(x);
        fixed (double* p = x) return SumDouble(p, x.Length);
    }

    private const int FloatBlock = GroupsPerBlock * 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SumFloat(float* p, int n)
    {
        Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
        int blocks = n / FloatBlock, b = 0;
        // Elements to the first 32-byte boundary; the aligned path needs at least one whole block past it.
        int h = (int)((32 - ((nuint)p & 31)) & 31) / sizeof(float);
        if (((nuint)p & 3) == 0 && FloatBlock + h <= n)
        {
            var high = Avx2.CompareGreaterThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(7 - h)).AsSingle();
            var rotate = Avx2.And(Avx2.Subtract(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(h)), Vector256.Create(7));
            var zero = Vector256<float>.Zero;
            // The upper lanes carried into the block: its first group's lanes 0..h-1 (the masked load reads only
            // elements 0..h-1 of the span, never memory before it).
            var carried = Avx.MaskLoad(p + h - 8, high);
            for (; FloatBlock * (b + 1) + h <= n; b++)
            {
                float* q = p + h + FloatBlock * b;
                Vector256<float> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
                var c7 = Avx.Add(zero, carried);
                for (float* end = q + FloatBlock - 64; q < end; q += 64)
                {
                    c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
                    c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 8));
                    c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 16));
                    c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 24));
                    c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 32));
                    c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 40));
                    c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 48));
                    c7 = Avx.Add(c7, Avx.LoadAlignedVector256(q + 56));
                }
                c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
                c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 8));
                c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 16));
                c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 24));
                c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 32));
                c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 40));
                c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 48));
                // The last load's upper lanes open the next block's chain 0.
                var last = Avx.LoadAlignedVector256(q + 56);
                c7 = Avx.Add(c7, Avx.AndNot(high, last));
                carried = Avx.And(high, last);
                // Chain k = lanes h.. of accumulator k and lanes ..h-1 of accumulator k-1, rotated into lane order.
                d0 = Avx.Add(d0, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c0, c7, high), rotate)));
                d1 = Avx.Add(d1, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c1, c0, high), rotate)));
                d2 = Avx.Add(d2, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c2, c1, high), rotate)));
                d3 = Avx.Add(d3, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c3, c2, high), rotate)));
                d0 = Avx.Add(d0, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c4, c3, high), rotate)));
                d1 = Avx.Add(d1, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c5, c4, high), rotate)));
                d2 = Avx.Add(d2, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c6, c5, high), rotate)));
                d3 = Avx.Add(d3, Widen(Avx2.PermuteVar8x32(Avx.BlendVariable(c7, c6, high), rotate)));
            }
        }
        // Whatever the aligned loop left (all of it, for short or oddly placed runs): the same order, plain loads.
        for (; b < blocks; b++) PlainFloatBlock(p + FloatBlock * b, GroupsPerBlock, ref d0, ref d1, ref d2, ref d3);
        int i = blocks * FloatBlock, groups = (n - i) / 8;
        if (groups > 0) PlainFloatBlock(p + i, groups, ref d0, ref d1, ref d2, ref d3);
        i += groups * 8;
        double total = Total(d0, d1, d2, d3);
        for (; i < n; i++) total += p[i];
        return total;
    }

    /// <summary>Groups [0, groups) of a block at q, in the documented order, with unaligned loads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PlainFloatBlock(float* q, int groups,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<float>.Zero;
        Vector256<float> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        int g = 0;
        for (; g + Chains <= groups; g += Chains, q += 64)
        {
            c0 = Avx.Add(c0, Avx.LoadVector256(q));
            c1 = Avx.Add(c1, Avx.LoadVector256(q + 8));
            c2 = Avx.Add(c2, Avx.LoadVector256(q + 16));
            c3 = Avx.Add(c3, Avx.LoadVector256(q + 24));
            c4 = Avx.Add(c4, Avx.LoadVector256(q + 32));
            c5 = Avx.Add(c5, Avx.LoadVector256(q + 40));
            c6 = Avx.Add(c6, Avx.LoadVector256(q + 48));
            c7 = Avx.Add(c7, Avx.LoadVector256(q + 56));
        }
        int rest = groups - g;
        if (rest > 0) c0 = Avx.Add(c0, Avx.LoadVector256(q));
        if (rest > 1) c1 = Avx.Add(c1, Avx.LoadVector256(q + 8));
        if (rest > 2) c2 = Avx.Add(c2, Avx.LoadVector256(q + 16));
        if (rest > 3) c3 = Avx.Add(c3, Avx.LoadVector256(q + 24));
        if (rest > 4) c4 = Avx.Add(c4, Avx.LoadVector256(q + 32));
        if (rest > 5) c5 = Avx.Add(c5, Avx.LoadVector256(q + 40));
        if (rest > 6) c6 = Avx.Add(c6, Avx.LoadVector256(q + 48));
        d0 = Avx.Add(d0, Widen(c0));
        d1 = Avx.Add(d1, Widen(c1));
        d2 = Avx.Add(d2, Widen(c2));
        d3 = Avx.Add(d3, Widen(c3));
        d0 = Avx.Add(d0, Widen(c4));
        d1 = Avx.Add(d1, Widen(c5));
        d2 = Avx.Add(d2, Widen(c6));
        d3 = Avx.Add(d3, Widen(c7));
    }

    /// <summary>The 8 lanes of a float chain, widened and added pairwise into 4 double lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen(Vector256<float> v) =>
        Avx.Add(Avx.ConvertToVector256Double(v.GetLower()), Avx.ConvertToVector256Double(v.GetUpper()));

    private const int DoubleBlock = GroupsPerBlock * 4;

    /// <summary>The float loop's structure over 4-double groups; the chains need no widening.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SumDouble(double* p, int n)
    {
        Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
        int blocks = n / DoubleBlock, b = 0;
        int h = (int)((32 - ((nuint)p & 31)) & 31) / sizeof(double);
        if (((nuint)p & 7) == 0 && DoubleBlock + h <= n)
        {
            var high = Avx2.CompareGreaterThan(Vector256.Create(0L, 1, 2, 3), Vector256.Create(3L - h)).AsDouble();
            // Lane rotation by h doubles, as a permutation of float pairs.
            var rotate = Avx2.Add(
                Avx2.ShiftLeftLogical(Avx2.And(Avx2.Subtract(Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3), Vector256.Create(h)), Vector256.Create(3)), 1),
                Vector256.Create(0, 1, 0, 1, 0, 1, 0, 1));
            var zero = Vector256<double>.Zero;
            var carried = Avx.MaskLoad(p + h - 4, high);
            for (; DoubleBlock * (b + 1) + h <= n; b++)
            {
                double* q = p + h + DoubleBlock * b;
                Vector256<double> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
                var c7 = Avx.Add(zero, carried);
                for (double* end = q + DoubleBlock - 32; q < end; q += 32)
                {
                    c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
                    c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 4));
                    c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 8));
                    c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 12));
                    c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 16));
                    c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 20));
                    c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 24));
                    c7 = Avx.Add(c7, Avx.LoadAlignedVector256(q + 28));
                }
                c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
                c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 4));
                c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 8));
                c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 12));
                c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 16));
                c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 20));
                c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 24));
                var last = Avx.LoadAlignedVector256(q + 28);
                c7 = Avx.Add(c7, Avx.AndNot(high, last));
                carried = Avx.And(high, last);
                d0 = Avx.Add(d0, Rotate(Avx.BlendVariable(c0, c7, high), rotate));
                d1 = Avx.Add(d1, Rotate(Avx.BlendVariable(c1, c0, high), rotate));
                d2 = Avx.Add(d2, Rotate(Avx.BlendVariable(c2, c1, high), rotate));
                d3 = Avx.Add(d3, Rotate(Avx.BlendVariable(c3, c2, high), rotate));
                d0 = Avx.Add(d0, Rotate(Avx.BlendVariable(c4, c3, high), rotate));
                d1 = Avx.Add(d1, Rotate(Avx.BlendVariable(c5, c4, high), rotate));
                d2 = Avx.Add(d2, Rotate(Avx.BlendVariable(c6, c5, high), rotate));
                d3 = Avx.Add(d3, Rotate(Avx.BlendVariable(c7, c6, high), rotate));
            }
        }
        for (; b < blocks; b++) PlainDoubleBlock(p + DoubleBlock * b, GroupsPerBlock, ref d0, ref d1, ref d2, ref d3);
        int i = blocks * DoubleBlock, groups = (n - i) / 4;
        if (groups > 0) PlainDoubleBlock(p + i, groups, ref d0, ref d1, ref d2, ref d3);
        i += groups * 4;
        double total = Total(d0, d1, d2, d3);
        for (; i < n; i++) total += p[i];
        return total;
    }

    /// <summary>The accumulators' sum in a spelled-out order (Vector256.Sum leaves its order to the runtime).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Total(Vector256<double> d0, Vector256<double> d1, Vector256<double> d2, Vector256<double> d3)
    {
        var s = Avx.Add(Avx.Add(d0, d1), Avx.Add(d2, d3));
        return (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Rotate(Vector256<double> v, Vector256<int> rotate) =>
        Avx2.PermuteVar8x32(v.AsSingle(), rotate).AsDouble();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PlainDoubleBlock(double* q, int groups,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<double>.Zero;
        Vector256<double> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        int g = 0;
        for (; g + Chains <= groups; g += Chains, q += 32)
        {
            c0 = Avx.Add(c0, Avx.LoadVector256(q));
            c1 = Avx.Add(c1, Avx.LoadVector256(q + 4));
            c2 = Avx.Add(c2, Avx.LoadVector256(q + 8));
            c3 = Avx.Add(c3, Avx.LoadVector256(q + 12));
            c4 = Avx.Add(c4, Avx.LoadVector256(q + 16));
            c5 = Avx.Add(c5, Avx.LoadVector256(q + 20));
            c6 = Avx.Add(c6, Avx.LoadVector256(q + 24));
            c7 = Avx.Add(c7, Avx.LoadVector256(q + 28));
        }
        int rest = groups - g;
        if (rest > 0) c0 = Avx.Add(c0, Avx.LoadVector256(q));
        if (rest > 1) c1 = Avx.Add(c1, Avx.LoadVector256(q + 4));
        if (rest > 2) c2 = Avx.Add(c2, Avx.LoadVector256(q + 8));
        if (rest > 3) c3 = Avx.Add(c3, Avx.LoadVector256(q + 12));
        if (rest > 4) c4 = Avx.Add(c4, Avx.LoadVector256(q + 16));
        if (rest > 5) c5 = Avx.Add(c5, Avx.LoadVector256(q + 20));
        if (rest > 6) c6 = Avx.Add(c6, Avx.LoadVector256(q + 24));
        d0 = Avx.Add(d0, c0);
        d1 = Avx.Add(d1, c1);
        d2 = Avx.Add(d2, c2);
        d3 = Avx.Add(d3, c3);
        d0 = Avx.Add(d0, c4);
        d1 = Avx.Add(d1, c5);
        d2 = Avx.Add(d2, c6);
        d3 = Avx.Add(d3, c7);
    }
}
