using System.Collections.Specialized;
using System.IO.Compression;
using System.Text;
using AutoGrad.Serialization;

namespace AutoGrad.Tests;

/// <summary>
/// The file formats byte for byte: safetensors, NumPy's .npy and torch.save's zip, written and read back, their
/// layouts as the reference writers lay them out, and every kind of bad file refused with a message naming it.
/// (Real PyTorch reads and writes these in tests/TensorFilesInterop.Tests.ps1.)
/// </summary>
public class TensorFileFormatTests
{
    public static TheoryData<string> Samples => new() { "f32", "f64", "i64", "bool", "scalar", "empty", "empty2d" };

    private static Tensor Sample(string name) => name switch
    {
        "f32" => Tensor.FromArray(new[] { 1.5f, float.NaN, -0.0f, float.PositiveInfinity, 1e-38f, 3f }, 2, 3),
        "f64" => Tensor.FromArray(new[] { 0.1, 1e300, -2.5 }, 3),
        "i64" => Tensor.FromArray(new[] { long.MaxValue, long.MinValue, 0, -7 }, 2, 2),
        "bool" => Tensor.FromArray(new[] { true, false, true }, 3),
        "scalar" => Tensor.Scalar(3.25, DType.Float64),
        "empty" => Tensor.Zeros([0], DType.Int64),
        _ => Tensor.Zeros([2, 0]),
    };

    private static void AssertSame(Tensor expected, object? actual)
    {
        var t = Assert.IsType<Tensor>(actual);
        Assert.Equal(expected.DType, t.DType);
        Assert.Equal(expected.Shape, t.Shape);
        Assert.Equal(expected.ToArray(), t.ToArray());
    }

    private static TensorFileContent RoundTrip(Action<Stream> write, Func<Stream, TensorFileContent> read)
    {
        var ms = new MemoryStream();
        write(ms);
        ms.Position = 0;
        return read(ms);
    }

    [Theory, MemberData(nameof(Samples))]
    public void SafetensorsRoundTrip(string name)
    {
        var t = Sample(name);
        var content = RoundTrip(s => SafetensorsFormat.Write(s, [new("x", t)], new Dictionary<string, string> { ["k"] = "v" }),
            s => SafetensorsFormat.Read(s, "mem"));
        var d = Assert.IsType<OrderedDictionary>(content.Value);
        AssertSame(t, d["x"]);
        Assert.Equal("v", content.Metadata!["k"]);
    }

    [Theory, MemberData(nameof(Samples))]
    public void NpyRoundTrip(string name)
    {
        var t = Sample(name);
        AssertSame(t, RoundTrip(s => NpyFormat.Write(s, t), s => NpyFormat.Read(s, "mem")).Value);
    }

    [Theory, MemberData(nameof(Samples))]
    public void TorchSaveRoundTrip(string name)
    {
        var t = Sample(name);
        AssertSame(t, RoundTrip(s => TorchSaveFormat.Write(s, t), s => TorchSaveFormat.Read(s, "mem")).Value);
    }

    [Fact]
    public void SafetensorsLaysOutLikeTheReferenceWriter()
    {
        var ms = new MemoryStream();
        SafetensorsFormat.Write(ms, [new("b", Tensor.FromArray(new[] { true }, 1)), new("a", Tensor.FromArray(new[] { 1.0f }, 1)),
            new("c", Tensor.FromArray(new[] { 2.0 }, 1))]);
        var bytes = ms.ToArray();
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        // The caller's order in the header; the data by alignment (8-byte dtypes, then 4, then 1).
        Assert.Equal("""{"b":{"dtype":"BOOL","shape":[1],"data_offsets":[12,13]},"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""",
            header.TrimEnd(' '));
        Assert.Equal(8 + n + 13, bytes.Length);
        var read = (OrderedDictionary)SafetensorsFormat.Read(new MemoryStream(bytes), "mem").Value!;
        Assert.Equal(new object[] { "b", "a", "c" }, read.Keys.Cast<object>().ToArray());
    }

