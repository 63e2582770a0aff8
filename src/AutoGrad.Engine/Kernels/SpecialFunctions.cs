namespace AutoGrad;

/// <summary>Special functions .NET lacks, accurate to a few ulps in double.</summary>
internal static class SpecialFunctions
{
    /// <summary>
    /// The error function: its Maclaurin series below |x| = 2.5 (terms shrink fast there, ~1e-16 relative), and
    /// 1 - erfc(x) with a Lentz continued fraction for erfc above, where the series would cancel.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double a = Math.Abs(x);
        if (a > 6) return Math.Sign(x);
        double result = a < 2.5 ? ErfSeries(a) : 1 - ErfcContinuedFraction(a);
        return x < 0 ? -result : result;
    }

    private static double ErfSeries(double x)
    {
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
        double sum = 0, term = x, x2 = x * x;
        for (int n = 0; n < 200; n++)
        {
            double contribution = term / (2 * n + 1);
            sum += contribution;
            if (Math.Abs(contribution) < 1e-17 * Math.Abs(sum)) break;
            term *= -x2 / (n + 1);
        }
        return sum * 1.1283791670955126; // 2 / sqrt(pi)
    }

    private static double ErfcContinuedFraction(double x)
    {
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...))))) evaluated by modified Lentz.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 500; k++)
        {
            double ak = k / 2.0;
            d = x + ak * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + ak / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / (f * 1.7724538509055159); // sqrt(pi)
    }

    /// <summary>log(1 + v) accurate for small v (the classic correction, since net8.0 has no Math.LogP1).</summary>
    public static double LogOnePlus(double v)
    {
        double u = 1.0 + v;
        if (u == 1.0) return v;
        if (double.IsInfinity(u)) return u;
        return Math.Log(u) * v / (u - 1.0);
    }

    /// <summary>exp(v) - 1 accurate for small v.</summary>
    public static double ExpMinusOne(double v)
    {
        if (Math.Abs(v) < 1e-5) return v + 0.5 * v * v + v * v * v / 6.0;
        return Math.Exp(v) - 1.0;
    }
}
