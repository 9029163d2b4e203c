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
}

/// <summary>The <c>--json</c> report of <c>evaluate</c>.</summary>
internal sealed record EvaluateOutput(string Data, string? PositiveLabel, string? NegativeLabel, Scores Scores)
{
    /// <summary>The label value of each class.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>[actual][predicted] (weighted) counts of a K-class model, or null.</summary>
    public double[][]? ConfusionMatrix { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TrainOutput))]
[JsonSerializable(typeof(EvaluateOutput))]
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
