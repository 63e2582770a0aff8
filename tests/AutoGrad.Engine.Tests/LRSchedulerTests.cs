using System.Text.Json;
using AutoGrad.Optim;

namespace AutoGrad.Tests;

/// <summary>
/// Learning-rate schedules against real PyTorch: tests/data/lr_schedulers.json, made by tests/data/lr_schedulers.py.
/// Each case has two parameter groups; the lr (and momentum or beta1) of both after construction and after every
/// step must be PyTorch's (the chainable forms are recursive, so the arithmetic and its order must be the same).
/// </summary>
public class LRSchedulerTests
{
    private const string File = "lr_schedulers.json";

    public static IEnumerable<object[]> Cases => ReferenceData.CaseNames(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void SequenceMatchesPyTorch(string name)
    {
        var c = ReferenceData.Case(File, name);
        var optimizer = CreateOptimizer(c);
        var scheduler = CreateScheduler(c, optimizer);
        var metrics = c.GetProperty("metrics").ValueKind == JsonValueKind.Null ? null : ReferenceData.Doubles(c.GetProperty("metrics"));

        var initial = c.GetProperty("initial");
        AssertSame(ReferenceData.Doubles(initial.GetProperty("lr")), optimizer.ParamGroups.Select(g => g.LR), "lr after construction");
        AssertSame(Momenta(initial.GetProperty("momentum")), optimizer.ParamGroups.Select(Momentum), "momentum after construction");
        var initialLR = initial.GetProperty("initial_lr").EnumerateArray().ToArray();
        for (int i = 0; i < initialLR.Length; i++)
        {
            if (initialLR[i].ValueKind == JsonValueKind.Null) Assert.False(optimizer.ParamGroups[i].ContainsKey("initial_lr"));
            else Assert.Equal(initialLR[i].GetDouble(), (double)optimizer.ParamGroups[i]["initial_lr"]!);
        }

        int step = 0;
        foreach (var s in c.GetProperty("sequence").EnumerateArray())
        {
            optimizer.Step();
            if (scheduler is ReduceLROnPlateau plateau) plateau.Step(metrics![step]);
            else scheduler.Step();
            step++;
            AssertSame(ReferenceData.Doubles(s.GetProperty("last_lr")), scheduler.GetLastLR(), $"get_last_lr() after step {step}");
            AssertSame(ReferenceData.Doubles(s.GetProperty("lr")), optimizer.ParamGroups.Select(g => g.LR), $"lr after step {step}");
            AssertSame(Momenta(s.GetProperty("momentum")), optimizer.ParamGroups.Select(Momentum), $"momentum after step {step}");
        }
        Assert.Equal(c.GetProperty("steps").GetInt32(), step);
    }

    /// <summary>Bit for bit: the same operations on the same doubles give the same doubles.</summary>
    private static void AssertSame(IEnumerable<double> expected, IEnumerable<double> actual, string where)
    {
        var e = expected.ToArray();
        var a = actual.ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            if (BitConverter.DoubleToInt64Bits(e[i]) != BitConverter.DoubleToInt64Bits(a[i]))
                Assert.Fail($"{where}, group {i}: PyTorch {e[i]:R}, engine {a[i]:R}");
    }

    private static double[] Momenta(JsonElement values) => values.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double Momentum(ParamGroup g) => g switch
    {
        AdamParamGroup adam => adam.Betas[0],
        SGDParamGroup sgd => sgd.Momentum,
        RMSpropParamGroup rms => rms.Momentum,
        _ => throw new InvalidOperationException(),
    };

    internal static Optimizer CreateOptimizer(JsonElement c)
    {
        var lrs = ReferenceData.Doubles(c.GetProperty("lrs"));
        var o = ReferenceData.Dictionary(c.GetProperty("optimizer_options"));
        var groups = lrs.Select((lr, i) => (System.Collections.IDictionary)new System.Collections.Hashtable
        {
            ["params"] = new[] { Tensor.Zeros([i + 2], requiresGrad: true) },
            ["lr"] = lr,
        }).ToList();
        return c.GetProperty("optimizer").GetString() switch
        {
            "SGD" => new SGD(groups, momentum: o["momentum"] is double m ? m : 0),
            "Adam" => new Adam(groups, betas: o["betas"] as double[]),
            var other => throw new InvalidOperationException(other),
        };
    }

    internal static LRScheduler CreateScheduler(JsonElement c, Optimizer optimizer)
    {
        var o = c.GetProperty("options");
        double D(string key, double fallback) => o.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        int I(string key, int fallback) => o.TryGetProperty(key, out var v) ? v.GetInt32() : fallback;
        int? N(string key) => o.TryGetProperty(key, out var v) ? v.GetInt32() : null;
        string S(string key, string fallback) => o.TryGetProperty(key, out var v) ? v.GetString()! : fallback;
        double[]? L(string key) => !o.TryGetProperty(key, out var v) ? null
            : v.ValueKind == JsonValueKind.Array ? ReferenceData.Doubles(v) : [v.GetDouble()];
        return c.GetProperty("scheduler").GetString() switch
        {
            "StepLR" => new StepLR(optimizer, I("step_size", 0), D("gamma", 0.1)),
            "MultiStepLR" => new MultiStepLR(optimizer, ReferenceData.Ints(o.GetProperty("milestones")), D("gamma", 0.1)),
            "ExponentialLR" => new ExponentialLR(optimizer, D("gamma", 0)),
            "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, I("T_max", 0), D("eta_min", 0)),
            "LinearLR" => new LinearLR(optimizer, D("start_factor", 1.0 / 3), D("end_factor", 1.0), I("total_iters", 5)),
            "ReduceLROnPlateau" => new ReduceLROnPlateau(optimizer, S("mode", "min"), D("factor", 0.1), I("patience", 10),
                D("threshold", 1e-4), S("threshold_mode", "rel"), I("cooldown", 0), L("min_lr"), D("eps", 1e-8)),
            "OneCycleLR" => new OneCycleLR(optimizer, L("max_lr")!, N("total_steps"), N("epochs"), N("steps_per_epoch"),
                D("pct_start", 0.3), S("anneal_strategy", "cos"), o.TryGetProperty("cycle_momentum", out var cm) ? cm.GetBoolean() : true,
                L("base_momentum"), L("max_momentum"), D("div_factor", 25), D("final_div_factor", 1e4),
                o.TryGetProperty("three_phase", out var tp) && tp.GetBoolean()),
            var other => throw new InvalidOperationException(other),
        };
    }
}

/// <summary>Scheduler behaviour besides the sequences: PyTorch's messages, the initial step, printing.</summary>
public class LRSchedulerBehaviourTests
{
    private static SGD Sgd(double lr = 0.1) => new([Tensor.Zeros([2], requiresGrad: true)], lr: lr, momentum: 0.9);

