using System.Globalization;
using System.Text;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// The plain-row reader parses what programs write — numbers in any plain form, short or long, LF or CRLF, blank lines —
/// to exactly the rows Sep's parse gives, and declines (for Sep to read and judge) everything it does not take.
/// </summary>
public class CsvPlainRowsTests
{
    private const int Columns = 6;

    private static readonly int[] Roles = [0, 1, 2, 3, 4, 5, CsvPlainRows.Label];

    private static readonly string Header = "a,b,c,d,e,f,y";

    /// <summary>Cells in every plain form: short (windowed), long (field by field), exponents, integers, zeros.</summary>
    private static string Cell(Random rng, int k) => (k % 9) switch
    {
        0 => (rng.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture), // 17 digits: too long for the window
        1 => ((float)(rng.NextDouble() * 2 - 1)).ToString("R", CultureInfo.InvariantCulture),
        2 => (rng.NextDouble() * 1000).ToString("F2", CultureInfo.InvariantCulture),
        3 => rng.Next(-100_000, 100_000).ToString(CultureInfo.InvariantCulture),
        4 => (rng.NextDouble() * 1e-7).ToString("E4", CultureInfo.InvariantCulture),
        5 => "-0.0",
        6 => "1." + new string('7', 70), // a field longer than the window
        7 => ((float)(rng.NextDouble() * 1e6)).ToString("R", CultureInfo.InvariantCulture),
        _ => "0.000123",
    };

    private static string Rows(int count, string newline, int seed, bool finalNewline = true)
    {
        var rng = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            if (i % 17 == 3)
            {
                text.Append(newline); // a blank line
            }

            text.Append(string.Join(",", Enumerable.Range(0, Columns).Select(j => Cell(rng, i + j)))).Append(',').Append(rng.Next(2) == 0 ? "no" : "yes");
            if (finalNewline || i < count - 1)
            {
                text.Append(newline);
            }
        }

