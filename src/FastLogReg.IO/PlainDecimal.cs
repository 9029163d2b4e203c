using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLogReg.IO;

/// <summary>
/// Reads a plain decimal number from UTF-8 bytes — <c>-?digits(.digits)?([eE][+-]?digits)?</c>, what a program writes
/// for a number — as the correctly rounded <see cref="float"/> or <see cref="double"/>, the same value Sep's parser
/// (csFastFloat) and .NET's give it. Anything else is declined, for the caller to hand to the library parser.
/// </summary>
/// <remarks>
/// The common case takes Clinger's fast path: when the digits, read as an integer m, are at most 2^53 and the power of
/// ten 10^k has |k| ≤ 22, both m and 10^k are exact doubles, so the one multiplication or division m · 10^k is
/// correctly rounded. For <see cref="float"/> that double is rounded again, which is
/// correct unless it lies exactly halfway between two floats (checked: then the library parses the bytes). Other
/// numbers of this form (more digits, larger exponents) are parsed by .NET's UTF-8 parser, also correctly rounded.
/// </remarks>
internal static class PlainDecimal
{
    private const ulong MaxExactMantissa = 1UL << 53;

    private const int MaxExactPower = 22;

    /// <summary>Exponents past this are read no further (the value is then zero or infinite, both left to the library).</summary>
    private const int ExponentCap = 100_000;

    private static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Parses the number that starts at <paramref name="at"/> and ends at the first byte that cannot continue it, and
    /// returns where it ends; -1 if the bytes there are not a plain decimal or its value is not finite. The caller checks
    /// that the byte at the end ends the field. (Positions are returned rather than moved through a reference, which
    /// would keep the caller's position in memory.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Parse<T>(ReadOnlySpan<byte> text, int at, out T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        value = default;
        int start = at;
        int i = at;
        int negative = (uint)i < (uint)text.Length && text[i] == (byte)'-' ? 1 : 0;
        i += negative;

        ulong mantissa = 0;
        int digits = Digits(text, ref i, ref mantissa);
        if (digits == 0)
        {
            return -1; // no integer digit: ".5", "+1", "", "inf" are the library's to judge
        }

        int exponent = 0;
        if ((uint)i < (uint)text.Length && text[i] == (byte)'.')
        {
            i++;
            int fraction = Digits(text, ref i, ref mantissa);
            if (fraction == 0)
            {
                return -1; // "5."
            }

            digits += fraction;
            exponent = -fraction;
        }

        if ((uint)i < (uint)text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negativeExponent = false;
            if ((uint)i < (uint)text.Length && text[i] is (byte)'-' or (byte)'+')
            {
                negativeExponent = text[i] == (byte)'-';
                i++;
            }

            int first = i;
            int written = 0;
            uint digit;
            while ((uint)i < (uint)text.Length && (digit = (uint)(text[i] - '0')) <= 9)
            {
                written = Math.Min((written * 10) + (int)digit, ExponentCap);
                i++;
            }

            if (i == first)
            {
                return -1; // "1e"
            }

            exponent += negativeExponent ? -written : written;
        }

        if (digits <= 19 && Round(mantissa, exponent, negative, out value))
        {
            return i;
        }

        // Too many digits or too large a power for the fast path: .NET's parser, correctly rounded as well.
        if (T.TryParse(text[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out T parsed) && T.IsFinite(parsed))
        {
            value = parsed;
            return i;
        }

        return -1; // overflows to infinity: the library parse reports it
    }

    /// <summary>
    /// The number in bytes [<paramref name="start"/>, <paramref name="end"/>) of a 64-byte window whose byte classes are
    /// <paramref name="masks"/>, if it is <c>-?d+(.d+)?</c> with at most eight digits before the point and 15 in all.
    /// Returns 0 then, and non-zero for any other field (whose <paramref name="value"/> is then meaningless). The checks
    /// are bit operations on the masks and the digits are combined in a vector (<see cref="SixteenDigits"/>) or eight at
    /// a time in a word: nothing branches on the bytes, so consecutive fields overlap in the processor.
    /// </summary>
    /// <remarks>Reads up to <see cref="WindowReach"/> bytes from <paramref name="window"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ParseField<T>(ref byte window, int start, int end, in ByteClasses masks, out T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong field = (ulong.MaxValue << start) & ~(ulong.MaxValue << end); // end < 64
        int negative = (int)(masks.Minus >> start) & 1;
        ulong point = masks.Points & field;
        int pointAt = BitOperations.TrailingZeroCount(point | (1UL << end));
        int whole = pointAt - start - negative;
        int fraction = NonNegative(end - pointAt - 1);
        int tail = NonNegative(fraction - 8); // fraction digits past the first eight
        int head = fraction - tail;

