namespace AutoGrad;

/// <summary>
/// How many threads the engine's kernels may use (torch.set_num_threads / get_num_threads). Small tensors never
/// use more than one: each kernel decides from its own work size whether splitting pays.
/// </summary>
public static class Parallelism
{
    private static int s_numThreads = Environment.ProcessorCount;

    public static int NumThreads
    {
        get => s_numThreads;
        set
        {
            if (value < 1)
                throw TorchException.Runtime("NumThreadsInvalid", $"Number of threads must be positive, got {value}");
            s_numThreads = value;
        }
    }

}
