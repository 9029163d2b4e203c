namespace FastLogReg.IO;

/// <summary>An append-only buffer that grows by doubling (one final copy when the size is known).</summary>
internal struct Growable<T>(int capacity)
{
    private T[] _items = new T[Math.Max(capacity, 16)];

    public int Count { get; private set; }

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length <= Array.MaxLength / 2 ? _items.Length * 2 : Array.MaxLength);
        }

        _items[Count++] = item;
    }

    /// <summary>Appends <paramref name="count"/> default items and returns them to be filled in place.</summary>
    public Span<T> Append(int count)
    {
        while (Count + count > _items.Length)
        {
            Array.Resize(ref _items, _items.Length <= Array.MaxLength / 2 ? _items.Length * 2 : Array.MaxLength);
        }

        Span<T> added = _items.AsSpan(Count, count);
        Count += count;
        return added;
    }

    /// <summary>Grows the buffer to at least <paramref name="capacity"/> items now, to spare later doublings.</summary>
    public void Reserve(long capacity)
    {
        if (capacity > _items.Length)
        {
            Array.Resize(ref _items, (int)Math.Min(capacity, Array.MaxLength));
        }
    }

    /// <summary>Forgets the last <paramref name="count"/> items.</summary>
    public void RemoveLast(int count) => Count -= count;

    public readonly ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    /// <summary>The items as memory over the buffer itself (no copy; the spare capacity stays allocated).</summary>
    public readonly ReadOnlyMemory<T> AsMemory() => new(_items, 0, Count);

    public readonly T[] ToArray() => Count == _items.Length ? _items : _items.AsSpan(0, Count).ToArray();
}
