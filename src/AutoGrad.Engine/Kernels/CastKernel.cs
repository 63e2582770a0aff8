using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>Dtype conversion of whole storages, with C's rules (float to int truncates, nonzero is true).</summary>
internal static class CastKernel
{
    public static Array Convert(Array source, DType to)
    {
        int n = source.Length;
        var dst = Tensor.Allocate(to, n);
        switch (source, dst)
        {
            case (float[] s, float[] d): s.CopyTo(d, 0); break;
            case (float[] s, double[] d): TensorPrimitives.ConvertTruncating<float, double>(s, d); break;
            case (float[] s, long[] d): for (int i = 0; i < n; i++) d[i] = Tensor.CastToLong(s[i]); break;
            case (float[] s, bool[] d): for (int i = 0; i < n; i++) d[i] = s[i] != 0; break;
            case (double[] s, float[] d): TensorPrimitives.ConvertTruncating<double, float>(s, d); break;
            case (double[] s, double[] d): s.CopyTo(d, 0); break;
            case (double[] s, long[] d): for (int i = 0; i < n; i++) d[i] = Tensor.CastToLong(s[i]); break;
            case (double[] s, bool[] d): for (int i = 0; i < n; i++) d[i] = s[i] != 0; break;
            case (long[] s, float[] d): for (int i = 0; i < n; i++) d[i] = s[i]; break;
            case (long[] s, double[] d): for (int i = 0; i < n; i++) d[i] = s[i]; break;
            case (long[] s, long[] d): s.CopyTo(d, 0); break;
            case (long[] s, bool[] d): for (int i = 0; i < n; i++) d[i] = s[i] != 0; break;
            case (bool[] s, float[] d): for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; break;
            case (bool[] s, double[] d): for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; break;
            case (bool[] s, long[] d): for (int i = 0; i < n; i++) d[i] = s[i] ? 1 : 0; break;
            case (bool[] s, bool[] d): s.CopyTo(d, 0); break;
            default: throw new InvalidOperationException();
        }
        return dst;
    }
}
