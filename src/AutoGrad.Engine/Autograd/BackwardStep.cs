using AutoGrad.Printing;

namespace AutoGrad.Autograd;

/// <summary>
/// One node a backward pass ran, as PyTorch's node hooks (grad_fn.register_hook) see it: the gradients that flowed
/// into the node and those it passed on to its inputs. A traced backward pass reports one per executed node, in the
/// engine's execution order, which is PyTorch's. The steps of one pass print as a table whose columns fit them all
/// (<see cref="FormatTableHeader"/>, <see cref="FormatTableRow"/>).
/// </summary>
public sealed class BackwardStep
{
    private readonly TracedPass _pass;
    private string? _leafLabel;

    internal BackwardStep(TracedPass pass, Node gradFn, Tensor?[] gradOutputs, Tensor?[] gradInputs)
    {
        _pass = pass;
        GradFn = gradFn;
        GradOutputs = Array.AsReadOnly(gradOutputs);
        GradInputs = Array.AsReadOnly(gradInputs);
        Step = pass.Add(this);
    }

    /// <summary>Where this node came in its pass, from 1.</summary>
    public int Step { get; }

    /// <summary>Which traced pass the step belongs to: a number shared by the steps of one pass.</summary>
    public int Pass => _pass.Id;

    /// <summary>The node's name (<c>MulBackward0</c>; <c>AccumulateGrad</c> for a leaf's gradient sink).</summary>
    public string Node => GradFn.Name;

    /// <summary>The node itself (the grad_fn of the tensor it made, or the leaf's AccumulateGrad).</summary>
    public Node GradFn { get; }

    /// <summary>
    /// The gradients flowing into the node, with respect to its outputs (the hook's grad_outputs): after the
    /// tensor's own hooks ran.
    /// </summary>
    public IReadOnlyList<Tensor?> GradOutputs { get; }

    /// <summary>
    /// The gradients the node passes on, one per input, reduced to the input's shape and dtype (the hook's
    /// grad_inputs); null where an input needs none. Empty for AccumulateGrad.
    /// </summary>
    public IReadOnlyList<Tensor?> GradInputs { get; }

    /// <summary>The leaf an AccumulateGrad adds its gradient into (grad_fn.variable); null for other nodes.</summary>
    public Tensor? Leaf => (GradFn as AccumulateGrad)?.Variable;

    /// <summary>
    /// How the table names <see cref="Leaf"/> (the PowerShell module sets the caller's variable, e.g. <c>$x</c>);
    /// null shows the leaf's values.
    /// </summary>
    public string? LeafLabel
    {
        get => _leafLabel;
        set
        {
            _leafLabel = value;
            _pass.Invalidate();
        }
    }

    /// <summary>The table's column titles and their underlines, as wide as the columns of this step's pass.</summary>
    public string FormatTableHeader() => _pass.Layout().Header;

    /// <summary>This step as rows of its pass's table: a gradient per line block, a tensor's rows on their own lines.</summary>
    public string FormatTableRow() => _pass.Layout().Rows[Step - 1];

    /// <summary>
    /// Steps as the PowerShell module prints them: for each pass among them, its header and then the rows of its
    /// steps (<c>Console.WriteLine(BackwardStep.FormatTable(steps))</c> in C#).
    /// </summary>
    public static string FormatTable(IEnumerable<BackwardStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var text = new System.Text.StringBuilder();
        int pass = 0;
        foreach (var step in steps)
        {
            if (step.Pass != pass)
            {
                if (text.Length > 0) text.Append("\n\n");
                text.Append(step.FormatTableHeader()).Append('\n');
                pass = step.Pass;
            }
            text.Append('\n').Append(step.FormatTableRow());
        }
        return text.ToString();
    }

    /// <summary>
    /// Gradients as a trace shows them: each tensor's values as its repr lays them out (<c>[[0.2500, 0.2500],</c> /
    /// <c> [0.2500, 0.2500]]</c>), None for a missing one, one after the other on new lines (a table cell); or,
    /// with <paramref name="oneLine"/>, each on one line and separated by commas.
    /// </summary>
    public static string FormatGradients(IEnumerable<Tensor?>? gradients, bool oneLine = false) =>
        gradients is null ? "" : string.Join(oneLine ? ", " : "\n", gradients.Select(g => Format(g, oneLine)));

    private static string Format(Tensor? gradient, bool oneLine)
    {
        if (gradient is null) return "None";
        var text = TensorFormatter.FormatValues(gradient);
        return oneLine ? string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) : text;
    }

    /// <summary>"MulBackward0: [[0.2500, ...]] -> [[0.7500, ...]], None": the node, what came in, what went out.</summary>
    public override string ToString() => $"{Node}: {FormatGradients(GradOutputs, true)} -> {FormatGradients(GradInputs, true)}";

    /// <summary>The cells of this step's row, each as its lines.</summary>
    internal string[][] Cells() =>
    [
        [Node],
        FormatGradients(GradOutputs).Split('\n'),
        FormatGradients(GradInputs).Split('\n'),
        Leaf is { } leaf ? (LeafLabel ?? TensorFormatter.FormatValues(leaf)).Split('\n') : [],
    ];
}

/// <summary>
/// The steps of one traced pass and their table: column widths fit the widest line of any step (a PowerShell table
/// view sizes a column by a cell's whole text, which for multi-line cells is far too wide).
/// </summary>
internal sealed class TracedPass
{
    private static readonly string[] s_titles = ["Node", "GradOutputs", "GradInputs", "Leaf"];
    private static int s_nextId;

    private readonly List<BackwardStep> _steps = [];
    private (string Header, string[] Rows)? _layout;

    public int Id { get; } = Interlocked.Increment(ref s_nextId);

    /// <summary>Adds a step; returns its number.</summary>
    public int Add(BackwardStep step)
    {
        lock (_steps)
        {
            _steps.Add(step);
            _layout = null;
            return _steps.Count;
        }
    }

    public void Invalidate()
    {
        lock (_steps) _layout = null;
    }

    public (string Header, string[] Rows) Layout()
    {
        lock (_steps)
        {
            if (_layout is { } layout) return layout;
            var cells = _steps.Select(s => s.Cells()).ToList();
            var widths = new int[s_titles.Length];
            for (int c = 0; c < widths.Length; c++)
                widths[c] = Math.Max(s_titles[c].Length, cells.Select(row => row[c].Select(l => l.Length).DefaultIfEmpty(0).Max()).DefaultIfEmpty(0).Max());
            var header = Join(widths, s_titles) + "\n" + Join(widths, s_titles.Select(t => new string('-', t.Length)).ToArray());
            var rows = cells.Select(row =>
            {
                int height = row.Max(cell => cell.Length);
                return string.Join("\n", Enumerable.Range(0, height).Select(i =>
                    Join(widths, row.Select(cell => i < cell.Length ? cell[i] : "").ToArray())));
            }).ToArray();
            _layout = (header, rows);
            return (header, rows);
        }
    }

    private static string Join(int[] widths, string[] cells) =>
        string.Join(" ", cells.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd();
}
