namespace AutoGrad;

// C# operators, which PowerShell also binds: `$y * $y * 3` and `2 * $t + 2 * $y * $y` work as in Python.
// A number on the left keeps Python's meaning: 2 - x is rsub (RsubBackward1), 1 / x is reciprocal times 1.
// Integer literals bind to the long overloads, so int64 tensors stay int64 (x * 2) as in PyTorch.
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator +(Tensor a, long b) => a.Add(b);
    public static Tensor operator +(long a, Tensor b) => b.Add(a);

    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator -(double a, Tensor b) => b.RSub(a);
    public static Tensor operator -(Tensor a, long b) => a.Sub(b);
    public static Tensor operator -(long a, Tensor b) => b.RSub(a);

    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator *(Tensor a, long b) => a.Mul(b);
    public static Tensor operator *(long a, Tensor b) => b.Mul(a);

    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator /(double a, Tensor b) => b.RDiv(a);
    public static Tensor operator /(Tensor a, long b) => a.Div(b);
    public static Tensor operator /(long a, Tensor b) => b.RDiv(a);

    public static Tensor operator -(Tensor a) => a.Neg();
}
