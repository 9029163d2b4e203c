using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FastLogReg.IO;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// The plain-decimal reader takes a number written plainly to the same float or double as .NET's parser (and Sep's:
/// both round correctly), declines everything else, and its windowed form takes every short plain field.
/// </summary>
public partial class PlainDecimalProperties
{
    private const int Window = PlainDecimal.WindowReach;

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex PlainGrammar();

    /// <summary>What the windowed reader must take: at most eight digits before the point, 15 in all, no exponent.</summary>
    [GeneratedRegex(@"^-?(?<whole>[0-9]{1,8})(\.(?<fraction>[0-9]+))?$")]
    private static partial Regex ShortGrammar();

    public sealed record Number(string Text);

    public static class Inputs
    {
        private static readonly string[] Formats = ["R", "G9", "G17", "F0", "F1", "F3", "F6", "F9", "E2", "E10", "0.################", "e3", "G4"];

        /// <summary>Numbers as programs write them, at every scale, plus damaged and oddly written ones.</summary>
        public static Arbitrary<Number> Numbers() =>
            Gen.OneOf<Number>(
                from mantissa in Gen.Choose(-1_000_000_000, 1_000_000_000)
                from fraction in Gen.Choose(0, 1_000_000_000)
                from scale in Gen.Choose(-30, 30)
                from format in Gen.Elements(Formats)
                from asFloat in Gen.Elements(false, true)
                let value = (mantissa + (fraction / 1e9)) * Math.Pow(10, scale)
                select new Number(asFloat ? ((float)value).ToString(format, CultureInfo.InvariantCulture) : value.ToString(format, CultureInfo.InvariantCulture)),
                from digits in Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()))
                from point in Gen.Choose(-1, 30)
                from negative in Gen.Elements("", "-")
                let body = new string(digits)
                select new Number(negative + (point >= 0 && point < body.Length ? body[..point] + "." + body[point..] : body)),
                Gen.Elements(
                    "0", "-0", "0.0", "-0.0", "00012.5000", "16777217", "16777216.5", "9007199254740993", "9007199254740992.5",
                    "3.4028235e38", "3.5e38", "1e400", "-1e400", "1e-400", "4.9e-324", "1.17549435e-38", "123456789012345678901234567890",
                    ".5", "5.", "+1", " 1", "1 ", "1e", "1e+", "--1", "-", "", "inf", "NaN", "0x10", "1,5", "1.2.3", "1e5.5", "١").Select(t => new Number(t))).ToArbitrary();
    }

    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 3000)]
    public void PlainNumbersReadAsTheLibraryReadsThem(Number number)
    {
        Check<double>(number.Text, BitConverter.DoubleToInt64Bits);
        Check<float>(number.Text, v => BitConverter.SingleToInt32Bits(v));
    }

    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 3000)]
    public void TheWindowedReaderTakesEveryShortPlainFieldAsTheLibraryDoes(Number number, byte offset)
    {
        CheckWindowed<double>(number.Text, offset % 48, BitConverter.DoubleToInt64Bits, exact: true);
        CheckWindowed<float>(number.Text, offset % 48, v => BitConverter.SingleToInt32Bits(v), exact: false);
    }

    [Theory]
    [InlineData("0.1", 0.1)]
    [InlineData("-0.50266284", -0.50266284)]
    [InlineData("12345678.1234567", 12345678.1234567)]
    [InlineData("0.00000000000001", 1e-14)]
    [InlineData("7", 7.0)]
    public void KnownFieldsAreTakenByTheWindowedReader(string text, double expected)
    {
        (ulong wrong, double value) = Windowed<double>(text, 5);
        Assert.Equal(0UL, wrong);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("123456789.5")] // nine digits before the point
    [InlineData("1234567.123456789")] // 16 digits
    [InlineData("1e5")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData(".1")]
    [InlineData("1-2")]
    [InlineData("1.2.3")]
    [InlineData("")]
    public void OtherFieldsAreLeftToTheFieldByFieldReader(string text) =>
        Assert.NotEqual(0UL, Windowed<double>(text, 3).Wrong);

    private static void Check<T>(string text, Func<T, long> bits)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // The reader stops at the first byte that cannot continue a number; its caller then wants a field end there.
        byte[] bytes = Encoding.UTF8.GetBytes(text + ",9");
        int length = bytes.Length - 2;
        int end = PlainDecimal.Parse(bytes, 0, out T value);
        bool plain = PlainGrammar().IsMatch(text);
        bool finite = T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out T expected) && T.IsFinite(expected);
        if (plain && finite)
        {
            Assert.Equal(length, end);
            Assert.Equal(bits(expected), bits(value));
        }
        else
        {
            Assert.NotEqual(length, end);
        }
    }

    private static void CheckWindowed<T>(string text, int offset, Func<T, long> bits, bool exact)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Encoding.UTF8.GetByteCount(text) + offset >= 64 || text.Contains(','))
        {
            return; // a field that does not end in the window is not the windowed reader's
        }

        (ulong wrong, T value) = Windowed<T>(text, offset);
        Match match = ShortGrammar().Match(text);
        bool isShort = match.Success && match.Groups["whole"].Length + match.Groups["fraction"].Length <= 15;
        if (wrong == 0)
        {
            Assert.True(isShort, $"'{text}' taken");
            Assert.Equal(bits(T.Parse(text, CultureInfo.InvariantCulture)), bits(value));
        }
        else if (exact)
        {
            Assert.False(isShort, $"'{text}' declined"); // (a float halfway case may be declined too: left to the library)
        }
    }

    /// <summary>The field at <paramref name="offset"/> of a window of other fields, read by the windowed reader.</summary>
    private static (ulong Wrong, T Value) Windowed<T>(string text, int offset)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        byte[] window = new byte[Window];
        "12.5,-3.25,0.5,12.5,-3.25,0.5,12.5,-3.25,0.5,12.5,-3.25,0.5,12.5,-3.25,0.5,12.5,-3.25,0.5,12.5,-3.25,0.5"u8[..Window].CopyTo(window);
        byte[] field = Encoding.UTF8.GetBytes(text);
        field.CopyTo(window, offset);
        window[offset + field.Length] = (byte)',';
        if (offset > 0)
        {
            window[offset - 1] = (byte)',';
        }

        ByteClasses masks = ByteClasses.Of(ref window[0], (byte)',');
        ulong wrong = PlainDecimal.ParseField(ref window[0], offset, offset + field.Length, masks, out T value);
        return (wrong, value);
    }
}
