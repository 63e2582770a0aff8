using System.Runtime.CompilerServices;
using System.Text;

namespace AutoGrad;

/// <summary>
/// Checks of an op's reference arguments, so that a null (PowerShell's $null, C#'s null) is PyTorch's TypeError
/// naming the op and the argument - "matmul(): argument 'other' must be Tensor, not NoneType" (PyTorch's text adds
/// the argument's position) - and never a NullReferenceException from somewhere inside the op.
/// </summary>
internal static class Arg
{
    public static Tensor Tensor(Tensor? value, [CallerArgumentExpression(nameof(value))] string name = "",
        [CallerMemberName] string op = "") =>
        value ?? throw None(op, name, "Tensor");

    public static int[] Ints(int[]? value, [CallerArgumentExpression(nameof(value))] string name = "",
        [CallerMemberName] string op = "") =>
        value ?? throw None(op, name, "tuple of ints");

    /// <summary>A list of tensors: the list, and each element (PyTorch's text for a None element).</summary>
    public static IReadOnlyList<Tensor> Tensors(IReadOnlyList<Tensor>? value, [CallerArgumentExpression(nameof(value))] string name = "",
        [CallerMemberName] string op = "")
    {
        if (value is null) throw None(op, name, "tuple of Tensors");
        for (int i = 0; i < value.Count; i++)
            if (value[i] is null)
                throw TorchException.Type("NoneArgument", $"expected Tensor as element {i} in argument 0, but got NoneType");
        return value;
    }

    internal static TorchException None(string op, string name, string expected) =>
        TorchException.Type("NoneArgument", $"{SnakeCase(op)}(): argument '{name}' must be {expected}, not NoneType");

    /// <summary>PyTorch's name of an op: IndexSelect → index_select, Add_ → add_.</summary>
    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && name[i - 1] != '_') text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
