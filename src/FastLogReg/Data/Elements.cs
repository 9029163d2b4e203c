using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastLogReg.Data;

/// <summary>
/// A read-only run of values in memory the caller owns: managed (<see cref="ReadOnlyMemory{T}"/>, up to 2³¹ − 1
/// values) or native (a <see cref="SafeBuffer"/> such as a memory-mapped view, any length). Positions are 64-bit; a
/// span is taken of one piece at a time (a chunk, a row), never of the whole.
/// </summary>
/// <remarks>A native buffer is read through its handle without taking a reference on it: the caller keeps it open for
/// as long as the data set is used, as with any memory it lends.</remarks>
internal readonly struct Elements<T>
    where T : unmanaged
{
    private readonly ReadOnlyMemory<T> _managed;
    private readonly SafeBuffer? _native;

    public Elements(ReadOnlyMemory<T> managed)
    {
        _managed = managed;
        _native = null;
        Length = managed.Length;
    }

    public Elements(SafeBuffer native, long? length = null)
    {
        ArgumentNullException.ThrowIfNull(native);
        if (native.IsClosed || native.IsInvalid)
        {
            throw new ArgumentException("The native buffer is closed or invalid.", nameof(native));
        }

        _managed = default;
        _native = native;
        long available = (long)(native.ByteLength / (ulong)Unsafe.SizeOf<T>());
        Length = length is { } n && n <= available ? n : available;
    }

    /// <summary>The number of values.</summary>
    public long Length { get; }

    /// <summary>Whether the values are in native memory.</summary>
    public bool IsNative => _native is not null;

    /// <summary>The values as managed memory (only when not native).</summary>
    public ReadOnlyMemory<T> Managed => _native is null ? _managed : throw new NotSupportedException("These values are in native memory (possibly more than 2³¹ of them): read them a row at a time.");

    /// <summary>The values [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    public unsafe ReadOnlySpan<T> Slice(long start, int length)
    {
        if ((ulong)start > (ulong)Length || (ulong)length > (ulong)(Length - start))
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {start + length}) is outside the {Length} values.");
        }

        if (_native is null)
        {
            return _managed.Span.Slice((int)start, length);
        }

        return new ReadOnlySpan<T>((T*)_native.DangerousGetHandle() + start, length);
    }

    /// <summary>The pieces of at most 2³⁰ values that cover all of them, in order (for whole-array checks).</summary>
    public IEnumerable<(long Start, int Length)> Pieces()
    {
        const int Piece = 1 << 30;
        for (long start = 0; start < Length; start += Piece)
        {
            yield return (start, (int)Math.Min(Piece, Length - start));
        }
    }
}
