using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Registers a script block that sees, and may replace, a tensor's gradient during backward (tensor.register_hook).</para>
/// </summary>
/// <remarks>
/// The block runs in the runspace that registered it (see <see cref="ScriptBlockHook"/>), with the gradient as its
/// first argument and as $_. It writes nothing to keep the gradient or one tensor of the same shape and dtype to
/// replace it. On a leaf it runs before the gradient is accumulated into .grad; on a non-leaf when the gradient has
/// reached the node that made the tensor. An error inside it stops the backward pass with an error naming the hook.
/// </remarks>
[Cmdlet(VerbsLifecycle.Register, "TensorHook", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(RemovableHandle))]
public sealed class RegisterTensorHookCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The hook: param($grad) ...; writes nothing, or the tensor that replaces the gradient.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>The tensor whose gradient the hook sees; it must require grad.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>The name errors give the hook; by default the block's text.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        var tensor = InputObject;
        var hook = new ScriptBlockHook(ScriptBlock, Name);
        try
        {
            WriteObject(tensor.RegisterHook(hook.Invoke, hook.Name));
        }
        catch (TorchException ex)
        {
            // One tensor that cannot take a hook among several: report it and go on (-ErrorAction decides).
            WriteError(FromTorch(ex, tensor));
        }
    }
}
