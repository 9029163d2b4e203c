using System.Globalization;
using System.Text;
using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Features;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Training;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FastLogReg.Tests.Cli;
using Xunit;

namespace FastLogReg.Tests.Features;

/// <summary>The hashing trick: stable columns, tokens, sparse rows, the CSV reader, the model file and the tool.</summary>
public sealed class HashedColumnTests
{
    private static string ReviewsCsv => Path.Combine(AppContext.BaseDirectory, "datasets", "reviews.csv");

    /// <summary>
    /// Saved models depend on where each token lands, so the columns are pinned: these were checked against the xxHash C
    /// library (libxxhash 0.8.1, XXH3_64bits of the UTF-8 bytes, low 20 bits, sign from bit 63) through Python's ctypes.
    /// </summary>
    [Theory]
    [InlineData("hello", 187645, -1.0)]
    [InlineData("DE", 93739, 1.0)]
    [InlineData("", 234690, 1.0)]
    [InlineData("naïve", 489480, -1.0)]
    public void TokensLandInPinnedColumns(string token, int index, double sign)
    {
        Assert.Equal((index, sign), new HashedColumn("c", 20).HashToken(token));
        Assert.Equal((index & 255, sign), new HashedColumn("c", 8).HashToken(token));
    }

    [Fact]
    public void Words_AreCaseFolded_SplitAtNonLetters_AndCounted()
    {
        var words = new HashedColumn("text", 20, HashedTokens.Words);
        var entries = new List<(int Index, double Value)>();
        words.Hash("Great, GREAT great!  it's", entries);
        Assert.Equal(5, entries.Count); // great ×3, it, s
        Assert.Equal(3, HashedColumn.SortAndMerge(entries));
        (int great, double sign) = words.HashToken("great");
        Assert.Contains((great, 3 * sign), entries);

        entries.Clear();
        words.Hash(" ,;! ", entries);
        Assert.Empty(entries);

        // A category is the whole trimmed cell, case kept; an empty cell is the category "".
        var category = new HashedColumn("city", 20);
        category.Hash("  New York ", entries, offset: 7);
        Assert.Equal([(7 + category.HashToken("New York").Index, category.HashToken("New York").Sign)], entries);
        Assert.NotEqual(category.HashToken("new york"), category.HashToken("New York"));
    }

    public static Arbitrary<(int Bits, string[][] Rows)> TokenRows() =>
        (from bits in Gen.Choose(1, 6)
         from rows in Gen.Choose(1, 8)
         from tokens in Gen.Elements("a", "b", "c", "d", "e", "f", "gh", "ij", "kl", "mn").ArrayOf().ArrayOf(rows)
         select (bits, tokens)).ToArbitrary();

    /// <summary>Few bits force collisions: rows must equal a dictionary sum of ±1 per token, zeros dropped, indices ascending.</summary>
    [Property(Arbitrary = [typeof(HashedColumnTests)], MaxTest = 200)]
    public void Rows_AreTheSignedTokenCounts_PerColumn((int Bits, string[][] Rows) c)
    {
        var column = new HashedColumn("t", c.Bits, HashedTokens.Words);
        CsrMatrix<double> m = column.Transform<double>(c.Rows.Select(r => string.Join(' ', r)).ToArray());
        Assert.Equal(1 << c.Bits, m.Columns);
        for (int i = 0; i < c.Rows.Length; i++)
        {
            var expected = new SortedDictionary<int, double>();
            foreach (string token in c.Rows[i])
            {
                (int index, double sign) = column.HashToken(token);
                expected[index] = expected.GetValueOrDefault(index) + sign;
            }

            SparseRow<double> row = m.GetRow(i);
            Assert.Equal(expected.Where(e => e.Value != 0).Select(e => e.Key).ToArray(), row.Indices.ToArray());
            Assert.Equal(expected.Where(e => e.Value != 0).Select(e => e.Value).ToArray(), row.Values.ToArray());
        }
    }

