using System.Globalization;
using System.Text.Json;
using FastLogReg.Features;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Objective;
using Google.Protobuf;
using Onnx;

namespace FastLogReg.Onnx;

/// <summary>What an ONNX export records besides the coefficients.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The feature names (d of them), stored in the model's metadata (<c>feature_names</c>, JSON). Optional.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>
    /// The class labels (K of them, in class-index order). When given, the graph has a third output <c>class</c>: the
    /// predicted label as a string; they are also stored in the metadata (<c>class_labels</c>, JSON). Optional.
    /// </summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>
    /// The polynomial expansion the model was trained on, or null. With it the graph takes the raw columns
    /// (<see cref="PolynomialFeatures.InputColumns"/> of them; <see cref="FeatureNames"/> then names those) and forms the
    /// products itself (Gather and Mul).
    /// </summary>
    public PolynomialFeatures? Expansion { get; init; }

    /// <summary>
    /// The standardization the model was trained with (over its features, after any expansion), or null. With it the
    /// graph subtracts the means and divides by the scales before the (standardized) coefficients, instead of using the
    /// coefficients folded onto raw features: in float32 a column with a large offset (say 10⁶ ± 1) loses its
    /// information to the cancellation between w·x and a huge intercept, while (x − μ)/σ keeps it.
    /// </summary>
    public FeatureScaling? Standardization { get; init; }

    /// <summary>The model's name in the file (<c>graph.name</c>). Default "FastLogReg".</summary>
    public string Name { get; init; } = "FastLogReg";
}

