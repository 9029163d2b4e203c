using System.Globalization;
using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Features;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Onnx;
using FastLogReg.Training;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace FastLogReg.Tests.Features;

/// <summary>Polynomial features: scikit-learn's order and names, sparse = dense, and the non-linear data set they are for.</summary>
public sealed class PolynomialFeaturesTests
{
    private static string CirclesCsv => Path.Combine(AppContext.BaseDirectory, "datasets", "circles.csv");

    [Fact]
    public void OrderAndNames_FollowScikitLearn()
    {
        string[] abc = ["a", "b", "c"];
        Assert.Equal(["a", "b", "c", "a^2", "a*b", "a*c", "b^2", "b*c", "c^2"], new PolynomialFeatures(3, 2).Names(abc));
        Assert.Equal(["a", "b", "c", "a*b", "a*c", "b*c", "a*b*c"], new PolynomialFeatures(3, 3, interactionOnly: true).Names(abc));
        string[] cubic = new PolynomialFeatures(2, 3).Names(["a", "b"]);
        Assert.Equal(["a", "b", "a^2", "a*b", "b^2", "a^3", "a^2*b", "a*b^2", "b^3"], cubic);

        var expansion = new PolynomialFeatures(2, 3);
        double[] row = new double[expansion.OutputColumns];
        expansion.TransformRow<double>([2.0, 3.0], row);
        Assert.Equal([2, 3, 4, 6, 9, 8, 12, 18, 27], row);
    }

    public static Arbitrary<(int D, int Degree, bool Interactions, int Rows, int Seed)> Shapes() =>
        (from d in Gen.Choose(1, 12)
         from degree in Gen.Choose(1, 3)
         from interactions in Gen.Elements(false, true)
         from rows in Gen.Choose(1, 20)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         select (d, degree, interactions, rows, seed)).ToArbitrary();

    [Property(Arbitrary = [typeof(PolynomialFeaturesTests)], MaxTest = 100)]
    public void SparseRowsExpandToTheDenseExpansionOfTheSameRows((int D, int Degree, bool Interactions, int Rows, int Seed) c)
    {
        var expansion = new PolynomialFeatures(c.D, c.Degree, c.Interactions);
        Assert.Equal(PolynomialFeatures.CountOutputs(c.D, c.Degree, c.Interactions), expansion.OutputColumns);
        Assert.Equal(expansion.OutputColumns, expansion.Names().Distinct().Count());

        var rng = new Random(c.Seed);
        double[] x = new double[c.Rows * c.D];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = rng.NextDouble() < 0.4 ? 0 : Math.Round((rng.NextDouble() * 4) - 2, 3);
        }

        (double[] values, int[] indices, long[] offsets) = Csr(x, c.Rows, c.D);
        CsrMatrix<double> sparse = expansion.Transform(CsrMatrix.Create<double>(values, indices, offsets, c.D));
        double[] dense = expansion.TransformRows<double>(x);

        double[] densified = new double[dense.Length];
        for (int i = 0; i < c.Rows; i++)
        {
            SparseRow<double> row = sparse.GetRow(i);
            for (int p = 0; p < row.Indices.Length; p++)
            {
                densified[(i * expansion.OutputColumns) + row.Indices[p]] = row.Values[p];
            }
        }

