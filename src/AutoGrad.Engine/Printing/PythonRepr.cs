using System.Collections;
using System.Globalization;

namespace AutoGrad.Printing;

/// <summary>
/// Python's repr() of the plain values PyTorch prints in reprs and messages (optimizer options, error texts,
/// state dicts): floats as the shortest text that reads back to the same double ("0.001", "1e-08", "(0.9, 0.999)"),
/// True/False, None, lists, dicts and tensors (their own repr). A double with an integral value prints as an int ("0", "-1"): PowerShell passes every number to a
/// [double] parameter, and the values PyTorch shows as ints (momentum=0, weight_decay=0) are the integral ones.
/// </summary>
internal static class PythonRepr
{
    public static string Format(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => Number(d),
        float f => Number(f),
        int or long or short or byte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'",
        double[] pair => Tuple(pair),
        Tensor t => t.ToString(),
        IDictionary dict => PythonDictFormat.Format(dict),
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "None",
    };

    /// <summary>A Python tuple: "(0.9, 0.999)", "(1,)".</summary>
    public static string Tuple(IEnumerable<double> values)
    {
        var items = values.Select(Number).ToArray();
        return items.Length == 1 ? $"({items[0]},)" : "(" + string.Join(", ", items) + ")";
    }

    /// <summary>
    /// repr(float) for non-integral values, str(int) for integral ones (see the type's remarks). Python switches to
    /// exponent notation when the decimal exponent is below -4 or at least 16, with at least two exponent digits.
    /// </summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == Math.Floor(value) && Math.Abs(value) < 1e16)
            return value == 0 && double.IsNegative(value) ? "-0" : ((long)value).ToString(CultureInfo.InvariantCulture);
        return Float(value);
    }

    /// <summary>Python's repr(float) for every double: "2.0", "0.1", "1e-05", "1e+16", "-0.0", "nan", "inf".</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";

        // "R" gives the shortest round-trip digits; only the layout differs from Python.
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var (digits, exponent) = Decompose(shortest);
        string sign = double.IsNegative(value) ? "-" : "";
        int decimalPoint = exponent + 1; // position of the point after the first digit, as Python's decpt
        if (decimalPoint <= -4 || decimalPoint > 16)
        {
            string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            int e = decimalPoint - 1;
            return sign + mantissa + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", CultureInfo.InvariantCulture);
        }
        if (decimalPoint <= 0) return sign + "0." + new string('0', -decimalPoint) + digits;
        if (decimalPoint >= digits.Length) return sign + digits + new string('0', decimalPoint - digits.Length) + ".0";
        return sign + digits[..decimalPoint] + "." + digits[decimalPoint..];
    }

    /// <summary>The significant digits (no sign, no leading or trailing zeros) and the decimal exponent of the first.</summary>
    private static (string Digits, int Exponent) Decompose(string roundTrip)
    {
        string s = roundTrip.TrimStart('-');
        int exponent = 0;
        int e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }
        int point = s.IndexOf('.');
        string intPart = point >= 0 ? s[..point] : s;
        string fracPart = point >= 0 ? s[(point + 1)..] : "";
        string all = intPart + fracPart;
        int firstNonZero = 0;
        while (firstNonZero < all.Length - 1 && all[firstNonZero] == '0') firstNonZero++;
        string digits = all[firstNonZero..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        // The first digit of `all` sits at 10^(intPart.Length - 1 + exponent).
        return (digits, intPart.Length - 1 - firstNonZero + exponent);
    }
}