/// <summary>
/// Exports binary, multinomial and one-vs-rest models as ONNX (opset 13, standard operators only, so ONNX Runtime and
/// the serving stacks built on it load them): input <c>features</c>, float32 [N, d] on the raw feature scale (a
/// standardization the model was trained with is already folded into its coefficients); outputs <c>label</c>, int64 [N],
/// the class index, and <c>probabilities</c>, float32 [N, K] (K = 2 for a binary model: P(y = 0), P(y = 1)).
/// </summary>
/// <remarks>
/// The graph is <c>MatMul(features, Wᵀ) + b</c> (with a standardization, <c>MatMul((features − μ)·(1/σ), Wᵀ) + b</c> on
/// the standardized coefficients) followed by: Softmax over [−z/2, z/2] for a binary model (σ(−z), σ(z), each with its
/// relative accuracy; label = z &gt; 0, as <see cref="LogisticModel.PredictClass{T}(ReadOnlySpan{T})"/>); Softmax for
/// multinomial; Softmax of log σ(z) for one-vs-rest (σ(z_c)/Σσ(z_j), normalized as <see cref="MulticlassModel"/> does,
/// finite where every σ underflows); ArgMax (the first
/// class on a tie, as FastLogReg) for the label of a K-class model. The coefficients are stored as float32 and the graph
/// computes in float32, so probabilities agree with FastLogReg's double-precision ones to float rounding (a relative
/// error of about 1e-7 times the size of the terms of wᵀx). Sparse rows: ONNX Runtime's standard operators take dense
/// tensors, so densify the rows to score (or score with FastLogReg, which reads CSR directly).
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX opset the graphs use.</summary>
    public const int Opset = 13;

    private const long IrVersion = 7;

    /// <summary>Writes <paramref name="model"/> as an ONNX file at <paramref name="path"/>, atomically (as model files are written).</summary>
    /// <param name="model">A trained model.</param>
    /// <param name="path">The ONNX file.</param>
    /// <param name="options">Names and labels to record, or null.</param>
    public static void Save(ClassificationModel model, string path, OnnxExportOptions? options = null)
    {
        byte[] bytes = ToBytes(model, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes a saved model (its feature names and class labels recorded too) as an ONNX file.</summary>
    /// <param name="saved">A model as <see cref="ModelFile.Load(string)"/> returns it.</param>
    /// <param name="path">The ONNX file.</param>
    public static void Save(SavedModel saved, string path)
    {
        ArgumentNullException.ThrowIfNull(saved);
        Save(saved.Classifier, path, OptionsOf(saved));
    }

    /// <summary>The names and labels a saved model carries, as export options.</summary>
    /// <param name="saved">A saved model.</param>
    public static OnnxExportOptions OptionsOf(SavedModel saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (saved.Metadata.HashedColumns is { } hashed)
        {
            throw new NotSupportedException($"The model hashes the text column{(hashed.Count > 1 ? "s" : string.Empty)} {string.Join(", ", hashed.Select(h => $"'{h.Column}'"))}, which ONNX's standard operators cannot do: score it with FastLogReg (which reads the CSV and hashes it), or hash the rows yourself with HashedColumn.Hash and export the bare model with Save(model, path, options) on that {saved.Classifier.FeatureCount:N0}-feature input.");
        }

        return saved.Metadata.Expansion is { } expansion
            ? new OnnxExportOptions { FeatureNames = saved.Metadata.InputFeatureNames, ClassLabels = saved.Metadata.Labels?.Classes, Expansion = expansion, Standardization = saved.Metadata.Standardization }
            : new OnnxExportOptions { FeatureNames = saved.Metadata.FeatureNames, ClassLabels = saved.Metadata.Labels?.Classes, Standardization = saved.Metadata.Standardization };
    }

    /// <summary>The ONNX model as bytes (the protobuf encoding of a <c>ModelProto</c>).</summary>
    /// <param name="model">A trained model.</param>
    /// <param name="options">Names and labels to record, or null.</param>
    public static byte[] ToBytes(ClassificationModel model, OnnxExportOptions? options = null) => Build(model, options).ToByteArray();

    /// <summary>The ONNX model as a protobuf message, for callers that edit the graph further.</summary>
    /// <param name="model">A trained model.</param>
    /// <param name="options">Names and labels to record, or null.</param>
    /// <exception cref="ArgumentException">A coefficient is beyond float32's range, or the names or labels do not match the model.</exception>
    public static ModelProto Build(ClassificationModel model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        int d = model.FeatureCount, rows = model.CoefficientRows, k = model.ClassCount;
        PolynomialFeatures? expansion = options.Expansion;
        if (expansion is not null && expansion.OutputColumns != d)
        {
            throw new ArgumentException($"The expansion gives {expansion.OutputColumns} features; the model has {d}.", nameof(options));
        }

        int inputs = expansion?.InputColumns ?? d;
        if (options.FeatureNames is { } names && names.Count != inputs)
        {
            throw new ArgumentException($"{names.Count} feature names for a model of {inputs} input features.", nameof(options));
        }

        if (options.ClassLabels is { } labels)
        {
            if (labels.Count != k)
            {
                throw new ArgumentException($"{labels.Count} class labels for a model of {k} classes.", nameof(options));
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int c = 0; c < labels.Count; c++)
            {
                if (labels[c] is null)
                {
                    throw new ArgumentException($"Class label {c} is null.", nameof(options));
                }

                if (!seen.Add(labels[c]))
                {
                    throw new ArgumentException($"The class label '{labels[c]}' is given twice: the exported 'class' output could not tell those classes apart.", nameof(options));
                }
            }
        }

        FeatureScaling? scaling = options.Standardization;
        if (scaling is not null && scaling.Columns != d)
        {
            throw new ArgumentException($"The standardization has {scaling.Columns} columns; the model has {d} features.", nameof(options));
        }

        // Wᵀ as a d × rows float matrix (MatMul(features [N, d], Wᵀ) = scores [N, rows]) and b as [rows]; on the
        // standardized scale when the standardization is in the graph (wⱼσⱼ, b + Σ wⱼμⱼ).
        float[] weights = new float[d * rows];
        float[] intercepts = new float[rows];
        double[] standardized = new double[d];
        if (scaling is not null)
        {
            // The standardization's own values first: a mean beyond float32 would otherwise show as an infinite intercept.
            for (int j = 0; j < d; j++)
            {
                _ = ToFloat(scaling.Means[j], $"mean of feature {j}");
                _ = ToFloat(1 / scaling.Scales[j], $"inverse scale of feature {j}");
            }
        }

        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> w = model.Coefficients(r);
            double b = model.Intercept(r);
            if (scaling is not null)
            {
                scaling.ToStandardized(w, b, standardized, out b);
                w = standardized;

                // The graph centers on the float32 means; what they differ from the true ones by goes into the
                // intercept, in double (for a column at 10⁶ the rounding of μ alone would shift z by wⱼ·0.03/σⱼ).
                for (int j = 0; j < d; j++)
                {
                    b += w[j] * ((double)(float)scaling.Means[j] - scaling.Means[j]) / scaling.Scales[j];
                }
            }

            for (int j = 0; j < d; j++)
            {
                weights[(j * rows) + r] = ToFloat(w[j], $"coefficient {j} of row {r}");
            }

            intercepts[r] = ToFloat(b, $"intercept of row {r}");
        }

        var graph = new GraphProto { Name = options.Name };
        graph.Input.Add(TensorValue("features", TensorProto.Types.DataType.Float, "N", inputs));
        graph.Initializer.Add(FloatTensor("coefficients", weights, d, rows));
        graph.Initializer.Add(FloatTensor("intercepts", intercepts, rows));
        string expanded = expansion is null ? "features" : AddExpansion(graph, expansion);
        if (scaling is not null)
        {
            float[] means = new float[d], inverse = new float[d];
            for (int j = 0; j < d; j++)
            {
                means[j] = ToFloat(scaling.Means[j], $"mean of feature {j}");
                inverse[j] = ToFloat(1 / scaling.Scales[j], $"inverse scale of feature {j}");
            }

            graph.Initializer.Add(FloatTensor("means", means, d));
            graph.Initializer.Add(FloatTensor("inverse_scales", inverse, d));
            graph.Node.Add(Node("Sub", [expanded, "means"], ["centered"]));
            graph.Node.Add(Node("Mul", ["centered", "inverse_scales"], ["standardized"]));
            expanded = "standardized";
        }

        graph.Node.Add(Node("MatMul", [expanded, "coefficients"], ["products"]));
        graph.Node.Add(Node("Add", ["products", "intercepts"], ["scores"]));

        switch (model.Kind)
        {
            case ClassificationKind.Binary:
                // probabilities = [σ(−z), σ(z)] = Softmax([−z/2, z/2]): both small probabilities keep their relative
                // accuracy (ONNX Runtime's Sigmoid has an absolute error of ~5·10⁻⁸ and is 0 below z = −18; 1 − σ(z) is 0
                // above z = 17); label = z > 0.
                graph.Initializer.Add(FloatTensor("half", [0.5f]));
                graph.Initializer.Add(FloatTensor("zero", [0f]));
                graph.Node.Add(Node("Mul", ["scores", "half"], ["half_scores"]));
                graph.Node.Add(Node("Neg", ["half_scores"], ["negative_half_scores"]));
                graph.Node.Add(Node("Concat", ["negative_half_scores", "half_scores"], ["pair"], Int("axis", 1)));
                graph.Node.Add(Node("Softmax", ["pair"], ["probabilities"], Int("axis", 1)));
                graph.Node.Add(Node("Greater", ["scores", "zero"], ["positive"]));
                graph.Node.Add(Node("Cast", ["positive"], ["positive_int"], Int("to", (long)TensorProto.Types.DataType.Int64)));
                graph.Initializer.Add(Int64Tensor("label_shape", [-1], 1));
                graph.Node.Add(Node("Reshape", ["positive_int", "label_shape"], ["label"]));
                break;
            case ClassificationKind.Multinomial:
                graph.Node.Add(Node("Softmax", ["scores"], ["probabilities"], Int("axis", 1)));
                graph.Node.Add(Node("ArgMax", ["scores"], ["label"], Int("axis", 1), Int("keepdims", 0)));
                break;
            case ClassificationKind.OneVsRest:
                // σ(z_c)/Σσ(z_j) = Softmax(log σ(z)), log σ(z) = min(z, 0) − log(1 + e^(−|z|)): exact where every σ
                // underflows or ONNX Runtime's Sigmoid (absolute error ~5·10⁻⁸, 0 below −18) would dominate the ratios.
                graph.Initializer.Add(FloatTensor("one", [1f]));
                graph.Initializer.Add(FloatTensor("zero", [0f]));
                graph.Node.Add(Node("Abs", ["scores"], ["magnitudes"]));
                graph.Node.Add(Node("Neg", ["magnitudes"], ["negative_magnitudes"]));
                graph.Node.Add(Node("Exp", ["negative_magnitudes"], ["tails"]));
                graph.Node.Add(Node("Add", ["tails", "one"], ["one_plus_tails"]));
                graph.Node.Add(Node("Log", ["one_plus_tails"], ["log_one_plus_tails"]));
                graph.Node.Add(Node("Min", ["scores", "zero"], ["nonpositive_scores"]));
                graph.Node.Add(Node("Sub", ["nonpositive_scores", "log_one_plus_tails"], ["log_sigmoids"]));
                graph.Node.Add(Node("Softmax", ["log_sigmoids"], ["probabilities"], Int("axis", 1)));
                graph.Node.Add(Node("ArgMax", ["scores"], ["label"], Int("axis", 1), Int("keepdims", 0)));
                break;
            default:
                throw new ArgumentException($"Cannot export a {model.Kind} model.", nameof(model));
        }

        graph.Output.Add(TensorValue("label", TensorProto.Types.DataType.Int64, "N"));
        graph.Output.Add(TensorValue("probabilities", TensorProto.Types.DataType.Float, "N", k));
        if (options.ClassLabels is { } classes)
        {
            var table = new TensorProto { Name = "class_labels", DataType = (int)TensorProto.Types.DataType.String };
            table.Dims.Add(classes.Count);
            foreach (string c in classes)
            {
                table.StringData.Add(ByteString.CopyFromUtf8(c));
            }

            graph.Initializer.Add(table);
            graph.Node.Add(Node("Gather", ["class_labels", "label"], ["class"], Int("axis", 0)));
            graph.Output.Add(TensorValue("class", TensorProto.Types.DataType.String, "N"));
        }

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "FastLogReg",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0",
            ModelVersion = 1,
            DocString = $"FastLogReg {model.Kind} logistic regression: {k} classes, {d} features" + (expansion is null ? "." : $" (degree-{expansion.Degree} {(expansion.InteractionOnly ? "interactions" : "polynomial features")} of {inputs} inputs)."),
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "kind", Value = model.Kind.ToString() });
        if (options.FeatureNames is not null)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "feature_names", Value = JsonSerializer.Serialize(options.FeatureNames) });
        }

        if (options.ClassLabels is not null)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "class_labels", Value = JsonSerializer.Serialize(options.ClassLabels) });
        }

        return proto;
    }

    /// <summary>
    /// The expansion as nodes: per degree k ≥ 2, the k factors of its terms gathered column-wise and multiplied
    /// (left to right, as <see cref="PolynomialFeatures.TransformRow{T}"/>), then all degrees concatenated after the inputs.
    /// </summary>
    private static string AddExpansion(GraphProto graph, PolynomialFeatures expansion)
    {
        var blocks = new List<string> { "features" };
        int start = expansion.InputColumns;
        for (int degree = 2; degree <= expansion.Degree; degree++)
        {
            int count = 0;
            while (start + count < expansion.OutputColumns && expansion.Term(start + count).Length == degree)
            {
                count++;
            }

            string product = string.Empty;
            for (int p = 0; p < degree; p++)
            {
                long[] columns = new long[count];
                for (int t = 0; t < count; t++)
                {
                    columns[t] = expansion.Term(start + t)[p];
                }

                string index = $"degree{degree}_factor{p}_columns", factor = $"degree{degree}_factor{p}";
                graph.Initializer.Add(Int64Tensor(index, columns, count));
                graph.Node.Add(Node("Gather", ["features", index], [factor], Int("axis", 1)));
                if (p == 0)
                {
                    product = factor;
                }
                else
                {
                    string next = $"degree{degree}_product{p}";
                    graph.Node.Add(Node("Mul", [product, factor], [next]));
                    product = next;
                }
            }

            blocks.Add(product);
            start += count;
        }

        graph.Node.Add(Node("Concat", [.. blocks], ["expanded"], Int("axis", 1)));
        return "expanded";
    }

    private static float ToFloat(double value, string what)
    {
        float f = (float)value;
        if (!float.IsFinite(f))
        {
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "The {0}, {1:R}, is beyond float32's range: ONNX's float tensors cannot hold it.", what, value));
        }

        return f;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0] + "_" + op };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static TensorProto Int64Tensor(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>A tensor value: a symbolic first dimension and the fixed ones after it.</summary>
    private static ValueInfoProto TensorValue(string name, TensorProto.Types.DataType type, string batch, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (int dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
