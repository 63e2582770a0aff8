namespace AutoGrad.Kernels;

/// <summary>
/// Copies elements read through arbitrary strides into a new dense row-major array (a view's Dense, a broadcast
/// operand's expansion, a reduction's lanes). The walk is the elementwise loop's (<see cref="StridedLoop"/>, through
/// <see cref="UnaryKernel.Map{TIn, TOut}"/>): contiguous runs are copied as blocks.
/// </summary>
internal static class StridedCopy
{
    public static Array Gather(Array source, int[] shape, int[] strides, int offset) => source switch
    {
        float[] s => Gather(s, shape, strides, offset),
        double[] s => Gather(s, shape, strides, offset),
        long[] s => Gather(s, shape, strides, offset),
        bool[] s => Gather(s, shape, strides, offset),
        _ => throw new InvalidOperationException(),
    };

    private static T[] Gather<T>(T[] source, int[] shape, int[] strides, int offset)
    {
        var dst = new T[Shapes.NumElements(shape)];
        UnaryKernel.Map(new Strided<T>(source, offset, strides), new Strided<T>(dst, 0, Shapes.ContiguousStrides(shape)), shape,
            static (x, d) => x.CopyTo(d));
        return dst;
    }
}
