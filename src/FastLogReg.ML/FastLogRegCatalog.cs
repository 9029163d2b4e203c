using FastLogReg.Training;
using Microsoft.ML;

namespace FastLogReg.ML;

/// <summary>
/// The trainers in ML.NET's catalog style: <c>mlContext.BinaryClassification.Trainers.FastLogReg(…)</c>. (ML.NET does
/// not expose a catalog's context; the trainers build their scoring mapping in a context of their own, which holds no
/// state that matters: training is FastLogReg's and deterministic.)
/// </summary>
public static class FastLogRegCatalog
{
    /// <summary>FastLogReg's binary logistic regression (see <see cref="FastLogRegBinaryTrainer"/>).</summary>
    /// <param name="catalog">ML.NET's binary trainers.</param>
    /// <param name="labelColumnName">The label column (bool).</param>
    /// <param name="featureColumnName">The features column (a vector of float).</param>
    /// <param name="options">FastLogReg's options, or null for the defaults.</param>
    public static FastLogRegBinaryTrainer FastLogReg(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features", TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FastLogRegBinaryTrainer(new MLContext(), labelColumnName, featureColumnName, options);
    }

    /// <summary>FastLogReg's multinomial logistic regression (see <see cref="FastLogRegMulticlassTrainer"/>).</summary>
    /// <param name="catalog">ML.NET's multiclass trainers.</param>
    /// <param name="labelColumnName">The label column (a key).</param>
    /// <param name="featureColumnName">The features column (a vector of float).</param>
    /// <param name="options">FastLogReg's options, or null for the defaults.</param>
    public static FastLogRegMulticlassTrainer FastLogReg(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label", string featureColumnName = "Features", TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FastLogRegMulticlassTrainer(new MLContext(), labelColumnName, featureColumnName, options);
    }
}
