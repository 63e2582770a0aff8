namespace AutoGrad.Random;

// Snapshot and restore of the twister's words, for Generator.GetState/SetState (torch.get_rng_state/set_rng_state).
internal sealed partial class MersenneTwister
{
    /// <summary>A copy of the 624 state words and the position of the next word to temper.</summary>
    internal (uint[] Words, int Index) Snapshot() => ((uint[])_state.Clone(), _index);

    /// <summary>Puts back what <see cref="Snapshot"/> took: the next draws repeat the ones after the snapshot.</summary>
    internal void Restore(uint[] words, int index)
    {
        words.AsSpan().CopyTo(_state);
        _index = index;
    }
}
