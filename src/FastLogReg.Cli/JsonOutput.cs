using System.Text.Json.Serialization;
using FastLogReg.Models;

namespace FastLogReg.Cli;

/// <summary>Quality scores in the reports: the binary confusion counts and ROC AUC, or the K-class F1 averages.</summary>
internal sealed record Scores(int Rows, double Accuracy, double LogLoss, double? TruePositives, double? FalsePositives, double? TrueNegatives, double? FalseNegatives, double? RocAuc)
{
    /// <summary>Mean F1 over the classes (K-class models), or null.</summary>
    public double? MacroF1 { get; init; }

    /// <summary>Support-weighted F1 (K-class models), or null.</summary>
    public double? WeightedF1 { get; init; }

    public static Scores From(ModelEvaluation e) =>
        new(e.Rows, e.Accuracy, e.LogLoss, e.TruePositives, e.FalsePositives, e.TrueNegatives, e.FalseNegatives, double.IsNaN(e.RocAuc) ? null : e.RocAuc);

    public static Scores From(MulticlassEvaluation e) =>
        new(e.Rows, e.Accuracy, e.LogLoss, null, null, null, null, null) { MacroF1 = e.MacroF1, WeightedF1 = e.WeightedF1 };

    /// <summary>The scores of any kind of model on a data set.</summary>
    public static Scores Of(ClassificationModel model, FastLogReg.Data.Dataset<double> data) => model switch
    {
        LogisticModel binary => From(binary.Evaluate(data)),
        MulticlassModel multi => From(multi.Evaluate(data)),
        _ => throw new NotSupportedException(model.GetType().Name),
    };
}

/// <summary>The <c>--json</c> report of <c>train</c> and the main job.</summary>
internal sealed record TrainOutput(
    string Data,
    int Rows,
    int Features,
    string? PositiveLabel,
    string? NegativeLabel,
    int TrainingRows,
    int HeldOutRows,
    string Solver,
    double L2,
    bool Standardized,
    int Iterations,
    double DataPasses,
    double ElapsedMilliseconds,
    string StopReason,
    bool Converged,
    string Message,
    double FinalObjective,
    double FinalGradientNorm,
    Scores Train,
    Scores? HeldOut,
    string Model,
    string? Plot)
{
    /// <summary>The label value of each class.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Binary, Multinomial or OneVsRest.</summary>
    public string? ModelKind { get; init; }

    /// <summary>ρ, the L1 share of the penalty.</summary>
    public double L1Ratio { get; init; }

    /// <summary>Weights that are not exactly zero.</summary>
    public int NonZeroWeights { get; init; }

    /// <summary>The coefficient table (<c>--stats</c>), or null.</summary>
    public IReadOnlyList<CoefficientOutput>? Coefficients { get; init; }
}

/// <summary>One row of the coefficient table in the <c>--json</c> report.</summary>
internal sealed record CoefficientOutput(string Name, double Estimate, double StandardError, double Z, double PValue, double Lower, double Upper, double OddsRatio);

/// <summary>The <c>--json</c> report of <c>evaluate</c>.</summary>
internal sealed record EvaluateOutput(string Data, string? PositiveLabel, string? NegativeLabel, Scores Scores)
{
    /// <summary>The label value of each class.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>[actual][predicted] (weighted) counts of a K-class model, or null.</summary>
    public double[][]? ConfusionMatrix { get; init; }
}

/// <summary>The <c>--json</c> report of <c>path</c>.</summary>
internal sealed record PathOutput(string Data, string Penalty, double LambdaMax, IReadOnlyList<PathPointOutput> Points)
{
    /// <summary>The label value of each class (for K classes, of each row of <see cref="PathPointOutput.ClassWeights"/>).</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Binary, Multinomial or OneVsRest.</summary>
    public string? ModelKind { get; init; }
}

/// <summary>One λ of a path: w and b of a binary model, or W (K rows of d) and the K intercepts.</summary>
internal sealed record PathPointOutput(double Lambda, int NonZeroWeights, double Objective, int Iterations, double DataPasses, string StopReason, double[]? Weights, double? Bias)
{
    /// <summary>W of a K-class model, one row of d coefficients per class (raw scale), or null.</summary>
    public double[][]? ClassWeights { get; init; }

    /// <summary>The K intercepts of a K-class model, or null.</summary>
    public double[]? Intercepts { get; init; }

    public static PathPointOutput From(FastLogReg.Training.PathPoint p) => p.Classifier switch
    {
        LogisticModel binary => new(p.Lambda, p.NonZeroWeights, p.Objective, p.Iterations, p.DataPasses, p.StopReason.ToString(), binary.Weights.ToArray(), binary.Bias),
        MulticlassModel multi => new(p.Lambda, p.NonZeroWeights, p.Objective, p.Iterations, p.DataPasses, p.StopReason.ToString(), null, null)
        {
            ClassWeights = [.. Enumerable.Range(0, multi.ClassCount).Select(k => multi.Coefficients(k).ToArray())],
            Intercepts = multi.Intercepts.ToArray(),
        },
        _ => throw new NotSupportedException(p.Classifier.GetType().Name),
    };
}

/// <summary>The <c>--json</c> report of <c>cv</c>.</summary>
internal sealed record CrossValidationOutput(string Data, string Penalty, int Folds, int Seed, IReadOnlyList<CrossValidationPointOutput> Points, double BestLambda, double OneStandardErrorLambda, string Model);

/// <summary>One λ of a cross-validation.</summary>
internal sealed record CrossValidationPointOutput(double Lambda, double MeanLogLoss, double SdLogLoss, double StandardError, double MeanAccuracy, double? MeanRocAuc, double MeanNonZeroWeights);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TrainOutput))]
[JsonSerializable(typeof(ClusterTrainOutput))]
[JsonSerializable(typeof(EvaluateOutput))]
[JsonSerializable(typeof(PathOutput))]
[JsonSerializable(typeof(CrossValidationOutput))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>The context with relaxed escaping, so that label values such as "+1" read as written.</summary>
    public static CliJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
