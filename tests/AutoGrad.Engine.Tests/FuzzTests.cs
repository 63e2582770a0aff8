using System.Reflection;
using System.Text;
using AutoGrad.Autograd;
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
            _ when type == typeof(string) => Gen.OneOfConst("none", "tanh", "mean", "sum", "", "abc", "NONE").Select(v => (object?)v),
            _ when type == typeof(double?) => GenDouble.Select(v => (object?)v),
            _ when type == typeof(bool?) => Gen.Bool.Select(v => (object?)v),
            _ when type == typeof(Random.Generator) => Gen.Const((object?)new Random.Generator(5)),
            _ when type == typeof(long?) => GenLong.Select(v => (object?)v),
            _ => throw new InvalidOperationException($"the fuzz suite cannot make a {type} argument"),
        };
        bool nullable = !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        return allowNull && nullable ? Gen.Frequency((9, g), (1, Null)) : g;
    }

    // (Gen.Const(null) would pick Gen.Const's Func overload.)
    private static readonly Gen<object?> Null = Gen.Bool.Select(_ => (object?)null);

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

        private static string Describe(object? a) => a switch
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
