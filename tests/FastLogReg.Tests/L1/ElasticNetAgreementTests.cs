using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// L1 and elastic-net training reaches scikit-learn's optimum (saga, polished to the subgradient conditions: fixture and
/// script in <c>Fixtures/</c>) with the same zero pattern, on standardized breast cancer and digits 3-vs-8.
/// </summary>
public class ElasticNetAgreementTests
{
    public static TheoryData<string, int, Solver> Fits()
    {
        var data = new TheoryData<string, int, Solver>();
        foreach (JsonElement set in L1Fixtures.Root.GetProperty("datasets").EnumerateArray())
        {
            for (int k = 0; k < set.GetProperty("fits").GetArrayLength(); k++)
            {
                foreach (Solver solver in new[] { Solver.OwlQn, Solver.CoordinateDescent })
                {
                    data.Add(set.GetProperty("name").GetString()!, k, solver);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void L1SolversReachScikitLearnsOptimumWithTheSameZeros(string dataSet, int fitIndex, Solver solver)
    {
        JsonElement fit = L1Fixtures.DataSet(dataSet).GetProperty("fits")[fitIndex];
        DenseDataset<double> data = L1Fixtures.Load(dataSet);
        double lambda = fit.GetProperty("lambda").GetDouble(), rho = fit.GetProperty("l1_ratio").GetDouble();
        var options = new TrainingOptions { Solver = solver, Lambda = lambda, L1Ratio = rho, Tolerance = 1e-10, MaxIterations = 20_000 };

        TrainingResult result = LogisticRegression.Train(data, options);

        Assert.Equal(solver, result.Report.Solver);
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, 1e-6, 0, $"objective ({dataSet} {fit.GetProperty("penalty")} C = {fit.GetProperty("C")}; {result.Report.Message})");
        int[] zeros = fit.GetProperty("zero_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] ours = Enumerable.Range(0, data.Columns).Where(j => result.Model.Weights[j] == 0).ToArray();
        Assert.Equal(zeros, ours);
        Assert.Equal(fit.GetProperty("nonzero_count").GetInt32(), result.Report.NonZeroWeights);
        Close.Equal(L1Fixtures.Doubles(fit.GetProperty("weights")), result.Model.Weights, 1e-4, 1e-6, "w");
    }

    [Fact]
    public void AnL1PenaltyIsRefusedBySolversThatNeedASmoothOneNamingTheFix()
    {
        DenseDataset<double> data = L1Fixtures.Load("breast_cancer_standardized");
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, new TrainingOptions { Lambda = 0.01, L1Ratio = 1, Solver = Solver.Newton }));
        Assert.Contains("OwlQn", e.Message);
    }

    [Fact]
    public void L1RatioOutsideZeroToOneIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { L1Ratio = 1.5 });
        Assert.Equal("L1Ratio", e.ParamName);
    }
}
