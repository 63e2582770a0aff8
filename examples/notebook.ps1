<#
.SYNOPSIS
    The PyTorch autograd notebook ("自动微分", automatic differentiation), cell by cell, in PowerShell.

.DESCRIPTION
    Each notebook cell In [1] .. In [12] is a script block in $Cells, in order. Like notebook cells they share their
    variables: running the notebook dot-sources them one after the other into this script's scope. Every cell prints
    what the notebook printed; tests/Notebook.Tests.ps1 runs these same cells and compares their output with the
    notebook's, text for text. $Asides holds what the demo adds after a cell, under its own heading: after In [8],
    the backward trace that shows how autograd computed the 4.5.

    Run it after a build:   dotnet pwsh ./build.ps1 Demo
    or                       pwsh ./examples/notebook.ps1   (once out/AutoGrad.PS exists)

.PARAMETER AsCells
    Only define $Cells, $Asides, the module path and Format-CellOutput (dot-source the script with it); run nothing.
#>
[CmdletBinding()]
param([switch] $AsCells)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$ModulePath = Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1'
$Cells = [ordered]@{}

# In [1]
# import torch
$Cells['In [1]'] = {
    Import-Module $ModulePath
}

# ## 1. Without mean() there is no gradient
# y = x**2 is not a scalar, so y.backward() fails: a gradient can only be created implicitly for a scalar output.
#
# In [2]
$Cells['In [2]'] = {
    $x = New-Tensor @(@(1, 2),
                      @(2, 3)) -DType Float64 -RequiresGrad
    $x
    $y = $x | Invoke-Op Pow 2
    $y
    # y.backward()  -- the notebook leaves it commented out; here is the error it raises:
    try {
        $y | Invoke-Backward -ErrorAction Stop
    } catch {
        "RuntimeError: $($_.Exception.Message)"
        $Error.RemoveAt(0)   # handled: a notebook kernel that counts $Error must not call the cell failed
    }
}

# ## 2. With mean() the gradient can be computed
#
# In [3]
$Cells['In [3]'] = {
    $x = New-Tensor @(@(1, 2),
                      @(2, 3)) -DType Float64 -RequiresGrad
    $x
    $y = $x | Measure-Mean
    $y
    $y | Invoke-Backward
    Get-Grad $x
}
# Why 0.25: mean = a1/4 + a2/4 + a3/4 + a4/4. Holding the other elements constant, the derivative with respect to
# each element is 1/4, whatever its value.

# ## 3. How the gradient is computed
# The example from the PyTorch 60-minute blitz, autograd section (Chinese translation at pytorch123.com).
#
# In [4]
$Cells['In [4]'] = {
    $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
    $x
}

# In [5]
$Cells['In [5]'] = {
    $y = $x + 2
    $y
}

# In [6]
# print(y.grad_fn): the node that made y. PyTorch adds a memory address (<AddBackward0 object at 0x...>); this
# module prints none.
$Cells['In [6]'] = {
    $y.GradFn
}

# In [7]
$Cells['In [7]'] = {
    $z = $y * $y * 3
    $out = $z | Measure-Mean

    "$z $out"   # print(z, out)
}

# In [8]
$Cells['In [8]'] = {
    $out | Invoke-Backward
    Get-Grad $x
}
# Why 4.5: the operations amount to out = mean(3*(x+2)**2). The derivative of 3*(x+2)**2 is 6*(x+2), which is 18 at
# x = 1; the mean divides by the 4 elements: 18/4 = 4.5. (The notebook points to "Math for Programmers", chapter 10,
# symbolic expressions, and to WolframAlpha for the derivative.) The next cell checks the formula on other values.
#
# How autograd computed this: it never forms 6*(x+2). Backward runs the recorded nodes from out back to x, and each
# multiplies the gradient it receives by its own local derivative (the chain rule) and passes the result on.
# Invoke-Backward -Trace shows every step: MeanBackward0 turns 1 into 1/4 = 0.25 per element; MulBackward0 (z = t * 3)
# multiplies by 3: 0.75; MulBackward0 (t = y * y) gives each factor 0.75 * y = 2.25, two gradients because y is
# used twice; AddBackward0 (y = x + 2) passes 2.25 + 2.25 = 4.5 on unchanged (its derivative is 1; the constant 2
# needs none: None); AccumulateGrad stores 4.5 in x.grad. The demo prints this after In [8] (the seed has no such
# cell): the graph of In [4]-[7] again, backward with -Trace.
$Asides = [ordered]@{}
$Asides['In [8]'] = {
    $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
    $y = $x + 2
    $z = $y * $y * 3
    $out = $z | Measure-Mean
    $out | Invoke-Backward -Trace
}

