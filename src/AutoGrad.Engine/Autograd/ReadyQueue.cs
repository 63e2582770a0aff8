namespace AutoGrad.Autograd;

/// <summary>
/// The engine's queue of nodes whose gradients are complete, in PyTorch's order: the highest sequence number
/// first (the node created last in the forward), a leaf's AccumulateGrad before any other node
/// (<see cref="Node.SequenceNr"/>). PyTorch keeps these in a <c>std::priority_queue</c>, whose pop order among
/// equal priorities (several AccumulateGrads ready at once) is a property of libstdc++'s binary heap; this queue
/// runs the same push_heap / pop_heap steps, so a backward trace lists the nodes in the order PyTorch's hooks see
/// them (.NET's PriorityQueue is a 4-ary heap and breaks those ties differently).
/// </summary>
internal sealed class ReadyQueue
{
    private Node[] _heap = new Node[8];
    private int _count;

    public int Count => _count;

    /// <summary>std::priority_queue::push: append, then __push_heap from the new last slot.</summary>
    public void Push(Node node)
    {
        if (_count == _heap.Length) Array.Resize(ref _heap, _count * 2);
        SiftUp(_count, 0, node);
        _count++;
    }

    /// <summary>std::priority_queue::pop (after top): pop_heap moves the top to the end, then the end is dropped.</summary>
    public bool TryPop(out Node node)
    {
        if (_count == 0)
        {
            node = null!;
            return false;
        }
        node = _heap[0];
        int last = --_count;
        if (last > 0)
        {
            // __pop_heap: the old last element is re-inserted into the heap of the first `last` elements.
            var value = _heap[last];
            AdjustHeap(0, last, value);
        }
        _heap[last] = null!;
        return true;
    }

    public bool Contains(Node node)
    {
        for (int i = 0; i < _count; i++)
            if (ReferenceEquals(_heap[i], node)) return true;
        return false;
    }

    /// <summary>CompareNodeTaskTime: a is below b when its sequence number is smaller (same reentrant depth).</summary>
    private static bool Below(Node a, Node b) => a.SequenceNr < b.SequenceNr;

    /// <summary>libstdc++'s __push_heap: move the hole up while its parent ranks below the value.</summary>
    private void SiftUp(int hole, int top, Node value)
    {
        int parent = (hole - 1) / 2;
        while (hole > top && Below(_heap[parent], value))
        {
            _heap[hole] = _heap[parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        _heap[hole] = value;
    }

    /// <summary>libstdc++'s __adjust_heap: move the hole down to a leaf along the larger children, then sift up.</summary>
    private void AdjustHeap(int hole, int length, Node value)
    {
        int top = hole;
        int child = hole;
        while (child < (length - 1) / 2)
        {
            child = 2 * (child + 1);
            if (Below(_heap[child], _heap[child - 1])) child--;
            _heap[hole] = _heap[child];
            hole = child;
        }
        if ((length & 1) == 0 && child == (length - 2) / 2)
        {
            child = 2 * (child + 1);
            _heap[hole] = _heap[child - 1];
            hole = child - 1;
        }
        SiftUp(hole, top, value);
    }
}
