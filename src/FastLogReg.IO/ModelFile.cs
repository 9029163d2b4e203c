using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json;
using FastLogReg.Features;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;

namespace FastLogReg.IO;

/// <summary>What a saved model carries besides its weights: names, label meaning, scaling and how it was trained.</summary>
public sealed record ModelMetadata
{
    /// <summary>One name per feature, or null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>Which label value each class stands for (class 0 and 1 of a binary model), or null.</summary>
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

    /// <summary>
    /// The polynomial expansion the model's features come from, or null: the model's inputs are then
    /// <see cref="PolynomialFeatures.OutputColumns"/> products of <see cref="InputFeatureNames"/>'s columns, and data to
    /// predict on is read by those names and expanded first.
    /// </summary>
    public PolynomialFeatures? Expansion { get; init; }

    /// <summary>
    /// With <see cref="Expansion"/>, the names of the raw input columns (null for LIBSVM data); with
    /// <see cref="HashedColumns"/>, the names of the numeric columns that come before the hashed blocks (maybe none).
    /// </summary>
    public IReadOnlyList<string>? InputFeatureNames { get; init; }

    /// <summary>
    /// The categorical or text columns hashed into the model's features, or null: its features are then the numeric
    /// columns <see cref="InputFeatureNames"/>, followed by each hashed column's 2^bits block, and data to predict on is
    /// read from CSV by those column names and hashed the same way.
    /// </summary>
    public IReadOnlyList<HashedColumn>? HashedColumns { get; init; }
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
    /// <summary>ρ, the L1 share of the penalty λ(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²) (0: L2; absent in files written before it existed).</summary>
    public double L1Ratio { get; init; }

    /// <summary>The summary of a training run.</summary>
    /// <param name="options">The options used.</param>
    /// <param name="report">The report returned.</param>
    /// <param name="rows">Rows trained on.</param>
    public static TrainingSummary From(TrainingOptions options, TrainingReport report, int rows)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        return new TrainingSummary(
            report.Solver.ToString(),
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
            report.Elapsed.TotalSeconds)
        { L1Ratio = options.L1Ratio };
    }
}

/// <summary>A model together with its metadata, as saved to and loaded from a file.</summary>
public sealed class SavedModel
{
    /// <summary>Pairs a model with its metadata.</summary>
    /// <param name="model">The model (binary, multinomial or one-vs-rest).</param>
    /// <param name="metadata">What else the file says about it.</param>
    public SavedModel(ClassificationModel model, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        Classifier = model;
        Metadata = metadata;
    }

    /// <summary>The model, whatever its kind.</summary>
    public ClassificationModel Classifier { get; }

    /// <summary>The model as a binary <see cref="LogisticModel"/>.</summary>
    /// <exception cref="InvalidOperationException">The model has more than two classes (use <see cref="Classifier"/>).</exception>
    public LogisticModel Model => Classifier as LogisticModel
        ?? throw new InvalidOperationException($"This is a {Classifier.ClassCount}-class {Classifier.Kind} model, not a binary one: use Classifier.");

    /// <summary>What else the file says about the model.</summary>
    public ModelMetadata Metadata { get; }
}

