using System.Globalization;
using AutoGrad.Printing;

namespace AutoGrad.Engine.Tests;

/// <summary>
/// Python's "{:.Nf}" and "{:.Ne}" for doubles. Expected strings were produced by CPython 3.11's format(); the
/// interesting ones are ties in binary (0.03125), decimal "ties" that are not ties in binary (0.00015 is just
/// below, 1.00005 just above), carries into a new exponent, subnormals and signed zeros.
/// </summary>
public class PrintingNumberFormatTests
{
    [Theory]
    [InlineData(0.03125, 4, "0.0312")]               // exact binary tie: to even
    [InlineData(0.09375, 4, "0.0938")]               // exact binary tie: to even (upwards)
    [InlineData(0.125, 2, "0.12")]
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(0.5, 0, "0")]
    [InlineData(1.5, 0, "2")]
    [InlineData(0.00005, 4, "0.0001")]               // the double is slightly above 5e-05
    [InlineData(0.00015, 4, "0.0001")]               // the double is slightly below 1.5e-04
    [InlineData(1.00005, 4, "1.0001")]
    [InlineData(-0.00001, 4, "-0.0000")]             // rounds to zero but keeps its sign
    [InlineData(-0.0, 4, "-0.0000")]
    [InlineData(-0.0, 0, "-0")]
    [InlineData(0.0, 4, "0.0000")]
    [InlineData(1e20, 0, "100000000000000000000")]
    [InlineData(0.1, 20, "0.10000000000000000555")]  // the exact binary value, not the shortest repr
    [InlineData(4.5, 4, "4.5000")]
    [InlineData(1.0 / 3, 4, "0.3333")]
    [InlineData(2.0 / 3, 4, "0.6667")]
    [InlineData(-1.23456, 4, "-1.2346")]
    [InlineData(123456.789, 4, "123456.7890")]
    [InlineData(1e-300, 4, "0.0000")]
    [InlineData(double.NaN, 4, "nan")]
    [InlineData(double.PositiveInfinity, 4, "inf")]
    [InlineData(double.NegativeInfinity, 0, "-inf")]
    public void Fixed_matches_python(double value, int precision, string expected) =>
        Assert.Equal(expected, PythonFloatFormat.Fixed(value, precision));

    [Theory]
    [InlineData(1e-5, 4, "1.0000e-05")]
    [InlineData(1001.0, 4, "1.0010e+03")]
    [InlineData(0.0, 4, "0.0000e+00")]
    [InlineData(-0.0, 4, "-0.0000e+00")]
    [InlineData(9.99995, 4, "1.0000e+01")]           // rounding carries into the exponent
    [InlineData(99999.5, 4, "1.0000e+05")]
    [InlineData(1e100, 4, "1.0000e+100")]            // three exponent digits when needed
    [InlineData(5e-324, 4, "4.9407e-324")]           // smallest subnormal
    [InlineData(2.225e-308, 4, "2.2250e-308")]
    [InlineData(1.7976931348623157e308, 4, "1.7977e+308")]
    [InlineData(123456789.0, 4, "1.2346e+08")]
    [InlineData(1e8, 4, "1.0000e+08")]
    [InlineData(1e16, 4, "1.0000e+16")]
    [InlineData(1.5, 0, "2e+00")]                    // no point at precision 0
    [InlineData(2.5, 0, "2e+00")]                    // tie to even
    [InlineData(1.25e-5, 1, "1.3e-05")]              // the double is slightly above the tie
    [InlineData(0.00012345, 4, "1.2345e-04")]
    [InlineData(1.00005, 4, "1.0001e+00")]
    [InlineData(-3e-7, 4, "-3.0000e-07")]
    [InlineData(double.NaN, 4, "nan")]
    [InlineData(double.NegativeInfinity, 4, "-inf")]
    public void Scientific_matches_python(double value, int precision, string expected) =>
        Assert.Equal(expected, PythonFloatFormat.Scientific(value, precision));

    [Fact]
    public void Nan_with_the_sign_bit_set_prints_unsigned()
    {
        // Python never signs nan; .NET's -double.NaN keeps the sign bit, which must not leak into the output.
        double negativeNan = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000000UL));
        Assert.True(double.IsNegative(negativeNan));
        Assert.Equal("nan", PythonFloatFormat.Fixed(negativeNan, 4));
        Assert.Equal("nan", PythonFloatFormat.Scientific(negativeNan, 4));
    }

    [Fact]
    public void Formatting_ignores_the_current_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            // A culture with a decimal comma and (in ICU) a Unicode minus sign.
            CultureInfo.CurrentCulture = new CultureInfo("sv-SE");
            // Guard: this culture really formats differently here (not in invariant-globalization mode).
            Assert.NotEqual("-4.5", (-4.5).ToString(CultureInfo.CurrentCulture));
            Assert.Equal("-4.5000", PythonFloatFormat.Fixed(-4.5, 4));
            Assert.Equal("-4.5000e-05", PythonFloatFormat.Scientific(-4.5e-5, 4));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
