using System.Text;
using FastLogReg.IO;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
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

    public static class Inputs
    {
        /// <summary>Either random bytes, or a valid file with a few random edits (insert, delete, replace).</summary>
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
