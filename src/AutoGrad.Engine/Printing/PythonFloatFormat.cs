using System.Globalization;
using System.Numerics;

namespace AutoGrad.Printing;

/// <summary>
/// Python's <c>format(x, ".{p}f")</c> and <c>format(x, ".{p}e")</c> for doubles, character for character.
/// </summary>
/// <remarks>
/// Python rounds the exact binary value of the double, ties to even (0.03125 -> "0.0312", 2.5 -> "2").
/// .NET's "F4"/"E4" do not promise that for every input, and they honour the current culture unless told not
/// to, so the digits are computed here with exact integer arithmetic: a double is m * 2^e, which scaled by a
/// power of ten is a ratio of two integers that can be rounded without any error.
/// </remarks>
internal static class PythonFloatFormat
{
    /// <summary>Python's <c>"{:.{precision}f}".format(value)</c>; "-0.0000" keeps the sign as Python does.</summary>
    public static string Fixed(double value, int precision)
    {
        if (TryNonFinite(value, out var special)) return special;
        var (numerator, denominator) = ExactRatio(Math.Abs(value));
        numerator *= BigInteger.Pow(10, precision);
        string digits = RoundHalfEven(numerator, denominator).ToString(CultureInfo.InvariantCulture);

        // Ensure at least one digit before the point: 0.0312 is "312" scaled by 10^4 -> "00312".
        if (digits.Length <= precision) digits = new string('0', precision + 1 - digits.Length) + digits;
        string sign = double.IsNegative(value) ? "-" : "";
        if (precision == 0) return sign + digits;
        int pointAt = digits.Length - precision;
        return sign + digits.Substring(0, pointAt) + "." + digits.Substring(pointAt);
    }

    /// <summary>
    /// Python's <c>"{:.{precision}e}".format(value)</c>: one digit, point, <paramref name="precision"/> digits,
    /// then an exponent with a sign and at least two digits ("1.0000e-05", "4.9407e-324").
    /// </summary>
    public static string Scientific(double value, int precision)
    {
        if (TryNonFinite(value, out var special)) return special;
        string sign = double.IsNegative(value) ? "-" : "";
        BigInteger significand;
        int exponent;
        if (value == 0)
        {
            significand = BigInteger.Zero;
            exponent = 0;
        }
        else
        {
            (significand, exponent) = ScientificDigits(Math.Abs(value), precision);
        }

        string digits = significand.ToString(CultureInfo.InvariantCulture);
        if (digits.Length < precision + 1) digits = new string('0', precision + 1 - digits.Length) + digits;
        string mantissa = precision == 0 ? digits : digits.Substring(0, 1) + "." + digits.Substring(1);
        string exponentText = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exponentText;
    }

    /// <summary>
    /// For a positive finite value, the integer d with precision + 1 digits and the exponent E such that
    /// value ~= d * 10^(E - precision), rounded half-to-even on the exact value.
    /// </summary>
    private static (BigInteger Digits, int Exponent) ScientificDigits(double positive, int precision)
    {
        var (numerator, denominator) = ExactRatio(positive);
        var lowest = BigInteger.Pow(10, precision);      // smallest significand with precision + 1 digits
        var overflow = lowest * 10;                       // smallest with one digit too many

        // Log10 gives the decimal exponent to within one; the exact comparisons below settle it.
        int exponent = (int)Math.Floor(Math.Log10(positive));
        while (true)
        {
            var (scaledNumerator, scaledDenominator) = ScaleByPowerOfTen(numerator, denominator, precision - exponent);
            var truncated = BigInteger.Divide(scaledNumerator, scaledDenominator);
            if (truncated < lowest) { exponent--; continue; }
            if (truncated >= overflow) { exponent++; continue; }

            var rounded = RoundHalfEven(scaledNumerator, scaledDenominator);
            // 9.99995 rounds up to 10.0000: renormalise to 1.0000 with the next exponent.
            if (rounded == overflow) return (lowest, exponent + 1);
            return (rounded, exponent);
        }
    }

    private static bool TryNonFinite(double value, out string text)
    {
        // Python spells these nan, inf, -inf; it never prints a sign on nan.
        if (double.IsNaN(value)) { text = "nan"; return true; }
        if (double.IsPositiveInfinity(value)) { text = "inf"; return true; }
        if (double.IsNegativeInfinity(value)) { text = "-inf"; return true; }
        text = "";
        return false;
    }

    /// <summary>The exact value of a finite non-negative double as numerator / denominator (a power of two).</summary>
    private static (BigInteger Numerator, BigInteger Denominator) ExactRatio(double nonNegative)
    {
        long bits = BitConverter.DoubleToInt64Bits(nonNegative) & long.MaxValue;
        int biasedExponent = (int)(bits >> 52);
        long fraction = bits & ((1L << 52) - 1);
        long mantissa;
        int binaryExponent;
        if (biasedExponent == 0)
        {
            // Subnormal (or zero): no implicit leading one.
            mantissa = fraction;
            binaryExponent = -1074;
        }
        else
        {
            mantissa = fraction | (1L << 52);
            binaryExponent = biasedExponent - 1075;
        }

        return binaryExponent >= 0
            ? (new BigInteger(mantissa) << binaryExponent, BigInteger.One)
            : (new BigInteger(mantissa), BigInteger.One << -binaryExponent);
    }

    private static (BigInteger, BigInteger) ScaleByPowerOfTen(BigInteger numerator, BigInteger denominator, int power) =>
        power >= 0
            ? (numerator * BigInteger.Pow(10, power), denominator)
            : (numerator, denominator * BigInteger.Pow(10, -power));

    /// <summary>numerator / denominator rounded to the nearest integer, ties to the even one.</summary>
    private static BigInteger RoundHalfEven(BigInteger numerator, BigInteger denominator)
    {
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        int comparison = (remainder * 2).CompareTo(denominator);
        if (comparison > 0 || (comparison == 0 && !quotient.IsEven)) quotient += 1;
        return quotient;
    }
}
