namespace AutoGrad.Random;

/// <summary>
/// The 32-bit Mersenne Twister (mt19937), the engine behind PyTorch's CPU generator. Seeding takes the low 32 bits
/// of the seed, as PyTorch's at::mt19937 does, so the same seed gives the same stream of numbers.
/// </summary>
internal sealed partial class MersenneTwister
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _state = new uint[N];
    private int _index;

    public MersenneTwister(ulong seed)
    {
        _state[0] = (uint)(seed & 0xffffffff);
        for (int j = 1; j < N; j++)
            _state[j] = unchecked(1812433253u * (_state[j - 1] ^ (_state[j - 1] >> 30)) + (uint)j);
        _index = N;
    }

    public uint Next()
    {
        if (_index >= N) Twist();
        uint y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_state[i] & UpperMask) | (_state[(i + 1) % N] & LowerMask);
            _state[i] = _state[(i + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0);
        }
        _index = 0;
    }
}