    [Fact]
    public void BadSettings_AreNamed()
    {
        Assert.Contains("1 to 24 bits", Assert.Throws<ArgumentOutOfRangeException>(() => new HashedColumn("city", 25)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedColumn("city", 0));
        Assert.Throws<ArgumentException>(() => new HashedColumn(" ", 8));
    }

    [Fact]
    public void Reader_PutsNumbersFirst_ThenEachHashedBlock_AndUnquotesText()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "x,city,note,y\n1.5,Paris,\"good, very good\",a\n\n0,Rome,,b\n-2,Paris,bad,a\n");
        HashedColumn city = new("city", 4), note = new("note", 6, HashedTokens.Words);
        SparseLabeledData<double> read = CsvDataReader.ReadHashed<double>(csv, [city, note]);
        Assert.Equal(3, read.Data.Rows);
        Assert.Equal(1 + 16 + 64, read.Data.Columns);
        Assert.Equal("x", read.FeatureNames[0]);
        Assert.Equal("city#0", read.FeatureNames[1]);
        Assert.Equal("note#63", read.FeatureNames[80]);
        Assert.Equal("y", read.LabelColumn);

        var entries = new List<(int Index, double Value)> { (0, 1.5) };
        city.Hash("Paris", entries, 1);
        note.Hash("good, very good", entries, 17);
        HashedColumn.SortAndMerge(entries);
        SparseRow<double> first = read.Data.Matrix.GetRow(0);
        Assert.Equal(entries.Select(e => e.Index).ToArray(), first.Indices.ToArray());
        Assert.Equal(entries.Select(e => e.Value).ToArray(), first.Values.ToArray());

        // Row 2 ("0,Rome,,b"): the zero is not stored, the empty text gives nothing, the category one entry.
        SparseRow<double> second = read.Data.Matrix.GetRow(1);
        Assert.Equal([1 + city.HashToken("Rome").Index], second.Indices.ToArray());

