using System.Reflection;
using System.Text;
using System.Collections;
using AutoGrad.Autograd;
using AutoGrad.NN;
using Module = AutoGrad.NN.Module;
using AutoGrad.Optim;
using AutoGrad.Serialization;
using AutoGrad.Training;
using CsCheck;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Issue 16's fuzz suite for the engine: every public op of <see cref="Tensor"/> (found by reflection, so ops added
/// later are fuzzed too) and the backward entry points, called with random bad arguments - NaN/inf and extreme
/// values, empty, huge and negative sizes and dims, wrong dtypes, shapes that do not match, out-of-range enum values,
/// nulls. The property: each call returns a result or throws a <see cref="TorchException"/> (PyTorch's error for
/// that input); nothing else leaks (no NullReference, IndexOutOfRange, InvalidCast, ArgumentOutOfRange, Overflow,
/// DivideByZero ...). Seeded and replayable like every property test here (Property.Check).
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    /// <summary>The ops: Tensor's public methods, minus object's and the ones that are not an op on data.</summary>
    private static readonly MethodInfo[] Ops = typeof(Tensor)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
        .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition
            && !m.GetParameters().Any(p => p.ParameterType.IsByRefLike)   // spans cannot be passed by reflection
            && m.Name is not ("ToString" or "GetHashCode" or "Equals" or "GetType" or "Dispose"))
        .Concat(typeof(BackwardEngine).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .OrderBy(m => m.ToString(), StringComparer.Ordinal)
        .ToArray();

    // ---- values ----------------------------------------------------------------------------------------------

    private static readonly Gen<double> GenDouble = Gen.Frequency(
        (3, Gen.Double[-3, 3]),
        (2, Gen.OneOfConst(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1e308, -1e308,
            3.4e38, 1e39, 1e-320, 9.3e18, -9.3e18, 2.5, -1, 1)));

    /// <summary>Sizes, dims and indices: mostly small, sometimes negative, huge or at the int limits.</summary>
    private static readonly Gen<int> GenInt = Gen.Frequency(
        (6, Gen.Int[-3, 4]),
        (1, Gen.OneOfConst(int.MinValue, int.MaxValue, -100, 100, 1 << 20, 65536, -(1 << 20))));

    private static readonly Gen<long> GenLong = Gen.Frequency(
        (6, Gen.Long[-3, 4]),
        (1, Gen.OneOfConst(long.MinValue, long.MaxValue, -100L, 1L << 40, -(1L << 40))));

    private static readonly Gen<int[]> GenInts = GenInt.Array[0, 5];

    private static readonly Gen<DType> GenDType = Gen.Frequency(
        (8, Gen.OneOfConst(DType.Float32, DType.Float64, DType.Int64, DType.Bool)),
        (1, Gen.OneOfConst((DType)7, (DType)(-1))));

    /// <summary>Mostly small shapes (rank 0-4, dims 0-4); now and then one long dim.</summary>
    private static readonly Gen<int[]> GenShape = Gen.Frequency(
        (30, Gen.Int[0, 4].Array[0, 4]),
        (1, Gen.OneOfConst<int[]>([1 << 20], [3, 1 << 18], [0, 1 << 20])));

    private static readonly Gen<Tensor> GenTensor =
        from shape in GenShape
        from dtype in Gen.OneOfConst(DType.Float32, DType.Float64, DType.Int64, DType.Bool)
        from special in GenDouble.Array[8]
        from seed in Gen.Int
        from requiresGrad in Gen.Bool
        select MakeTensor(shape, dtype, special, seed, requiresGrad && dtype is DType.Float32 or DType.Float64);

    private static Tensor MakeTensor(int[] shape, DType dtype, double[] special, int seed, bool requiresGrad)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        var values = new double[n];
        var random = new System.Random(seed);
        for (int i = 0; i < n; i++)
            values[i] = dtype switch
            {
                DType.Int64 => random.Next(-3, 4),
                DType.Bool => random.Next(2),
                // The first elements carry the special values (NaN, inf, extremes), the rest are ordinary.
                _ => i < special.Length ? special[i] : random.NextDouble() * 4 - 2,
            };
        return Tensor.FromDoubles(values, shape, dtype, requiresGrad);
    }

    /// <summary>One argument of type <paramref name="type"/>; null now and then where a reference fits.</summary>
    private static Gen<object?> Arg(Type type, bool allowNull)
    {
        Gen<object?> g = type switch
        {
            _ when type == typeof(Tensor) => GenTensor.Select(t => (object?)t),
            _ when type == typeof(Tensor[]) || type == typeof(IReadOnlyList<Tensor>) => GenTensor.Array[0, 3].Select(t => (object?)t),
            _ when type == typeof(int) => GenInt.Select(v => (object?)v),
            _ when type == typeof(long) => GenLong.Select(v => (object?)v),
            _ when type == typeof(double) => GenDouble.Select(v => (object?)v),
            _ when type == typeof(bool) => Gen.Bool.Select(v => (object?)v),
            _ when type == typeof(int[]) => GenInts.Select(v => (object?)v),
            _ when type == typeof(long[]) => GenLong.Array[0, 4].Select(v => (object?)v),
            _ when type == typeof(DType) => GenDType.Select(v => (object?)v),
            _ when type == typeof(Reduction) => Gen.OneOfConst(Reduction.Mean, Reduction.Sum, Reduction.None, (Reduction)9).Select(v => (object?)v),
            _ when type == typeof(string) => Gen.OneOfConst("none", "tanh", "mean", "sum", "", "abc", "NONE", "min", "max", "rel", "abs",
                "cos", "linear", "x.y").Select(v => (object?)v),
            _ when type == typeof(double?) => GenDouble.Select(v => (object?)v),
            _ when type == typeof(bool?) => Gen.Bool.Select(v => (object?)v),
            _ when type == typeof(Random.Generator) => Gen.Const((object?)new Random.Generator(5)),
            _ when type == typeof(long?) => GenLong.Select(v => (object?)v),
            _ when type == typeof(int?) => GenInt.Select(v => (object?)v),
            // Python indexing items (Tensor.Index): integers, slice strings, '...', None, ranges, 0-d tensors, junk.
            _ when type == typeof(object[]) => GenIndexItem.Array[0, 4].Select(v => (object?)v),
            _ when type == typeof(Action<BackwardStep>) => Gen.Const((object?)(Action<BackwardStep>)(_ => { })),
            // ---- the engine's objects (layers, optimizers, schedulers, data loaders, trainers) and their arguments
            _ when type == typeof(Module) => GenModule.Select(m => (object?)m),
            _ when type == typeof(Module[]) => GenModule.Array[0, 3].Select(m => (object?)m),
            _ when type == typeof(IEnumerable<KeyValuePair<string, Module>>) =>
                Gen.Select(Gen.OneOfConst("a", "b", "", "a.b", "0"), GenModule).Array[0, 3]
                    .Select(pairs => (object?)pairs.Select(p => new KeyValuePair<string, Module>(p.Item1, p.Item2)).ToArray()),
            _ when type == typeof(Optimizer) => GenOptimizer.Select(o => (object?)o),
            _ when type == typeof(IEnumerable<object>) => GenParameterItem.Array[0, 3].Select(items => (object?)items),
            _ when type == typeof(IEnumerable<int>) => GenInts.Select(v => (object?)v),
            // Betas and max_lr: often a usable pair or one value, else anything.
            _ when type == typeof(double[]) => Gen.Frequency((2, Gen.Double[0, 0.999].Array[1, 2]), (1, GenDouble.Array[0, 3])).Select(v => (object?)v),
            _ when type == typeof(IDictionary) => GenStateDict.Select(d => (object?)d),
            _ when type == typeof(Func<Tensor, Tensor?, Tensor>) => Gen.OneOfConst<Func<Tensor, Tensor?, Tensor>>(
                (p, _) => p.Sum(), (p, t) => p.MseLoss(t!), (p, _) => p, (_, _) => null!).Select(f => (object?)f),
            _ when type == typeof(LossFunction) => Gen.OneOfConst(LossFunction.Names.ToArray()).Select(n => (object?)LossFunction.FromName(n)),
            _ when type == typeof(DataLoader) =>
                Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Bool).Select(x => (object?)new DataLoader(
                    Tensor.Ones([x.Item1, 2]), x.Item3 ? Tensor.Zeros([x.Item1], DType.Int64) : Tensor.Ones([x.Item1, 2]), x.Item2)),
            _ when type == typeof(AccuracyKind) => Gen.OneOfConst(AccuracyKind.None, AccuracyKind.Classes, (AccuracyKind)9).Select(v => (object?)v),
            _ when type == typeof(CancellationToken) => Gen.OneOfConst(CancellationToken.None, new CancellationToken(true)).Select(v => (object?)v),
            // Hooks (Tensor.RegisterHook): keep, drop, scale, or change the gradient's shape or dtype.
            _ when type == typeof(Func<Tensor, Tensor?>) => Gen.OneOfConst<Func<Tensor, Tensor?>>(
                g => g, _ => null, g => g.Mul(2L), _ => Tensor.Zeros([7]), g => g.To(DType.Float64)).Select(f => (object?)f),
            _ => throw new InvalidOperationException($"the fuzz suite cannot make a {type} argument"),
        };
        bool nullable = !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        return allowNull && nullable ? Gen.Frequency((9, g), (1, Null)) : g;
    }

    // (Gen.Const(null) would pick Gen.Const's Func overload.)
    private static readonly Gen<object?> Null = Gen.Bool.Select(_ => (object?)null);

    private static readonly Gen<object?> GenIndexItem = Gen.Frequency(
        (3, GenLong.Select(v => (object?)v)),
        (1, GenInt.Select(v => (object?)v)),
        (3, Gen.OneOfConst<object?>(":", "1:3", "::2", "::-1", "::0", "-2:", "...", "None", "1, :", ":, 0", "a:b", "", "1:2:3:4",
            "99999999999999999999", 1.5, true, new Range(1, 3), new Range(Index.FromEnd(1), Index.End), Index.FromEnd(1), new object())),
        (1, GenTensor.Select(t => (object?)t)),
        (1, Null));

    // ---- the engine's objects --------------------------------------------------------------------------------

    /// <summary>Small modules to put in a Sequential, train or load state into.</summary>
    private static readonly Gen<Module> GenModule = Gen.OneOf(
        Gen.Const(() => (Module)new ReLU()),
        Gen.Int[0, 3].Select(n => (Module)new Linear(Math.Max(n, 1), 2, generator: new Random.Generator(1))),
        Gen.Const(() => (Module)new Sequential(new Linear(2, 2, generator: new Random.Generator(2)), new Tanh())),
        Gen.Const(() => (Module)new BatchNorm1d(2)));

    /// <summary>A leaf to optimize, with a gradient now and then (of its shape or, rarely, NaN).</summary>
    private static readonly Gen<Tensor> GenParameter =
        from shape in Gen.Int[0, 3].Array[0, 2]
        from grad in Gen.Int[0, 3]
        select MakeParameter(shape, grad);

    private static Tensor MakeParameter(int[] shape, int grad)
    {
        var p = Tensor.Ones(shape, requiresGrad: true);
        if (grad == 1) p.Grad = Tensor.Full(shape, 0.5);
        if (grad == 2) p.Grad = Tensor.Full(shape, double.NaN);
        return p;
    }

    /// <summary>What an optimizer's parameter list may hold: leaves, bad tensors, groups (dictionaries) and junk.</summary>
    private static readonly Gen<object?> GenParameterItem = Gen.Frequency(
        (5, GenParameter.Select(p => (object?)p)),
        (1, GenTensor.Select(t => (object?)t)),
        (2, Gen.Select(GenParameter.Array[0, 2], GenDouble).Select(x => (object?)new Hashtable { ["params"] = x.Item1, ["lr"] = x.Item2 })),
        (1, Gen.OneOfConst<object?>("w", 3, new Hashtable { ["lr"] = 0.1 }, new Hashtable { ["params"] = null })),
        (1, Null));

    private static readonly Gen<Optimizer> GenOptimizer =
        from kind in Gen.Int[0, 4]
        from ps in GenParameter.Array[1, 2]
        select kind switch
        {
            0 => (Optimizer)new SGD(ps, lr: 0.1, momentum: 0.9),
            1 => new Adam(ps),
            2 => new AdamW(ps),
            3 => new RMSprop(ps),
            _ => new Adagrad(ps),
        };

    /// <summary>
    /// State dicts to load: a module's or an optimizer's own, with an entry dropped, added, or replaced by a tensor of
    /// another shape or dtype, a number, a string or null; or a dictionary of nothing like one.
    /// </summary>
    private static readonly Gen<IDictionary> GenStateDict =
        from source in Gen.Int[0, 2]
        from module in GenModule
        from optimizer in GenOptimizer
        from change in Gen.Int[0, 6]
        from value in Gen.OneOf(GenTensor.Select(t => (object?)t), Gen.OneOfConst<object?>(1, 2.5, "x", new Hashtable(), new object[] { 1, "a" }), Null)
        select MakeStateDict(source == 0 ? module.StateDict() : source == 1 ? optimizer.StateDict() : new Hashtable { ["x"] = 1 }, change, value);

    private static IDictionary MakeStateDict(IDictionary source, int change, object? value)
    {
        // As a script would pass it back: plain dictionaries all the way down (the engine's own may be typed).
        var dict = Plain(source);
        var keys = dict.Keys.Cast<object>().ToArray();
        switch (change)
        {
            case 0: if (keys.Length > 0) dict.Remove(keys[0]); break;
            case 1: dict["extra"] = value; break;
            case 2: if (keys.Length > 0) dict[keys[^1]] = value; break;
            case 3:
                foreach (var k in keys)
                    if (dict[k] is IDictionary inner) { foreach (var ik in inner.Keys.Cast<object>().ToArray()) inner[ik] = value; break; }
                break;
        }
        return dict;
    }

    private static System.Collections.Specialized.OrderedDictionary Plain(IDictionary d)
    {
        var copy = new System.Collections.Specialized.OrderedDictionary();
        foreach (DictionaryEntry e in d) copy[e.Key] = e.Value is IDictionary inner ? Plain(inner) : e.Value;
        return copy;
    }

    /// <summary>The engine's object types: every public class of NN, Optim and Training that can be made.</summary>
    private static readonly Type[] ObjectTypes = typeof(Tensor).Assembly.GetExportedTypes()
        .Where(t => t.Namespace is "AutoGrad.NN" or "AutoGrad.Optim" or "AutoGrad.Training"
            && t.IsClass && !t.IsAbstract && t.GetConstructors().Length > 0
            && t.GetMethod("<Clone>$") is null)   // records are data, not objects with behaviour
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    /// <summary>What can be called on an object: its public methods (inherited ones from the engine's own bases too).</summary>
    private static MethodInfo[] ObjectMethods(Type type) => type
        .GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition && m.DeclaringType!.Assembly == typeof(Tensor).Assembly
            && m.Name is not ("ToString" or "Equals" or "GetHashCode" or "Deconstruct"))
        .OrderBy(m => m.ToString(), StringComparer.Ordinal)
        .ToArray();

    private sealed record ObjectCase(string Made, bool MadeWithNull, Func<object> Make, (MethodInfo Method, object?[] Args)[] Calls)
    {
        public bool AnyNull => MadeWithNull || Calls.Any(x => x.Args.Any(a => a is null));

        public override string ToString() =>
            Made + string.Concat(Calls.Select(c => $".{c.Method.Name}({string.Join(", ", c.Args.Select(Call.Describe))})"));
    }

    /// <summary>
    /// An object made by a random constructor call (mostly refused: bad options), or one made well (so that its methods
    /// get called often, whatever its constructor's odds), then a few random method calls on it.
    /// </summary>
    private static Gen<ObjectCase> GenObjectCase(bool allowNull) =>
        from type in Gen.OneOfConst(ObjectTypes)
        from made in Gen.Frequency(
            (3, from constructor in Gen.OneOfConst(type.GetConstructors())
                from args in CombineArgs(constructor.GetParameters().Select(p => Arg(p.ParameterType, allowNull)).ToArray())
                select ($"new {type.Name}({string.Join(", ", args.Select(Call.Describe))})", args.Any(a => a is null),
                    (Func<object>)(() => constructor.Invoke(args)))),
            (1, from optimizer in GenOptimizer
                from module in GenModule
                select ($"well-made {type.Name}", false, (Func<object>)(() => WellMade(type, optimizer, module)))))
        from calls in GenMethodCall(ObjectMethods(type), allowNull).Array[0, 4]
        select new ObjectCase(made.Item1, made.Item2, made.Item3, calls);

    /// <summary>An object of <paramref name="type"/> with ordinary options (the constructor's defaults where it has them).</summary>
    private static object WellMade(Type type, Optimizer optimizer, Module module) => type.Name switch
    {
        nameof(OneCycleLR) => new OneCycleLR(optimizer, [0.1], totalSteps: 5),
        nameof(ReduceLROnPlateau) => new ReduceLROnPlateau(optimizer, patience: 0),
        nameof(StepLR) => new StepLR(optimizer, 2),
        nameof(MultiStepLR) => new MultiStepLR(optimizer, [1, 3]),
        nameof(CosineAnnealingLR) => new CosineAnnealingLR(optimizer, 4),
        nameof(Trainer) => new Trainer(module, LossFunction.FromName("MseLoss"), optimizer,
            new DataLoader(Tensor.Ones([3, 2]), Tensor.Ones([3, 2]), 2)),
        nameof(Sequential) => new Sequential(module, new ReLU()),
        _ => WithDefaults(type, optimizer, module),
    };
    private static Gen<(MethodInfo, object?[])> GenMethodCall(MethodInfo[] methods, bool allowNull) =>
        from method in Gen.OneOfConst(methods)
        from args in CombineArgs(method.GetParameters().Select(p => Arg(p.ParameterType, allowNull)).ToArray())
        select (method, args);

    /// <summary>A new <paramref name="type"/> from its simplest constructor: ordinary required arguments, then its defaults.</summary>
    private static object WithDefaults(Type type, Optimizer optimizer, Module module)
    {
        var constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Count(p => !p.HasDefaultValue)).First();
        var args = constructor.GetParameters().Select(p => p.HasDefaultValue ? Type.Missing : p.ParameterType switch
        {
            var t when t == typeof(Optimizer) => optimizer,
            var t when t == typeof(IEnumerable<object>) => optimizer.ParamGroups[0].Params.ToList<object>(),
            var t when t == typeof(Module) => module,
            var t when t == typeof(int) => 2,
            var t when t == typeof(double) => 0.5,
            var t when t == typeof(int[]) => new[] { 2 },
            var t when t == typeof(Tensor) => Tensor.Ones([3, 2]),
            var t when t == typeof(string) => "mse",
            var t when t == typeof(Func<Tensor, Tensor?, Tensor>) => (Func<Tensor, Tensor?, Tensor>)((p, t) => p.MseLoss(t!)),
            _ => (object?)null,
        }).ToArray();
        return constructor.Invoke(args);
    }

    /// <summary>Makes the object and calls its methods; a result, a TorchException or a refused null is acceptable.</summary>
    private static void CheckObjectCase(ObjectCase c)
    {
        try
        {
            var target = c.Make();
            _ = target.ToString();
            foreach (var (method, args) in c.Calls)
            {
                var result = method.Invoke(target, args);
                // A lazy sequence (Trainer.Fit) is run, a few items of it.
                if (result is System.Collections.IEnumerable sequence and not string and not IDictionary and not Array)
                    foreach (var _ in sequence.Cast<object>().Take(3)) { }
                _ = result?.ToString();
                _ = target.ToString();
            }
        }
        catch (Exception e) when (Unwrap(e) is TorchException or OperationCanceledException)
        {
            // PyTorch's error for this input; a training run that was told to stop (a canceled token).
        }
        catch (Exception e) when (Unwrap(e) is ArgumentNullException && c.AnyNull)
        {
            // A null argument refused by name.
        }
        catch (Exception e)
        {
            var leak = Unwrap(e);
            throw new Exception($"{c} leaked {leak.GetType().Name}: {leak.Message}", leak);
        }
    }

    /// <summary>The exception a call threw, whether through reflection (TargetInvocationException) or a lazy sequence.</summary>
    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;

    private sealed record Call(MethodInfo Method, object? Target, object?[] Args)
    {
        public override string ToString()
        {
            var text = new StringBuilder();
            text.Append(Method.DeclaringType!.Name).Append('.').Append(Method.Name).Append('(');
            if (Target is not null) text.Append("this=").Append(Describe(Target)).Append(", ");
            text.Append(string.Join(", ", Args.Select(Describe))).Append(')');
            return text.ToString();
        }

        internal static string Describe(object? a) => a switch
        {
            null => "null",
            Tensor t => $"{t.DType}[{string.Join(",", t.Shape)}]{(t.RequiresGrad ? " grad" : "")}",
            Tensor[] ts => "{" + string.Join(", ", ts.Select(Describe)) + "}",
            int[] xs => "[" + string.Join(",", xs) + "]",
            long[] xs => "[" + string.Join(",", xs) + "L]",
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => a.ToString() ?? "?",
        };
    }

    private static Gen<Call> GenCall(bool allowNull) =>
        from method in Gen.OneOfConst(Ops)
        from target in method.IsStatic ? Null : GenTensor.Select(t => (object?)t)
        from args in CombineArgs(method.GetParameters().Select(p => Arg(p.ParameterType, allowNull)).ToArray())
        select new Call(method, target, args);

    private static Gen<object?[]> CombineArgs(Gen<object?>[] gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<object?>()),
            (acc, g) => from xs in acc from x in g select xs.Append(x).ToArray());

    /// <summary>Calls the op; only a result or a TorchException (or a refusal of a null argument) is acceptable.</summary>
    private static void CheckCall(Call call)
    {
        try
        {
            var result = call.Method.Invoke(call.Target, call.Args);
            // The result must be usable: printing reads every shown element.
            if (result is Tensor t) _ = t.ToString();
        }
        catch (TargetInvocationException e) when (e.InnerException is TorchException)
        {
            // PyTorch's error for this input.
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentNullException
            && call.Args.Any(a => a is null))
        {
            // A null argument refused by name is a .NET caller's contract error, not a leak.
        }
        catch (TargetInvocationException e)
        {
            throw new Exception($"{call} leaked {e.InnerException!.GetType().Name}: {e.InnerException.Message}", e.InnerException);
        }
    }

    [Fact]
    public void Every_op_fuzzed_has_an_argument_generator()
    {
        // A new op with a parameter type the suite cannot make fails here, not silently unfuzzed.
        foreach (var m in Ops)
            foreach (var p in m.GetParameters()) _ = Arg(p.ParameterType, allowNull: true);
        Assert.True(Ops.Length >= 100, $"only {Ops.Length} ops found by reflection");
    }

    [Fact]
    public void Every_object_fuzzed_has_argument_generators()
    {
        foreach (var type in ObjectTypes)
        {
            foreach (var c in type.GetConstructors())
                foreach (var p in c.GetParameters()) _ = Arg(p.ParameterType, allowNull: true);
            foreach (var m in ObjectMethods(type))
                foreach (var p in m.GetParameters()) _ = Arg(p.ParameterType, allowNull: true);
        }
        output.WriteLine($"{ObjectTypes.Length} object types: {string.Join(", ", ObjectTypes.Select(t => t.Name))}");
        Assert.True(ObjectTypes.Length >= 25, $"only {ObjectTypes.Length} object types found by reflection");
    }

    [Fact]
    public void Layers_optimizers_schedulers_and_loaders_made_and_used_with_bad_values_give_results_or_TorchExceptions() =>
        Property.Check(GenObjectCase(allowNull: false), CheckObjectCase, cases: 600, output);

    [Fact]
    public void The_engines_objects_refuse_null_arguments_by_name() =>
        Property.Check(GenObjectCase(allowNull: true), CheckObjectCase, cases: 200, output);

    // ---- tensor files ------------------------------------------------------------------------------------------

    /// <summary>Well-formed files of each format to corrupt: tensors of each dtype, a dictionary, a module's state dict.</summary>
    private static readonly Lazy<(string Name, TensorFileFormat Format, byte[] Bytes)[]> SeedFiles = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("autograd-fuzz-");
        try
        {
            var t32 = Tensor.FromArray(new float[] { 1.5f, -2, float.NaN, 4, 5, 6 }, 2, 3);
            var t64 = Tensor.FromArray(new long[] { 1, -2, 3 }, 3);
            var tb = Tensor.FromArray(new[] { true, false }, 2);
            var dict = new System.Collections.Specialized.OrderedDictionary { ["a"] = t32, ["b"] = t64.To(DType.Float64) };
            var state = new Sequential(new Linear(2, 2, generator: new Random.Generator(3)), new ReLU()).StateDict();
            (string, object)[] values = [("t32", t32), ("i64", t64), ("bool", tb), ("dict", dict), ("state", state), ("transposed", t32.T())];
            var files = new List<(string, TensorFileFormat, byte[])>();
            foreach (var (name, value) in values)
                foreach (var format in new[] { TensorFileFormat.Pt, TensorFileFormat.Safetensors, TensorFileFormat.Npy })
                {
                    var path = Path.Combine(folder.FullName, $"{name}.{format}");
                    try { TensorFile.Save(path, value, format); }
                    catch (TensorFileException) { continue; }   // a .npy holds one tensor, safetensors no bool ...
                    files.Add(($"{name}.{format}", format, File.ReadAllBytes(path)));
                }
            return files.ToArray();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    });

    /// <summary>A seed file with a few random changes: bytes flipped or set to extremes, cut short, grown, spliced.</summary>
    private static readonly Gen<(string Label, TensorFileFormat Format, byte[] Bytes)> GenCorruptFile =
        from seed in Gen.Int[0, 1000]
        from edits in Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 4]
        from format in Gen.OneOfConst(TensorFileFormat.Auto, TensorFileFormat.Auto, TensorFileFormat.Pt, TensorFileFormat.Safetensors, TensorFileFormat.Npy)
        select Corrupt(SeedFiles.Value[seed % SeedFiles.Value.Length], edits, format);

    private static (string, TensorFileFormat, byte[]) Corrupt((string Name, TensorFileFormat Format, byte[] Bytes) file,
        (int Kind, int At, byte Value)[] edits, TensorFileFormat format)
    {
        var bytes = new List<byte>(file.Bytes);
        var label = new StringBuilder(file.Name).Append(" read as ").Append(format);
        foreach (var (kind, at, value) in edits)
        {
            if (bytes.Count == 0) break;
            int i = at % bytes.Count;
            label.Append($", {kind}@{i}:{value}");
            switch (kind)
            {
                case 0: bytes[i] = value; break;                                                    // one byte
                case 1: bytes[i] ^= (byte)(1 << (value % 8)); break;                                // one bit
                case 2: for (int k = 0; k < 8 && i + k < bytes.Count; k++) bytes[i + k] = value < 128 ? (byte)0xFF : (byte)0x7F; break; // a huge length or size
                case 3: bytes.RemoveRange(i, bytes.Count - i); break;                               // cut short
                case 4: bytes.InsertRange(i, Enumerable.Repeat(value, 1 + value % 16)); break;      // grown
                default: bytes.InsertRange(i, bytes.GetRange(0, Math.Min(bytes.Count, 64))); break; // spliced
            }
        }
        return (label.ToString(), format, bytes.ToArray());
    }

    [Fact]
    public void Corrupt_tensor_files_read_as_their_content_or_a_TensorFileException()
    {
        Assert.True(SeedFiles.Value.Length >= 10, $"only {SeedFiles.Value.Length} seed files");
        Property.Check(GenCorruptFile, file =>
        {
            try
            {
                var content = TensorFile.Load(new MemoryStream(file.Bytes, writable: false), "fuzz", file.Format);
                // What was read must be usable: every tensor in it prints.
                _ = Describe(content.Value);
            }
            catch (TensorFileException) { }
            catch (TorchException) { }   // e.g. the allocator's error for a size the file claims
            catch (Exception e)
            {
                throw new Exception($"{file.Label} leaked {e.GetType().Name}: {e.Message}", e);
            }
        }, cases: 1500, output);
    }

    private static string Describe(object? value) => value switch
    {
        Tensor t => t.ToString(),
        IDictionary d => string.Join(",", d.Keys.Cast<object>().Select(k => $"{k}={Describe(d[k])}")),
        IEnumerable e and not string => string.Join(",", e.Cast<object?>().Select(Describe)),
        _ => value?.ToString() ?? "None",
    };

    [Fact]
    public void Bad_values_into_every_op_give_a_result_or_a_TorchException() =>
        Property.Check(GenCall(allowNull: false), CheckCall, cases: 2500, output);

    [Fact]
    public void Null_arguments_into_every_op_give_a_result_or_an_error_that_names_them() =>
        Property.Check(GenCall(allowNull: true), CheckCall, cases: 800, output);

    [Fact]
    public void Backward_through_random_graphs_of_bad_values_gives_gradients_or_a_TorchException()
    {
        // Unary chains on tensors that require grad, reduced to a scalar and differentiated: NaN/inf must flow
        // through as values, never as an exception other than PyTorch's.
        var unary = Ops.Where(m => !m.IsStatic && m.ReturnType == typeof(Tensor) && m.GetParameters().Length == 0).ToArray();
        var gen =
            from shape in Gen.Int[0, 3].Array[0, 3]
            from special in GenDouble.Array[8]
            from seed in Gen.Int
            from chain in Gen.OneOfConst(unary).Array[1, 4]
            select (shape, special, seed, chain);
        Property.Check(gen, c =>
        {
            var x = MakeTensor(c.shape, DType.Float64, c.special, c.seed, requiresGrad: true);
            try
            {
                var y = x;
                foreach (var op in c.chain) y = (Tensor)op.Invoke(y, null)!;
                if (y.RequiresGrad) y.Sum().Backward();
                _ = x.Grad?.ToString();
            }
            catch (TargetInvocationException e) when (e.InnerException is TorchException) { }
            catch (TorchException) { }
            catch (TargetInvocationException e)
            {
                throw new Exception($"chain {string.Join(" -> ", c.chain.Select(m => m.Name))} on [{string.Join(",", c.shape)}] leaked {e.InnerException!.GetType().Name}: {e.InnerException.Message}", e.InnerException);
            }
        }, cases: 500, output);
    }
}
