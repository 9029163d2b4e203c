using FastLogReg.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FastLogReg.ML;

/// <summary>The scoring transforms: ML.NET custom mappings from the features vector to the trainers' output columns.</summary>
internal static class Scoring
{
    public static IEstimator<ITransformer> Binary(MLContext context, LogisticModel model, string featureColumn, int d)
    {
        SchemaDefinition input = FeaturesSchema(featureColumn, d);
        return context.Transforms.CustomMapping<FeaturesRow, BinaryScore>(
            (row, score) =>
            {
                CheckWidth(row.Features, featureColumn, d);
                double z = Margin(model.Weights, model.Bias, row.Features, featureColumn);
                score.Score = (float)z;
                score.Probability = (float)(z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z)));
                score.PredictedLabel = z > 0;
            },
            contractName: null,
            inputSchemaDefinition: input);
    }

    public static IEstimator<ITransformer> Multiclass(MLContext context, MulticlassModel model, string featureColumn, int d, DataViewSchema.Column label)
    {
        int k = model.ClassCount;
        SchemaDefinition input = FeaturesSchema(featureColumn, d);
        SchemaDefinition output = SchemaDefinition.Create(typeof(MulticlassScore));
        output[nameof(MulticlassScore.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        output[nameof(MulticlassScore.PredictedLabel)].ColumnType = label.Type;
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is { } keyValues && keyValues.Type is VectorDataViewType { ItemType: var item })
        {
            // The label's key values travel with the predicted label, so MapKeyToValue turns it back into the label — text
            // or numbers (MapValueToKey on a float column gives float key values), copied with their own item type.
            typeof(Scoring).GetMethod(nameof(CopyKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(item.RawType)
                .Invoke(null, [label, output[nameof(MulticlassScore.PredictedLabel)], keyValues.Type]);
        }

        return context.Transforms.CustomMapping<FeaturesRow, MulticlassScore>(
            (row, score) =>
            {
                CheckWidth(row.Features, featureColumn, d);
                float[] dense = Dense(row.Features, d);
                double[] p = new double[k];
                model.PredictProbabilities<float>(dense, p);
                score.Score = new VBuffer<float>(k, p.Select(v => (float)v).ToArray());
                score.PredictedLabel = (uint)MulticlassModel.ArgMaxOf(p); // a key-typed POCO field is 0-based: ML.NET stores it + 1
            },
            contractName: null,
            inputSchemaDefinition: input,
            outputSchemaDefinition: output);
    }

    private static SchemaDefinition FeaturesSchema(string featureColumn, int d)
    {
        SchemaDefinition input = SchemaDefinition.Create(typeof(FeaturesRow));
        input[nameof(FeaturesRow.Features)].ColumnName = featureColumn;
        input[nameof(FeaturesRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        return input;
    }

    private static void CopyKeyValues<TItem>(DataViewSchema.Column label, SchemaDefinition.Column predicted, DataViewType type)
    {
        VBuffer<TItem> values = default;
        label.Annotations.GetValue("KeyValues", ref values);
        predicted.AddAnnotation("KeyValues", values, type);
    }

    /// <summary>ML.NET does not check a vector column's width against the schema a mapping declares: a row of another width would be scored wrongly (or fail out of range).</summary>
    private static void CheckWidth(VBuffer<float> x, string featureColumn, int d)
    {
        if (x.Length != d)
        {
            throw new ArgumentException($"The '{featureColumn}' column holds vectors of {x.Length} values; the model was trained on {d} features.", featureColumn);
        }
    }

    private static double Margin(ReadOnlySpan<double> w, double b, VBuffer<float> x, string featureColumn)
    {
        double z = b;
        ReadOnlySpan<float> values = x.GetValues();
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                // As the core's prediction and the multiclass scorer: a missing value (NaN) is not scored silently.
                throw new ArgumentException($"The '{featureColumn}' column holds {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}: features must be finite (a missing value? impute it first).", featureColumn);
            }
        }

        if (x.IsDense)
        {
            for (int j = 0; j < values.Length; j++)
            {
                z += w[j] * values[j];
            }
        }
        else
        {
            ReadOnlySpan<int> indices = x.GetIndices();
            for (int p = 0; p < values.Length; p++)
            {
                z += w[indices[p]] * values[p];
            }
        }

        return z;
    }

    private static float[] Dense(VBuffer<float> x, int d)
    {
        float[] dense = new float[d];
        x.CopyTo(dense);
        return dense;
    }

    /// <summary>The input row of the scoring mappings.</summary>
    public sealed class FeaturesRow
    {
        /// <summary>The features.</summary>
        public VBuffer<float> Features { get; set; }
    }

    /// <summary>The binary trainer's output columns.</summary>
    public sealed class BinaryScore
    {
        /// <summary>wᵀx + b.</summary>
        public float Score { get; set; }

        /// <summary>σ(Score).</summary>
        public float Probability { get; set; }

        /// <summary>Score &gt; 0.</summary>
        public bool PredictedLabel { get; set; }
    }

    /// <summary>The multiclass trainer's output columns.</summary>
    public sealed class MulticlassScore
    {
        /// <summary>The K class probabilities.</summary>
        public VBuffer<float> Score { get; set; }

        /// <summary>The predicted class index (0-based here; the key column holds it + 1).</summary>
        public uint PredictedLabel { get; set; }
    }
}
