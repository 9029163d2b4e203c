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

    public readonly ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    public readonly T[] ToArray() => Count == _items.Length ? _items : _items.AsSpan(0, Count).ToArray();
}
