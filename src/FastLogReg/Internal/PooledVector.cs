using System.Buffers;

namespace FastLogReg.Internal;

/// <summary>
/// A vector of doubles rented from the shared pool for the length of a fit and given back by <see cref="Dispose"/>. At
/// d = 500,000 a fresh array is 4 MB whose first touch costs ~10 ms of page faults on the machines measured
/// (docs/performance.md) — for scratch that no result keeps.
/// </summary>
internal sealed class PooledVector : IDisposable
{
    private double[]? _array;

    private PooledVector(int length)
    {
        _array = ArrayPool<double>.Shared.Rent(length);
        Length = length;
        Span.Clear();
    }

    /// <summary>The number of values.</summary>
    public int Length { get; }

    /// <summary>The values (all zero when rented).</summary>
    public Span<double> Span => (_array ?? throw new ObjectDisposedException(nameof(PooledVector))).AsSpan(0, Length);

    /// <summary>A vector of <paramref name="length"/> zeros.</summary>
    public static PooledVector Zeros(int length) => new(length);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_array is { } array)
        {
            _array = null;
            ArrayPool<double>.Shared.Return(array);
        }
    }
}
