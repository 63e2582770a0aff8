using System.Collections;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// A tensor as a property bag: what Import-Clixml, remoting and jobs give back (Deserialized.AutoGrad.Tensor, with
/// DType, Shape, RequiresGrad and the raw SerializedData), and what ConvertFrom-Json gives for ConvertTo-Json's
/// output (DType, Shape, nested Values). Both turn back into the tensor, so every cmdlet accepts them.
/// </summary>
internal static class TensorRecord
{
    /// <summary>True when <paramref name="value"/> looks like a serialized tensor (it may still fail to convert).</summary>
    public static bool IsRecord(object? value) =>
        value is PSObject pso && pso.BaseObject is PSCustomObject
        && Property(pso, "DType") is not null && Property(pso, "Shape") is not null
        && (Property(pso, "SerializedData") is not null || Property(pso, "Values") is not null);

    /// <summary>The tensor when <paramref name="value"/> is a well-formed record; false (and no error) otherwise.</summary>
    public static bool TryToTensor(object? value, out Tensor tensor)
    {
        tensor = null!;
        if (!IsRecord(value)) return false;
        try
        {
            tensor = ToTensor((PSObject)value!);
            return true;
        }
        catch (TensorDataException)
        {
            return false;
        }
    }

    private static PSPropertyInfo? Property(PSObject pso, string name) => pso.Properties[name];

    /// <summary>The tensor a record describes; a TensorDataException saying what is wrong otherwise.</summary>
    public static Tensor ToTensor(PSObject record)
    {
        var dtype = ReadDType(record.Properties["DType"]!.Value);
        var shape = ReadShape(record.Properties["Shape"]!.Value);
        Tensor tensor;
        var raw = Unwrapped(record.Properties["SerializedData"]?.Value);
        if (raw is byte[] bytes)
        {
            try
            {
                tensor = Serialization.TensorBytes.FromBytes(bytes, dtype, shape);
            }
            catch (Exception ex) when (ex is TorchException or ArgumentException)
            {
                throw Bad($"its SerializedData does not hold a {dtype} tensor of shape [{string.Join(", ", shape)}] ({ex.Message})");
            }
        }
        else
        {
            var values = record.Properties["Values"]?.Value;
            var parsed = TensorData.Parse(values is null ? Array.Empty<object>() : values);
            int count = Shapes.NumElements(shape);
            if (parsed.Count != count)
                throw Bad($"its Values hold {parsed.Count} numbers but its Shape [{string.Join(", ", shape)}] needs {count}");
            tensor = parsed.ToTensor(dtype, shape);
        }
        var requiresGrad = Unwrapped(record.Properties["RequiresGrad"]?.Value ?? record.Properties["requires_grad"]?.Value);
        if (requiresGrad is true && dtype.IsFloating()) tensor.RequiresGrad = true;
        return tensor;
    }

    private static object? Unwrapped(object? v) => v is PSObject p ? p.BaseObject : v;

    private static TensorDataException Bad(string what) =>
        new("InvalidTensorRecord", ErrorCategory.InvalidData, null, $"The object is not a serialized tensor: {what}.");

    private static DType ReadDType(object? value)
    {
        switch (Unwrapped(value))
        {
            case DType d: return d;
            case string s when DTypes.TryParse(s, out var parsed): return parsed;
            case IConvertible c and not string and not bool:
                long n = c.ToInt64(CultureInfo.InvariantCulture);
                if (Enum.IsDefined(typeof(DType), n)) return (DType)n;
                break;
        }
        throw Bad($"its DType '{value}' is not a dtype");
    }

    private static int[] ReadShape(object? value)
    {
        var v = Unwrapped(value);
        var dims = new List<int>();
        if (v is IEnumerable e and not string)
        {
            foreach (var item in e)
            {
                var x = Unwrapped(item);
                if (x is not IConvertible c || x is string or bool) throw Bad($"its Shape holds '{x}', which is not a size");
                long n = c.ToInt64(CultureInfo.InvariantCulture);
                if (n < 0 || n > int.MaxValue) throw Bad($"its Shape holds {n}, which is not a size");
                dims.Add((int)n);
            }
            return dims.ToArray();
        }
        if (v is IConvertible one && v is not (string or bool)) return [one.ToInt32(CultureInfo.InvariantCulture)];
        throw Bad("its Shape is not a list of sizes");
    }
}

/// <summary>
/// Converts serialized tensors (<see cref="TensorRecord"/>) to <see cref="Tensor"/> wherever PowerShell converts
/// to that type: parameter binding, casts, and rehydration by Import-Clixml and remoting (registered for
/// AutoGrad.Tensor in AutoGrad.PS.types.ps1xml).
/// </summary>
public sealed class TensorTypeConverter : PSTypeConverter
{
    public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
        destinationType == typeof(Tensor) && TensorRecord.IsRecord(sourceValue as PSObject ?? PSObject.AsPSObject(sourceValue));

    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        try
        {
            return TensorRecord.ToTensor(sourceValue as PSObject ?? PSObject.AsPSObject(sourceValue));
        }
        catch (TensorDataException ex)
        {
            throw new PSInvalidCastException(ex.Message, ex);
        }
    }

    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        throw new PSInvalidCastException($"Cannot convert a tensor to {destinationType}.");

    /// <summary>The CodeProperty behind a tensor's hidden SerializedData (its elements as little-endian bytes).</summary>
    public static byte[] GetSerializedData(PSObject instance) => Serialization.TensorBytes.ToBytes((Tensor)instance.BaseObject);

    /// <summary>The CodeProperty behind a tensor's Values (its elements nested by dimension, as tolist()).</summary>
    public static object GetValues(PSObject instance) => ((Tensor)instance.BaseObject).ToList();
}
