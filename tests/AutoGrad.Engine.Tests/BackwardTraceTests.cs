using System.Text.Json;
using AutoGrad.Autograd;
using AutoGrad.Ops;
using static AutoGrad.Tests.ReferenceData;

namespace AutoGrad.Tests;

/// <summary>
/// A traced backward pass reports the nodes PyTorch's engine runs, in its order, with the gradients its node hooks
/// see. Expected traces: tests/data/backward_trace.py (PyTorch's grad_fn.register_hook on every node) for the
/// notebook's cells and for random graphs, each replayed here through the op table.
/// </summary>
public class BackwardTraceTests
{
    private const string File = "backward_trace";

    public static TheoryData<string> Cases()
    {
        var names = new TheoryData<string>();
        foreach (var c in Load(File).GetProperty("cases").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    /// <summary>The program's tensors: its leaves, then each op's result, as the Python script builds them.</summary>
    internal static List<Tensor> Build(JsonElement program)
    {
        var tensors = new List<Tensor>();
        foreach (var leaf in program.GetProperty("leaves").EnumerateArray())
        {
            var dtype = leaf.GetProperty("dtype").GetString() == "float64" ? DType.Float64 : DType.Float32;
            tensors.Add(Tensor.FromDoubles(Doubles(leaf.GetProperty("values")), Ints(leaf.GetProperty("shape")), dtype,
                leaf.GetProperty("requires_grad").GetBoolean()));
        }
        foreach (var op in program.GetProperty("ops").EnumerateArray())
        {
            var inputs = op.GetProperty("inputs").EnumerateArray().Select(i => i.ValueKind == JsonValueKind.Number
                ? tensors[i.GetInt32()]
                : Scalar(i.GetProperty("scalar"))).ToArray();
            var call = new OpCall((Tensor)inputs[0], inputs.Length > 1 ? inputs[1] : null,
                op.TryGetProperty("dim", out var dim) ? Ints(dim) : null,
                op.TryGetProperty("keepdim", out var keep) && keep.GetBoolean());
            tensors.Add((Tensor)OpTable.Get(op.GetProperty("op").GetString()!).Apply(call));
        }
        if (program.TryGetProperty("hooks", out var hooks))
            foreach (var hook in hooks.EnumerateArray())
            {
                double k = hook.GetProperty("value").GetDouble();
                tensors[hook.GetProperty("tensor").GetInt32()].RegisterHook(hook.GetProperty("kind").GetString() == "scale"
                    ? g => g.Mul(k)
                    : g => g.Add(k));
            }
        return tensors;
    }

    /// <summary>A Python number as Python passed it: an int stays integral (long), a float is a double.</summary>
    private static object Scalar(JsonElement e) => e.TryGetInt64(out var l) && !e.GetRawText().Contains('.') ? l : e.GetDouble();

    /// <summary>Runs the case's backward pass (or autograd.grad) with a trace; returns the steps and the gradients.</summary>
    internal static (List<BackwardStep> Steps, Tensor?[] Grads) Run(JsonElement program, List<Tensor> tensors)
    {
        var backward = program.GetProperty("backward");
        var outputs = Ints(backward.GetProperty("outputs")).Select(i => tensors[i]).ToArray();
        var steps = new List<BackwardStep>();
        if (backward.GetProperty("kind").GetString() == "backward")
        {
            BackwardEngine.Backward(outputs, trace: steps.Add);
            return (steps, tensors.Select(t => t.IsLeaf && t.RequiresGrad ? t.Grad : null).ToArray());
        }
        var inputs = Ints(backward.GetProperty("inputs")).Select(i => tensors[i]).ToArray();
        return (steps, BackwardEngine.Grad(outputs, inputs, trace: steps.Add));
    }

    internal static void AssertValue(JsonElement expected, Tensor? actual, string what)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.True(actual is null, $"{what}: expected None, got {actual}");
            return;
        }
        Assert.True(actual is not null, $"{what}: expected a tensor, got None");
        Assert.Equal(Ints(expected.GetProperty("shape")), actual!.Shape);
        var want = Doubles(expected.GetProperty("values"));
        var got = actual.ToDoubleArray();
        double tolerance = actual.DType == DType.Float32 ? 1e-5 : 1e-12;
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= tolerance * Math.Max(1, Math.Abs(want[i])),
                $"{what}[{i}]: expected {want[i]}, got {got[i]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_trace_lists_the_nodes_PyTorchs_hooks_saw_in_their_order_with_their_gradients(string name)
    {
        var expected = Case(File, name);
        var tensors = Build(expected);
        var (steps, grads) = Run(expected, tensors);

        var trace = expected.GetProperty("trace").EnumerateArray().ToArray();
        Assert.Equal(trace.Select(t => t.GetProperty("node").GetString()), steps.Select(s => s.Node));
        for (int k = 0; k < trace.Length; k++)
        {
            var want = trace[k];
            var step = steps[k];
            Assert.Equal(k + 1, step.Step);
            string at = $"step {k + 1} ({step.Node})";
            var outputs = want.GetProperty("grad_outputs").EnumerateArray().ToArray();
            var inputs = want.GetProperty("grad_inputs").EnumerateArray().ToArray();
            Assert.Equal(outputs.Length, step.GradOutputs.Count);
            Assert.Equal(inputs.Length, step.GradInputs.Count);
            for (int i = 0; i < outputs.Length; i++) AssertValue(outputs[i], step.GradOutputs[i], $"{at} grad_outputs[{i}]");
            for (int i = 0; i < inputs.Length; i++) AssertValue(inputs[i], step.GradInputs[i], $"{at} grad_inputs[{i}]");
            var leaf = want.GetProperty("leaf");
            if (leaf.ValueKind == JsonValueKind.Null) Assert.Null(step.Leaf);
            else Assert.Same(tensors[leaf.GetInt32()], step.Leaf);
        }

        var expectedGrads = expected.GetProperty("grads");
        if (expectedGrads.ValueKind == JsonValueKind.Array)
        {
            var want = expectedGrads.EnumerateArray().ToArray();
            Assert.Equal(want.Length, grads.Length);
            for (int i = 0; i < want.Length; i++) AssertValue(want[i], grads[i], $"grad {i}");
        }
        else
            foreach (var p in expectedGrads.EnumerateObject())
                AssertValue(p.Value, grads[int.Parse(p.Name)], $"leaf {p.Name}.grad");
    }

    [Fact]
    public void Without_a_trace_the_pass_computes_the_same_gradients()
    {
        var expected = Case(File, "random graph 6 (float32)");
        var tensors = Build(expected);
        BackwardEngine.Backward([tensors[Ints(expected.GetProperty("backward").GetProperty("outputs"))[0]]]);
        foreach (var p in expected.GetProperty("grads").EnumerateObject())
            AssertValue(p.Value, tensors[int.Parse(p.Name)].Grad, $"leaf {p.Name}.grad");
    }

    [Fact]
    public void A_traced_gradient_is_not_adopted_as_the_leafs_grad_so_a_later_pass_does_not_change_it()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float64, requiresGrad: true);
        var steps = new List<BackwardStep>();
        x.Mul(3).Sum().Backward(retainGraph: true, trace: steps.Add);
        var reported = steps.Single(s => s.Node == "AccumulateGrad").GradOutputs[0]!;
        Assert.NotSame(reported, x.Grad);
        x.Mul(3).Sum().Backward();   // accumulates into x.grad in place
        Assert.Equal([6.0, 6.0], x.Grad!.ToDoubleArray());
        Assert.Equal([3.0, 3.0], reported.ToDoubleArray());
    }

    [Fact]
    public void Steps_print_as_a_table_whose_columns_fit_every_step_of_the_pass()
    {
        var x = Tensor.Ones([2, 2], requiresGrad: true);
        var steps = new List<BackwardStep>();
        var y = x.Add(2);
        y.Mul(y).Mul(3).Mean().Backward(trace: steps.Add);
        steps[^1].LeafLabel = "x";
        Assert.Equal(
            "Node           GradOutputs        GradInputs         Leaf\n" +
            "----           -----------        ----------         ----\n" +
            "\n" +
            "MeanBackward0  1.                 [[0.2500, 0.2500],\n" +
            "                                   [0.2500, 0.2500]]\n" +
            "MulBackward0   [[0.2500, 0.2500], [[0.7500, 0.7500],\n" +
            "                [0.2500, 0.2500]]  [0.7500, 0.7500]]\n" +
            "                                  None\n" +
            "MulBackward0   [[0.7500, 0.7500], [[2.2500, 2.2500],\n" +
            "                [0.7500, 0.7500]]  [2.2500, 2.2500]]\n" +
            "                                  [[2.2500, 2.2500],\n" +
            "                                   [2.2500, 2.2500]]\n" +
            "AddBackward0   [[4.5000, 4.5000], [[4.5000, 4.5000],\n" +
            "                [4.5000, 4.5000]]  [4.5000, 4.5000]]\n" +
            "                                  None\n" +
            "AccumulateGrad [[4.5000, 4.5000],                    x\n" +
            "                [4.5000, 4.5000]]",
            BackwardStep.FormatTable(steps));
        Assert.All(steps, s => Assert.Equal(steps[0].Pass, s.Pass));
    }

    [Fact]
    public void A_step_prints_the_node_and_the_gradients_in_and_out_on_one_line()
    {
        var x = Tensor.Ones([2, 2], requiresGrad: true);
        var steps = new List<BackwardStep>();
        x.Add(2).Mul(3).Mean().Backward(trace: steps.Add);
        Assert.Equal("MeanBackward0: 1. -> [[0.2500, 0.2500], [0.2500, 0.2500]]", steps[0].ToString());
        Assert.Equal("MulBackward0: [[0.2500, 0.2500], [0.2500, 0.2500]] -> [[0.7500, 0.7500], [0.7500, 0.7500]], None",
            steps[1].ToString());
        Assert.Equal("AccumulateGrad: [[0.7500, 0.7500], [0.7500, 0.7500]] -> ", steps[3].ToString());
        Assert.Same(x, steps[3].Leaf);
        Assert.Same(x.GradientEdge(), steps[3].GradFn);
    }
}