        ulong wrong = (masks.NonDigits & field) ^ ((ulong)negative << start | point); // non-digits: the sign and a point only
        wrong |= point & (point - 1); // one point at most
        wrong |= ((point << 1) >> end) & 1; // a digit after the point
        wrong |= (uint)(whole - 1) >> 3; // one to eight digits before it
        wrong |= (uint)(whole + fraction) >> 4; // 15 digits at most: m < 10^15 < 2^53

        ulong mantissa;
        if (Ssse3.IsSupported && Sse41.IsSupported)
        {
            mantissa = SixteenDigits(ref Unsafe.Add(ref window, start + negative), whole, fraction, point != 0);
        }
        else
        {
            // Digits moved to the top of an eight-byte word, zeros below them: leading zeros of an eight-digit number.
            ref ulong tens = ref MemoryMarshal.GetReference(PowersOfTenInteger);
            ulong integer = EightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref window, start + negative)) << ((8 * (8 - whole)) & 63));
            ulong decimals = EightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref window, pointAt + 1)) << ((8 * (8 - head)) & 63)) & Unless(head);
            mantissa = (integer * Unsafe.Add(ref tens, head)) + decimals; // head ≤ 8, tail ≤ 7
            if (tail != 0)
            {
                // Past eight fraction digits (a branch: rare in most files, and 20 instructions saved on every other field).
                mantissa = (mantissa * Unsafe.Add(ref tens, tail & 7)) + EightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref window, pointAt + 9)) << ((8 * (8 - tail)) & 63));
            }
        }

        // m and 10^fraction are exact doubles, so the quotient is correctly rounded (Clinger).
        double magnitude = (long)mantissa / Unsafe.Add(ref MemoryMarshal.GetReference(PowersOfTen), fraction & 15);
        wrong |= Signed(magnitude, negative, out value) ? 0UL : 1UL;
        return wrong;
    }

    /// <summary>
    /// The digits of <c>d{whole}(.d{fraction})?</c> at <paramref name="digits"/> as one integer (at most 16 digits):
    /// one shuffle drops the point and right-aligns the digits in a 16-byte register (lanes before them zero), and three
    /// multiply-adds of adjacent lanes (×10, ×100, ×10⁴) leave two eight-digit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SixteenDigits(ref byte digits, int whole, int fraction, bool hasPoint)
    {
        // Output lane k takes the byte (length − 16 + k), one further back where it lies before the point.
        Vector128<sbyte> lane = Vector128.Create((sbyte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        int length = whole + fraction + (hasPoint ? 1 : 0);
        Vector128<sbyte> source = lane + Vector128.Create((sbyte)(length - 16));
        Vector128<sbyte> beforePoint = Vector128.LessThan(lane, Vector128.Create((sbyte)(16 - fraction))) & Vector128.Create((sbyte)(hasPoint ? -1 : 0));
        source += beforePoint; // −1 in those lanes
        source |= Vector128.LessThan(lane, Vector128.Create((sbyte)(16 - whole - fraction))); // high bit: the shuffle gives 0
        Vector128<byte> values = Ssse3.Shuffle(Vector128.LoadUnsafe(ref digits), source.AsByte()) & Vector128.Create((byte)0x0F);

        Vector128<short> pairs = Ssse3.MultiplyAddAdjacent(values, Vector128.Create((sbyte)10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1));
        Vector128<int> fours = Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)100, 1, 100, 1, 100, 1, 100, 1));
        Vector128<ushort> packed = Sse41.PackUnsignedSaturate(fours, fours);
        Vector128<int> eights = Sse2.MultiplyAddAdjacent(packed.AsInt16(), Vector128.Create((short)10_000, 1, 10_000, 1, 10_000, 1, 10_000, 1));
        ulong halves = eights.AsUInt64().ToScalar();
        return ((halves & 0xFFFF_FFFF) * 100_000_000) + (halves >> 32);
    }

    /// <summary>Bytes <see cref="ParseField{T}"/> may read from the start of its window.</summary>
    public const int WindowReach = 96;

    private static int NonNegative(int x) => x & ~(x >> 31);

    /// <summary>All ones when <paramref name="count"/> is positive, zero when it is zero.</summary>
    private static ulong Unless(int count) => 0UL - ((uint)-count >> 31);

    /// <summary>
    /// m · 10^e with the sign, correctly rounded, when Clinger's fast path applies (m ≤ 2^53, |e| ≤ 22) and, for
    /// <see cref="float"/>, the double is not exactly halfway between two floats; otherwise false.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Round<T>(ulong mantissa, int exponent, int negative, out T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        value = default;
        if (mantissa > MaxExactMantissa || exponent is < -MaxExactPower or > MaxExactPower)
        {
            return false;
        }

        double exact = (long)mantissa;
        return Signed(exponent < 0 ? exact / PowersOfTen[-exponent] : exact * PowersOfTen[exponent], negative, out value);
    }

    /// <summary>
    /// The correctly rounded <paramref name="magnitude"/> with its sign, as <typeparamref name="T"/>. Rounding the double
    /// to float is the correct rounding of the decimal unless the double is exactly halfway between two floats (its 29
    /// bits below a float's precision are 1000...0): then false, and the library decides (the value is still set).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Signed<T>(double magnitude, int negative, out T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double rounded = BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(magnitude) | ((ulong)negative << 63));
        if (typeof(T) == typeof(double))
        {
            value = Unsafe.BitCast<double, T>(rounded);
            return true;
        }

        value = Unsafe.BitCast<float, T>((float)rounded);
        return (BitConverter.DoubleToUInt64Bits(rounded) & 0x1FFF_FFFF) != 0x1000_0000;
    }

    /// <summary>
    /// Reads the decimal digits at <paramref name="i"/> into <paramref name="mantissa"/> (m ← m·10ⁿ + digits, wrapping
    /// past 19 digits, which the caller then does not trust) and returns how many there were. Eight bytes at a time: the
    /// first non-digit is found and the digits before it combined without a branch per digit (the branch on where a
    /// number ends is what a byte-at-a-time loop mispredicts).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digits(ReadOnlySpan<byte> text, ref int i, ref ulong mantissa)
    {
        int start = i;
        if (BitConverter.IsLittleEndian)
        {
            ref byte origin = ref MemoryMarshal.GetReference(text);
            while (i <= text.Length - sizeof(ulong))
            {
                ulong chunk = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, i));

                // A byte's high bit is set by b + 0x46 when b > '9' and by b - 0x30 when b < '0'; carries and borrows
                // start only at such bytes, so the lowest byte flagged is exactly the first non-digit.
                ulong nonDigits = ((chunk + 0x4646_4646_4646_4646) | (chunk - 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080;
                int count = BitOperations.TrailingZeroCount(nonDigits) >> 3;
                if (count == 0)
                {
                    return i - start;
                }

                // The digits moved to the top bytes, zeros below them: leading zeros of an eight-digit number.
                mantissa = (mantissa * PowersOfTenInteger[count]) + EightDigits(chunk << (8 * (8 - count)));
                i += count;
                if (count < 8)
                {
                    return i - start;
                }
            }
        }

        uint digit;
        while ((uint)i < (uint)text.Length && (digit = (uint)(text[i] - '0')) <= 9)
        {
            mantissa = (mantissa * 10) + digit;
            i++;
        }

        return i - start;
    }

    /// <summary>The value of eight decimal digit bytes, the first in the lowest byte (zero bytes count as '0').</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(ulong chunk)
    {
        ulong value = chunk & 0x0F0F_0F0F_0F0F_0F0F;
        value = (value * 10) + (value >> 8); // pairs of digits in every other byte
        value = (((value & 0x0000_00FF_0000_00FF) * 0x000F_4240_0000_0064) + (((value >> 16) & 0x0000_00FF_0000_00FF) * 0x0000_2710_0000_0001)) >> 32;
        return (uint)value;
    }

    private static ReadOnlySpan<ulong> PowersOfTenInteger =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    ];
}
