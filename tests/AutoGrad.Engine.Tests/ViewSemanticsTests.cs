using System.Text.Json;
using AutoGrad.Autograd;
using static AutoGrad.Tests.ReferenceData;

namespace AutoGrad.Tests;

/// <summary>
/// Views share storage as in PyTorch: geometry, writes through a view reaching the base, the nodes recorded before
/// and after an in-place op on a view (AsStridedBackward0 on the view, CopySlices on the base), the gradient that
/// flows back through it, and the layouts elementwise results take. Expected values: tests/data/views.py.
/// </summary>
public class ViewSemanticsTests
{
    private static readonly JsonElement Data = Load("views");

    private static readonly Dictionary<string, Func<Tensor, Tensor>> Views = new()
    {
        ["T"] = x => x.T(),
        ["Transpose"] = x => x.Transpose(0, 1),
        ["Permute"] = x => x.Permute(1, 0),
        ["Select0"] = x => x.Select(0, 1),
        ["Select1"] = x => x.Select(1, 2),
        ["SelectNegative"] = x => x.Select(-1, -1),
        ["Narrow"] = x => x.Narrow(1, 1, 2),
        ["SliceStep"] = x => x.Slice(1, 0, 4, 2),
        ["SliceRows"] = x => x.Slice(0, 1, 3),
        ["Unsqueeze"] = x => x.Unsqueeze(1),
        ["Squeeze"] = x => x.Unsqueeze(0).Squeeze(0),
        ["View"] = x => x.View(4, 3),
        ["Reshape"] = x => x.Reshape(2, 6),
        ["Flatten"] = x => x.Flatten(),
        ["Unflatten"] = x => x.Unflatten(1, [2, 2]),
        ["Diagonal"] = x => x.Diagonal(),
        ["DiagonalOffset"] = x => x.Diagonal(1),
        ["TThenSelect"] = x => x.T().Select(0, 1),
        ["NarrowThenT"] = x => x.Narrow(0, 1, 2).T(),
        ["Detach"] = x => x.Detach(),
    };

