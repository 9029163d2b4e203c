using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastLogReg.IO;

/// <summary>
/// Bit masks over 64 bytes of CSV text, bit k for byte k: field ends (the separator, '\n', '\r'), line ends ('\n',
/// '\r'), non-digits, points and minus signs — what <see cref="CsvPlainRows"/> and <see cref="PlainDecimal.ParseField{T}"/> need to find and check
/// the fields of a window without looking at a byte twice.
/// </summary>
internal readonly struct ByteClasses
{
    public readonly ulong Ends;
    public readonly ulong NonDigits;
    public readonly ulong Points;
    public readonly ulong Minus;
    public readonly ulong Lines;

    private ByteClasses(ulong separators, ulong lines, ulong nonDigits, ulong points, ulong minus)
    {
        Ends = separators | lines;
        Lines = lines;
        NonDigits = nonDigits;
        Points = points;
        Minus = minus;
    }

    /// <summary>Whether the masks are computed with vector instructions (256 or 512 bits); otherwise the caller parses byte by byte.</summary>
    public static bool IsAccelerated => BitConverter.IsLittleEndian && (Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated);

    /// <summary>The classes of the 64 bytes at <paramref name="window"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ByteClasses Of(ref byte window, byte separator)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<byte> bytes = Vector512.LoadUnsafe(ref window);
            return new(
                Vector512.Equals(bytes, Vector512.Create(separator)).ExtractMostSignificantBits(),
                (Vector512.Equals(bytes, Vector512.Create((byte)'\n')) | Vector512.Equals(bytes, Vector512.Create((byte)'\r'))).ExtractMostSignificantBits(),
                Vector512.GreaterThan(bytes - Vector512.Create((byte)'0'), Vector512.Create((byte)9)).ExtractMostSignificantBits(),
                Vector512.Equals(bytes, Vector512.Create((byte)'.')).ExtractMostSignificantBits(),
                Vector512.Equals(bytes, Vector512.Create((byte)'-')).ExtractMostSignificantBits());
        }

        ByteClasses low = Half(Vector256.LoadUnsafe(ref window), separator);
        ByteClasses high = Half(Vector256.LoadUnsafe(ref window, (nuint)Vector256<byte>.Count), separator);
        return new(low.Ends | (high.Ends << 32), low.Lines | (high.Lines << 32), low.NonDigits | (high.NonDigits << 32), low.Points | (high.Points << 32), low.Minus | (high.Minus << 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ByteClasses Half(Vector256<byte> bytes, byte separator) => new(
        Vector256.Equals(bytes, Vector256.Create(separator)).ExtractMostSignificantBits(),
        (Vector256.Equals(bytes, Vector256.Create((byte)'\n')) | Vector256.Equals(bytes, Vector256.Create((byte)'\r'))).ExtractMostSignificantBits(),
        Vector256.GreaterThan(bytes - Vector256.Create((byte)'0'), Vector256.Create((byte)9)).ExtractMostSignificantBits(),
        Vector256.Equals(bytes, Vector256.Create((byte)'.')).ExtractMostSignificantBits(),
        Vector256.Equals(bytes, Vector256.Create((byte)'-')).ExtractMostSignificantBits());
}