        Assert.Equal(dense, densified);
    }

    [Fact]
    public void Circles_LinearIsNearChance_DegreeTwoSeparates()
    {
        LabeledData<double> read = CsvDataReader.Read<double>(CirclesCsv);
        DenseDataset<double> all = read.Data;
        int train = 700;
        var trainSet = DenseDataset.Create(all.Features[..(train * 2)], all.Labels[..train], 2);
        var testSet = DenseDataset.Create(all.Features[(train * 2)..], all.Labels[train..], 2);
        var options = new TrainingOptions { Standardize = true, L2 = 1e-4 };

        double linear = LogisticRegression.Train(trainSet, options).Model.Evaluate(testSet).Accuracy;
        var expansion = new PolynomialFeatures(2, 2);
        double quadratic = LogisticRegression.Train(expansion.Transform(trainSet), options).Model.Evaluate(expansion.Transform(testSet)).Accuracy;

        Assert.InRange(linear, 0.35, 0.65);
        Assert.True(quadratic > 0.95, $"held-out accuracy with degree-2 features {quadratic}");
    }

    [Fact]
    public void Tool_TrainsPredictsEvaluatesAndExports_WithTheExpansion()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("circles.csv", File.ReadAllText(CirclesCsv));
        string linear = dir.File("linear.json"), poly = dir.File("poly.json"), onnx = dir.File("poly.onnx"), predictions = dir.File("p.csv");

        (int code, string output, string error) = Run("train", "--data", csv, "--model", linear, "--standardize", "--test-fraction", "0.3", "--json");
        Assert.True(code == 0, error);
        double linearAccuracy = JsonDocument.Parse(output).RootElement.GetProperty("heldOut").GetProperty("accuracy").GetDouble();
        (code, output, error) = Run("train", "--data", csv, "--model", poly, "--standardize", "--poly", "2", "--test-fraction", "0.3", "--json");
        Assert.True(code == 0, error);
        JsonElement report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(5, report.GetProperty("features").GetInt32());
        Assert.InRange(linearAccuracy, 0.35, 0.65);
        Assert.True(report.GetProperty("heldOut").GetProperty("accuracy").GetDouble() > 0.95, output);

        SavedModel saved = ModelFile.Load(poly);
        Assert.Equal(["x1", "x2", "x1^2", "x1*x2", "x2^2"], saved.Metadata.FeatureNames);
        Assert.Equal(["x1", "x2"], saved.Metadata.InputFeatureNames);
        Assert.Equal(2, saved.Metadata.Expansion!.Degree);

        // predict and evaluate read the two raw columns and expand them.
        Assert.Equal(0, Run("predict", "--model", poly, "--data", csv, "--output", predictions).Code);
        (code, output, error) = Run("evaluate", "--model", poly, "--data", csv, "--json");
        Assert.True(code == 0, error);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("scores").GetProperty("accuracy").GetDouble() > 0.95, output);

        // The ONNX export takes the raw columns too and forms the products itself.
        Assert.Equal(0, Run("export", "--model", poly, "--onnx", onnx).Code);
        LabeledData<double> data = CsvDataReader.Read<double>(csv);
        float[] x = data.Data.Features.ToArray().Select(v => (float)v).ToArray();
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(x, [data.Data.Rows, 2]))]);
        Tensor<float> p = results.Single(r => r.Name == "probabilities").AsTensor<float>();
        string[] expected = File.ReadAllLines(predictions).Skip(1).ToArray();
        for (int i = 0; i < data.Data.Rows; i++)
        {
            Assert.Equal(double.Parse(expected[i].Split(',')[0], CultureInfo.InvariantCulture), p[i, 1], 1e-5);
        }
    }

    [Fact]
    public void TooManyOutputs_AndOverflow_AreClearErrors()
    {
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialFeatures(1000, 3));
        Assert.Contains("167,668,500 features", tooMany.Message);

        var expansion = new PolynomialFeatures(2, 3);
        var data = DenseDataset.Create(new float[] { 1, 2, 3e13f, 1 }, new float[] { 0, 1 }, 2);
        var overflow = Assert.Throws<DataValueException>(() => expansion.Transform(data));
        Assert.Equal(1, overflow.Row);
        Assert.Contains("x0^3", overflow.Message);

        using var dir = new TempDirectory();
        string csv = dir.Write("big.csv", "a,b,y\n1,2,0\n3,4,1\n1e200,1,0\n2,2,1\n");
        (int overflowCode, _, string overflowError) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--poly", "2", "--quiet");
        Assert.Equal(1, overflowCode);
        Assert.Contains("the expanded feature 'a^2' overflows", overflowError);
        Assert.DoesNotContain("Parameter", overflowError);

        (int code, _, string error) = Run("train", "--data", CirclesCsv, "--model", "unused.json", "--poly", "4");
        Assert.Equal(2, code);
        Assert.Contains("--poly must be a whole number from 2 to 3, not '4'", error);
    }

    [Fact]
    public void ModelFileWithAnExpansionThatDoesNotFit_IsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.json");
        ModelFile.Save(new SavedModel(new LogisticModel([1.0, 2.0, 3.0, 4.0, 5.0], 0), new FastLogReg.IO.ModelMetadata { Expansion = new PolynomialFeatures(2, 2), InputFeatureNames = ["u", "v"] }), path);
        Assert.Equal(["u", "v"], ModelFile.Load(path).Metadata.InputFeatureNames);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"degree\": 2", "\"degree\": 3", StringComparison.Ordinal));
        var error = Assert.Throws<DataFormatException>(() => ModelFile.Load(path));
        Assert.Contains("gives 9 features, but the model has 5", error.Message);
    }

    private static (double[] Values, int[] Indices, long[] Offsets) Csr(double[] x, int rows, int d)
    {
        var values = new List<double>();
        var indices = new List<int>();
        long[] offsets = new long[rows + 1];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (x[(i * d) + j] != 0)
                {
                    values.Add(x[(i * d) + j]);
                    indices.Add(j);
                }
            }

            offsets[i + 1] = values.Count;
        }

        return (values.ToArray(), indices.ToArray(), offsets);
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);
}
