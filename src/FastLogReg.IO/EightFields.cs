using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLogReg.IO;

/// <summary>
/// Parses up to eight consecutive fields of a 64-byte window at once, each a short plain number <c>-?d+(.d+)?</c> of at
/// most 15 digits, into consecutive values: the checks are bit operations on the window's byte-class masks for all the
/// fields together; the digits of all of them are packed side by side (compress), spread right-aligned into one 16-byte
/// lane per field (expand), combined by multiply-adds in every lane at once, and rounded by Clinger's fast path with
/// one vector division for the eight — the rounding <see cref="PlainDecimal.ParseField{T}"/> does one field at a time,
/// so the same correctly rounded values as Sep's and .NET's parsers.
/// </summary>
/// <remarks>AVX-512 with VBMI and VBMI2 (byte permutes, compress and expand); elsewhere the caller reads the fields one
/// at a time.</remarks>
internal static class EightFields
{
    /// <summary>Whether this processor has the instructions (a constant once compiled).</summary>
    public static bool IsSupported =>
        Avx512Vbmi2.IsSupported && Avx512Vbmi.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported && Bmi2.X64.IsSupported;

    /// <summary>Byte 0 set.</summary>
    private static Vector512<byte> FirstByte
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0xFFUL, 0, 0, 0, 0, 0, 0, 0).AsByte();
    }

    /// <summary>Byte i (below 8): bit i, the flag of field i in an 8-bit field mask.</summary>
    private static Vector512<byte> FieldBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(0x8040_2010_0804_0201UL, 0, 0, 0, 0, 0, 0, 0).AsByte();
    }

    /// <summary>10⁰ to 10⁷, and (<see cref="PowersHigh"/>) 10⁸ to 10¹⁵: exact doubles, indexed by fraction digits.</summary>
    private static Vector512<double> PowersLow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7);
    }

    private static Vector512<double> PowersHigh
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15);
    }

    /// <summary>
    /// Parses the first <paramref name="count"/> (1–8) fields of the window, the first starting at its byte 0, into
    /// <paramref name="destination"/>[0..count). Returns 0 if every one is a short plain number ending at a separator,
    /// non-zero otherwise (a line end among them, or any field not plain: the values are then meaningless);
    /// <paramref name="lastEnd"/> is where the last of them ends.
    /// </summary>
    /// <remarks>The window must have at least <paramref name="count"/> field ends; 64 bytes are read from it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ulong Parse<T>(ref byte window, byte separator, in ByteClasses masks, int count, T* destination, out int lastEnd)
        where T : unmanaged
    {
        // The batch: bytes 0..last, where last is the count-th field end.
        int last = BitOperations.TrailingZeroCount(Bmi2.X64.ParallelBitDeposit(1UL << (count - 1), masks.Ends));
        lastEnd = last;
        ulong batch = ulong.MaxValue >> (63 - last);
        ulong ends = masks.Ends & batch;
        ulong content = batch & ~ends;
        ulong digits = ~masks.NonDigits & content;
        ulong points = masks.Points & content;
        ulong starts = ((ends << 1) | 1) & batch;
        ulong signs = masks.Minus & starts;

        // Bytes after a point up to its field's end: the carry of (point + 1) runs through the non-ends to the end.
        ulong afterPoint = ~ends & ~(~ends + (points << 1));

        ulong wrong = (content & ~digits & ~points & ~signs) // a byte other than a digit, a point or a leading minus
            | (ends & masks.Lines) // a line ends inside the batch
            | (starts & ends) // an empty field
            | ((signs << 1) & ~digits) // a sign without a digit after it
            | ((points << 1) & ~digits) | ((points >> 1) & ~digits) | (points & starts) // a point without digits on both sides
            | (points & afterPoint); // a second point in a field

        // Per field (byte i of a vector for field i): its end, start, point and sign, found by packing the positions of
        // the ends, starts and points of the batch together (compress); then its digit and fraction digit counts.
        Vector512<byte> text = Vector512.LoadUnsafe(ref window);
        Vector512<byte> values = text - Vector512.Create((byte)'0');
        Vector512<byte> index = Vector512<byte>.Indices;
        Vector512<byte> inBatch = Vector512.LessThanOrEqual(index, Vector512.Create((byte)last));
        Vector512<byte> isEnd = Vector512.Equals(text, Vector512.Create(separator)) | Vector512.Equals(text, Vector512.Create((byte)'\n')) | Vector512.Equals(text, Vector512.Create((byte)'\r'));
        Vector512<byte> isStart = (Avx512Vbmi.PermuteVar64x8(isEnd, index - Vector512<byte>.One) & ~FirstByte) | FirstByte;
        Vector512<byte> fieldEnds = Avx512Vbmi2.Compress(Vector512<byte>.Zero, isEnd & inBatch, index);
        Vector512<byte> fieldStarts = Avx512Vbmi2.Compress(Vector512<byte>.Zero, isStart & inBatch, index);
        Vector512<byte> negative = Avx512Vbmi2.Compress(Vector512<byte>.Zero, isStart & inBatch, Vector512.Equals(text, Vector512.Create((byte)'-'))) & Vector512<byte>.One;

        // Field i has a point when the carry from it set bit e_i (see afterPoint); its point's position, spread back to
        // the fields that have one.
        ulong pointed = Bmi2.X64.ParallelBitExtract(~ends + (points << 1), ends);
        Vector512<byte> hasPoint = ~Vector512.Equals(Vector512.Create((byte)pointed) & FieldBits, Vector512<byte>.Zero);
        Vector512<byte> pointAt = Avx512Vbmi2.Expand(Vector512<byte>.Zero, hasPoint, Avx512Vbmi2.Compress(Vector512<byte>.Zero, Vector512.Equals(text, Vector512.Create((byte)'.')) & inBatch, index));
        Vector512<byte> fractions = (fieldEnds - pointAt - Vector512<byte>.One) & hasPoint;
        Vector512<byte> counts = fieldEnds - fieldStarts - negative - (hasPoint & Vector512<byte>.One);
        wrong |= Vector512.GreaterThan(counts, Vector512.Create((byte)15)).ExtractMostSignificantBits(); // m < 10^15 < 2^53

        // The digits of all fields packed together, then each field's spread right-aligned into a lane of its own.
        Vector512<byte> isDigit = Vector512.LessThanOrEqual(values, Vector512.Create((byte)9)) & inBatch;
        Vector512<byte> secondStart = Avx512Vbmi.PermuteVar64x8(fieldStarts, Vector512.Create((byte)4));
        Vector512<byte> firstDigits = Avx512Vbmi2.Compress(Vector512<byte>.Zero, isDigit, values);
        Vector512<byte> secondDigits = Avx512Vbmi2.Compress(Vector512<byte>.Zero, isDigit & Vector512.GreaterThanOrEqual(index, secondStart), values);
        Vector512<byte> laneByte = index & Vector512.Create((byte)15);
        Vector512<byte> lanes = Vector512.ShiftRightLogical(index, 4); // byte b: its lane, b / 16
        Vector512<byte> firstCounts = Avx512Vbmi.PermuteVar64x8(counts, lanes); // lane i: field i's digit count in every byte
        Vector512<byte> secondCounts = Avx512Vbmi.PermuteVar64x8(counts, lanes + Vector512.Create((byte)4)); // field 4 + i's
        Vector512<byte> first = Avx512Vbmi2.Expand(Vector512<byte>.Zero, Vector512.GreaterThanOrEqual(laneByte + firstCounts, Vector512.Create((byte)16)), firstDigits);
        Vector512<byte> second = Avx512Vbmi2.Expand(Vector512<byte>.Zero, Vector512.GreaterThanOrEqual(laneByte + secondCounts, Vector512.Create((byte)16)), secondDigits);

        // Fields 0–3 in the first vector's lanes, 4–7 in the second's; their integers in the even 64-bit lanes.
        Vector512<ulong> mantissas = Avx512F.PermuteVar8x64x2(Mantissas(first), Vector512.Create(0UL, 2, 4, 6, 8, 10, 12, 14), Mantissas(second));

        // m and 10^fraction are exact doubles, so each quotient is correctly rounded (Clinger); the sign is set after.
        Vector512<long> powers = Avx512F.ConvertToVector512Int64(fractions.GetLower().GetLower());
        Vector512<double> magnitudes = Avx512DQ.ConvertToVector512Double(mantissas.AsInt64()) / Avx512F.PermuteVar8x64x2(PowersLow, powers, PowersHigh);
        Vector512<ulong> lane = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        Vector512<ulong> sign = Avx512F.ConvertToVector512UInt64(negative.GetLower().GetLower()) << 63;
        Vector512<ulong> bits = magnitudes.AsUInt64() | sign;
        if (typeof(T) == typeof(double))
        {
            Avx512F.MaskStore((double*)destination, Vector512.LessThan(lane, Vector512.Create((ulong)count)).AsDouble(), bits.AsDouble());
            return wrong;
        }

        // Rounding the double to float is correct unless it lies exactly halfway between two floats: then decline.
        ulong halfway = Vector512.Equals(bits & Vector512.Create(0x1FFF_FFFFUL), Vector512.Create(0x1000_0000UL)).ExtractMostSignificantBits();
        wrong |= halfway & ((1UL << count) - 1);
        Vector256<float> floats = Avx512F.ConvertToVector256Single(bits.AsDouble());
        Avx512F.VL.MaskStore((float*)destination, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle(), floats);
        return wrong;
    }

    /// <summary>
    /// The integer of each 16-byte lane's digit values (0–9, leading lanes zero): multiply-adds of adjacent lanes
    /// (×10, ×100, ×10⁴) leave two eight-digit halves per lane, combined in its 64-bit lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mantissas(Vector512<byte> digits)
    {
        Vector512<short> pairs = Avx512BW.MultiplyAddAdjacent(digits, Vector512.Create((ushort)0x010A).AsSByte()); // 10, 1
        Vector512<int> fours = Avx512BW.MultiplyAddAdjacent(pairs, Vector512.Create(0x0001_0064).AsInt16()); // 100, 1
        Vector512<ushort> packed = Avx512BW.PackUnsignedSaturate(fours, fours);
        Vector512<ulong> halves = Avx512BW.MultiplyAddAdjacent(packed.AsInt16(), Vector512.Create(0x0001_2710).AsInt16()).AsUInt64(); // 10⁴, 1
        return Avx512F.Multiply(halves.AsUInt32(), Vector512.Create(100_000_000UL).AsUInt32()) + (halves >> 32);
    }
}
