using FastLogReg.Models;

namespace FastLogReg.IO;

/// <summary>Builds the model a file describes from its coefficient rows and intercepts.</summary>
internal static class ModelFactory
{
    /// <summary>The model of kind <paramref name="kind"/> ("binary", "multinomial", "oneVsRest").</summary>
    public static ClassificationModel Create(string kind, double[][] rows, double[] intercepts) => kind switch
    {
        "binary" => new LogisticModel(rows[0], intercepts[0]),
        "multinomial" => new MulticlassModel(ClassificationKind.Multinomial, rows.SelectMany(r => r).ToArray(), intercepts),
        _ => new MulticlassModel(ClassificationKind.OneVsRest, rows.SelectMany(r => r).ToArray(), intercepts),
    };
}
