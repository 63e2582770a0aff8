using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoGrad.Ops;

namespace AutoGrad.Tests;

/// <summary>
/// Every sample call of every op in <see cref="OpTable"/>, in Float32 and Float64, named "Op/label/dtype"; how the
/// calls are written to tests/data/ops-samples.json (which tests/data/ops.py runs in PyTorch); and the outputs and
/// weighted-sum gradients the tests compare, computed the way ops.py computes them.
/// </summary>
internal static class OpCases
{
    public static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    /// <summary>One sample of one op in one dtype.</summary>
    public sealed record Case(OpInfo Op, OpSample Sample, DType DType)
    {
        public string Id => Name(Op, Sample.Label, DType);
        public OpCall Call => Sample.Call;
    }

    public static string Name(OpInfo op, string label, DType dtype) => $"{op.Name}/{label}/{DTypeName(dtype)}";

    /// <summary>Fresh samples (new leaves, no gradients yet) for every op and dtype, in table order.</summary>
    public static IEnumerable<Case> All() =>
        from op in OpTable.All
        from dtype in DTypes
        from sample in op.SamplesFor(dtype)
        select new Case(op, sample, dtype);

    /// <summary>A fresh copy of one case (tests must not share leaves: gradients accumulate on them).</summary>
    public static Case Get(string id)
    {
        var parts = id.Split('/');
        OpTable.TryGet(parts[0], out var op);
        var dtype = parts[2] == "float32" ? DType.Float32 : DType.Float64;
        return new Case(op, op.SamplesFor(dtype).Single(s => s.Label == parts[1]), dtype);
    }

    public static string DTypeName(DType dtype) => dtype.TorchName()["torch.".Length..];

    // ---- running a call as ops.py runs it -------------------------------------------------------------------

    /// <summary>The op's result as a list of tensors (values and indices for max/min with -WithIndices).</summary>
    public static Tensor[] Outputs(object result) => result switch
    {
        Tensor t => [t],
        ValuesIndicesResult r => [r.Values, r.Indices],
        _ => throw new InvalidOperationException($"unexpected result {result.GetType().Name}"),
    };

    /// <summary>The fixed weights of the loss sum(out * w): 0.5 + (7 i mod 11) / 8, for i in row-major order.</summary>
    public static Tensor Weights(Tensor output)
    {
        var w = new double[output.NumElements];
        for (int i = 0; i < w.Length; i++) w[i] = 0.5 + i * 7 % 11 / 8.0;
        return Tensor.FromDoubles(w, output.Shape, output.DType);
    }

    /// <summary>
    /// The loss ops.py differentiates: the sum over floating outputs that require grad of sum(out * w); null when
    /// no output requires grad.
    /// </summary>
    public static Tensor? Loss(Tensor[] outputs)
    {
        Tensor? loss = null;
        foreach (var o in outputs.Where(o => o.RequiresGrad))
        {
            var term = o.Mul(Weights(o)).Sum();
            loss = loss is null ? term : loss.Add(term);
        }
        return loss;
    }

    /// <summary>The call with tensors replaced by reference (a gradient check's shifted inputs).</summary>
    public static OpCall Substitute(OpCall call, Tensor[] from, Tensor[] to)
    {
        object? Swap(object? o) => o is Tensor t && Array.IndexOf(from, t) is int i and >= 0 ? to[i] : o;
        return call with
        {
            Input = (Tensor)Swap(call.Input)!,
            Other = Swap(call.Other),
            Min = Swap(call.Min),
            Max = Swap(call.Max),
            Target = (Tensor?)Swap(call.Target),
        };
    }

    // ---- the samples file -------------------------------------------------------------------------------------

    /// <summary>PyTorch's keyword for each argument (the names the ops' Torch expressions use).</summary>
    private static readonly (OpArgs Arg, string Python, Func<OpCall, object?> Value)[] s_arguments =
    [
        (OpArgs.Other, "other", c => c.Other),
        (OpArgs.Dim, "dim", c => c.Dim),
        (OpArgs.KeepDim, "keepdim", c => c.KeepDim),
        (OpArgs.Shape, "shape", c => c.Shape),
        (OpArgs.Min, "min", c => c.Min),
        (OpArgs.Max, "max", c => c.Max),
        (OpArgs.Dims, "dims", c => c.Dims),
        (OpArgs.Dim0, "dim0", c => c.Dim0),
        (OpArgs.Dim1, "dim1", c => c.Dim1),
        (OpArgs.StartDim, "start_dim", c => c.StartDim),
        (OpArgs.EndDim, "end_dim", c => c.EndDim),
        (OpArgs.Index, "index", c => c.Index),
        (OpArgs.Start, "start", c => c.Start),
        (OpArgs.Length, "length", c => c.Length),
        (OpArgs.Target, "target", c => c.Target),
        (OpArgs.Reduction, "reduction", c => c.Reduction.ToString().ToLowerInvariant()),
        (OpArgs.Condition, "condition", c => c.Condition),
        (OpArgs.DType, "dtype", c => c.DType),
        (OpArgs.Correction, "correction", c => c.Correction),
        (OpArgs.P, "p", c => c.P),
        (OpArgs.NegativeSlope, "negative_slope", c => c.NegativeSlope),
        (OpArgs.Approximate, "approximate", c => c.Approximate),
        (OpArgs.WithIndices, "with_indices", c => c.WithIndices),
        (OpArgs.Beta, "beta", c => c.Beta),
        (OpArgs.Threshold, "threshold", c => c.Threshold),
        (OpArgs.IgnoreIndex, "ignore_index", c => c.IgnoreIndex),
    ];

