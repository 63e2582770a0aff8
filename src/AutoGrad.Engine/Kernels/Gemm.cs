using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// Cache-blocked matrix multiply C = A @ B (row-major) with packed panels and an FMA register-blocked
/// micro-kernel, in the classic GotoBLAS/BLIS structure:
///   for each NC-wide column panel of B, for each KC-deep slice: pack B[KC x NC] into NR-wide strips (kept in L2/L3),
///   then for each MC-tall row block of A: pack A[MC x KC] into MR-tall strips (kept in L1/L2) and run the MR x NR
///   micro-kernel over every strip pair, accumulating in registers. Threads each take a tile of C (see Run).
/// Float: MR x NR = 6 x 16 (12 accumulators of 8 lanes); double: 6 x 8; on a CPU with AVX-512 (VectorLoop's
/// UseWideLanes) the same kernel in 512-bit lanes, 6 x 32 and 6 x 16, which sums each element in the same order.
/// Edges are zero-padded in the packs and written back through a small tile buffer, so the micro-kernel never
/// branches on sizes.
/// </summary>
internal static unsafe class Gemm
{
    private const int MR = 6;
    private const int KC = 256;
    private const int MC = 96;        // multiple of MR
    /// <summary>Bytes of packed B per KC x NC panel: half of this machine's 1 MiB per-core L2.</summary>
    private const int PanelBytes = 512 * 1024;

    public static bool IsSupported => Fma.IsSupported && Avx.IsSupported;

