using System.Reflection;
using System.Runtime.Loader;
using AutoGrad.Visualization;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Loads the picture renderers (AutoGrad.Drawing with MSAGL, ScottPlot and SkiaSharp, ~75 MB with the native
/// libraries) from the module's Drawing/ folder the first time a picture is asked for, in a load context of their
/// own: importing the module loads none of it, and the libraries cannot clash with another version that pwsh or
/// another module loaded. The folder's AutoGrad.Drawing.deps.json names each platform's native files
/// (runtimes/&lt;rid&gt;/native/libSkiaSharp...), which <see cref="AssemblyDependencyResolver"/> picks for this
/// machine. Only the engine is shared with the cmdlets: the graph and chart objects cross as the engine's types.
/// </summary>
internal sealed class DrawingLoadContext : AssemblyLoadContext
{
    private const string AssemblyName = "AutoGrad.Drawing";
    private static readonly Lazy<Assembly> s_drawing = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Assembly s_engine = typeof(BackwardGraph).Assembly;
    private readonly AssemblyDependencyResolver _resolver;

    private DrawingLoadContext(string mainAssemblyPath) : base(AssemblyName)
        => _resolver = new AssemblyDependencyResolver(mainAssemblyPath);

    /// <summary>The folder the renderers are expected in: Drawing/ beside the cmdlet assembly.</summary>
    internal static string Folder => Path.Combine(Path.GetDirectoryName(typeof(DrawingLoadContext).Assembly.Location)!, "Drawing");

    /// <summary>Whether the load context has been created (it is, on the first picture that needs it).</summary>
    internal static bool IsLoaded => s_drawing.IsValueCreated;

    /// <summary>GraphSvgWriter.Write: a backward graph laid out as an SVG document.</summary>
    internal static string GraphToSvg(BackwardGraph graph) =>
        Method("AutoGrad.Drawing.GraphSvgWriter", "Write").CreateDelegate<Func<BackwardGraph, string>>()(graph);

    /// <summary>ChartWriter.Save: a line chart to a PNG or SVG file.</summary>
    internal static void SaveChart(LineChart chart, string path, string format) =>
        Method("AutoGrad.Drawing.ChartWriter", "Save").CreateDelegate<Action<LineChart, string, string>>()(chart, path, format);

    private static MethodInfo Method(string type, string name) =>
        s_drawing.Value.GetType(type, throwOnError: true)!.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new MissingMethodException(type, name);

    private static Assembly Load()
    {
        string path = Path.Combine(Folder, AssemblyName + ".dll");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"The picture renderers are not installed: {path} is missing. Rebuild the module (./build.ps1 Build).", path);
        return new DrawingLoadContext(path).LoadFromAssemblyPath(path);
    }

    protected override Assembly? Load(AssemblyName name)
    {
        // The engine's types are the contract: the module's own copy, already loaded, never a second one.
        if (string.Equals(name.Name, s_engine.GetName().Name, StringComparison.Ordinal)) return s_engine;
        string? path = _resolver.ResolveAssemblyToPath(name);
        // Null: not one of ours (the framework's own assemblies), so the default context provides it.
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