    [Fact]
    public void NpyHeaderIsNumpysOwn()
    {
        var ms = new MemoryStream();
        NpyFormat.Write(ms, Tensor.Zeros([2, 3]));
        var bytes = ms.ToArray();
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int len = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + len) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, len);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
        Assert.EndsWith(" \n", header);
        Assert.Equal(10 + len + 24, bytes.Length);
    }

    [Fact]
    public void NpyReadsFortranOrderAndBigEndian()
    {
        // 2x3 float64 in column-major order: 0 3 1 4 2 5 -> [[0, 1, 2], [3, 4, 5]]
        var f = Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", new double[] { 0, 3, 1, 4, 2, 5 }.SelectMany(BitConverter.GetBytes).ToArray());
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 5 }, ((Tensor)NpyFormat.Read(new MemoryStream(f), "f").Value!).ToDoubleArray());
        var be = Npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", [0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE]);
        var t = (Tensor)NpyFormat.Read(new MemoryStream(be), "be").Value!;
        Assert.Equal(DType.Int64, t.DType);
        Assert.Equal(new long[] { 258, -2 }, t.ToArray());
    }

    private static byte[] Npy(string dict, byte[] data)
    {
        var header = dict + new string(' ', 64 - (10 + dict.Length + 1) % 64) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8), .. Encoding.ASCII.GetBytes(header), .. data];
    }

    [Fact]
    public void TorchSaveZipLayoutIsPyTorchs()
    {
        var ms = new MemoryStream();
        var sd = new OrderedDictionary();
        for (int i = 0; i < 12; i++) sd[$"t{i}"] = Tensor.Full([3], i);
        TorchSaveFormat.Write(ms, sd);
        ms.Position = 0;
        using var zip = new ZipArchive(ms, ZipArchiveMode.Read, leaveOpen: true);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Equal("archive/data.pkl", names[0]);
        Assert.Equal("archive/version", names[^1]);
        // Storages in the order of their keys as strings, as torch.save writes them.
        var data = names.Where(n => n.StartsWith("archive/data/", StringComparison.Ordinal)).Select(n => n["archive/data/".Length..]).ToArray();
        Assert.Equal(new[] { "0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9" }, data);
        Assert.Equal("3\n", new StreamReader(zip.GetEntry("archive/version")!.Open()).ReadToEnd());
        Assert.Equal("little", new StreamReader(zip.GetEntry("archive/byteorder")!.Open()).ReadToEnd());
        // Every record's data starts on a 64-byte boundary (local header 30 + name + "FB" extra field).
        var bytes = ms.ToArray();
        int at = 0;
        while (BitConverter.ToUInt32(bytes, at) == 0x04034b50)
        {
            int nameLen = BitConverter.ToUInt16(bytes, at + 26), extraLen = BitConverter.ToUInt16(bytes, at + 28);
            Assert.Equal((byte)'F', bytes[at + 30 + nameLen]);
            Assert.Equal(0, (at + 30 + nameLen + extraLen) % 64);
            var entry = zip.GetEntry(Encoding.UTF8.GetString(bytes, at + 30, nameLen))!;
            at += 30 + nameLen + extraLen + (int)entry.Length + 16;
        }
        Assert.Equal(names.Length, zip.Entries.Count);
    }

    [Fact]
    public void TorchSaveKeepsContainersAndRequiresGrad()
    {
        var w = Tensor.FromArray(new[] { 1.0f, 2.0f }, 2);
        w.RequiresGrad = true;
        var root = new OrderedDictionary
        {
            ["w"] = w,
            ["list"] = new object?[] { 1L, 2.5, "text", null, true, 1L << 40, -(1L << 40) },
        };
        root.Add(3, new OrderedDictionary { ["nested"] = Tensor.Scalar(1) });   // an int key, as an optimizer's state has
        var back = (OrderedDictionary)RoundTrip(s => TorchSaveFormat.Write(s, root), s => TorchSaveFormat.Read(s, "mem")).Value!;
        Assert.True(((Tensor)back["w"]!).RequiresGrad);
        Assert.Equal(new object?[] { 1L, 2.5, "text", null, true, 1L << 40, -(1L << 40) }, ((List<object?>)back["list"]!).ToArray());
        Assert.IsType<Tensor>(((OrderedDictionary)back[(object)3L]!)["nested"]);
    }

    [Fact]
    public void Crc32IsZips()
    {
        Assert.Equal(0xCBF43926u, ~Crc32.Update(0xFFFFFFFF, "123456789"u8));
    }

    // ---- bad files ---------------------------------------------------------------------------------------

    private static TensorFileException Refused(byte[] bytes, TensorFileFormat format = TensorFileFormat.Auto) =>
        Assert.Throws<TensorFileException>(() => TensorFile.Load(new MemoryStream(bytes), "bad.file", format));

    private static byte[] Safetensors(string json, int dataBytes) =>
        [.. BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(json)), .. Encoding.UTF8.GetBytes(json), .. new byte[dataBytes]];

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}""", 8, "claims 8 bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "starts at byte 4")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "starts at byte 0")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "is truncated")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, "cover 4 bytes but the data section has 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "not a size")]
    [InlineData("""{"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,4]}}""", 4, "more elements")]
    [InlineData("""{"a":{"dtype":"F32"}}""", 0, "needs \"dtype\"")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "names 'a' twice")]
    [InlineData("""{"__metadata__":{"k":1}}""", 0, "is not a string")]
    [InlineData("""[1,2]""", 0, "not a JSON object")]
    [InlineData("""{"a": """, 0, "not valid JSON")]
    public void SafetensorsRefusesLyingHeaders(string json, int dataBytes, string message)
    {
        var ex = Refused(Safetensors(json, dataBytes), TensorFileFormat.Safetensors);
        Assert.Equal("InvalidData", ex.Id);
        Assert.Contains("'bad.file'", ex.Message);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void SafetensorsRefusesHugeHeadersAndUnknownDTypes()
    {
        Assert.Contains("exceeds the format's limit", Refused([.. BitConverter.GetBytes(200_000_000UL), .. new byte[16]], TensorFileFormat.Safetensors).Message);
        Assert.Contains("runs past the end", Refused([.. BitConverter.GetBytes(1000UL), .. "{}"u8], TensorFileFormat.Safetensors).Message);
        var ex = Refused(Safetensors("""{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8), TensorFileFormat.Safetensors);
        Assert.Equal("UnsupportedDType", ex.Id);
    }

    [Fact]
    public void SafetensorsWidensHalfAndSmallIntegersExactly()
    {
        var half = BitConverter.GetBytes((Half)0.5f).Concat(BitConverter.GetBytes((Half)(-1.25f))).ToArray();
        var bf16 = new byte[] { 0x00, 0x3F, 0x80, 0xBF };   // 0.5, -1.0
        var json = """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"u":{"dtype":"U8","shape":[2],"data_offsets":[8,10]},"i":{"dtype":"I16","shape":[1],"data_offsets":[10,12]}}""";
        byte[] file = [.. BitConverter.GetBytes((ulong)json.Length), .. Encoding.UTF8.GetBytes(json), .. half, .. bf16, 255, 7, 0xFE, 0xFF];
        var content = SafetensorsFormat.Read(new MemoryStream(file), "w");
        var d = (OrderedDictionary)content.Value!;
        Assert.Equal(new[] { 0.5f, -1.25f }, ((Tensor)d["h"]!).ToArray());
        Assert.Equal(new[] { 0.5f, -1.0f }, ((Tensor)d["b"]!).ToArray());
        Assert.Equal(new long[] { 255, 7 }, ((Tensor)d["u"]!).ToArray());
        Assert.Equal(new long[] { -2 }, ((Tensor)d["i"]!).ToArray());
        Assert.Equal(4, content.Conversions.Count);
    }

    [Fact]
    public void NpyRefusesBadFiles()
    {
        Assert.Contains("NumPy's magic", Refused("\x93NUMPX\x01\x00"u8.ToArray(), TensorFileFormat.Npy).Message);
        Assert.Equal("UnsupportedDType", Refused(Npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8])).Id);
        Assert.Contains("not a string, True/False or a tuple", Refused(Npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4])).Message);
        Assert.Contains("is truncated", Refused(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", new byte[8])).Message);
        Assert.Contains("'shape'", Refused(Npy("{'descr': '<f8', 'fortran_order': False, }", new byte[8])).Message);
        Assert.Contains("is missing", Refused(Npy("{'descr' '<f8'}", [])).Message);
    }

    /// <summary>A torch.save zip around a hand-written pickle (and optional storages).</summary>
    private static byte[] TorchZip(byte[] pickle, params (string Key, byte[] Data)[] storages)
    {
        var ms = new MemoryStream();
        var zip = new TorchZipWriter(ms, "archive");
        zip.WriteRecord("data.pkl", pickle);
        foreach (var (key, data) in storages) zip.WriteRecord("data/" + key, data);
        zip.WriteRecord("version", "3\n"u8);
        zip.Finish();
        return ms.ToArray();
    }

    private static byte[] Pickle(string body) => [0x80, 2, .. Encoding.Latin1.GetBytes(body), (byte)'.'];

    [Theory]
    [InlineData("cos\nsystem\n(X\u0005\u0000\u0000\u0000touch tR", "'os.system'")]
    [InlineData("cbuiltins\neval\n(X\u0001\u0000\u0000\u00001tR", "'builtins.eval'")]
    [InlineData("ctorch._utils\n_rebuild_qtensor\n)R", "'torch._utils._rebuild_qtensor'")]
    [InlineData("c__main__\nEvil\n)\u0081", "'__main__.Evil'")]
    public void TorchSaveRefusesForeignGlobalsAndRunsNothing(string body, string named)
    {
        var ex = Refused(TorchZip(Pickle(body)));
        Assert.Equal("ForbiddenGlobal", ex.Id);
        Assert.Contains(named, ex.Message);
        Assert.Contains("'bad.file'", ex.Message);
        Assert.Contains("nothing in the file was run", ex.Message);
    }

    [Theory]
    [InlineData("K\u0001", "ends without STOP")]                      // no STOP (Pickle adds '.', so strip it below)
    [InlineData("t", "has no MARK")]
    [InlineData("h\u0005", "never stored")]
    [InlineData("I1\n", "opcode 0x49")]
    [InlineData("X\u00ff\u0000\u0000\u0000ab", "is truncated")]
    public void TorchSaveRefusesBrokenPickles(string body, string message)
    {
        var pickle = Pickle(body);
        if (message == "ends without STOP") pickle = pickle[..^1];
        var ex = Refused(TorchZip(pickle));
        Assert.Equal("InvalidData", ex.Id);
        Assert.Contains(message, ex.Message);
    }

    private const string RebuildFloats = "ctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u0002tQK\u0000K\u0002\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtR";

    [Fact]
    public void TorchSaveReadsAHandWrittenTensorAndChecksItsStorage()
    {
        var two = BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(2.5f)).ToArray();
        Assert.Equal(new[] { 1.5f, 2.5f }, ((Tensor)TensorFile.Load(new MemoryStream(TorchZip(Pickle(RebuildFloats), ("0", two))), "ok", TensorFileFormat.Auto).Value!).ToArray());
        Assert.Contains("its record has 4 bytes", Refused(TorchZip(Pickle(RebuildFloats), ("0", two[..4]))).Message);
        Assert.Contains("has no record archive/data/0", Refused(TorchZip(Pickle(RebuildFloats))).Message);
        // size 3 at stride 1 reaches past a 2-element storage
        var tooLong = RebuildFloats.Replace("K\u0002\u0085K\u0001\u0085", "K\u0003\u0085K\u0001\u0085", StringComparison.Ordinal);
        Assert.Contains("reaches element 3 of storage '0', which has only 2", Refused(TorchZip(Pickle(tooLong), ("0", two))).Message);
        var complex = RebuildFloats.Replace("FloatStorage", "ComplexFloatStorage", StringComparison.Ordinal);
        Assert.Equal("UnsupportedDType", Refused(TorchZip(Pickle(complex), ("0", new byte[16]))).Id);
    }

    [Fact]
    public void RecognizesWhatItDoesNotRead()
    {
        Assert.Contains("legacy format", Refused([0x80, 0x02, 0x8a, 0x0a, 0, 0]).Message);
        var script = new MemoryStream();
        var zip = new TorchZipWriter(script, "model");
        zip.WriteRecord("constants.pkl", Pickle(")"));
        zip.WriteRecord("code/model.py", "x"u8);
        zip.Finish();
        Assert.Contains("TorchScript", Refused(script.ToArray()).Message);
        var truncated = TorchZip(Pickle(RebuildFloats), ("0", new byte[8]));
        Assert.Equal("InvalidData", Refused(truncated[..(truncated.Length / 2)]).Id);
        Assert.Contains("is empty", Refused([]).Message);
        Assert.Equal("UnsupportedFormat", Refused("hello world!"u8.ToArray()).Id);
    }

    [Fact]
    public void SaveRefusesWhatAFormatCannotHold()
    {
        var dir = Directory.CreateTempSubdirectory("autograd-save-").FullName;
        try
        {
            Assert.Equal("UnsupportedValue", Assert.Throws<TensorFileException>(() => TensorFile.Save(Path.Combine(dir, "a.npy"), new OrderedDictionary())).Id);
            Assert.Equal("UnsupportedValue", Assert.Throws<TensorFileException>(() => TensorFile.Save(Path.Combine(dir, "a.safetensors"), new OrderedDictionary { ["n"] = 1 })).Id);
            Assert.Equal("InvalidName", Assert.Throws<TensorFileException>(() => TensorFile.Save(Path.Combine(dir, "b.safetensors"), new OrderedDictionary { ["__metadata__"] = Tensor.Scalar(1) })).Id);
            Assert.Equal("UnsupportedValue", Assert.Throws<TensorFileException>(() => TensorFile.Save(Path.Combine(dir, "a.pt"), new OrderedDictionary { ["d"] = DateTime.Now })).Id);
            Assert.Equal("UnsupportedFormat", Assert.Throws<TensorFileException>(() => TensorFile.Save(Path.Combine(dir, "a.bin"), Tensor.Scalar(1))).Id);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AFailedSaveLeavesTheOldFileAndNoTemporaryFile()
    {
        var dir = Directory.CreateTempSubdirectory("autograd-atomic-").FullName;
        try
        {
            var path = Path.Combine(dir, "w.pt");
            TensorFile.Save(path, Tensor.Ones([4]));
            var before = File.ReadAllBytes(path);
            Assert.Equal("FileExists", Assert.Throws<TensorFileException>(() => TensorFile.Save(path, Tensor.Zeros([1]))).Id);
            var disposed = Tensor.Zeros([100]);
            disposed.Dispose();
            Assert.Throws<ObjectDisposedException>(() => TensorFile.Save(path, new OrderedDictionary { ["a"] = Tensor.Ones([2]), ["b"] = disposed }, overwrite: true));
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(dir));
            TensorFile.Save(path, Tensor.Zeros([1]), overwrite: true);
            Assert.NotEqual(before, File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