    public static TheoryData<string> ViewNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Data.GetProperty("views").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    private static JsonElement Case(string section, string name) =>
        Data.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static Tensor Arange12() => Tensor.FromDoubles(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), [3, 4], DType.Float64);

    [Theory]
    [MemberData(nameof(ViewNames))]
    public void A_view_has_PyTorchs_geometry_and_shares_the_storage(string name)
    {
        var expected = Case("views", name);
        var @base = Arange12();
        var view = Views[name](@base);
        Assert.Equal(Ints(expected.GetProperty("shape")), view.Shape);
        Assert.Equal(Ints(expected.GetProperty("strides")), view.Strides);
        Assert.Equal(expected.GetProperty("offset").GetInt32(), view.StorageOffset);
        Assert.Same(@base.StorageObject, view.StorageObject);
    }

    [Theory]
    [MemberData(nameof(ViewNames))]
    public void An_in_place_write_through_a_view_reaches_the_base(string name)
    {
        var @base = Arange12();
        var version = @base.VersionNumber;
        Views[name](@base).Mul_(10);
        TestTensors.AssertClose(Doubles(Case("views", name).GetProperty("baseAfterWrite")), @base);
        Assert.Equal(version + 1, @base.VersionNumber);
    }

    [Theory]
    [MemberData(nameof(ViewNames))]
    public void View_nodes_before_and_after_an_in_place_op_are_PyTorchs(string name)
    {
        var expected = Case("views", name);
        var leaf = Arange12();
        leaf.RequiresGrad = true;
        Assert.Equal(String(expected, "viewNode"), Views[name](leaf).GradFn?.Name);
        if (name == "Detach") return;

        var b = leaf.Clone();
        var v = Views[name](b);
        v.Mul_(3);
        Assert.Equal(String(expected, "viewNodeAfterInPlace"), v.GradFn?.Name);
        Assert.Equal(String(expected, "baseNodeAfterInPlace"), b.GradFn?.Name);
        var weights = Tensor.FromDoubles(Enumerable.Range(1, 12).Select(i => (double)i).ToArray(), [3, 4], DType.Float64);
        b.Mul(weights).Sum().Backward();
        TestTensors.AssertClose(Doubles(expected.GetProperty("leafGrad")), leaf.Grad!);
    }

    public static TheoryData<string> LayoutNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Data.GetProperty("layouts").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    private static readonly Dictionary<string, Func<Tensor, Tensor>> Layouts = new()
    {
        ["ExpOfT"] = x => x.T().Exp(),
        ["AddTAndContiguous"] = x => x.T().Add(Tensor.Ones([3, 2], DType.Float64)),
        ["AddContiguousAndT"] = x => Tensor.Ones([3, 2], DType.Float64).Add(x.T()),
        ["Log1pOfT"] = x => x.T().Log1p(),
        ["LeakyReluOfT"] = x => x.T().LeakyRelu(),
        ["SiluOfT"] = x => x.T().Silu(),
        ["CloneOfT"] = x => x.T().Clone(),
        ["ContiguousOfT"] = x => x.T().Contiguous(),
        ["MulScalarOfPermute"] = x => x.Unsqueeze(2).Permute(2, 1, 0).Mul(2L),
    };

    [Theory]
    [MemberData(nameof(LayoutNames))]
    public void Elementwise_results_take_TensorIterators_layout(string name)
    {
        var expected = Case("layouts", name);
        var x = Tensor.Ones([2, 3], DType.Float64, requiresGrad: true);
        var r = Layouts[name](x);
        Assert.Equal(Ints(expected.GetProperty("strides")), r.Strides);
        Assert.Equal(String(expected, "reshapeNode"), r.Reshape(-1).GradFn?.Name);
    }

    [Fact]
    public void In_place_on_a_view_of_a_leaf_that_requires_grad_is_PyTorchs_error()
    {
        var leaf = Tensor.Ones([3], requiresGrad: true);
        var e = Assert.Throws<TorchException>(() => leaf.Select(0, 0).Mul_(2));
        Assert.Equal(Data.GetProperty("errors").GetProperty("InPlaceOnViewOfLeaf").GetString(), e.Message);
    }

    [Fact]
    public void In_place_on_an_expanded_view_is_PyTorchs_error_and_expand_allocates_nothing()
    {
        var one = Tensor.Zeros([1]);
        var expanded = one.Expand(100_000_000);
        Assert.Same(one.StorageObject, expanded.StorageObject);
        Assert.Equal([0], expanded.Strides);
        var e = Assert.Throws<TorchException>(() => one.Expand(3).Add_(1));
        Assert.Equal(Data.GetProperty("errors").GetProperty("InPlaceOnExpanded").GetString(), e.Message);
    }

    [Fact]
    public void In_place_with_grad_on_a_view_made_under_no_grad_is_PyTorchs_error()
    {
        var leaf = Tensor.Ones([3], requiresGrad: true);
        Tensor view;
        using (GradMode.NoGrad()) view = leaf.Select(0, 0);
        var e = Assert.Throws<TorchException>(() => view.Mul_(2));
        Assert.Equal(Data.GetProperty("errors").GetProperty("InPlaceOnNoGradView").GetString(), e.Message);
    }

    [Fact]
    public void Copying_into_a_slice_of_a_plain_tensor_makes_it_part_of_the_graph()
    {
        var expected = Data.GetProperty("copyIntoSlice");
        var z = Tensor.Zeros([4], DType.Float64);
        var y = TestTensors.Leaf([1, 2], 2);
        z.Slice(0, 1, 3).Copy_(y.Mul(2L));
        TestTensors.AssertClose(Doubles(expected.GetProperty("values")), z);
        Assert.Equal(String(expected, "node"), z.GradFn?.Name);
        z.Mul(TestTensors.F64([1, 2, 3, 4], 4)).Sum().Backward();
        TestTensors.AssertClose(Doubles(expected.GetProperty("yGrad")), y.Grad!);
    }

    [Fact]
    public void A_view_sees_writes_to_its_base_and_its_history_is_regenerated()
    {
        var leaf = Tensor.Ones([2, 3], DType.Float64, requiresGrad: true);
        var view = leaf.T();
        Assert.Equal("TBackward0", view.GradFn!.Name);
        using (GradMode.NoGrad()) leaf.Sub_(1);
        TestTensors.AssertClose([0, 0, 0, 0, 0, 0], view);
        Assert.Equal("AsStridedBackward0", view.GradFn!.Name);
    }
}
