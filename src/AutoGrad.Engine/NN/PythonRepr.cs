using System.Globalization;

namespace AutoGrad.NN;

/// <summary>
/// Python's repr of the values a module's extra_repr prints (floats such as eps=1e-05, tuples such as (8,), bools),
/// so that layers print character for character as PyTorch's do, whatever the session's culture.
/// </summary>
internal static class PythonRepr
{
    /// <summary>
    /// repr(float): the shortest digits that round-trip, in fixed notation when the decimal point falls within
    /// -4 &lt; decpt &lt;= 16 (0.0001, 1.0, 123.5) and in exponent notation otherwise (1e-05, 1e+16).
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r.StartsWith('-');
        if (negative) r = r[1..];
        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int dot = r.IndexOf('.');
        string digits = dot >= 0 ? r[..dot] + r[(dot + 1)..] : r;
        int decpt = (dot >= 0 ? dot : r.Length) + exponent;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; decpt--; }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) { digits = "0"; decpt = 1; }

        string body;
        if (decpt > -4 && decpt <= 16)
        {
            if (decpt <= 0) body = "0." + new string('0', -decpt) + digits;
            else if (decpt >= digits.Length) body = digits + new string('0', decpt - digits.Length) + ".0";
            else body = digits[..decpt] + "." + digits[decpt..];
        }
        else
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            int x = decpt - 1;
            body = mantissa + "e" + (x < 0 ? "-" : "+") + Math.Abs(x).ToString("00", CultureInfo.InvariantCulture);
        }
        return negative ? "-" + body : body;
    }

    /// <summary>repr(bool): True / False.</summary>
    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>repr(tuple of ints): (8,) for one element, (2, 3) for more, () for none.</summary>
    public static string Tuple(IReadOnlyList<int> values) => values.Count switch
    {
        0 => "()",
        1 => $"({values[0].ToString(CultureInfo.InvariantCulture)},)",
        _ => "(" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    /// <summary>An int as Python prints it (no group separators, invariant minus sign).</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
