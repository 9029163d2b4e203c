using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>Bad input gets an ArgumentException that names what is wrong.</summary>
public class ValidationTests
{
    [Fact]
    public void FeatureCountNotMatchingRowsTimesColumnsIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(new double[7], new double[2], 3));
        Assert.Contains("7 values", e.Message);
        Assert.Contains("2 rows", e.Message);
        Assert.Contains("3 columns", e.Message);
        Assert.Equal("features", e.ParamName);
    }

    [Fact]
    public void ZeroRowsIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(Array.Empty<double>(), Array.Empty<double>(), 3));
        Assert.Contains("no rows", e.Message);
    }

    [Fact]
    public void ZeroColumnsIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DenseDataset.Create(Array.Empty<double>(), new double[2], 0));
        Assert.Equal("columns", e.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteFeatureIsRejectedWithRowColumnAndValue(double bad)
    {
        double[] x = new double[40 * 7];
        x[(23 * 7) + 5] = bad;
        var e = Assert.Throws<DataValueException>(() => DenseDataset.Create(x, new double[40], 7));
        Assert.Contains("row 23, column 5", e.Message);
        Assert.Equal((23, 5), (e.Row, e.Column!.Value));
        Assert.Contains(bad.ToString(), e.Message);
    }

    [Fact]
    public void NonFiniteFloatFeatureIsRejected()
    {
        float[] x = new float[100];
        x[99] = float.NaN;
        var e = Assert.Throws<DataValueException>(() => DenseDataset.Create(x, new float[10], 10));
        Assert.Contains("row 9, column 9", e.Message);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(-1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void LabelOtherThanZeroOrOneIsRejected(double bad)
    {
        double[] y = new double[50];
        y[31] = bad;
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(new double[50], y, 1));
        Assert.Contains("row 31", e.Message);
        Assert.Contains("0 or 1", e.Message);
        Assert.Equal("labels", e.ParamName);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NegativeOrNonFiniteSampleWeightIsRejected(double bad)
    {
        double[] s = Enumerable.Repeat(1.0, 20).ToArray();
        s[17] = bad;
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(new double[20], new double[20], 1, s));
        Assert.Contains("row 17", e.Message);
        Assert.Equal("sampleWeights", e.ParamName);
    }

    [Fact]
    public void AllZeroSampleWeightsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(new double[20], new double[20], 1, new double[20]));
        Assert.Contains("zero", e.Message);
    }

    [Fact]
    public void SampleWeightCountMismatchIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(new double[20], new double[20], 1, new double[19]));
        Assert.Contains("19", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonPositiveOrNonFiniteLearningRateIsRejected(double bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = bad });
        Assert.Equal("LearningRate", e.ParamName);
    }

    [Theory]
    [InlineData(-1e-9)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NegativeOrNonFiniteL2IsRejected(double bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { L2 = bad });
        Assert.Equal("L2", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions() with { L2 = bad });
    }

    [Fact]
    public void OtherInvalidOptionsAreRejected()
    {
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { MaxIterations = -1 }).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Tolerance = double.NaN }).ParamName);
        Assert.Equal("MaxDegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { MaxDegreeOfParallelism = 0 }).ParamName);
    }

    [Fact]
    public void WarmStartWithWrongFeatureCountIsRejected()
    {
        DenseDataset<double> data = DenseDataset.Create(new double[6], new double[2], 3);
        var options = new TrainingOptions { InitialModel = new LogisticModel([1.0, 2.0], 0) };
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, options));
        Assert.Contains("2 weights", e.Message);
        Assert.Contains("3 columns", e.Message);
    }

    [Fact]
    public void PredictingWithTheWrongNumberOfFeaturesIsRejected()
    {
        var model = new LogisticModel([1.0, 2.0, 3.0], 0.5);
        var e = Assert.Throws<ArgumentException>(() => model.PredictProbability<double>([1.0, 2.0]));
        Assert.Contains("2 features", e.Message);
        Assert.Contains("trained on 3", e.Message);

        var batch = Assert.Throws<ArgumentException>(() => model.PredictProbabilities<double>(new double[7], new double[3]));
        Assert.Contains("not a whole number of rows of 3", batch.Message);

        var shortDestination = Assert.Throws<ArgumentException>(() => model.PredictProbabilities<double>(new double[9], new double[2]));
        Assert.Contains("3 rows", shortDestination.Message);
    }

    [Fact]
    public void PredictingOnNonFiniteFeaturesIsRejectedWithRowAndColumn()
    {
        var model = new LogisticModel([1.0, 0.0, 3.0], 0.5);
        var single = Assert.Throws<DataValueException>(() => model.PredictProbability<double>([1.0, double.NaN, 2.0]));
        Assert.Contains("column 1", single.Message);

        float[] batch = new float[3 * 1000];
        batch[(777 * 3) + 2] = float.PositiveInfinity;
        var e = Assert.Throws<DataValueException>(() => model.PredictProbabilities<float>(batch, new double[1000]));
        Assert.Contains("row 777, column 2", e.Message);
    }

    [Fact]
    public void ModelWithNonFiniteWeightsIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new LogisticModel([1.0, double.NaN], 0));
        Assert.Contains("Weight 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticModel([1.0], double.PositiveInfinity));
    }

    [Fact]
    public void UndefinedEnumValuesAreRefusedWhereTheyAreSet()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Solver = (Solver)99 });
        Assert.Contains("99 is not a Solver", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions() with { Schedule = (LearningRateSchedule)(-1) });
    }
}