# In [9]
$Cells['In [9]'] = {
    $x = New-Tensor @(@(1, 2),
                      @(2, 3)) -DType Float64 -RequiresGrad
    $y = $x + 2
    $y
    $z = $y * $y * 3
    $out = $z | Measure-Mean

    "$z $out"
    $out | Invoke-Backward
    Get-Grad $x
}

# ## 4. The gradient of sum()
#
# In [10]
$Cells['In [10]'] = {
    $x = New-Tensor @(@(1, 2),
                      @(2, 3)) -DType Float64 -RequiresGrad
    $out = $x | Measure-Sum
    $out
    $out | Invoke-Backward
    Get-Grad $x
}
# Why 1: sum = a1 + a2 + a3 + a4. Holding the other elements constant, each element's derivative is 1.

# ## 5. Gradients of a scalar tensor and a matrix together
#
# In [11]
$Cells['In [11]'] = {
    $x = New-Tensor 3.0 -RequiresGrad
    $y = New-Tensor -Ones -Shape 2, 2 -RequiresGrad

    $t = $x * $x
    $z = 2 * $t + 2 * $y * $y
    $z
    $z = $z | Measure-Mean   # the mean of all elements of z
    $z
    $z | Invoke-Backward

    Get-Grad $x
    Get-Grad $y
}
# Why: z = mean(2*x**2 + 2*y**2). d/dx of 2*x**2 is 4*x = 12 at x = 3; x is a scalar broadcast to all 4 elements,
# so its 4 contributions of 12/4 add up to 12. d/dy of 2*y**2 is 4*y = 4 at y = 1, divided by 4 by the mean: 1.

# ## 6. Gradients of two matrices
#
# In [12]
$Cells['In [12]'] = {
    $x = New-Tensor @(@(1, 2),
                      @(2, 3)) -DType Float64 -RequiresGrad
    $y = New-Tensor -Ones -Shape 2, 2 -RequiresGrad

    $t = $x * $x
    $z = 2 * $t + 2 * $y * $y
    "z: $z"
    $z = $z | Measure-Mean   # the mean of all elements of z
    "z.mean: $z"
    $z | Invoke-Backward

    Get-Grad $x
    Get-Grad $y
}
# Why: x.grad is 4*x / 4 = x (4 at x = 1, divided by the 4 elements of the mean gives 1, and so on); y.grad is
# 4*y / 4 = 1 at y = 1.

# Prints a cell's output as the notebook shows it: each object as one block of text, one after the other. A tensor
# renders through the module's format file as its repr (what print() shows); strings pass through as they are.
function Format-CellOutput {
    process {
        if ($null -eq $_) { return }
        if ($_ -is [string]) { return $_ }
        ($_ | Out-String -Width 4096).Trim("`r", "`n")
    }
}

if ($AsCells) { return }

foreach ($cell in $Cells.GetEnumerator()) {
    "$($cell.Key):"
    . $cell.Value | Format-CellOutput
    ''
    if ($Asides.Contains($cell.Key)) {
        # In a scope of its own, so the cells after it keep their variables; the trace prints as one table.
        "How autograd computed $($cell.Key) (Invoke-Backward -Trace):"
        (& $Asides[$cell.Key] | Out-String -Width 4096).Trim("`r", "`n")
        ''
    }
}
