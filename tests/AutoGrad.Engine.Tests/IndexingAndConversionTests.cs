namespace AutoGrad.Tests;

/// <summary>Python's indexing on Tensor (t[0], t[1, 2], t[":, 1"], t[1..3]) and float(t)/int(t)/bool(t)/tolist().</summary>
public class IndexingAndConversionTests
{
    private static Tensor X()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 4);
        x.RequiresGrad = true;
        return x;
    }

    [Fact]
    public void IntegersSelectAndSlicesNarrow()
    {
        var x = X();
        Assert.Equal(new[] { 3, 4 }, x[1].Shape);
        Assert.Equal("SelectBackward0", x[1].GradFn!.Name);
        Assert.Equal(23.0, (double)x[-1, -1, -1]);
        var s = x[":, 1:3"];
        Assert.Equal(new[] { 2, 2, 4 }, s.Shape);
        Assert.Equal("SliceBackward0", s.GradFn!.Name);
        Assert.Equal(x[":", "1:3"].ToArray(), s.ToArray());
        Assert.Equal(x[.., 1..3].ToArray(), s.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 4 }, x["None"].Shape);
        Assert.Equal(new[] { 2, 3 }, x["...", 0].Shape);
        Assert.Equal(new float[] { 0, 2, 4, 6, 8, 10 }, x[0, ":", "::2"].ToArray());
        Assert.Equal(new[] { 2, 0, 4 }, x[":, 5:9"].Shape);
    }

    [Fact]
    public void GradientsFlowBackThroughAnIndex()
    {
        var a = Tensor.FromArray(new[] { 1f, 2f, 3f }, 3);
        a.RequiresGrad = true;
        a[1].Mul(5.0).Backward();
        Assert.Equal(new[] { 0f, 5f, 0f }, a.Grad!.ToArray());
    }

    [Theory]
    [InlineData(new object[] { 2 }, "index 2 is out of bounds for dimension 0 with size 2")]
    [InlineData(new object[] { 0, 0, 0, 0 }, "too many indices for tensor of dimension 3")]
    [InlineData(new object[] { 1.5 }, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)")]
    [InlineData(new object[] { "::0" }, "slice step cannot be zero")]
    [InlineData(new object[] { "::-1" }, "step must be greater than zero")]
    [InlineData(new object[] { "1:x" }, "cannot read '1:x' in the index '1:x' as an index: write an integer, a slice such as '1:3', ':' or '::2', '...', or 'None'")]
    public void BadIndicesFailWithPyTorchsMessages(object[] index, string message)
    {
        var ex = Assert.Throws<TorchException>(() => X().Index(index));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void ConversionsTakeOneElement()
    {
        var t = Tensor.FromArray(new[] { 2.75 }, 1, 1);
        Assert.Equal(2.75, (double)t);
        Assert.Equal(2.75f, (float)t);
        Assert.Equal(2L, (long)t);
        Assert.Equal(-7, (int)Tensor.FromArray(new[] { -7L }, 1));
        Assert.False((bool)Tensor.Scalar(0));
        Assert.Equal("only one element tensors can be converted to Python scalars",
            Assert.Throws<TorchException>(() => (double)Tensor.Zeros([2])).Message);
        Assert.Equal("Boolean value of Tensor with more than one value is ambiguous",
            Assert.Throws<TorchException>(() => (bool)Tensor.Zeros([2])).Message);
        Assert.Equal("Boolean value of Tensor with no values is ambiguous",
            Assert.Throws<TorchException>(() => (bool)Tensor.Zeros([0])).Message);
    }

    [Fact]
    public void ToListNestsInTheElementType()
    {
        var l = (object[])Tensor.FromArray(new long[] { 1, 2, 3, 4, 5, 6 }, 3, 2).ToList();
        Assert.Equal(3, l.Length);
        Assert.Equal(new object[] { 5L, 6L }, (object[])l[2]);
        Assert.Equal(1.5f, Tensor.Scalar(1.5).ToList());
        Assert.Empty((object[])Tensor.Zeros([0]).ToList());
    }
}
