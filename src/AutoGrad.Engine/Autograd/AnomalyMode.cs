using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace AutoGrad.Autograd;

/// <summary>
/// torch.autograd.detect_anomaly / set_detect_anomaly. While on, every node created records where its forward call
/// was (<see cref="Node.ForwardTraceback"/>); a backward pass checks each node's outputs for NaN and, when a node
/// fails, warns with that forward traceback before the error propagates. Thread-local, like <see cref="GradMode"/>,
/// and off by default: off, it costs one thread-static read per node created and one per backward pass.
/// </summary>
public static class AnomalyMode
{
    [ThreadStatic] private static bool t_enabled;
    [ThreadStatic] private static bool t_skipNanCheck;

    /// <summary>The node whose backward is running on this thread (under anomaly detection): the parent of any node
    /// its formula creates, for the "Previous calculation was induced by" warning of a double backward.</summary>
    [ThreadStatic] private static Node? t_currentNode;

    /// <summary>PyTorch's UserWarning when the mode is entered.</summary>
    public const string EnabledWarning =
        "Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.";

    /// <summary>torch.is_anomaly_enabled().</summary>
    public static bool IsEnabled => t_enabled;

    /// <summary>torch.is_anomaly_check_nan_enabled(): whether backward outputs are checked for NaN (default true).</summary>
    public static bool ShouldCheckNan => !t_skipNanCheck;

    /// <summary>Turns anomaly detection on until the returned scope is disposed (with torch.autograd.detect_anomaly()).</summary>
    public static Scope Enable(bool checkNan = true) => Set(true, checkNan);

    /// <summary>torch.autograd.set_detect_anomaly(mode, check_nan) until the returned scope is disposed.</summary>
    public static Scope Set(bool enabled, bool checkNan = true)
    {
        var scope = new Scope(t_enabled, t_skipNanCheck);
        t_enabled = enabled;
        t_skipNanCheck = !checkNan;
        return scope;
    }

    public readonly struct Scope : IDisposable
    {
        private readonly bool _enabled, _skipNanCheck;

        internal Scope(bool enabled, bool skipNanCheck)
        {
            _enabled = enabled;
            _skipNanCheck = skipNanCheck;
        }

        public void Dispose()
        {
            t_enabled = _enabled;
            t_skipNanCheck = _skipNanCheck;
        }
    }

    /// <summary>
    /// Describes where the forward op being recorded was called from, when anomaly detection is on: PyTorch stores
    /// Python's traceback.format_stack(). A host installs its own (the PowerShell module names the script, line and
    /// command); null, or a provider that returns null, gives the .NET stack trace of the caller.
    /// </summary>
    public static Func<string?>? ForwardTraceProvider { get; set; }

    /// <summary>
    /// Where the warnings of anomaly detection go (PyTorch's TORCH_WARN, a Python UserWarning). Null writes them to
    /// standard error as "UserWarning: ...".
    /// </summary>
    public static Action<string>? WarningHandler { get; set; }

    internal static void Warn(string message)
    {
        if (WarningHandler is { } handler) handler(message);
        else Console.Error.WriteLine("UserWarning: " + message);
    }

    /// <summary>What a node made now keeps for anomaly reports: its forward traceback and the running node.</summary>
    internal static AnomalyMetadata Capture()
    {
        string? traceback = null;
        try
        {
            traceback = ForwardTraceProvider?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing provider must not fail the forward op it describes; the .NET stack still says where.
        }
        return new AnomalyMetadata(traceback ?? CallerStackTrace(), t_currentNode);
    }

    /// <summary>The .NET frames outside this engine, innermost first, as Exception.StackTrace prints them.</summary>
    private static string CallerStackTrace()
    {
        var engine = typeof(AnomalyMode).Assembly;
        var text = new StringBuilder();
        foreach (var frame in new StackTrace(1, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            if (method is null || method.DeclaringType?.Assembly == engine) continue;
            text.Append("   at ").Append(method.DeclaringType?.FullName).Append('.').Append(method.Name);
            if (frame.GetFileName() is { } file) text.Append(" in ").Append(file).Append(":line ").Append(frame.GetFileLineNumber());
            text.Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>Makes <paramref name="node"/> the parent of nodes created until the returned value is restored.</summary>
    internal static Node? EnterNode(Node? node)
    {
        var previous = t_currentNode;
        t_currentNode = node;
        return previous;
    }

    /// <summary>
    /// PyTorch's NaN check of a node's outputs (the gradients it passes on): the error names the node and the
    /// output's index.
    /// </summary>
    internal static void CheckNan(Node node, Tensor?[] outputs)
    {
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i] is { } output && HasNan(output))
                throw TorchException.Runtime("NanGradient", $"Function '{node.Name}' returned nan values in its {i}th output.");
    }

    private static bool HasNan(Tensor t)
    {
        switch (t.Dense)
        {
            case float[] f:
                foreach (var v in f) if (float.IsNaN(v)) return true;
                return false;
            case double[] d:
                foreach (var v in d) if (double.IsNaN(v)) return true;
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// PyTorch's print_stack: after a node failed under anomaly detection, one warning with the forward traceback of
    /// the node, then one for each node whose backward created it (double backward), outermost last.
    /// </summary>
    internal static void WarnForwardTraceback(Node node)
    {
        var metadata = node.Anomaly;
        Warn(metadata is null
            ? NoForwardInformation(node)
            : $"Error detected in {node.Name}. Traceback of forward call that caused the error:\n{metadata.Traceback}");
        for (var parent = metadata?.Parent; parent is not null; parent = parent.Anomaly?.Parent)
            Warn(parent.Anomaly is { } p
                ? $"Previous calculation was induced by {parent.Name}. Traceback of forward call that induced the previous calculation:\n{p.Traceback}"
                : NoForwardInformation(parent));
    }

    private static string NoForwardInformation(Node node) =>
        $"Error detected in {node.Name}. No forward pass information available. Enable detect anomaly during forward pass for more information.";
}

/// <summary>A node's anomaly record: its forward traceback and, for a node made by a backward formula, that node.</summary>
internal sealed record AnomalyMetadata(string Traceback, Node? Parent);

/// <summary>
/// The anomaly records of the nodes made while the mode was on, beside the nodes (held no longer than they are).
/// A class of its own: a static table in <see cref="AnomalyMode"/> would give it a static constructor, and every
/// read of its thread-static flag a class-initialization check.
/// </summary>
internal static class AnomalyRecords
{
    private static readonly ConditionalWeakTable<Node, AnomalyMetadata> s_metadata = new();

    /// <summary>Records where <paramref name="node"/>'s forward call is (Node's constructor calls this when the mode is on).</summary>
    internal static void Record(Node node) => s_metadata.AddOrUpdate(node, AnomalyMode.Capture());

    internal static AnomalyMetadata? Of(Node node) => s_metadata.TryGetValue(node, out var metadata) ? metadata : null;
}
