namespace AutoGrad.Kernels;

/// <summary>
/// Copies elements read through arbitrary strides into a dense row-major array: the one kernel behind permute,
/// transpose, select, narrow and friends, since storage here is always dense. The innermost dim is copied as a
/// block when its stride is 1.
/// </summary>
internal static class StridedCopy
{
    public static Array Gather(Array source, int[] shape, int[] strides, int offset)
    {
        int n = Shapes.NumElements(shape);
        var dst = Array.CreateInstance(source.GetType().GetElementType()!, n);
        switch (source)
        {
            case float[] s: Gather(s, (float[])dst, shape, strides, offset); break;
            case double[] s: Gather(s, (double[])dst, shape, strides, offset); break;
            case long[] s: Gather(s, (long[])dst, shape, strides, offset); break;
            case bool[] s: Gather(s, (bool[])dst, shape, strides, offset); break;
        }
        return dst;
    }

    private static void Gather<T>(T[] src, T[] dst, int[] shape, int[] strides, int offset)
    {
        if (dst.Length == 0) return;
        int rank = shape.Length;
        if (rank == 0) { dst[0] = src[offset]; return; }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        var index = new int[rank - 1];
        int off = offset;
        for (int o = 0; o < dst.Length; o += inner)
        {
            if (innerStride == 1) Array.Copy(src, off, dst, o, inner);
            else for (int i = 0; i < inner; i++) dst[o + i] = src[off + i * innerStride];
            for (int d = rank - 2; d >= 0; d--)
            {
                index[d]++;
                off += strides[d];
                if (index[d] < shape[d]) break;
                off -= strides[d] * index[d];
                index[d] = 0;
            }
        }
    }
}
