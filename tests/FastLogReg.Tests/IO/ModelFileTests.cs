using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.IO;

public class ModelFileTests
{
    private static SavedModel Trained(out DenseDataset<double> data)
    {
        data = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { L2 = 0.01, Standardize = true };
        TrainingResult result = LogisticRegression.Train(data, options);
        var metadata = new ModelMetadata
        {
            FeatureNames = TestData.BreastCancer.Names,
            Labels = new LabelMapping("0", "1"),
            Standardization = FeatureScaling.Compute(data),
            Training = TrainingSummary.From(options, result.Report, data.Rows),
        };
        return new SavedModel(result.Model, metadata);
    }

    [Fact]
    public void RoundTripGivesBitIdenticalPredictions()
    {
        using var dir = new TempDirectory();
        SavedModel saved = Trained(out DenseDataset<double> data);
        ModelFile.Save(saved, dir.File("m.json"));
        SavedModel loaded = ModelFile.Load(dir.File("m.json"));

        Assert.Equal(saved.Model.Weights.ToArray(), loaded.Model.Weights.ToArray());
        Assert.Equal(saved.Model.Bias, loaded.Model.Bias);
        double[] before = new double[data.Rows], after = new double[data.Rows];
        saved.Model.PredictProbabilities(data.Features.Span, before);
        loaded.Model.PredictProbabilities(data.Features.Span, after);
        Assert.Equal(before, after);
        Assert.Equal(saved.Metadata.FeatureNames, loaded.Metadata.FeatureNames);
        Assert.Equal(saved.Metadata.Labels, loaded.Metadata.Labels);
        Assert.Equal(saved.Metadata.Training, loaded.Metadata.Training);
        Assert.Equal(saved.Metadata.Standardization!.Means.ToArray(), loaded.Metadata.Standardization!.Means.ToArray());
    }

