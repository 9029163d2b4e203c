using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;

namespace FastLogReg.IO;

/// <summary>What a saved model carries besides its weights: names, label meaning, scaling and how it was trained.</summary>
public sealed record ModelMetadata
{
    /// <summary>One name per feature, or null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Which label values the classes 0 and 1 stand for, or null.</summary>
    public LabelMapping? Labels { get; init; }

    /// <summary>
    /// The standardization used in training, for reference only: it is already folded into the weights, so the model
    /// predicts on raw features. Null when training did not standardize.
    /// </summary>
    public FeatureScaling? Standardization { get; init; }

    /// <summary>The options and the report summary the model was trained with, or null.</summary>
    public TrainingSummary? Training { get; init; }

    /// <summary>The header name of the label column of the training file, or null: evaluation looks for it by that name.</summary>
    public string? LabelColumn { get; init; }
}

/// <summary>The options and the outcome of the training run that produced a model.</summary>
/// <param name="Solver">The solver.</param>
/// <param name="L2">λ.</param>
/// <param name="Tolerance">The relative gradient tolerance.</param>
/// <param name="MaxIterations">The iteration limit.</param>
/// <param name="Standardize">Whether features were standardized.</param>
/// <param name="FitIntercept">Whether the intercept was fitted.</param>
/// <param name="ClassWeights">The class weights, as text.</param>
/// <param name="TrainingRows">Rows trained on.</param>
/// <param name="Iterations">Iterations run.</param>
/// <param name="DataPasses">Passes over the data.</param>
/// <param name="StopReason">Why training stopped.</param>
/// <param name="FinalObjective">The objective of the model.</param>
/// <param name="FinalLoss">The mean cross-entropy of the model on the training rows.</param>
/// <param name="FinalGradientNorm">‖∇f‖ at the model.</param>
/// <param name="ElapsedSeconds">Training time.</param>
public sealed record TrainingSummary(
    string Solver,
    double L2,
    double Tolerance,
    int MaxIterations,
    bool Standardize,
    bool FitIntercept,
    string ClassWeights,
    int TrainingRows,
    int Iterations,
    double DataPasses,
    string StopReason,
    double FinalObjective,
    double FinalLoss,
    double FinalGradientNorm,
    double ElapsedSeconds)
{
    /// <summary>The summary of a training run.</summary>
    /// <param name="options">The options used.</param>
    /// <param name="report">The report returned.</param>
    /// <param name="rows">Rows trained on.</param>
    public static TrainingSummary From(TrainingOptions options, TrainingReport report, int rows)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return new TrainingSummary(
            options.Solver.ToString(),
            options.L2,
            options.Tolerance,
            options.MaxIterations,
            options.Standardize,
            options.FitIntercept,
            options.ClassWeights.ToString(),
            rows,
            report.Iterations,
            report.DataPasses,
            report.StopReason.ToString(),
            report.FinalObjective,
            report.FinalLoss,
            report.FinalGradientNorm,
            report.Elapsed.TotalSeconds);
    }
}

/// <summary>A model together with its metadata, as saved to and loaded from a file.</summary>
/// <param name="Model">The model.</param>
/// <param name="Metadata">What else the file says about it.</param>
public sealed record SavedModel(LogisticModel Model, ModelMetadata Metadata);