        // Prediction reads the same layout without a label.
        CsrMatrix<double> rows = CsvDataReader.ReadHashedFeatures<double>(csv, [city, note], new CsvReadOptions { FeatureColumns = ["x"] });
        Assert.Equal(read.Data.Matrix.GetRow(2).Indices.ToArray(), rows.GetRow(2).Indices.ToArray());
    }

    [Fact]
    public void Reader_RowsEqualTheColumnsHashedAlone_OverBlankLinesAndCrlf()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("n,kind,words,label\r\n");
        var random = new Random(5);
        var kinds = new List<string>();
        var words = new List<string>();
        for (int i = 0; i < 20_000; i++)
        {
            kinds.Add("k" + random.Next(50).ToString(CultureInfo.InvariantCulture));
            words.Add($"w{random.Next(300)} W{random.Next(300)} common");
            text.Append(CultureInfo.InvariantCulture, $"{i % 7},{kinds[^1]},{words[^1]},{random.Next(2)}{(i % 1000 == 0 ? "\r\n\r\n" : "\r\n")}");
        }

        string csv = dir.Write("big.csv", text.ToString());
        HashedColumn kind = new("kind", 10), bag = new("words", 12, HashedTokens.Words);
        CsrMatrix<double> read = CsvDataReader.ReadHashed<double>(csv, [kind, bag]).Data.Matrix;
        CsrMatrix<double> kindAlone = kind.Transform<double>(kinds), wordsAlone = bag.Transform<double>(words);
        Assert.Equal(20_000, read.Rows);
        for (int i = 0; i < read.Rows; i++)
        {
            var expected = new List<(int Index, double Value)>();
            if (i % 7 != 0)
            {
                expected.Add((0, i % 7));
            }

            SparseRow<double> k = kindAlone.GetRow(i), w = wordsAlone.GetRow(i);
            for (int e = 0; e < k.Indices.Length; e++)
            {
                expected.Add((1 + k.Indices[e], k.Values[e]));
            }

            for (int e = 0; e < w.Indices.Length; e++)
            {
                expected.Add((1 + 1024 + w.Indices[e], w.Values[e]));
            }

            SparseRow<double> row = read.GetRow(i);
            Assert.Equal(expected.Select(e => e.Index).ToArray(), row.Indices.ToArray());
            Assert.Equal(expected.Select(e => e.Value).ToArray(), row.Values.ToArray());
        }
    }

    [Theory]
    [InlineData("x,city,y\n1,Paris,a\n", "town", "no column 'town' to hash")]
    [InlineData("x,city,y\n1,Paris,a\n", "y", "the column 'y' is the label")]
    [InlineData("x,city,y\n1,\"Paris,a\n", "city", "never closed")]
    [InlineData("x,city,y\n1,\"Par\"is,a\n", "city", "text after its closing quote")]
    [InlineData("x,city,y\n", "city", "the file has a header but no rows")]
    public void Reader_BadInput_IsNamed(string content, string column, string message)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", content);
        var error = Assert.Throws<DataFormatException>(() => CsvDataReader.ReadHashed<double>(csv, [new HashedColumn(column, 4)]));
        Assert.Contains(message, error.Message);
        Assert.Contains("d.csv", error.Message);
    }

    [Fact]
    public void HashingTheSameColumnTwice_IsRefused()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "x,city,y\n1,Paris,a\n");
        var error = Assert.Throws<DataFormatException>(() => CsvDataReader.ReadHashed<double>(csv, [new HashedColumn("city", 4), new HashedColumn("city", 5, HashedTokens.Words)]));
        Assert.Contains("hashed twice", error.Message);
    }

    /// <summary>The README example: the price alone is at chance; the country and the review's words, hashed, predict returns.</summary>
    [Fact]
    public void Reviews_PriceAloneIsAtChance_HashedCategoryAndWordsPredict()
    {
        LabeledData<double> price = CsvDataReader.Read<double>(ReviewsCsv, new CsvReadOptions { FeatureColumns = ["price"] });
        SparseLabeledData<double> hashed = CsvDataReader.ReadHashed<double>(ReviewsCsv, [new HashedColumn("country", 8), new HashedColumn("review", 16, HashedTokens.Words)]);
        Assert.Equal(1 + 256 + 65536, hashed.Data.Columns);
        Assert.InRange(HeldOutAccuracy(price.Data), 0.4, 0.6);
        Assert.True(HeldOutAccuracy(hashed.Data) > 0.8);
    }

    [Fact]
    public void Tool_TrainsPredictsAndEvaluates_WithHashedColumns()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("reviews.csv", File.ReadAllText(ReviewsCsv));
        string model = dir.File("m.json"), predictions = dir.File("p.csv");

        // Without --hash the text column is an error that says how to use it.
        (int code, string output, string error) = Tool.Run("train", "--data", csv, "--model", model, "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("'DK' in column 'country' is not a number", error);
        Assert.Contains("--hash COLUMN=bits", error);

        (code, output, error) = Tool.Run("train", "--data", csv, "--model", model, "--hash", "country=8", "--hash", "review=16:words", "--standardize", "--json");
        Assert.True(code == 0, error);
        JsonElement report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(1 + 256 + 65536, report.GetProperty("features").GetInt32());
        Assert.True(report.GetProperty("heldOut").GetProperty("accuracy").GetDouble() > 0.8, output);

        SavedModel saved = ModelFile.Load(model);
        Assert.Equal(["price"], saved.Metadata.InputFeatureNames);
        Assert.Equal(["country", "review"], saved.Metadata.HashedColumns!.Select(h => h.Column));
        Assert.Equal(HashedTokens.Words, saved.Metadata.HashedColumns![1].Tokens);
        Assert.Equal("returned", saved.Metadata.LabelColumn);

        // predict and evaluate hash the file's columns as the model says; the predictions are the model's own.
        (code, _, error) = Tool.Run("predict", "--model", model, "--data", csv, "--output", predictions);
        Assert.True(code == 0, error);
        SparseLabeledData<double> data = CsvDataReader.ReadHashed<double>(csv, saved.Metadata.HashedColumns!, new CsvReadOptions { FeatureColumns = ["price"], Labels = saved.Metadata.Labels });
        double[] p = new double[data.Data.Rows];
        saved.Model.PredictProbabilities(data.Data.Matrix, p);
        string[] lines = File.ReadAllLines(predictions);
        Assert.Equal(2001, lines.Length);
        Assert.Equal(p[1234], double.Parse(lines[1235].Split(',')[0], CultureInfo.InvariantCulture));

        (code, output, error) = Tool.Run("evaluate", "--model", model, "--data", csv, "--json");
        Assert.True(code == 0, error);
        double accuracy = JsonDocument.Parse(output).RootElement.GetProperty("scores").GetProperty("accuracy").GetDouble();
        double expected = Enumerable.Range(0, p.Length).Count(i => (p[i] > 0.5 ? 1.0 : 0.0) == data.Data.Labels.Span[i]) / (double)p.Length;
        Assert.Equal(expected, accuracy, 12);

        // Columns are found by name: taking them by position is refused, not ignored.
        (code, _, error) = Tool.Run("evaluate", "--model", model, "--data", csv, "--by-position");
        Assert.Equal(2, code);
        Assert.Contains("finds its columns by name", error);
        (code, _, error) = Tool.Run("predict", "--model", model, "--data", csv, "--by-position");
        Assert.Equal(2, code);
        Assert.Contains("finds its columns by name", error);

        // ONNX cannot hash strings: the export says so instead of writing a graph that expects hashed input.
        (code, _, error) = Tool.Run("export", "--model", model, "--onnx", dir.File("m.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("ONNX's standard operators cannot", error);
        Assert.False(File.Exists(dir.File("m.onnx")));
    }

    [Theory]
    [InlineData("city", "--hash takes COLUMN=bits")]
    [InlineData("city=25", "bits from 1 to 24")]
    [InlineData("city=8:letters", "COLUMN=bits:words")]
    [InlineData("=8", "COLUMN=bits")]
    public void Tool_BadHashOption_IsAParseError(string value, string message)
    {
        (int code, _, string error) = Tool.Run("train", "--data", ReviewsCsv, "--model", "unused.json", "--hash", value);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Tool_HashWithPolyOrLibSvm_IsRefused()
    {
        (int code, _, string error) = Tool.Run("train", "--data", ReviewsCsv, "--model", "unused.json", "--hash", "country=8", "--poly", "2");
        Assert.Equal(2, code);
        Assert.Contains("--hash with --poly", error);

        string libsvm = Path.Combine(AppContext.BaseDirectory, "datasets", "heart_scale.libsvm");
        (code, _, error) = Tool.Run("train", "--data", libsvm, "--model", "unused.json", "--hash", "country=8");
        Assert.Equal(2, code);
        Assert.Contains("read as LIBSVM", error);
    }

    [Fact]
    public void ModelFile_RoundTripsHashing_AndRefusesAnotherHashOrWidth()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.json");
        var metadata = new ModelMetadata { InputFeatureNames = ["x"], HashedColumns = [new HashedColumn("city", 2), new HashedColumn("text", 1, HashedTokens.Words)] };
        ModelFile.Save(new SavedModel(new LogisticModel([1.0, 2, 3, 4, 5, 6, 7], 0.5), metadata), path);
        ModelMetadata loaded = ModelFile.Load(path).Metadata;
        Assert.Equal(["city", "text"], loaded.HashedColumns!.Select(h => h.Column));
        Assert.Equal([2, 1], loaded.HashedColumns!.Select(h => h.Bits));
        Assert.Equal(HashedTokens.Words, loaded.HashedColumns![1].Tokens);

        string json = File.ReadAllText(path);
        File.WriteAllText(path, json.Replace("xxhash3-utf8-signed", "murmur3", StringComparison.Ordinal));
        Assert.Contains("hashed with 'murmur3'", Assert.Throws<DataFormatException>(() => ModelFile.Load(path)).Message);
        File.WriteAllText(path, json.Replace("\"bits\": 2", "\"bits\": 3", StringComparison.Ordinal));
        Assert.Contains("give 11 features, but the model has 7", Assert.Throws<DataFormatException>(() => ModelFile.Load(path)).Message);
    }

    private static double HeldOutAccuracy<T>(Dataset<T> data)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // The first 1,600 rows train (the file is in random order), the last 400 are held out.
        int[] train = Enumerable.Range(0, 1600).ToArray(), test = Enumerable.Range(1600, data.Rows - 1600).ToArray();
        var options = new TrainingOptions { Standardize = true, L2 = 1.0 / 1600 };
        var model = (LogisticModel)LogisticRegression.Train(DatasetRows.Take(data, train), options).Classifier;
        return model.Evaluate(DatasetRows.Take(data, test)).Accuracy;
    }
}