    [Fact]
    public void FailedSaveLeavesThePreviousFileIntactAndNoTemporaryFiles()
    {
        using var dir = new TempDirectory();
        SavedModel saved = Trained(out _);
        string path = dir.File("m.json");
        ModelFile.Save(saved, path);
        byte[] original = File.ReadAllBytes(path);

        var other = new SavedModel(new LogisticModel(new double[30], 1.0), new ModelMetadata());
        Assert.Throws<IOException>(() => ModelFile.Save(other, path, wrap: s => new FailingStream(s, failAfter: 100)));

        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(["m.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FailedFirstSaveLeavesNoFile()
    {
        using var dir = new TempDirectory();
        Assert.Throws<IOException>(() => ModelFile.Save(Trained(out _), dir.File("m.json"), wrap: s => new FailingStream(s, failAfter: 10)));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("{", "not a valid model file")]
    [InlineData("null", "JSON null")]
    [InlineData("{\"kind\":\"x\",\"formatVersion\":1,\"weights\":[1],\"bias\":0}", "not a FastLogReg model")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":3,\"weights\":[1],\"bias\":0}", "format version 3 is not supported")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[],\"bias\":0}", "\"weights\" is missing or empty")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,2],\"bias\":0,\"featureNames\":[\"a\"]}", "1 feature names for 2 weights")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,\"NaN\"],\"bias\":0}", "not a valid model file")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1],\"bias\":0,\"positiveLabel\":\"1\"}", "must both be given")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1],\"bias\":0,\"standardization\":{\"means\":[0],\"scales\":[0]}}", "invalid standardization")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1]}", "\"bias\" is missing")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,2],\"bias\":0,\"featureNames\":[\"a\",\"a\"]}", "appears twice")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1],\"bias\":0,\"bias\":5}", "not a valid model file")]
    [InlineData("{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1],\"weights\":[2],\"bias\":0}", "not a valid model file")]
    public void CorruptOrMismatchedFilesAreRejectedWithAReason(string json, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), "m.json"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("m.json", e.Message);
    }

    [Fact]
    public void SaveRefusesWhatLoadWouldReject()
    {
        using var dir = new TempDirectory();
        var model = new LogisticModel([1.0, 2.0, 3.0], 0);
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(new SavedModel(model, new ModelMetadata { FeatureNames = ["only one"] }), dir.File("m.json")));
        Assert.Contains("1 feature names for 3 weights", e.Message);
        e = Assert.Throws<ArgumentException>(() => ModelFile.Save(new SavedModel(model, new ModelMetadata { FeatureNames = ["a", "b", "a"] }), dir.File("m.json")));
        Assert.Contains("appears twice", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AModelOfSparseDataStoresItsDimensionAndNonZerosNotItsZeros()
    {
        using var dir = new TempDirectory();
        double[] w = new double[1_000_000];
        (w[3], w[999_999]) = (0.5, -2.0);
        var saved = new SavedModel(new LogisticModel(w, 0.25), new ModelMetadata { Labels = new LabelMapping("-1", "+1") });
        ModelFile.Save(saved, dir.File("m.json"));

        Assert.True(new FileInfo(dir.File("m.json")).Length < 2000, $"{new FileInfo(dir.File("m.json")).Length} bytes");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(dir.File("m.json")));
        Assert.Equal(1_000_000, json.RootElement.GetProperty("features").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("formatVersion").GetInt32());
        SavedModel loaded = ModelFile.Load(dir.File("m.json"));
        Assert.Equal(w, loaded.Model.Weights.ToArray());
        Assert.Equal(0.25, loaded.Model.Bias);
        Assert.Equal(new LabelMapping("-1", "+1"), loaded.Metadata.Labels);
    }

    [Fact]
    public void VersionOneFilesStillLoad()
    {
        const string Json = "{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1.5,-2],\"bias\":0.5,\"featureNames\":[\"a\",\"b\"],\"negativeLabel\":\"no\",\"positiveLabel\":\"yes\"}";
        SavedModel loaded = ModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Json)), "v1.json");
        Assert.Equal([1.5, -2.0], loaded.Model.Weights.ToArray());
        Assert.Equal(0.5, loaded.Model.Bias);
        Assert.Equal(new LabelMapping("no", "yes"), loaded.Metadata.Labels);
    }

    [Theory]
    [InlineData("\"model\":\"binary\",\"features\":2,\"coefficients\":[[1,2]]", "\"intercepts\"")]
    [InlineData("\"model\":\"binary\",\"features\":2,\"coefficients\":[[1,2]],\"sparseCoefficients\":[],\"intercepts\":[0]", "exactly one of them")]
    [InlineData("\"model\":\"binary\",\"features\":3,\"coefficients\":[[1,2]],\"intercepts\":[0]", "must hold 3 values")]
    [InlineData("\"model\":\"binary\",\"features\":3,\"sparseCoefficients\":[{\"indices\":[2,1],\"values\":[1,2]}],\"intercepts\":[0]", "above the previous one")]
    [InlineData("\"model\":\"binary\",\"features\":3,\"sparseCoefficients\":[{\"indices\":[5],\"values\":[1]}],\"intercepts\":[0]", "in [0, 3)")]
    [InlineData("\"model\":\"trinary\",\"features\":2,\"coefficients\":[[1,2]],\"intercepts\":[0]", "'trinary'")]
    [InlineData("\"model\":\"binary\",\"features\":2,\"classes\":[\"1\",\"1.0\"],\"coefficients\":[[1,2]],\"intercepts\":[0]", "the same label")]
    [InlineData("\"model\":\"multinomial\",\"features\":2,\"classes\":[\"a\",\"b\",\"c\"],\"coefficients\":[[1,2]],\"intercepts\":[0]", "3 coefficient row(s)")]
    public void MalformedVersionTwoFilesAreRejectedWithAReason(string body, string expected)
    {
        string json = "{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":2," + body + "}";
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), "m.json"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        using var dir = new TempDirectory();
        ModelFile.Save(Trained(out _), dir.File("m.json"));
        byte[] bytes = File.ReadAllBytes(dir.File("m.json"));
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(new MemoryStream(bytes[..(bytes.Length / 2)]), "m.json"));
        Assert.Contains("not a valid model file", e.Message);
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, int failAfter) : Stream
    {
        private int _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int allowed = Math.Max(0, Math.Min(buffer.Length, failAfter - _written));
            inner.Write(buffer[..allowed]);
            _written += allowed;
            if (allowed < buffer.Length)
            {
                throw new IOException("No space left on device (simulated).");
            }
        }
    }
}
