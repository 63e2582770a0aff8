using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// Cache-blocked matrix multiply C = A @ B (row-major) with packed panels and an FMA register-blocked
/// micro-kernel, in the classic GotoBLAS/BLIS structure:
///   for each NC-wide column panel of B, for each KC-deep slice: pack B[KC x NC] into NR-wide strips (kept in L2/L3),
///   then for each MC-tall row block of A (in parallel): pack A[MC x KC] into MR-tall strips (kept in L1/L2) and run
///   the MR x NR micro-kernel over every strip pair, accumulating in registers.
/// Float: MR x NR = 6 x 16 (12 accumulators of 8 lanes); double: 6 x 8. Edges are zero-padded in the packs and
/// written back through a small tile buffer, so the micro-kernel never branches on sizes.
/// </summary>
internal static unsafe class Gemm
{
    private const int MR = 6;
    private const int KC = 256;
    private const int MC = 96;        // multiple of MR
    private const int NC = 2048;

    public static bool IsSupported => Fma.IsSupported && Avx.IsSupported;

    public static void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        fixed (float* pa = a, pb = b, pc = c) Run(pa, pb, pc, m, k, n, nr: 16);
    }

    public static void Run(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n)
    {
        fixed (double* pa = a, pb = b, pc = c) Run(pa, pb, pc, m, k, n, nr: 8);
    }

    private static void Run<T>(T* a, T* b, T* c, int m, int k, int n, int nr) where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (k == 0) { new Span<T>(c, m * n).Clear(); return; }
        int ncMax = Math.Min(NC, RoundUp(n, nr));
        var packB = ArrayPool<T>.Shared.Rent(KC * ncMax);
        long work = (long)m * n * k;
        int blocks = (m + MC - 1) / MC;
        int threads = work < 64L * 64 * 64 ? 1 : Math.Min(Parallelism.NumThreads, blocks);
        nint aPtr = (nint)a, cPtr = (nint)c;
        try
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool accumulate = pc > 0;
                    PackB(b, n, pc, kc, jc, nc, nr, packB);
                    if (threads <= 1)
                    {
                        var packA = ArrayPool<T>.Shared.Rent(MC * KC);
                        for (int ib = 0; ib < blocks; ib++) Block(a, k, c, n, m, ib * MC, pc, kc, jc, nc, nr, packA, packB, accumulate);
                        ArrayPool<T>.Shared.Return(packA);
                    }
                    else
                    {
                        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                            () => ArrayPool<T>.Shared.Rent(MC * KC),
                            (ib, _, packA) =>
                            {
                                Block((T*)aPtr, k, (T*)cPtr, n, m, ib * MC, pc, kc, jc, nc, nr, packA, packB, accumulate);
                                return packA;
                            },
                            packA => ArrayPool<T>.Shared.Return(packA));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packB);
        }
    }

    private static int RoundUp(int v, int multiple) => (v + multiple - 1) / multiple * multiple;

    /// <summary>One MC x NC block of C: pack its A rows, then the micro-kernel over MR x NR tiles.</summary>
    private static void Block<T>(T* a, int lda, T* c0, int ldc, int m, int ic, int pc, int kc,
        int jc, int nc, int nr, T[] packA, T[] packB, bool accumulate) where T : unmanaged
    {
        int mc = Math.Min(MC, m - ic);
        PackA(a, lda, ic, mc, pc, kc, packA);
        fixed (T* pa0 = packA, pb0 = packB)
        {
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                T* pb = pb0 + (jr / nr) * kc * nr;
                for (int ir = 0; ir < mc; ir += MR)
                {
                    int rows = Math.Min(MR, mc - ir);
                    T* pa = pa0 + (ir / MR) * kc * MR;
                    T* dst = c0 + (long)(ic + ir) * ldc + jc + jr;
                    if (typeof(T) == typeof(float))
                        Kernel6x16((float*)pa, (float*)pb, kc, (float*)dst, ldc, accumulate, rows, cols);
                    else
                        Kernel6x8((double*)pa, (double*)pb, kc, (double*)dst, ldc, accumulate, rows, cols);
                }
            }
        }
    }

    /// <summary>A[ic..ic+mc, pc..pc+kc] as MR-row strips, each stored k-major: strip[p * MR + r].</summary>
    private static void PackA<T>(T* a, int lda, int ic, int mc, int pc, int kc, T[] pack) where T : unmanaged
    {
        int strips = (mc + MR - 1) / MR;
        for (int s = 0; s < strips; s++)
        {
            int baseIndex = s * kc * MR;
            for (int r = 0; r < MR; r++)
            {
                int row = s * MR + r;
                if (row < mc)
                {
                    T* src = a + (long)(ic + row) * lda + pc;
                    for (int p = 0; p < kc; p++) pack[baseIndex + p * MR + r] = src[p];
                }
                else
                    for (int p = 0; p < kc; p++) pack[baseIndex + p * MR + r] = default;
            }
        }
    }

    /// <summary>B[pc..pc+kc, jc..jc+nc] as NR-column strips, each stored k-major: strip[p * NR + j].</summary>
    private static void PackB<T>(T* b, int ldb, int pc, int kc, int jc, int nc, int nr, T[] pack) where T : unmanaged
    {
        int strips = (nc + nr - 1) / nr;
        for (int t = 0; t < strips; t++)
        {
            int cols = Math.Min(nr, nc - t * nr);
            int baseIndex = t * kc * nr;
            for (int p = 0; p < kc; p++)
            {
                var src = new ReadOnlySpan<T>(b + (long)(pc + p) * ldb + jc + t * nr, cols);
                var dst = pack.AsSpan(baseIndex + p * nr, nr);
                src.CopyTo(dst);
                if (cols < nr) dst[cols..].Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(float* pa, float* pb, int kc, float* c, int ldc, bool accumulate, int rows, int cols)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(pb);
            var b1 = Avx.LoadVector256(pb + 8);
            var a = Vector256.Create(pa[0]);
            c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(pa[1]);
            c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(pa[2]);
            c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(pa[3]);
            c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Vector256.Create(pa[4]);
            c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Vector256.Create(pa[5]);
            c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            pa += MR;
            pb += 16;
        }
        if (rows == MR && cols == 16)
        {
            Store(c, accumulate, c00, c01); Store(c + ldc, accumulate, c10, c11); Store(c + 2 * ldc, accumulate, c20, c21);
            Store(c + 3 * ldc, accumulate, c30, c31); Store(c + 4 * ldc, accumulate, c40, c41); Store(c + 5 * ldc, accumulate, c50, c51);
            return;
        }
        float* tile = stackalloc float[MR * 16];
        Avx.Store(tile, c00); Avx.Store(tile + 8, c01); Avx.Store(tile + 16, c10); Avx.Store(tile + 24, c11);
        Avx.Store(tile + 32, c20); Avx.Store(tile + 40, c21); Avx.Store(tile + 48, c30); Avx.Store(tile + 56, c31);
        Avx.Store(tile + 64, c40); Avx.Store(tile + 72, c41); Avx.Store(tile + 80, c50); Avx.Store(tile + 88, c51);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                c[r * ldc + j] = accumulate ? c[r * ldc + j] + tile[r * 16 + j] : tile[r * 16 + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* dst, bool accumulate, Vector256<float> lo, Vector256<float> hi)
    {
        if (accumulate)
        {
            lo = Avx.Add(lo, Avx.LoadVector256(dst));
            hi = Avx.Add(hi, Avx.LoadVector256(dst + 8));
        }
        Avx.Store(dst, lo);
        Avx.Store(dst + 8, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x8(double* pa, double* pb, int kc, double* c, int ldc, bool accumulate, int rows, int cols)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(pb);
            var b1 = Avx.LoadVector256(pb + 4);
            var a = Vector256.Create(pa[0]);
            c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(pa[1]);
            c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(pa[2]);
            c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(pa[3]);
            c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Vector256.Create(pa[4]);
            c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Vector256.Create(pa[5]);
            c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            pa += MR;
            pb += 8;
        }
        if (rows == MR && cols == 8)
        {
            Store(c, accumulate, c00, c01); Store(c + ldc, accumulate, c10, c11); Store(c + 2 * ldc, accumulate, c20, c21);
            Store(c + 3 * ldc, accumulate, c30, c31); Store(c + 4 * ldc, accumulate, c40, c41); Store(c + 5 * ldc, accumulate, c50, c51);
            return;
        }
        double* tile = stackalloc double[MR * 8];
        Avx.Store(tile, c00); Avx.Store(tile + 4, c01); Avx.Store(tile + 8, c10); Avx.Store(tile + 12, c11);
        Avx.Store(tile + 16, c20); Avx.Store(tile + 20, c21); Avx.Store(tile + 24, c30); Avx.Store(tile + 28, c31);
        Avx.Store(tile + 32, c40); Avx.Store(tile + 36, c41); Avx.Store(tile + 40, c50); Avx.Store(tile + 44, c51);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                c[r * ldc + j] = accumulate ? c[r * ldc + j] + tile[r * 8 + j] : tile[r * 8 + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double* dst, bool accumulate, Vector256<double> lo, Vector256<double> hi)
    {
        if (accumulate)
        {
            lo = Avx.Add(lo, Avx.LoadVector256(dst));
            hi = Avx.Add(hi, Avx.LoadVector256(dst + 4));
        }
        Avx.Store(dst, lo);
        Avx.Store(dst + 4, hi);
    }
}
