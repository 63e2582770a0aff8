@{
    RootModule           = 'AutoGrad.PS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0c6f3e-8a41-4f7b-9c2e-1b7d3a9e6f42'
    Author               = 'AutoGrad.PS contributors'
    CompanyName          = 'AutoGrad.PS'
    Copyright            = '(c) AutoGrad.PS contributors. All rights reserved.'
    Description          = 'PyTorch-style tensors and automatic differentiation for PowerShell: build tensors, apply operations, run backward and read gradients, with PyTorch''s semantics, printing and error messages.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'

    # Loaded before the types file, which names AutoGrad.Tensor for CLIXML rehydration (Import-Clixml, jobs).
    RequiredAssemblies   = @('AutoGrad.Engine.dll', 'AutoGrad.PS.dll')
    FormatsToProcess     = @('AutoGrad.PS.format.ps1xml', 'AutoGrad.PS.Training.format.ps1xml')
    TypesToProcess       = @('AutoGrad.PS.types.ps1xml')

    CmdletsToExport      = @(
        'New-Tensor'
        'Invoke-Op'
        'Measure-Sum'
        'Measure-Mean'
        'Invoke-Backward'
        'Get-Grad'
        'Clear-Grad'
        'Use-NoGrad'
        'Test-Gradient'
        'Join-Tensor'
        'Split-Tensor'
        'Export-TensorGraph'
        'Export-Plot'
        'New-Layer'
        'Invoke-Layer'
        'Set-RandomSeed'
        'Get-RandomSeed'
        'Get-RandomState'
        'Set-RandomState'
        'New-Optimizer'
        'Update-Parameter'
        'New-LRScheduler'
        'Update-LRScheduler'
        'ConvertTo-Tensor'
        'ConvertFrom-Tensor'
        'Export-Tensor'
        'Import-Tensor'
        'Invoke-Training'
        'Get-Batch'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags         = @('autograd', 'tensor', 'pytorch', 'machine-learning', 'deep-learning', 'gradient', 'PSEdition_Core')
            ReleaseNotes = 'New-Tensor, Invoke-Op (PyTorch''s everyday ops by name), Measure-Sum, Measure-Mean, Invoke-Backward, Get-Grad (also torch.autograd.grad), Clear-Grad, Use-NoGrad, Test-Gradient, Join-Tensor, Split-Tensor.'
        }
    }
}
