using System.Text.Json.Serialization;
using FastLogReg.Models;

namespace FastLogReg.Cli;

/// <summary>Quality scores in the machine-readable reports.</summary>
internal sealed record Scores(int Rows, double Accuracy, double LogLoss, double TruePositives, double FalsePositives, double TrueNegatives, double FalseNegatives, double? RocAuc)
{
    public static Scores From(ModelEvaluation e) =>
        new(e.Rows, e.Accuracy, e.LogLoss, e.TruePositives, e.FalsePositives, e.TrueNegatives, e.FalseNegatives, double.IsNaN(e.RocAuc) ? null : e.RocAuc);
}

/// <summary>The <c>--json</c> report of <c>train</c> and the main job.</summary>
internal sealed record TrainOutput(
    string Data,
    int Rows,
    int Features,
    string PositiveLabel,
    string NegativeLabel,
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
    string? Plot);

/// <summary>The <c>--json</c> report of <c>evaluate</c>.</summary>
internal sealed record EvaluateOutput(string Data, string PositiveLabel, string NegativeLabel, Scores Scores);

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