/// <summary>
/// Saves and loads models as versioned JSON (System.Text.Json, source-generated). Saving is atomic: the JSON goes to a
/// temporary file beside the target, is flushed to disk, then renamed over the target — a failed or interrupted save
/// leaves the previous file (or none) intact, never a truncated model. Loading checks everything (format version,
/// dimensions, finite numbers) and reports problems as <see cref="DataFormatException"/>. Doubles round-trip exactly,
/// so a loaded model predicts bit-identically.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string Kind = "FastLogReg.LogisticModel";

    /// <summary>Saves atomically.</summary>
    /// <param name="saved">The model and its metadata.</param>
    /// <param name="path">The target file; its directory must exist.</param>
    public static void Save(SavedModel saved, string path) => Save(saved, path, wrap: null);

    /// <summary>Loads and validates a model file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="DataFormatException">The file is not a valid FastLogReg model (the message says why).</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static SavedModel Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Loads and validates a model from a stream.</summary>
    /// <param name="stream">The JSON.</param>
    /// <param name="source">A name for error messages.</param>
    /// <exception cref="DataFormatException">The content is not a valid FastLogReg model.</exception>
    public static SavedModel Load(Stream stream, string source)
    {
        ModelDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(stream, ModelJsonContext.Readable.ModelDocument);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, (e.LineNumber ?? -1) + 1, e.BytePositionInLine is { } b ? (int)b + 1 : null, "not a valid model file: " + e.Message, e);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException or System.Text.DecoderFallbackException)
        {
            throw new DataFormatException(source, 0, null, "not a valid model file: " + e.Message, e);
        }

        return Validate(document, source);
    }

    internal static void Save(SavedModel saved, string path, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(saved.Model, nameof(saved));
        ArgumentNullException.ThrowIfNull(saved.Metadata, nameof(saved));
        ModelDocument document = ToDocument(saved);

        // Never write a file that Load would reject.
        if (Problem(document) is { } problem)
        {
            throw new ArgumentException($"The model cannot be saved: {problem}", nameof(saved));
        }

        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, document, ModelJsonContext.Readable.ModelDocument), wrap);
    }

    private static ModelDocument ToDocument(SavedModel saved)
    {
        ModelMetadata m = saved.Metadata;
        return new ModelDocument
        {
            Kind = Kind,
            FormatVersion = FormatVersion,
            Weights = saved.Model.Weights.ToArray(),
            Bias = saved.Model.Bias,
            FeatureNames = m.FeatureNames?.ToArray(),
            NegativeLabel = m.Labels?.Negative,
            PositiveLabel = m.Labels?.Positive,
            Standardization = m.Standardization is { } s ? new ScalingDocument { Means = s.Means.ToArray(), Scales = s.Scales.ToArray(), FoldedIntoWeights = true } : null,
            Training = m.Training,
            LabelColumn = m.LabelColumn,
        };
    }

    private static SavedModel Validate(ModelDocument? d, string source)
    {
        if (d is null)
        {
            throw new DataFormatException(source, 0, null, "the file holds JSON null, not a model.");
        }

        if (Problem(d) is { } problem)
        {
            throw new DataFormatException(source, 0, null, problem);
        }

        var metadata = new ModelMetadata
        {
            FeatureNames = d.FeatureNames,
            Labels = d.NegativeLabel is null ? null : new LabelMapping(d.NegativeLabel, d.PositiveLabel!),
            Standardization = d.Standardization is { } s ? new FeatureScaling(s.Means, s.Scales) : null,
            Training = d.Training,
            LabelColumn = d.LabelColumn,
        };
        return new SavedModel(new LogisticModel(d.Weights, d.Bias!.Value), metadata);
    }

    /// <summary>What is wrong with a model document, or null: the one set of rules for loading and saving.</summary>
    private static string? Problem(ModelDocument d)
    {
        if (d.Kind != Kind)
        {
            return $"not a FastLogReg model: \"kind\" is {(d.Kind is null ? "missing" : $"'{d.Kind}'")}, expected '{Kind}'.";
        }

        if (d.FormatVersion is not { } version)
        {
            return "\"formatVersion\" is missing.";
        }

        if (version != FormatVersion)
        {
            return $"format version {version.ToString(CultureInfo.InvariantCulture)} is not supported; this build reads version {FormatVersion}.";
        }

        if (d.Weights is not { Length: > 0 } weights)
        {
            return "\"weights\" is missing or empty.";
        }

        for (int j = 0; j < weights.Length; j++)
        {
            if (!double.IsFinite(weights[j]))
            {
                return $"weight {j} is {weights[j]}: weights must be finite.";
            }
        }

        if (d.Bias is not { } bias)
        {
            return "\"bias\" is missing: a model needs its intercept (0 if it has none).";
        }

        if (!double.IsFinite(bias))
        {
            return $"the bias is {bias}: it must be finite.";
        }

        if (d.FeatureNames is { } names)
        {
            if (names.Length != weights.Length)
            {
                return $"{names.Length} feature names for {weights.Length} weights.";
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int j = 0; j < names.Length; j++)
            {
                if (names[j] is null)
                {
                    return $"feature name {j} is null.";
                }

                if (!seen.Add(names[j]))
                {
                    return $"the feature name '{names[j]}' appears twice (features {Array.IndexOf(names, names[j])} and {j}): names must be unique, since data columns are selected by name.";
                }
            }
        }

        if ((d.NegativeLabel is null) != (d.PositiveLabel is null) || (d.NegativeLabel is not null && d.NegativeLabel == d.PositiveLabel))
        {
            return "\"negativeLabel\" and \"positiveLabel\" must both be given, and differ, or both be absent.";
        }

        if (d.Standardization is { } s)
        {
            if (s.FoldedIntoWeights == false)
            {
                return "the standardization is marked as not folded into the weights: this build only reads models whose weights work on raw features (as it writes them).";
            }

            if (s.Means?.Length != weights.Length || s.Scales?.Length != weights.Length)
            {
                return $"the standardization must have {weights.Length} means and {weights.Length} scales.";
            }

            try
            {
                _ = new FeatureScaling(s.Means, s.Scales);
            }
            catch (ArgumentException e)
            {
                return "invalid standardization: " + e.Message;
            }
        }

        return null;
    }
}

/// <summary>The JSON layout of a model file (format version 1).</summary>
internal sealed class ModelDocument
{
    public string? Kind { get; set; }

    public int? FormatVersion { get; set; }

    public double[]? Weights { get; set; }

    public double? Bias { get; set; }

    public string[]? FeatureNames { get; set; }

    public string? NegativeLabel { get; set; }

    public string? PositiveLabel { get; set; }

    public ScalingDocument? Standardization { get; set; }

    public TrainingSummary? Training { get; set; }

    public string? LabelColumn { get; set; }
}

/// <summary>The JSON layout of a standardization.</summary>
internal sealed class ScalingDocument
{
    public double[]? Means { get; set; }

    public double[]? Scales { get; set; }

    public bool? FoldedIntoWeights { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ModelDocument))]
internal sealed partial class ModelJsonContext : JsonSerializerContext
{
    /// <summary>The context with relaxed escaping, so that names and labels such as "+1" read as written.</summary>
    public static ModelJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowDuplicateProperties = false,
    });
}
