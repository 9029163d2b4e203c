using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FastLogReg.ML;

/// <summary>
/// FastLogReg as an ML.NET binary trainer: trains from an <see cref="IDataView"/> (a <c>Label</c> column of type
/// <see cref="bool"/> and a <c>Features</c> vector of <see cref="float"/>, dense or sparse, as ML.NET's own binary
/// trainers take them) and returns a transformer that adds <c>Score</c> (wᵀx + b), <c>Probability</c> (σ(Score)) and
/// <c>PredictedLabel</c> (Score &gt; 0) — the columns, names and types of ML.NET's own calibrated binary trainers, which
/// its evaluators and <c>PredictionEngine</c> read. The weights are on the features as the pipeline gives them (a
/// <see cref="TrainingOptions.Standardize"/> fit is folded back).
/// </summary>
/// <remarks>
/// ML.NET keeps the constructors of its own model and transformer types internal, so the transformer is ML.NET's public
/// custom mapping over FastLogReg's model. It scores in ML.NET pipelines; to persist a model, save <see cref="Model"/>
/// with FastLogReg's model file or ONNX export rather than with <c>mlContext.Model.Save</c>.
/// </remarks>
public sealed class FastLogRegBinaryTrainer : IEstimator<ITransformer>
{
    private readonly MLContext _context;
    private readonly string _label;
    private readonly string _features;
    private readonly TrainingOptions _options;

    /// <summary>A trainer for <paramref name="context"/>.</summary>
    /// <param name="context">The ML.NET context.</param>
    /// <param name="labelColumnName">The label column (bool).</param>
    /// <param name="featureColumnName">The features column (a vector of float).</param>
    /// <param name="options">FastLogReg's options (default: L-BFGS, λ = 0, tolerance 1e-6).</param>
    public FastLogRegBinaryTrainer(MLContext context, string labelColumnName = "Label", string featureColumnName = "Features", TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _label = labelColumnName;
        _features = featureColumnName;
        _options = options ?? new TrainingOptions();
    }

    /// <summary>The last fit's report (iterations, passes, stop reason), or null before the first fit.</summary>
    public TrainingReport? LastReport { get; private set; }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <param name="input">The data: the label and features columns.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type (the message names it).</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ColumnCheck.Require(input.Schema, _label, BooleanDataViewType.Instance, "bool");
        int d = ColumnCheck.FeatureCount(input.Schema, _features);
        float[] labels = input.GetColumn<bool>(_label).Select(v => v ? 1f : 0f).ToArray();
        Dataset<float> data = DataViewRows.Read(input, _features, d, labels, classCount: 2);
        TrainingResult result = LogisticRegression.Train(data, _options);
        LastReport = result.Report;
        LogisticModel model = result.Model;
        Model = model;
        return Scoring.Binary(_context, model, _features, d).Fit(input);
    }

    /// <summary>The model of the last fit (FastLogReg's), or null before the first fit.</summary>
    public LogisticModel? Model { get; private set; }

    /// <summary>The output schema: that of ML.NET's own calibrated linear binary trainer on the same columns (the same three columns are added).</summary>
    /// <param name="inputSchema">The input schema.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        _context.BinaryClassification.Trainers.LbfgsLogisticRegression(_label, _features).GetOutputSchema(inputSchema);
}

/// <summary>
/// FastLogReg as an ML.NET multiclass trainer (multinomial logistic regression): the label a key column (as
/// <c>MapValueToKey</c> makes it), the features a float vector; returns a transformer that adds <c>Score</c> (the K
/// probabilities) and <c>PredictedLabel</c> (a key of the label's type, its key values kept, so <c>MapKeyToValue</c>
/// recovers the label), as ML.NET's own multiclass trainers do.
/// </summary>
/// <remarks>As for <see cref="FastLogRegBinaryTrainer"/>: persist <see cref="Model"/> with FastLogReg's model file or ONNX.</remarks>
public sealed class FastLogRegMulticlassTrainer : IEstimator<ITransformer>
{
    private readonly MLContext _context;
    private readonly string _label;
    private readonly string _features;
    private readonly TrainingOptions _options;

    /// <summary>A trainer for <paramref name="context"/>.</summary>
    /// <param name="context">The ML.NET context.</param>
    /// <param name="labelColumnName">The label column (a key type).</param>
    /// <param name="featureColumnName">The features column (a vector of float).</param>
    /// <param name="options">FastLogReg's options; <see cref="TrainingOptions.MultiClass"/> must be Auto or Multinomial.</param>
    public FastLogRegMulticlassTrainer(MLContext context, string labelColumnName = "Label", string featureColumnName = "Features", TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _label = labelColumnName;
        _features = featureColumnName;
        _options = options ?? new TrainingOptions();
        if (_options.MultiClass == MultiClass.OneVsRest)
        {
            throw new ArgumentException("The ML.NET multiclass trainer fits multinomial models (ML.NET's maximum-entropy model); for one-vs-rest use FastLogReg's API.", nameof(options));
        }
    }

    /// <summary>The last fit's report, or null before the first fit.</summary>
    public TrainingReport? LastReport { get; private set; }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <param name="input">The data.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or a label is missing (key 0).</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataViewSchema.Column label = ColumnCheck.Find(input.Schema, _label);
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            throw new ArgumentException($"The label column '{_label}' is {label.Type}; the multiclass trainer takes a key column (use MapValueToKey).", nameof(input));
        }

        int k = checked((int)key.Count);
        int d = ColumnCheck.FeatureCount(input.Schema, _features);
        uint[] keys = input.GetColumn<uint>(_label).ToArray();
        float[] labels = new float[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] == 0)
            {
                throw new ArgumentException($"Row {i} of '{_label}' is missing (key 0): remove or fill such rows first.", nameof(input));
            }

            labels[i] = keys[i] - 1; // ML.NET keys are 1-based
        }

        Dataset<float> data = DataViewRows.Read(input, _features, d, labels, classCount: k);
        TrainingResult result = LogisticRegression.Train(data, _options with { MultiClass = MultiClass.Multinomial });
        LastReport = result.Report;
        var model = (MulticlassModel)result.Classifier;
        Model = model;
        return Scoring.Multiclass(_context, model, _features, d, label).Fit(input);
    }

    /// <summary>The model of the last fit (FastLogReg's), or null before the first fit.</summary>
    public MulticlassModel? Model { get; private set; }

    /// <summary>The output schema: that of ML.NET's own maximum-entropy trainer on the same columns.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        _context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(_label, _features).GetOutputSchema(inputSchema);
}
