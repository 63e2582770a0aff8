namespace AutoGrad;

// C# operators, which PowerShell also binds: `$y * $y * 3` and `2 * $t + 2 * $y * $y` work as in Python.
// A number on the left keeps Python's meaning: 2 - x is rsub (RsubBackward1), 1 / x is reciprocal times 1.
// Integer literals bind to the long overloads, so int64 tensors stay int64 (x * 2) as in PyTorch.
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Operands(a, b, "+").Add(b);
    public static Tensor operator +(Tensor a, double b) => Operand(a, "+", "float", tensorOnLeft: true).Add(b);
    public static Tensor operator +(double a, Tensor b) => Operand(b, "+", "float", tensorOnLeft: false).Add(a);
    public static Tensor operator +(Tensor a, long b) => Operand(a, "+", "int", tensorOnLeft: true).Add(b);
    public static Tensor operator +(long a, Tensor b) => Operand(b, "+", "int", tensorOnLeft: false).Add(a);

    public static Tensor operator -(Tensor a, Tensor b) => Operands(a, b, "-").Sub(b);
    public static Tensor operator -(Tensor a, double b) => Operand(a, "-", "float", tensorOnLeft: true).Sub(b);
    public static Tensor operator -(double a, Tensor b) => Operand(b, "-", "float", tensorOnLeft: false).RSub(a);
    public static Tensor operator -(Tensor a, long b) => Operand(a, "-", "int", tensorOnLeft: true).Sub(b);
    public static Tensor operator -(long a, Tensor b) => Operand(b, "-", "int", tensorOnLeft: false).RSub(a);

    public static Tensor operator *(Tensor a, Tensor b) => Operands(a, b, "*").Mul(b);
    public static Tensor operator *(Tensor a, double b) => Operand(a, "*", "float", tensorOnLeft: true).Mul(b);
    public static Tensor operator *(double a, Tensor b) => Operand(b, "*", "float", tensorOnLeft: false).Mul(a);
    public static Tensor operator *(Tensor a, long b) => Operand(a, "*", "int", tensorOnLeft: true).Mul(b);
    public static Tensor operator *(long a, Tensor b) => Operand(b, "*", "int", tensorOnLeft: false).Mul(a);

    public static Tensor operator /(Tensor a, Tensor b) => Operands(a, b, "/").Div(b);
    public static Tensor operator /(Tensor a, double b) => Operand(a, "/", "float", tensorOnLeft: true).Div(b);
    public static Tensor operator /(double a, Tensor b) => Operand(b, "/", "float", tensorOnLeft: false).RDiv(a);
    public static Tensor operator /(Tensor a, long b) => Operand(a, "/", "int", tensorOnLeft: true).Div(b);
    public static Tensor operator /(long a, Tensor b) => Operand(b, "/", "int", tensorOnLeft: false).RDiv(a);

    public static Tensor operator -(Tensor a) => (a ?? throw TorchException.Type("UnsupportedOperand", "bad operand type for unary -: 'NoneType'")).Neg();

    /// <summary>
    /// A null operand ($t - $null in PowerShell) is Python's TypeError, not a NullReferenceException. ($null + $t
    /// never gets here: PowerShell itself returns $t for it, and computes $null - $t as 0 - $t.)
    /// </summary>
    private static Tensor Operands(Tensor? a, Tensor? b, string op)
    {
        if (a is null || b is null)
            throw TorchException.Type("UnsupportedOperand",
                $"unsupported operand type(s) for {op}: '{(a is null ? "NoneType" : "Tensor")}' and '{(b is null ? "NoneType" : "Tensor")}'");
        return a;
    }

    /// <summary>The tensor operand of an operator whose other operand is a number (Python type <paramref name="number"/>).</summary>
    private static Tensor Operand(Tensor? t, string op, string number, bool tensorOnLeft)
    {
        if (t is null)
            throw TorchException.Type("UnsupportedOperand", tensorOnLeft
                ? $"unsupported operand type(s) for {op}: 'NoneType' and '{number}'"
                : $"unsupported operand type(s) for {op}: '{number}' and 'NoneType'");
        return t;
    }
}
