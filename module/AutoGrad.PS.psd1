@{
    RootModule           = 'AutoGrad.PS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0c6f3e-8a41-4f7b-9c2e-1b7d3a9e6f42'
    Author               = 'AutoGrad.PS contributors'
    CompanyName          = 'AutoGrad.PS'
    Copyright            = '(c) 2026 AutoGrad.PS contributors. MIT License.'
    Description          = 'PyTorch-style tensors and automatic differentiation for PowerShell 7.4+: tensors, operations, backward and gradients, torch.nn layers and torch.optim optimizers with PyTorch''s semantics, numbers, printing and error messages; backward-graph pictures and training plots; torch.testing.assert_close for scripts and Pester (Should -BeTensor).'
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
        'Assert-TensorClose'
        'Get-TensorOp'
        'Register-TensorHook'
        'Unregister-TensorHook'
        'Use-AnomalyDetection'
        'Invoke-Training'
        'Get-Batch'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags                     = @('autograd', 'tensor', 'pytorch', 'machine-learning', 'deep-learning', 'gradient',
                'neural-network', 'pester', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # The license text ships in the package (LICENSE, THIRD-PARTY-NOTICES.md); no public URL exists yet for a
            # LicenseUri or ProjectUri.
            RequireLicenseAcceptance = $false
            ReleaseNotes             = '0.1.0: the first release. PyTorch-style tensors and autograd (New-Tensor, Invoke-Op, Invoke-Backward, Get-Grad, ...), torch.nn layers, torch.optim optimizers and schedulers, graph pictures and plots (Export-TensorGraph, Export-Plot), torch.testing.assert_close as Assert-TensorClose and Should -BeTensor, Get-TensorOp, console views. See CHANGELOG.md in the module folder.'
        }
    }
}
