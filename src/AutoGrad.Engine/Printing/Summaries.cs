using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using AutoGrad.Autograd;
using AutoGrad.NN;
using AutoGrad.Optim;

namespace AutoGrad.Printing;

/// <summary>
/// One-line, culture-invariant summaries of tensors, layers, optimizers and schedulers: the columns of the module's
/// table and list views (Format-Table, Format-List), where a repr is too long and a raw property (an int[] shape, a
/// double in the current culture) reads wrong. Numbers are written as PyTorch writes them.
/// </summary>
public static partial class Summaries
{
    /// <summary>How a values preview prints: PyTorch's element format, cut to edge items beyond 6 elements.</summary>
    private static readonly PrintOptions s_preview = new() { Threshold = 6, EdgeItems = 2, LineWidth = int.MaxValue };

    // ---- tensors ----------------------------------------------------------------------------------------------

    /// <summary>The shape as a list: "[2, 3]", "[]" for a 0-d tensor.</summary>
    public static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.ShapeArray) + "]";

    /// <summary>PyTorch's dtype name without "torch.": "float32", "int64".</summary>
    public static string DType(Tensor tensor) => tensor.DType.TorchName()["torch.".Length..];

    /// <summary>The backward node's name ("MulBackward0"), empty for a tensor without one.</summary>
    public static string GradFn(Tensor tensor) => tensor.GradFn?.Name ?? "";

    /// <summary>
    /// The values on one line, as the repr prints them: "[[1., 2.], [3., 4.]]"; beyond 6 elements two at each end
    /// of every long dim ("[0., 1., ..., 8., 9.]"); "&lt;disposed&gt;" for a disposed tensor.
    /// </summary>
    public static string Values(Tensor tensor)
    {
        if (tensor.IsDisposed) return "<disposed>";
        string body = TensorFormatter.FormatValues(tensor, s_preview);
        return Whitespace().Replace(body, " ").Replace("[ ", "[", StringComparison.Ordinal);
    }

    // ---- layers -----------------------------------------------------------------------------------------------

    /// <summary>
    /// A layer's settings: its extra_repr ("in_features=4, out_features=8, bias=True"), or for a container its
    /// children's types ("Linear, ReLU, Linear").
    /// </summary>
    public static string Settings(Module module)
    {
        string extra = module.ExtraRepr();
        if (extra.Length > 0) return Whitespace().Replace(extra, " ");
        return string.Join(", ", module.Children().Select(c => c.TypeName));
    }

    /// <summary>The number of parameter elements (sum(p.numel() for p in module.parameters())).</summary>
    public static long ParameterCount(Module module) => module.Parameters().Sum(p => (long)p.NumElements);

    /// <summary>Each parameter with its shape: "weight [8, 4], bias [8]".</summary>
    public static string ParameterShapes(Module module) =>
        string.Join(", ", module.NamedParameters().Select(p => $"{p.Key} {Shape(p.Value)}"));

    // ---- optimizers and schedulers ----------------------------------------------------------------------------

    /// <summary>Each parameter group's learning rate: "0.1", or "0.1, 0.01" for two groups.</summary>
    public static string LearningRates(Optimizer optimizer) =>
        string.Join(", ", optimizer.ParamGroups.Select(g => PythonRepr.Number(g.LR)));

    /// <summary>The number of tensors the optimizer updates, over all groups.</summary>
    public static int ParameterCount(Optimizer optimizer) => optimizer.ParamGroups.Sum(g => g.Params.Count);

    /// <summary>The defaults besides the learning rate, as keywords: "momentum=0, dampening=0, weight_decay=0, ...".</summary>
    public static string Options(Optimizer optimizer) =>
        string.Join(", ", optimizer.Defaults.Cast<DictionaryEntry>()
            .Where(e => (string)e.Key is not ("lr" or "params"))
            .Select(e => $"{e.Key}={PythonRepr.Format(e.Value)}"));

    /// <summary>A parameter group's options besides its tensors: "lr=0.1, momentum=0, ...".</summary>
    public static string Options(ParamGroup group) =>
        string.Join(", ", group.Keys.Select(k => $"{k}={PythonRepr.Format(group.Raw(k))}"));

    /// <summary>The learning rates a scheduler set last (get_last_lr()): "0.05", "0.05, 0.005".</summary>
    public static string LastLR(LRScheduler scheduler) => Numbers(scheduler.GetLastLR());

    /// <summary>The learning rates a scheduler started from (base_lrs).</summary>
    public static string BaseLRs(LRScheduler scheduler) => Numbers(scheduler.BaseLRs);

    // ---- graphs -----------------------------------------------------------------------------------------------

    /// <summary>The names of a node's next functions, "None" where an input needs no gradient.</summary>
    public static string NextFunctions(Node node) =>
        string.Join(", ", node.NextFunctions.Select(n => n?.Name ?? "None"));

    /// <summary>Python's repr of a number ("0.001", "1e-08", "2"): for columns that hold one.</summary>
    public static string Number(double value) => PythonRepr.Number(value);

    /// <summary>An integer without group separators, whatever the culture.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Numbers(IEnumerable<double> values) => string.Join(", ", values.Select(PythonRepr.Number));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
