using System.Text;
using FastLogReg.IO;
using FastLogReg.Models;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>Random bytes and random mutations of valid files: the readers either parse or raise DataFormatException.</summary>
public class ReaderFuzzProperties
{
    private const string ValidCsv = "a,b,\"c d\",y\n1.5,-2,3e4,0\n0.25,7,\"8\",1\n-1,2,3,0\n";
    private const string ValidLibSvm = "+1 1:0.5 3:2 # comment\n-1 2:-1 4:1e-3\n+1 1:1\n";

    private static string ValidModel()
    {
        var model = new LogisticModel([0.5, -1.25], 0.125);
        using var stream = new MemoryStream();
        string path = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.json");
        try
        {
            ModelFile.Save(new SavedModel(model, new ModelMetadata { FeatureNames = ["a", "b"], Labels = new LabelMapping("no", "yes") }), path);
            return File.ReadAllText(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly Lazy<string> Model = new(ValidModel);

    /// <summary>A valid CSV just over the size at which a file read by path is cut into pieces parsed in parallel.</summary>
    private static readonly Lazy<byte[]> BigCsv = new(() =>
    {
        var rng = new Random(21);
        var text = new StringBuilder("a,b,c,d,e,f,g,h,y\n");
        for (int i = 0; text.Length <= CsvDataReader.ParallelThresholdBytes + 50_000; i++)
        {
            for (int j = 0; j < 8; j++)
            {
                // Long (17-digit) and short numbers: rows read field by field and rows read in 64-byte windows.
                double value = rng.NextDouble() * 20 - 10;
                text.Append(i % 4 == 0 && j % 3 == 0 ? value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : j % 3 == 1 ? ((float)value).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append(rng.Next(2)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    });

    public static class Inputs
    {
        /// <summary>Either random bytes, or a valid file with a few random edits (insert, delete, replace).</summary>
        /// <summary>A few byte edits anywhere in a big file: line breaks, separators, quotes, invalid UTF-8, NUL.</summary>
        public static Arbitrary<ByteEdits> ByteEdits() =>
            (from edits in Gen.NonEmptyListOf(Gen.Choose(0, int.MaxValue - 1).Zip(Gen.Choose(0, 255)))
             from editKind in Gen.Elements("insert", "delete", "replace")
             select new ByteEdits(edits.ToArray(), editKind)).ToArbitrary();

        public static Arbitrary<Mutation> Mutation() =>
            (from kind in Gen.Elements(0, 1, 2)
             from randomBytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
             from edits in Gen.ListOf(Gen.Choose(0, int.MaxValue - 1).Zip(Gen.Choose(0, 127)))
             from editKind in Gen.Elements("insert", "delete", "replace")
             select new Mutation(kind, randomBytes, edits.ToArray(), editKind)).ToArbitrary();
    }

    public sealed record Mutation(int Source, byte[] RandomBytes, (int Position, int Char)[] Edits, string EditKind)
    {
        public string Apply(string valid)
        {
            if (Source == 2)
            {
                return Encoding.UTF8.GetString(RandomBytes);
            }

            var text = new StringBuilder(valid);
            foreach ((int position, int c) in Edits.Take(6))
            {
                int at = text.Length == 0 ? 0 : position % (text.Length + 1);
                const string Alphabet = "0123456789,;:\t\n\r\" -+.eEaNI#x{}[]";
                char ch = Alphabet[c % Alphabet.Length];
                switch (EditKind)
                {
                    case "insert":
                        text.Insert(at, ch);
                        break;
                    case "delete" when at < text.Length:
                        text.Remove(at, 1);
                        break;
                    case "replace" when at < text.Length:
                        text[at] = ch;
                        break;
                }
            }

            return text.ToString();
        }
    }

    public sealed record ByteEdits((int Position, int Byte)[] Edits, string EditKind)
    {
        private static readonly byte[] Alphabet = [.. "0123456789,;\t\n\r\n\r\" -.eE"u8, 0x00, 0xFF, 0xC3, 0x80];

        public byte[] Apply(byte[] valid)
        {
            var bytes = new List<byte>(valid);
            foreach ((int position, int b) in Edits.Take(8))
            {
                // Half of the edits land in the first 200 bytes (the header and the first rows), the rest anywhere.
                int at = position % 2 == 0 ? position % Math.Min(200, bytes.Count + 1) : position % (bytes.Count + 1);
                byte value = Alphabet[b % Alphabet.Length];
                switch (EditKind)
                {
                    case "insert":
                        bytes.Insert(at, value);
                        break;
                    case "delete" when at < bytes.Count:
                        bytes.RemoveAt(at);
                        break;
                    case "replace" when at < bytes.Count:
                        bytes[at] = value;
                        break;
                }
            }

            return [.. bytes];
        }
    }

    /// <summary>
    /// Cut into pieces on two threads or read as one stream on one, a damaged big file gives the same rows, values and
    /// labels, or the same error message.
    /// </summary>
    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 100)]
    public void CsvPiecesAgreeWithTheOneStreamParse(ByteEdits edits)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllBytes(path, edits.Apply(BigCsv.Value));
            (string? error, LabeledData<float>? data) Read(Func<LabeledData<float>> read)
            {
                try
                {
                    return (null, read());
                }
                catch (DataFormatException e)
                {
                    return (e.Message, null);
                }
            }

            var one = Read(() =>
            {
                using var text = new StreamReader(path);
                return CsvDataReader.Read<float>(text, path, new CsvReadOptions { MaxDegreeOfParallelism = 1 });
            });
            var pieces = Read(() => CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = 2 }));
            Assert.Equal(one.error, pieces.error);
            if (one.data is not null)
            {
                Assert.Equal(one.data.Data.Features.ToArray(), pieces.data!.Data.Features.ToArray());
                Assert.Equal(one.data.Data.Labels.ToArray(), pieces.data.Data.Labels.ToArray());
                Assert.Equal(one.data.Labels, pieces.data.Labels);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 400)]
    public void CsvReaderParsesOrRaisesDataFormatException(Mutation m) =>
        ParsesOrRaises(() => CsvDataReader.Read<double>(new StringReader(m.Apply(ValidCsv)), "fuzz.csv"));

    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 400)]
    public void CsvFeatureReaderParsesOrRaisesDataFormatException(Mutation m) =>
        ParsesOrRaises(() => CsvDataReader.ReadFeatures<float>(new StringReader(m.Apply(ValidCsv)), "fuzz.csv", new CsvReadOptions { FeatureColumns = ["a", "b"] }));

    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 400)]
    public void LibSvmReaderParsesOrRaisesDataFormatException(Mutation m) =>
        ParsesOrRaises(() => LibSvmDataReader.Read<float>(new StringReader(m.Apply(ValidLibSvm)), "fuzz.libsvm"));

    [Property(Arbitrary = [typeof(Inputs)], MaxTest = 400)]
    public void ModelLoaderParsesOrRaisesDataFormatException(Mutation m) =>
        ParsesOrRaises(() => ModelFile.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Apply(Model.Value))), "fuzz.json"));

    private static void ParsesOrRaises(Func<object> read)
    {
        try
        {
            read();
        }
        catch (DataFormatException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Problem));
        }
    }
}