/// <summary>
/// Saves and loads models as versioned JSON (System.Text.Json, source-generated). Saving is atomic: the JSON goes to a
/// temporary file beside the target, is flushed to disk, then renamed over the target — a failed or interrupted save
/// leaves the previous file (or none) intact, never a truncated model. Loading checks everything (format version,
/// dimensions, finite numbers) and reports problems as <see cref="DataFormatException"/>. Doubles round-trip exactly,
/// so a loaded model predicts bit-identically.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this build writes (it reads versions 1 and 2).</summary>
    public const int FormatVersion = 2;

    /// <summary>A coefficient row is stored sparsely when at most this fraction of it is non-zero.</summary>
    private const double SparseFraction = 0.25;

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
        ClassificationModel model = saved.Classifier;
        int rows = model.CoefficientRows, d = model.FeatureCount;
        var dense = new double[]?[rows];
        var sparse = new SparseRowDocument?[rows];
        bool anySparse = false;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> row = model.Coefficients(r);
            int nonZeros = row.Length - row.Count(0.0);
            if (nonZeros <= SparseFraction * d)
            {
                // Mostly zeros (a model of sparse, high-dimensional data): the dimension and the non-zeros, not d zeros.
                var indices = new int[nonZeros];
                var values = new double[nonZeros];
                for (int j = 0, k = 0; j < d; j++)
                {
                    if (row[j] != 0)
                    {
                        (indices[k], values[k]) = (j, row[j]);
                        k++;
                    }
                }

                sparse[r] = new SparseRowDocument { Indices = indices, Values = values };
                anySparse = true;
            }
            else
            {
                dense[r] = row.ToArray();
            }
        }

        return new ModelDocument
        {
            Kind = Kind,
            FormatVersion = FormatVersion,
            Model = KindName(model.Kind),
            Features = d,
            Classes = m.Labels?.Classes.ToArray(),
            Coefficients = anySparse ? null : dense.Select(x => x!).ToArray(),
            SparseCoefficients = anySparse ? sparse.Select((x, r) => x ?? Dense(dense[r]!)).ToArray() : null,
            Intercepts = Enumerable.Range(0, rows).Select(model.Intercept).ToArray(),
            FeatureNames = m.FeatureNames?.ToArray(),
            Standardization = m.Standardization is { } s ? new ScalingDocument { Means = s.Means.ToArray(), Scales = s.Scales.ToArray(), FoldedIntoWeights = true } : null,
            Training = m.Training,
            LabelColumn = m.LabelColumn,
            Expansion = m.Expansion is { } e ? new ExpansionDocument { Degree = e.Degree, InteractionOnly = e.InteractionOnly, InputColumns = e.InputColumns, InputNames = m.InputFeatureNames?.ToArray() } : null,
            Hashing = m.HashedColumns is { } h ? new HashingDocument
            {
                NumericColumns = m.InputFeatureNames?.ToArray() ?? [],
                Columns = h.Select(c => new HashedColumnDocument { Column = c.Column, Bits = c.Bits, Tokens = c.Tokens == HashedTokens.Words ? "words" : "category" }).ToArray(),
                Hash = HashingDocument.Algorithm,
            } : null,
        };
    }

    /// <summary>A dense row in the sparse form (when other rows of the model are sparse).</summary>
    private static SparseRowDocument Dense(double[] row) =>
        new() { Indices = Enumerable.Range(0, row.Length).Where(j => row[j] != 0).ToArray(), Values = row.Where(v => v != 0).ToArray() };

    private static string KindName(ClassificationKind kind) => kind switch
    {
        ClassificationKind.Binary => "binary",
        ClassificationKind.Multinomial => "multinomial",
        _ => "oneVsRest",
    };

    /// <summary>A null or repeated name (data columns are selected by name), described; null when the names are fine.</summary>
    private static string? NamesProblem(string[] names, string what, string plural)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < names.Length; j++)
        {
            if (names[j] is null)
            {
                return $"{what} {j} is null.";
            }

            if (!seen.Add(names[j]))
            {
                return $"the {what} '{names[j]}' appears twice ({plural} {Array.IndexOf(names, names[j])} and {j}): names must be unique, since data columns are selected by name.";
            }
        }

        return null;
    }

    /// <summary>The file's expansion; one PolynomialFeatures refuses (more outputs than it makes) is the file's fault.</summary>
    private static PolynomialFeatures Expansion(int inputs, int degree, bool interactionOnly, string source)
    {
        try
        {
            return new PolynomialFeatures(inputs, degree, interactionOnly);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the expansion cannot be made: " + e.Message, e);
        }
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

        ClassificationModel model;
        LabelMapping? labels;
        if (d.FormatVersion == 1)
        {
            model = new LogisticModel(d.Weights, d.Bias!.Value);
            labels = d.NegativeLabel is null ? null : new LabelMapping(d.NegativeLabel, d.PositiveLabel!);
        }
        else
        {
            double[][] rows = Rows(d, source);
            model = ModelFactory.Create(d.Model!, rows, d.Intercepts!);
            labels = d.Classes is null ? null : new LabelMapping(d.Classes);
        }

        var metadata = new ModelMetadata
        {
            FeatureNames = d.FeatureNames,
            Labels = labels,
            Standardization = d.Standardization is { } s ? new FeatureScaling(s.Means, s.Scales) : null,
            Training = d.Training,
            LabelColumn = d.LabelColumn,
            Expansion = d.Expansion is { } e ? Expansion(e.InputColumns!.Value, e.Degree!.Value, e.InteractionOnly ?? false, source) : null,
            InputFeatureNames = d.Expansion?.InputNames ?? d.Hashing?.NumericColumns,
            HashedColumns = d.Hashing?.Columns!.Select(c => new HashedColumn(c.Column!, c.Bits!.Value, c.Tokens == "words" ? HashedTokens.Words : HashedTokens.Category)).ToArray(),
        };
        return new SavedModel(model, metadata);
    }

    /// <summary>The coefficient rows of a version-2 document, dense.</summary>
    private static double[][] Rows(ModelDocument d, string source)
    {
        if (d.Coefficients is { } dense)
        {
            return dense;
        }

        // Sparse rows are held dense by the model: a file of a few bytes may declare billions of features.
        int features = d.Features!.Value;
        long bytes = (long)features * sizeof(double) * d.SparseCoefficients!.Length;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available / 2)
        {
            throw new DataFormatException(source, 0, null, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the model declares {features:N0} features in {d.SparseCoefficients.Length} rows: {bytes / (1 << 20):N0} MB of weights, more than half the memory available ({available / (1 << 20):N0} MB)."));
        }

        return d.SparseCoefficients!.Select(r =>
        {
            double[] row = new double[features];
            for (int k = 0; k < r.Indices!.Length; k++)
            {
                row[r.Indices[k]] = r.Values![k];
            }

            return row;
        }).ToArray();
    }

    /// <summary>What is wrong with the version-2 fields of a document, or null.</summary>
    /// <summary>What is wrong with a hashing section for a model of <paramref name="features"/> features, or null.</summary>
    private static string? HashingProblem(HashingDocument hashing, long features, bool expanded)
    {
        if (expanded)
        {
            return "the model has both a polynomial expansion and hashed columns; this build writes one or the other.";
        }

        if (hashing.Hash != HashingDocument.Algorithm)
        {
            return $"the hashed columns were hashed with '{hashing.Hash}', but this build hashes with '{HashingDocument.Algorithm}': tokens would land in other columns.";
        }

        if (hashing.Columns is not { Length: > 0 } columns || hashing.NumericColumns is not { } numeric || numeric.Any(n => n is null))
        {
            return "the hashing section needs its numeric column names (maybe none) and at least one hashed column.";
        }

        var names = new HashSet<string>(numeric, StringComparer.Ordinal);
        if (names.Count != numeric.Length)
        {
            return "a numeric column is named twice in the hashing section.";
        }

        long total = numeric.Length;
        foreach (HashedColumnDocument c in columns)
        {
            if (c is null || string.IsNullOrWhiteSpace(c.Column) || c.Bits is not (>= HashedColumn.MinBits and <= HashedColumn.MaxBits) || c.Tokens is not ("category" or "words"))
            {
                return $"each hashed column needs a name, {HashedColumn.MinBits} to {HashedColumn.MaxBits} bits, and tokens 'category' or 'words'.";
            }

            if (!names.Add(c.Column))
            {
                return $"the column '{c.Column}' appears twice among the numeric and hashed columns.";
            }

            total += 1L << c.Bits.Value;
        }

        return total == features ? null : $"the numeric and hashed columns give {total} features, but the model has {features}.";
    }

    private static string? ProblemOfVersion2(ModelDocument d)
    {
        if (d.Model is not ("binary" or "multinomial" or "oneVsRest"))
        {
            return $"\"model\" is {(d.Model is null ? "missing" : $"'{d.Model}'")}: expected 'binary', 'multinomial' or 'oneVsRest'.";
        }

        if (d.Features is not { } features || features < 1)
        {
            return $"\"features\" is {(d.Features is null ? "missing" : d.Features.Value.ToString(CultureInfo.InvariantCulture))}: a model has at least one feature.";
        }

        if ((d.Coefficients is null) == (d.SparseCoefficients is null))
        {
            return "a model has either \"coefficients\" (dense rows) or \"sparseCoefficients\", exactly one of them.";
        }

        int rows = d.Coefficients?.Length ?? d.SparseCoefficients!.Length;
        int classes = d.Classes?.Length ?? (d.Model == "binary" ? 2 : rows);
        int expectedRows = d.Model == "binary" ? 1 : classes;
        if (rows != expectedRows || (d.Model == "binary" && classes != 2) || (d.Model != "binary" && classes < 2))
        {
            return $"a {d.Model} model of {classes} classes has {expectedRows} coefficient row(s), not {rows}{(d.Model == "binary" ? " (and exactly two classes)" : " (and at least two classes)")}.";
        }

        if (d.Intercepts is not { } intercepts || intercepts.Length != rows)
        {
            return $"\"intercepts\" must hold {rows} value(s), one per coefficient row{(d.Intercepts is null ? "; it is missing" : string.Empty)}.";
        }

        if (FirstNonFinite(intercepts) is { } bad)
        {
            return $"intercept {bad} is {intercepts[bad]}: intercepts must be finite.";
        }

        for (int r = 0; r < rows; r++)
        {
            if (d.Coefficients is { } dense)
            {
                if (dense[r] is not { } row || row.Length != features)
                {
                    return $"coefficient row {r} must hold {features} values.";
                }

                if (FirstNonFinite(row) is { } j)
                {
                    return $"coefficient {j} of row {r} is {row[j]}: coefficients must be finite.";
                }
            }
            else if (d.SparseCoefficients![r] is not { Indices: { } indices, Values: { } values } || indices.Length != values.Length)
            {
                return $"sparse coefficient row {r} needs \"indices\" and \"values\" of the same length.";
            }
            else
            {
                for (int k = 0; k < indices.Length; k++)
                {
                    if ((uint)indices[k] >= (uint)features || (k > 0 && indices[k] <= indices[k - 1]))
                    {
                        return $"sparse coefficient row {r}, entry {k}: index {indices[k]} must be in [0, {features}) and above the previous one.";
                    }
                }

                if (FirstNonFinite(values) is { } j)
                {
                    return $"sparse coefficient row {r}, entry {j} is {values[j]}: coefficients must be finite.";
                }
            }
        }

        if (d.Classes is { } names)
        {
            try
            {
                _ = new LabelMapping(names);
            }
            catch (ArgumentException e)
            {
                return "invalid \"classes\": " + e.Message;
            }
        }

        return null;
    }

    private static int? FirstNonFinite(double[] values)
    {
        for (int j = 0; j < values.Length; j++)
        {
            if (!double.IsFinite(values[j]))
            {
                return j;
            }
        }

        return null;
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

        if (version is not (1 or 2))
        {
            return $"format version {version.ToString(CultureInfo.InvariantCulture)} is not supported; this build reads versions 1 and 2.";
        }

        int features;
        if (version == 1)
        {
            if (d.Weights is not { Length: > 0 } weights)
            {
                return "\"weights\" is missing or empty.";
            }

            if (FirstNonFinite(weights) is { } j)
            {
                return $"weight {j} is {weights[j]}: weights must be finite.";
            }

            if (d.Bias is not { } bias)
            {
                return "\"bias\" is missing: a model needs its intercept (0 if it has none).";
            }

            if (!double.IsFinite(bias))
            {
                return $"the bias is {bias}: it must be finite.";
            }

            if ((d.NegativeLabel is null) != (d.PositiveLabel is null) || (d.NegativeLabel is not null && d.NegativeLabel == d.PositiveLabel))
            {
                return "\"negativeLabel\" and \"positiveLabel\" must both be given, and differ, or both be absent.";
            }

            features = weights.Length;
        }
        else if (ProblemOfVersion2(d) is { } problem)
        {
            return problem;
        }
        else
        {
            features = d.Features!.Value;
        }

        if (d.FeatureNames is { } names)
        {
            if (names.Length != features)
            {
                return $"{names.Length} feature names for {features} weights.";
            }

            if (NamesProblem(names, "feature name", "features") is { } namesProblem)
            {
                return namesProblem;
            }
        }

        if (d.Hashing is { } hashing)
        {
            if (HashingProblem(hashing, features, d.Expansion is not null) is { } hashingProblem)
            {
                return hashingProblem;
            }
        }

        if (d.Expansion is { } expansion)
        {
            if (expansion.Degree is not (>= 1 and <= 3) || expansion.InputColumns is not >= 1)
            {
                return "the expansion needs a degree of 1 to 3 and at least 1 input column.";
            }

            long outputs = PolynomialFeatures.CountOutputs(expansion.InputColumns.Value, expansion.Degree.Value, expansion.InteractionOnly ?? false);
            if (outputs != features)
            {
                return $"the expansion (degree {expansion.Degree}, {expansion.InputColumns} inputs) gives {outputs} features, but the model has {features}.";
            }

            if (expansion.InputNames is { } inputNames && inputNames.Length != expansion.InputColumns)
            {
                return $"the expansion has {inputNames.Length} input names for {expansion.InputColumns} inputs.";
            }

            if (expansion.InputNames is { } expansionNames && NamesProblem(expansionNames, "expansion input name", "inputs") is { } inputProblem)
            {
                return inputProblem;
            }
        }

        if (d.Standardization is { } s)
        {
            if (s.FoldedIntoWeights == false)
            {
                return "the standardization is marked as not folded into the weights: this build only reads models whose weights work on raw features (as it writes them).";
            }

            if (s.Means?.Length != features || s.Scales?.Length != features)
            {
                return $"the standardization must have {features} means and {features} scales.";
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

/// <summary>
/// The JSON layout of a model file. Version 2 (written): "model" (binary, multinomial or oneVsRest), "features" d,
/// "classes" (the label value of each class), "coefficients" (rows of d values: one for a binary model, K otherwise) or
/// "sparseCoefficients" (rows of indices and values, when mostly zero), "intercepts" (one per row). Version 1 (still
/// read): binary only, "weights", "bias", "negativeLabel", "positiveLabel".
/// </summary>
internal sealed class ModelDocument
{
    public string? Kind { get; set; }

    public int? FormatVersion { get; set; }

    public string? Model { get; set; }

    public int? Features { get; set; }

    public string[]? Classes { get; set; }

    public double[][]? Coefficients { get; set; }

    public SparseRowDocument[]? SparseCoefficients { get; set; }

    public double[]? Intercepts { get; set; }

    public double[]? Weights { get; set; }

    public double? Bias { get; set; }

    public string[]? FeatureNames { get; set; }

    public string? NegativeLabel { get; set; }

    public string? PositiveLabel { get; set; }

    public ScalingDocument? Standardization { get; set; }

    public TrainingSummary? Training { get; set; }

    public string? LabelColumn { get; set; }

    public ExpansionDocument? Expansion { get; set; }

    public HashingDocument? Hashing { get; set; }
}

/// <summary>The JSON layout of the hashing trick: the numeric columns first, then the hashed columns, and the hash used.</summary>
internal sealed class HashingDocument
{
    /// <summary>The hash this build computes; a file naming another would put tokens in other columns.</summary>
    public const string Algorithm = "xxhash3-utf8-signed";

    public string[]? NumericColumns { get; set; }

    public HashedColumnDocument[]? Columns { get; set; }

    public string? Hash { get; set; }
}

/// <summary>The JSON layout of one hashed column.</summary>
internal sealed class HashedColumnDocument
{
    public string? Column { get; set; }

    public int? Bits { get; set; }

    public string? Tokens { get; set; }
}

/// <summary>The JSON layout of a polynomial expansion: degree, interactions only, the input columns and their names.</summary>
internal sealed class ExpansionDocument
{
    public int? Degree { get; set; }

    public bool? InteractionOnly { get; set; }

    public int? InputColumns { get; set; }

    public string[]? InputNames { get; set; }
}

/// <summary>The JSON layout of a sparse coefficient row.</summary>
internal sealed class SparseRowDocument
{
    public int[]? Indices { get; set; }

    public double[]? Values { get; set; }
}

/// <summary>The JSON layout of a standardization.</summary>
internal sealed class ScalingDocument
{
    public double[]? Means { get; set; }

    public double[]? Scales { get; set; }

    public bool? FoldedIntoWeights { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
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
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