    public static TheoryData<Func<Optimizer, LRScheduler>, string> InvalidOptions => new()
    {
        { o => new StepLR(o, 0), "StepLR's step_size must be a positive integer, but got 0" },
        { o => new CosineAnnealingLR(o, 0), "CosineAnnealingLR's T_max must be a positive integer, but got 0" },
        { o => new LinearLR(o, startFactor: 0), "Starting multiplicative factor expected to be greater than 0 and less or equal to 1." },
        { o => new LinearLR(o, endFactor: 1.5), "Ending multiplicative factor expected to be between 0 and 1." },
        { o => new ReduceLROnPlateau(o, factor: 1.0), "Factor should be < 1.0." },
        { o => new ReduceLROnPlateau(o, mode: "lowest"), "mode lowest is unknown!" },
        { o => new ReduceLROnPlateau(o, thresholdMode: "pct"), "threshold mode pct is unknown!" },
        { o => new ReduceLROnPlateau(o, minLR: [0.1, 0.2]), "expected 1 min_lrs, got 2" },
        { o => new OneCycleLR(o, [0.1]), "You must define either total_steps OR (epochs AND steps_per_epoch)" },
        { o => new OneCycleLR(o, [0.1], totalSteps: 0), "Expected positive integer total_steps, but got 0" },
        { o => new OneCycleLR(o, [0.1], epochs: 3), "Expected positive integer steps_per_epoch, but got None" },
        { o => new OneCycleLR(o, [0.1], totalSteps: 10, pctStart: 1.5), "Expected float between 0 and 1 pct_start, but got 1.5" },
        { o => new OneCycleLR(o, [0.1], totalSteps: 10, annealStrategy: "exp"), "anneal_strategy must be one of 'cos' or 'linear', instead got exp" },
        { o => new OneCycleLR(o, [0.1, 0.2], totalSteps: 10), "expected 1 values for max_lr, got 2" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsRaisePyTorchsMessages(Func<Optimizer, LRScheduler> create, string message)
    {
        var opt = Sgd();
        var e = Assert.Throws<TorchException>(() => create(opt));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ConstructionTakesTheInitialStepAndRecordsInitialLR()
    {
        var opt = Sgd(0.1);
        var s = new LinearLR(opt, startFactor: 0.5, totalIters: 4);
        Assert.Equal(0, s.LastEpoch);
        Assert.Equal(0.05, opt.ParamGroups[0].LR);
        Assert.Equal(0.1, opt.ParamGroups[0]["initial_lr"]);
        Assert.Equal(new[] { 0.1 }, s.BaseLRs);
        Assert.Equal(new[] { 0.05 }, s.GetLastLR());
        // A second scheduler on the same optimizer keeps the first one's initial_lr (PyTorch's setdefault).
        var s2 = new ExponentialLR(opt, 0.5);
        Assert.Equal(new[] { 0.1 }, s2.BaseLRs);
    }

    [Fact]
    public void OneCycleLRRefusesToStepPastTotalStepsAndStaysWhereItWas()
    {
        var opt = Sgd();
        var s = new OneCycleLR(opt, [1.0], totalSteps: 3);
        s.Step();
        s.Step();
        s.Step();
        var lr = opt.ParamGroups[0].LR;
        var e = Assert.Throws<TorchException>(() => s.Step());
        Assert.Equal("Tried to step 4 times. The specified number of total steps is 3", e.Message);
        Assert.Equal(3, s.LastEpoch);
        Assert.Equal(lr, opt.ParamGroups[0].LR);
    }

    [Fact]
    public void OneCycleLRNeedsMomentumOrBetasToCycleThem()
    {
        var adagrad = new Adagrad([Tensor.Zeros([1], requiresGrad: true)]);
        Assert.Equal("optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
            Assert.Throws<TorchException>(() => new OneCycleLR(adagrad, [0.1], totalSteps: 5)).Message);
        var s = new OneCycleLR(adagrad, [0.1], totalSteps: 5, cycleMomentum: false);
        Assert.Equal(0.004, adagrad.ParamGroups[0].LR, 15);
        Assert.False(adagrad.ParamGroups[0].ContainsKey("max_momentum"));
        _ = s;
    }

    [Fact]
    public void ReduceLROnPlateauNeedsAMetricAndTakesATensor()
    {
        var opt = Sgd(1.0);
        var s = new ReduceLROnPlateau(opt, patience: 0, factor: 0.5);
        Assert.False(opt.ParamGroups[0].ContainsKey("initial_lr"));
        Assert.Equal(new[] { 1.0 }, s.GetLastLR());
        var e = Assert.Throws<TorchException>(() => s.Step());
        Assert.Equal(TorchErrorKind.TypeError, e.Kind);
        Assert.Equal("step() missing 1 required positional argument: 'metrics'", e.Message);
        s.Step(Tensor.Scalar(2.0));
        s.Step(Tensor.Scalar(3.0));
        Assert.Equal(0.5, opt.ParamGroups[0].LR);
        Assert.Equal(2.0, s.Best);
    }

    [Fact]
    public void StepBeforeTheOptimizersFirstStepIsReported()
    {
        var opt = Sgd();
        var s = new StepLR(opt, 2);
        Assert.True(s.StepWouldPrecedeOptimizer);
        opt.Step();
        Assert.False(s.StepWouldPrecedeOptimizer);
        s.Step();
        Assert.False(s.StepWouldPrecedeOptimizer);
    }

    [Fact]
    public void SchedulersPrintTheirSettingsAndPosition()
    {
        var opt = new SGD(new System.Collections.IDictionary[]
        {
            new System.Collections.Hashtable { ["params"] = Tensor.Zeros([1], requiresGrad: true), ["lr"] = 0.1 },
            new System.Collections.Hashtable { ["params"] = Tensor.Zeros([1], requiresGrad: true), ["lr"] = 0.05 },
        });
        var s = new StepLR(opt, 2, 0.5);
        s.Step();
        s.Step();
        Assert.Equal("StepLR(step_size=2, gamma=0.5, last_epoch=2, last_lr=[0.05, 0.025])", s.ToString());
        Assert.Equal("MultiStepLR(milestones=[3, 5], gamma=0.1, last_epoch=0, last_lr=[0.05, 0.025])", new MultiStepLR(opt, [3, 5]).ToString());
        Assert.StartsWith("ReduceLROnPlateau(mode='min', factor=0.1, patience=10,", new ReduceLROnPlateau(opt).ToString());
    }
}