    /// <summary>
    /// C[m,n] = op(A) @ op(B). With <paramref name="transA"/>, A is stored as [k, m] and read transposed; with
    /// <paramref name="transB"/>, B is stored as [n, k]. The packing reads either layout, so a transposed operand
    /// (the a.T() and b.T() of matmul's backward) costs no copy.
    /// </summary>
    public static void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transA = false, bool transB = false)
    {
        fixed (float* pa = a, pb = b, pc = c) Run(pa, pb, pc, m, k, n, nr: VectorLoop.UseWideLanes ? 32 : 16, transA, transB);
    }

    public static void Run(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n,
        bool transA = false, bool transB = false)
    {
        fixed (double* pa = a, pb = b, pc = c) Run(pa, pb, pc, m, k, n, nr: VectorLoop.UseWideLanes ? 16 : 8, transA, transB);
    }

    private static void Run<T>(T* a, T* b, T* c, int m, int k, int n, int nr, bool transA, bool transB) where T : unmanaged
    {
        // Callers (MatMulKernels) take their own loops where this is false; refuse here rather than fail mid-way.
        if (!IsSupported) throw new PlatformNotSupportedException("the packed matmul kernel needs AVX and FMA");
        if (m == 0 || n == 0) return;
        if (k == 0) { new Span<T>(c, m * n).Clear(); return; }
        long work = (long)m * n * k;
        int threads = work < 64L * 64 * 64 ? 1 : Parallelism.NumThreads;
        if (threads <= 1)
        {
            Tile(a, b, c, m, k, n, nr, transA, transB, 0, m, 0, n);
            return;
        }

        // One task per thread, each a tile of C that runs the whole blocked algorithm (all K slices) on its own
        // packs: a single fork and join per product. (Forking per K slice and splitting by MC row blocks cost more
        // than it saved on the MLP's [64,784] @ [784,128], and 3 row blocks of a 256-row product on 2 threads left
        // one idle a third of the time.) Splitting rows repeats the packing of B in every row part, splitting
        // columns repeats A's; the grid is the one that repeats less.
        var (rowParts, colParts) = Grid(m, n, threads, nr);
        nint aPtr = (nint)a, bPtr = (nint)b, cPtr = (nint)c;
        WorkerTeam.For(rowParts * colParts, task =>
        {
            int rp = task / colParts, cp = task % colParts;
            Tile((T*)aPtr, (T*)bPtr, (T*)cPtr, m, k, n, nr, transA, transB,
                Split(m, rowParts, rp, MR), Split(m, rowParts, rp + 1, MR),
                Split(n, colParts, cp, nr), Split(n, colParts, cp + 1, nr));
        });
    }

    /// <summary>The (row parts, column parts) grid for <paramref name="threads"/> tasks with the least repeated
    /// packing: rowParts * n + colParts * m elements packed per K slice.</summary>
    private static (int Rows, int Cols) Grid(int m, int n, int threads, int nr)
    {
        (int, int) best = (1, 1);
        long bestCost = long.MaxValue;
        for (int r = 1; r <= threads; r++)
        {
            if (threads % r != 0) continue;
            int cParts = threads / r;
            if (r > 1 && (m + MR - 1) / MR < r) continue;       // each part needs at least one MR strip
            if (cParts > 1 && (n + nr - 1) / nr < cParts) continue;
            long cost = (long)r * n + (long)cParts * m;
            if (cost < bestCost) { bestCost = cost; best = (r, cParts); }
        }
        return best;
    }

    /// <summary>Boundary <paramref name="i"/> of <paramref name="parts"/> near-equal parts of [0, total), on
    /// multiples of <paramref name="unit"/> (MR rows or NR columns) so no part starts mid-strip.</summary>
    private static int Split(int total, int parts, int i, int unit)
    {
        long units = (total + unit - 1) / unit;
        return (int)Math.Min(total, units * i / parts * unit);
    }

    /// <summary>
    /// The blocked product for rows [r0, r1) and columns [c0, c1) of C: for each NC-wide panel, for each KC slice,
    /// pack B[KC x NC] into NR strips, then for each MC row block pack A and run the micro-kernel.
    /// </summary>
    private static void Tile<T>(T* a, T* b, T* c, int m, int k, int n, int nr, bool transA, bool transB,
        int r0, int r1, int c0, int c1) where T : unmanaged
    {
        if (r0 >= r1 || c0 >= c1) return;
        int NC = PanelBytes / (KC * sizeof(T));
        int ncMax = Math.Min(NC, RoundUp(c1 - c0, nr));
        var packB = ArrayPool<T>.Shared.Rent(KC * ncMax);
        var packA = ArrayPool<T>.Shared.Rent(MC * KC);
        try
        {
            for (int jc = c0; jc < c1; jc += NC)
            {
                int nc = Math.Min(NC, c1 - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    PackB(b, n, k, transB, pc, kc, jc, nc, nr, packB);
                    for (int ic = r0; ic < r1; ic += MC)
                        Block(a, k, transA, c, n, m, ic, Math.Min(MC, r1 - ic), pc, kc, jc, nc, nr, packA, packB, accumulate: pc > 0);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packA);
            ArrayPool<T>.Shared.Return(packB);
        }
    }

    private static int RoundUp(int v, int multiple) => (v + multiple - 1) / multiple * multiple;

    /// <summary>
    /// One block of <paramref name="mc"/> rows of C over the packed panel's columns: pack its A rows, then the
    /// micro-kernel over MR x NR tiles.
    /// </summary>
    private static void Block<T>(T* a, int k, bool transA, T* c0, int ldc, int m, int ic, int mc, int pc, int kc,
        int jc, int nc, int nr, T[] packA, T[] packB, bool accumulate) where T : unmanaged
    {
        PackA(a, m, k, transA, ic, mc, pc, kc, packA);
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
                    if (nr == 2 * Vector512<T>.Count)
                        Kernel<T, Vector512<T>, GemmLanes512<T>>(pa, pb, kc, dst, ldc, accumulate, rows, cols);
                    else
                        Kernel<T, Vector256<T>, GemmLanes256<T>>(pa, pb, kc, dst, ldc, accumulate, rows, cols);
                }
            }
        }
    }

    /// <summary>
    /// A[ic..ic+mc, pc..pc+kc] as MR-row strips, each stored k-major: strip[p * MR + r]. A is [m, k] row-major, or
    /// with <paramref name="transposed"/> stored as [k, m] (then each p reads MR neighbouring elements).
    /// </summary>
    private static void PackA<T>(T* a, int m, int k, bool transposed, int ic, int mc, int pc, int kc, T[] pack) where T : unmanaged
    {
        int strips = (mc + MR - 1) / MR;
        fixed (T* pack0 = pack)
            for (int s = 0; s < strips; s++)
            {
                T* strip = pack0 + s * kc * MR;
                int rows = Math.Min(MR, mc - s * MR);
                if (transposed)
                {
                    T* src = a + (long)pc * m + ic + s * MR;
                    int p = 0;
                    // A float strip's six values per p are neighbours: one 8-float load and store, spilling two
                    // floats into the next p's slot (overwritten next), while a whole vector stays inside A's row
                    // and the next slot is still this strip's.
                    if (typeof(T) == typeof(float) && rows == MR && ic + s * MR + 8 <= m && Avx.IsSupported)
                        for (; p + 1 < kc; p++, src += m)
                            Avx.Store((float*)(strip + p * MR), Avx.LoadVector256((float*)src));
                    for (; p < kc; p++, src += m)
                    {
                        T* dst = strip + p * MR;
                        for (int r = 0; r < rows; r++) dst[r] = src[r];
                        for (int r = rows; r < MR; r++) dst[r] = default;
                    }
                    continue;
                }
                int p0 = 0;
                if (typeof(T) == typeof(float) && rows == MR && Avx.IsSupported)
                    p0 = PackFloatStrip((float*)(a + (long)(ic + s * MR) * k + pc), k, kc, (float*)strip);
                else if (typeof(T) == typeof(double) && rows == MR && Avx.IsSupported)
                    p0 = PackDoubleStrip((double*)(a + (long)(ic + s * MR) * k + pc), k, kc, (double*)strip);
                for (int r = 0; r < MR; r++)
                {
                    T* dst = strip + r;
                    if (r < rows)
                    {
                        T* src = a + (long)(ic + s * MR + r) * k + pc;
                        for (int p = p0; p < kc; p++) dst[p * MR] = src[p];
                    }
                    else
                        for (int p = 0; p < kc; p++) dst[p * MR] = default;
                }
            }
    }

    /// <summary>
    /// Six float rows (stride <paramref name="lda"/>) into a strip's k-major layout, 8 columns at a time: six row
    /// loads, an 8 x 8 transpose (the two missing rows zero), and one 8-float store per column at stride 6, each
    /// spilling two floats into the next column's slot, which the next store overwrites. So it stops while a
    /// column is still left for the caller's scalar loop, and returns where that loop starts. Scalar packing
    /// (one strided store per element) was about an eighth of a [64,784] @ [784,128] product.
    /// </summary>
    private static int PackFloatStrip(float* a, int lda, int kc, float* strip)
    {
        int p = 0;
        var zero = Vector256<float>.Zero;
        for (; p + 8 < kc; p += 8)
        {
            float* src = a + p;
            var t0 = Avx.UnpackLow(Avx.LoadVector256(src), Avx.LoadVector256(src + lda));
            var t1 = Avx.UnpackHigh(Avx.LoadVector256(src), Avx.LoadVector256(src + lda));
            var t2 = Avx.UnpackLow(Avx.LoadVector256(src + 2 * lda), Avx.LoadVector256(src + 3 * lda));
            var t3 = Avx.UnpackHigh(Avx.LoadVector256(src + 2 * lda), Avx.LoadVector256(src + 3 * lda));
            var t4 = Avx.UnpackLow(Avx.LoadVector256(src + 4 * lda), Avx.LoadVector256(src + 5 * lda));
            var t5 = Avx.UnpackHigh(Avx.LoadVector256(src + 4 * lda), Avx.LoadVector256(src + 5 * lda));
            // Rows 6 and 7 are zero: their unpacks are zero too.
            var s0 = Avx.Shuffle(t0, t2, 0x44);
            var s1 = Avx.Shuffle(t0, t2, 0xEE);
            var s2 = Avx.Shuffle(t1, t3, 0x44);
            var s3 = Avx.Shuffle(t1, t3, 0xEE);
            var s4 = Avx.Shuffle(t4, zero, 0x44);
            var s5 = Avx.Shuffle(t4, zero, 0xEE);
            var s6 = Avx.Shuffle(t5, zero, 0x44);
            var s7 = Avx.Shuffle(t5, zero, 0xEE);
            float* dst = strip + p * MR;
            Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
            Avx.Store(dst + MR, Avx.Permute2x128(s1, s5, 0x20));
            Avx.Store(dst + 2 * MR, Avx.Permute2x128(s2, s6, 0x20));
            Avx.Store(dst + 3 * MR, Avx.Permute2x128(s3, s7, 0x20));
            Avx.Store(dst + 4 * MR, Avx.Permute2x128(s0, s4, 0x31));
            Avx.Store(dst + 5 * MR, Avx.Permute2x128(s1, s5, 0x31));
            Avx.Store(dst + 6 * MR, Avx.Permute2x128(s2, s6, 0x31));
            Avx.Store(dst + 7 * MR, Avx.Permute2x128(s3, s7, 0x31));
        }
        return p;
    }

    /// <summary>
    /// Six double rows into a strip's k-major layout, 4 columns at a time: a 4 x 4 transpose of rows 0-3 gives each
    /// column's first four values, unpacking rows 4 and 5 its last two (one 32-byte and one 16-byte store per
    /// column, no spill). Returns where the caller's scalar loop starts.
    /// </summary>
    private static int PackDoubleStrip(double* a, int lda, int kc, double* strip)
    {
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            double* src = a + p;
            var v0 = Avx.LoadVector256(src);
            var v1 = Avx.LoadVector256(src + lda);
            var v2 = Avx.LoadVector256(src + 2 * lda);
            var v3 = Avx.LoadVector256(src + 3 * lda);
            var t0 = Avx.UnpackLow(v0, v1);
            var t1 = Avx.UnpackHigh(v0, v1);
            var t2 = Avx.UnpackLow(v2, v3);
            var t3 = Avx.UnpackHigh(v2, v3);
            var lo45 = Avx.UnpackLow(Avx.LoadVector256(src + 4 * lda), Avx.LoadVector256(src + 5 * lda));
            var hi45 = Avx.UnpackHigh(Avx.LoadVector256(src + 4 * lda), Avx.LoadVector256(src + 5 * lda));
            double* dst = strip + p * MR;
            Avx.Store(dst, Avx.Permute2x128(t0, t2, 0x20));
            Sse2.Store(dst + 4, lo45.GetLower());
            Avx.Store(dst + MR, Avx.Permute2x128(t1, t3, 0x20));
            Sse2.Store(dst + MR + 4, hi45.GetLower());
            Avx.Store(dst + 2 * MR, Avx.Permute2x128(t0, t2, 0x31));
            Sse2.Store(dst + 2 * MR + 4, lo45.GetUpper());
            Avx.Store(dst + 3 * MR, Avx.Permute2x128(t1, t3, 0x31));
            Sse2.Store(dst + 3 * MR + 4, hi45.GetUpper());
        }
        return p;
    }

    /// <summary>
    /// B[pc..pc+kc, jc..jc+nc] as NR-column strips, each stored k-major: strip[p * NR + j]. B is [k, n] row-major,
    /// or with <paramref name="transposed"/> stored as [n, k].
    /// </summary>
    private static void PackB<T>(T* b, int n, int k, bool transposed, int pc, int kc, int jc, int nc, int nr, T[] pack) where T : unmanaged
    {
        int strips = (nc + nr - 1) / nr;
        bool wide = nr == 2 * Vector512<T>.Count;   // nr is 2 vectors of the kernel's width
        fixed (T* pack0 = pack)
            for (int t = 0; t < strips; t++)
            {
                int cols = Math.Min(nr, nc - t * nr);
                T* dst = pack0 + t * kc * nr;
                for (int p = 0; p < kc; p++, dst += nr)
                {
                    if (transposed)
                    {
                        T* src = b + (long)(jc + t * nr) * k + pc + p;
                        for (int j = 0; j < cols; j++) dst[j] = src[(long)j * k];
                    }
                    else
                    {
                        T* src = b + (long)(pc + p) * n + jc + t * nr;
                        if (cols == nr)
                        {
                            // Two vector moves per row: a span copy per 64 bytes cost more than the moving itself
                            // (a sizeable part of a [64,784] @ [784,128] product went to packing B).
                            if (wide)
                            {
                                Vector512.Store(Vector512.Load(src), dst);
                                Vector512.Store(Vector512.Load(src + Vector512<T>.Count), dst + Vector512<T>.Count);
                            }
                            else
                            {
                                Vector256.Store(Vector256.Load(src), dst);
                                Vector256.Store(Vector256.Load(src + Vector256<T>.Count), dst + Vector256<T>.Count);
                            }
                            continue;
                        }
                        for (int j = 0; j < cols; j++) dst[j] = src[j];
                    }
                    for (int j = cols; j < nr; j++) dst[j] = default;
                }
            }
    }

    /// <summary>
    /// The MR x NR micro-kernel: NR = two vectors of T, so 12 accumulator registers plus two B vectors and one
    /// broadcast A value fit the 16 ymm registers (NR = 16 floats or 8 doubles), or, on a CPU with AVX-512, the
    /// zmm registers (NR = 32 floats or 16 doubles: twice the work per fused multiply-add). One generic body serves
    /// both dtypes and both widths: the JIT specializes it per T and lanes type and drops the others' branches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel<T, TV, TL>(T* pa, T* pb, int kc, T* c, int ldc, bool accumulate, int rows, int cols)
        where T : unmanaged where TV : struct where TL : IGemmLanes<T, TV>
    {
        int w = TL.Count;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = TL.Load(pb);
            var b1 = TL.Load(pb + w);
            var a = TL.Broadcast(pa[0]);
            c00 = TL.MulAdd(a, b0, c00); c01 = TL.MulAdd(a, b1, c01);
            a = TL.Broadcast(pa[1]);
            c10 = TL.MulAdd(a, b0, c10); c11 = TL.MulAdd(a, b1, c11);
            a = TL.Broadcast(pa[2]);
            c20 = TL.MulAdd(a, b0, c20); c21 = TL.MulAdd(a, b1, c21);
            a = TL.Broadcast(pa[3]);
            c30 = TL.MulAdd(a, b0, c30); c31 = TL.MulAdd(a, b1, c31);
            a = TL.Broadcast(pa[4]);
            c40 = TL.MulAdd(a, b0, c40); c41 = TL.MulAdd(a, b1, c41);
            a = TL.Broadcast(pa[5]);
            c50 = TL.MulAdd(a, b0, c50); c51 = TL.MulAdd(a, b1, c51);
            pa += MR;
            pb += 2 * w;
        }
        if (rows == MR && cols == 2 * w)
        {
            StoreRow<T, TV, TL>(c, accumulate, c00, c01); StoreRow<T, TV, TL>(c + ldc, accumulate, c10, c11);
            StoreRow<T, TV, TL>(c + 2 * ldc, accumulate, c20, c21); StoreRow<T, TV, TL>(c + 3 * ldc, accumulate, c30, c31);
            StoreRow<T, TV, TL>(c + 4 * ldc, accumulate, c40, c41); StoreRow<T, TV, TL>(c + 5 * ldc, accumulate, c50, c51);
            return;
        }
        // A partial tile: spill the registers to a buffer and copy the part that lies inside C.
        int nr = 2 * w;
        T* tile = stackalloc T[MR * nr];
        StoreRow<T, TV, TL>(tile, false, c00, c01); StoreRow<T, TV, TL>(tile + nr, false, c10, c11);
        StoreRow<T, TV, TL>(tile + 2 * nr, false, c20, c21); StoreRow<T, TV, TL>(tile + 3 * nr, false, c30, c31);
        StoreRow<T, TV, TL>(tile + 4 * nr, false, c40, c41); StoreRow<T, TV, TL>(tile + 5 * nr, false, c50, c51);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                c[r * ldc + j] = accumulate ? Add(c[r * ldc + j], tile[r * nr + j]) : tile[r * nr + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T, TV, TL>(T* dst, bool accumulate, TV lo, TV hi)
        where T : unmanaged where TV : struct where TL : IGemmLanes<T, TV>
    {
        if (accumulate)
        {
            lo = TL.Add(lo, TL.Load(dst));
            hi = TL.Add(hi, TL.Load(dst + TL.Count));
        }
        TL.Store(lo, dst);
        TL.Store(hi, dst + TL.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Add<T>(T x, T y) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? (T)(object)((float)(object)x + (float)(object)y)
            : (T)(object)((double)(object)x + (double)(object)y);
}

/// <summary>The vector operations of <see cref="Gemm"/>'s micro-kernel at one width, for float or double.</summary>
internal unsafe interface IGemmLanes<T, TV> where T : unmanaged where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Load(T* p);
    static abstract void Store(TV v, T* p);
    static abstract TV Broadcast(T value);
    static abstract TV MulAdd(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
}

internal readonly unsafe struct GemmLanes256<T> : IGemmLanes<T, Vector256<T>> where T : unmanaged
{
    public static int Count => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> v, T* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Broadcast(T value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => Vector256.Add(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float)
            ? Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
}

internal readonly unsafe struct GemmLanes512<T> : IGemmLanes<T, Vector512<T>> where T : unmanaged
{
    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> v, T* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Broadcast(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => Vector512.Add(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float)
            ? Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
}