    /// <summary>The Python names of a call's tensors that gradients are taken for.</summary>
    public static string[] GradNames(Case c) =>
        c.Sample.GradInputs.Select(t => ReferenceEquals(t, c.Call.Input) ? "x"
            : s_arguments.First(a => c.Op.Accepts(a.Arg) && ReferenceEquals(a.Value(c.Call), t)).Python).ToArray();

    /// <summary>
    /// tests/data/ops-samples.json: every case's PyTorch expression and arguments, exactly; one case a line, so a
    /// change to one op's samples is a readable diff.
    /// </summary>
    public static string SamplesJson()
    {
        var lines = All().Select(CaseJson);
        return "{\"source\": \"Generated from the engine's OpTable by tests/AutoGrad.Engine.Tests/OpCases.cs (build.ps1 OpReference); tests/data/ops.py runs it in PyTorch.\",\n"
            + "\"cases\": [\n" + string.Join(",\n", lines) + "\n]}\n";
    }

    private static string CaseJson(Case c)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteString("torch", c.Op.Torch);
            w.WriteStartObject("args");
            w.WritePropertyName("x");
            WriteValue(w, c.Call.Input, c.Op);
            foreach (var (arg, python, value) in s_arguments)
            {
                if (!c.Op.Accepts(arg)) continue;
                w.WritePropertyName(python);
                WriteValue(w, arg == OpArgs.Dim && c.Op.SingleDim && c.Call.Dim is { Length: 1 } d ? d[0] : value(c.Call), c.Op);
            }
            w.WriteEndObject();
            w.WriteStartArray("grad");
            foreach (var name in GradNames(c)) w.WriteStringValue(name);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// A value as ops.py reads it: a tensor as its storage, sizes, strides and offset (so layouts reach PyTorch
    /// as they are), numbers tagged int or float (JSON would lose 2.0's floatness), lists of ints as lists.
    /// </summary>
    private static void WriteValue(Utf8JsonWriter w, object? value, OpInfo op)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case Tensor t:
                if (!t.IsLeaf) throw new InvalidOperationException($"{op.Name}: sample tensors must be leaves");
                w.WriteStartObject();
                w.WriteString("dtype", DTypeName(t.DType));
                WriteInts(w, "shape", t.Shape);
                WriteInts(w, "strides", t.Strides);
                w.WriteNumber("offset", t.StorageOffset);
                w.WriteStartArray("storage");
                foreach (var v in Storage(t)) WriteNumber(w, v);
                w.WriteEndArray();
                w.WriteBoolean("requires_grad", t.RequiresGrad);
                w.WriteEndObject();
                break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteStartObject(); w.WriteNumber("int", l); w.WriteEndObject(); break;
            case double d: w.WriteStartObject(); w.WritePropertyName("float"); WriteNumber(w, d); w.WriteEndObject(); break;
            case string s: w.WriteStringValue(s); break;
            case DType dt: w.WriteStartObject(); w.WriteString("torch_dtype", DTypeName(dt)); w.WriteEndObject(); break;
            case int[] ints: w.WriteStartArray(); foreach (var i in ints) w.WriteNumberValue(i); w.WriteEndArray(); break;
            case long[] longs: w.WriteStartArray(); foreach (var l in longs) w.WriteNumberValue(l); w.WriteEndArray(); break;
            default: throw new InvalidOperationException($"{op.Name}: cannot write {value.GetType().Name}");
        }
    }

    private static void WriteInts(Utf8JsonWriter w, string name, int[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>A number, or "nan"/"inf"/"-inf" (JSON has no literal for them).</summary>
    public static void WriteNumber(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteStringValue(double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
    }

    /// <summary>The raw storage under a sample tensor (what its strides index into).</summary>
    private static double[] Storage(Tensor t) => t.Buffer switch
    {
        float[] f => f.Select(v => (double)v).ToArray(),
        double[] d => d,
        long[] l => l.Select(v => (double)v).ToArray(),
        bool[] b => b.Select(v => v ? 1.0 : 0.0).ToArray(),
        _ => throw new InvalidOperationException(),
    };

    // ---- the reference file -----------------------------------------------------------------------------------

    private static readonly Lazy<Dictionary<string, JsonElement>> s_reference = new(() =>
        ReferenceData.Load("ops-reference").GetProperty("cases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value));

    /// <summary>What PyTorch gave for one case (tests/data/ops-reference.json, written by tests/data/ops.py).</summary>
    public static JsonElement Reference(string id) =>
        s_reference.Value.TryGetValue(id, out var e) ? e
            : throw new Xunit.Sdk.XunitException($"tests/data/ops-reference.json has no case {id}: run build.ps1 OpReference.");

    public static IEnumerable<string> ReferenceIds => s_reference.Value.Keys;

    /// <summary>Whether PyTorch raises for the case (the reference holds its error instead of outputs).</summary>
    public static bool RaisesInPyTorch(string id) => s_reference.Value.TryGetValue(id, out var e) && e.TryGetProperty("error", out _);

    /// <summary>A JSON number, or "nan"/"inf"/"-inf", or a bool, as a double.</summary>
    public static double Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => e.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
    };

    public static double[] Numbers(JsonElement e) => e.EnumerateArray().Select(Number).ToArray();
}