        return text.ToString();
    }

    private static (bool Taken, CsvPiece<T> Piece, T[] Slots) Plain<T>(string rows, int[]? roles = null, int columns = Columns)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        byte[] bytes = Encoding.UTF8.GetBytes(rows);
        int lines = rows.Count(c => c == '\n') + 1;
        var piece = new CsvPiece<T> { Labels = new Growable<string>(lines), RowLines = new Growable<int>(lines) };
        T[] slots = new T[lines * columns];
        bool taken = CsvPlainRows.TryParse<T>(bytes, ',', roles ?? Roles, slots, piece, () => false);
        return (taken, piece, slots);
    }

    [Theory]
    [InlineData("\n", true)]
    [InlineData("\r\n", true)]
    [InlineData("\n", false)]
    [InlineData("\r\n", false)]
    public void PlainRowsAreReadAsSepReadsThem(string newline, bool finalNewline)
    {
        string rows = Rows(2_000, newline, seed: 5, finalNewline);
        (bool taken, CsvPiece<float> piece, float[] slots) = Plain<float>(rows);
        LabeledData<float> sep = CsvDataReader.Read<float>(new StringReader(Header + newline + rows), "t.csv", new CsvReadOptions { MaxDegreeOfParallelism = 1 });

        Assert.True(taken);
        Assert.Equal(sep.Data.Rows, piece.Rows);
        Assert.Equal(sep.Data.Features.ToArray(), slots.AsSpan(0, piece.Rows * Columns).ToArray());
        Assert.Equal(sep.Data.Labels.ToArray(), piece.Labels.AsSpan().ToArray().Select(l => l == sep.Labels.Positive ? 1f : 0f).ToArray());
        int expectedLines = rows.Split(newline).Length - (finalNewline ? 1 : 0);
        Assert.Equal(expectedLines, piece.LastLine);
    }

    [Fact]
    public void DoublesAreReadAsSepReadsThem()
    {
        string rows = Rows(1_000, "\n", seed: 9);
        (bool taken, CsvPiece<double> piece, double[] slots) = Plain<double>(rows);
        LabeledData<double> sep = CsvDataReader.Read<double>(new StringReader(Header + "\n" + rows), "t.csv", new CsvReadOptions { MaxDegreeOfParallelism = 1 });

        Assert.True(taken);
        Assert.Equal(sep.Data.Features.ToArray(), slots.AsSpan(0, piece.Rows * Columns).ToArray());
    }

    [Fact]
    public void WideRowsOfShortNumbersAreReadAsSepReadsThem()
    {
        // 30 features of mostly short numbers: windows hold up to eight fields and more, so the fields are read in
        // batches of every size (up to eight at once where the processor can), next to longer ones read one at a time.
        const int wide = 30;
        var rng = new Random(21);
        string[] traps = HalfwayTraps(rng, 40);
        string[] header = [.. Enumerable.Range(0, wide).Select(j => "x" + j), "y"];
        var text = new StringBuilder();
        for (int i = 0; i < 400; i++)
        {
            text.AppendJoin(',', Enumerable.Range(0, wide).Select(j => (rng.Next(10)) switch
            {
                0 => rng.Next(-99, 100).ToString(CultureInfo.InvariantCulture),
                1 => (rng.Next(2) == 0 ? "-" : "") + traps[rng.Next(traps.Length)],
                2 => ((float)(rng.NextDouble() * 2 - 1)).ToString("R", CultureInfo.InvariantCulture),
                3 => (rng.NextDouble() * 100).ToString("F1", CultureInfo.InvariantCulture),
                4 => "-0",
                5 => rng.Next(0, 10).ToString(CultureInfo.InvariantCulture),
                6 => (rng.NextDouble() * 1e8).ToString("F7", CultureInfo.InvariantCulture), // 15 or 16 digits
                7 => rng.Next(10_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture) + ".5",
                8 => "0.00" + rng.Next(1, 1000).ToString(CultureInfo.InvariantCulture),
                _ => (rng.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture),
            })).Append(',').Append(rng.Next(2) == 0 ? "no" : "yes").Append('\n');
        }

        string rows = text.ToString();
        int[] roles = [.. Enumerable.Range(0, wide), CsvPlainRows.Label];
        string csv = string.Join(",", header) + "\n" + rows;
        (bool takenFloat, CsvPiece<float> floats, float[] floatSlots) = Plain<float>(rows, roles, wide);
        (bool takenDouble, CsvPiece<double> doubles, double[] doubleSlots) = Plain<double>(rows, roles, wide);
        LabeledData<float> sepFloat = CsvDataReader.Read<float>(new StringReader(csv), "t.csv", new CsvReadOptions { MaxDegreeOfParallelism = 1 });
        LabeledData<double> sepDouble = CsvDataReader.Read<double>(new StringReader(csv), "t.csv", new CsvReadOptions { MaxDegreeOfParallelism = 1 });

        Assert.True(takenFloat && takenDouble);
        Assert.Equal(sepFloat.Data.Features.ToArray(), floatSlots.AsSpan(0, floats.Rows * wide).ToArray());
        Assert.Equal(sepDouble.Data.Features.ToArray(), doubleSlots.AsSpan(0, doubles.Rows * wide).ToArray());
    }

    [Fact]
    public void DecimalsWhoseDoubleIsHalfwayBetweenTwoFloatsGetTheCorrectFloat()
    {
        // Rounding such a decimal to double and then to float would round twice (ties to even at the halfway double),
        // which is wrong for about half of them: the reader must notice and ask the library.
        string[] traps = HalfwayTraps(new Random(22), 60);
        string rows = string.Concat(traps.Chunk(Columns).Where(c => c.Length == Columns).Select(c => string.Join(",", c) + ",no\n"));
        (bool taken, CsvPiece<float> piece, float[] slots) = Plain<float>(rows);

        Assert.True(taken);
        float[] expected = [.. traps.Take(piece.Rows * Columns).Select(t => float.Parse(t, CultureInfo.InvariantCulture))];
        Assert.Equal(expected, slots.AsSpan(0, piece.Rows * Columns).ToArray());
        Assert.Contains(traps, t => float.Parse(t, CultureInfo.InvariantCulture) != (float)double.Parse(t, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Short decimals (at most 15 significant digits) whose nearest double is halfway between two floats: a float's
    /// midpoint rounded to 15 digits, kept when that lands within half a double of it (most are then not the midpoint
    /// itself, which has more digits).
    /// </summary>
    private static string[] HalfwayTraps(Random rng, int count)
    {
        var traps = new List<string>();
        while (traps.Count < count)
        {
            float f = (float)(1 + rng.NextDouble()) * MathF.Pow(2, rng.Next(-3, 20));
            double midpoint = ((double)f + MathF.BitIncrement(f)) / 2;
            string text = midpoint.ToString("G15", CultureInfo.InvariantCulture);
            if (!text.Contains('E') && double.Parse(text, CultureInfo.InvariantCulture) == midpoint)
            {
                traps.Add(text);
            }
        }

        return [.. traps];
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    public void SemicolonAndTabSeparatedRowsAreReadAsSepReadsThem(char separator)
    {
        string rows = Rows(500, "\n", seed: 11).Replace(',', separator);
        byte[] bytes = Encoding.UTF8.GetBytes(rows);
        var piece = new CsvPiece<float> { Labels = new Growable<string>(600), RowLines = new Growable<int>(600) };
        float[] slots = new float[600 * Columns];
        bool taken = CsvPlainRows.TryParse<float>(bytes, separator, Roles, slots, piece, () => false);
        LabeledData<float> sep = CsvDataReader.Read<float>(new StringReader(Header.Replace(',', separator) + "\n" + rows), "t.csv", new CsvReadOptions { MaxDegreeOfParallelism = 1, Separator = separator });

        Assert.True(taken);
        Assert.Equal(sep.Data.Features.ToArray(), slots.AsSpan(0, piece.Rows * Columns).ToArray());
    }

    [Fact]
    public void IgnoredColumnsAndALabelInTheMiddleAreSkippedAndTaken()
    {
        // Columns: feature 1, ignored (any text), label, feature 0.
        (bool taken, CsvPiece<double> piece, double[] slots) = Plain<double>("2.5,anything at all,yes,-1\n3,x,no,0.25\n", [1, CsvPlainRows.Ignored, CsvPlainRows.Label, 0], columns: 2);

        Assert.True(taken);
        Assert.Equal([-1, 2.5, 0.25, 3], slots[..4]);
        Assert.Equal(["yes", "no"], piece.Labels.AsSpan().ToArray());
        Assert.Equal([1, 2], piece.RowLines.AsSpan().ToArray());
    }

    [Theory]
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5, 6,yes\n")] // a space Sep would trim
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,+6,yes\n")] // a '+'
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,.6,yes\n")]
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,,yes\n")] // an empty cell: Sep reports it
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,NaN,yes\n")]
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,1e400,yes\n")] // not finite: Sep reports it
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,yes\n")] // too few fields
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,6,7,yes\n")] // too many
    [InlineData("1,2,3,4,5,6,no\r1,2,3,4,5,6,yes\n")] // a lone '\r'
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,6,y es\n")] // a label Sep would read differently
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,6,\n")] // an empty label
    [InlineData("1,2,3,4,5,6,no\n1,2,3,4,5,6,sí\n")] // a label to decode
    public void WhatIsNotPlainIsDeclinedNearTheEndAndInTheWindows(string tail)
    {
        string plain = Rows(50, "\n", seed: 3);
        Assert.False(Plain<float>(tail).Taken);
        Assert.False(Plain<float>(plain + tail + plain).Taken);
    }

    [Theory]
    [InlineData('.')]
    [InlineData('-')]
    [InlineData('|')]
    public void OtherSeparatorsAreLeftToSep(char separator)
    {
        byte[] bytes = Encoding.UTF8.GetBytes($"1{separator}2{separator}3{separator}4{separator}5{separator}6{separator}no\n");
        var piece = new CsvPiece<float> { Labels = new Growable<string>(2), RowLines = new Growable<int>(2) };
        Assert.False(CsvPlainRows.TryParse<float>(bytes, separator, Roles, new float[2 * Columns], piece, () => false));
    }

    [Fact]
    public void AnEmptyLineInAOneColumnFileIsDeclined()
    {
        // Sep reads it as one empty cell (an error), not as a blank line.
        Assert.True(Plain<float>("1\n2\n", [0], columns: 1).Taken);
        Assert.False(Plain<float>("1\n\n2\n", [0], columns: 1).Taken);
    }

    [Fact]
    public void MoreRowsThanSlotsAreDeclined()
    {
        byte[] bytes = "1,2,3,4,5,6,no\n1,2,3,4,5,6,no\n"u8.ToArray();
        var piece = new CsvPiece<float> { Labels = new Growable<string>(2), RowLines = new Growable<int>(2) };
        Assert.False(CsvPlainRows.TryParse<float>(bytes, ',', Roles, new float[Columns], piece, () => false));
    }
}
