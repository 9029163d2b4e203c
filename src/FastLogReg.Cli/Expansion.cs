using FastLogReg.Data;
using FastLogReg.Features;
using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>Polynomial expansion of loaded data, with the file named when a product overflows.</summary>
internal static class Expansion
{
    /// <summary>The data with its columns expanded and named ("a^2", "a*b").</summary>
    public static LoadedData Apply(LoadedData loaded, PolynomialFeatures expansion, string source)
    {
        try
        {
            Dataset<double> data = expansion.Transform(loaded.Data);
            return loaded with { Data = data, FeatureNames = expansion.Names(loaded.Data is SparseDataset<double> ? null : loaded.FeatureNames) };
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the polynomial expansion failed: " + e.Message, e);
        }
    }

    /// <summary>Row-major rows expanded (for prediction).</summary>
    public static double[] Rows(ReadOnlySpan<double> rows, PolynomialFeatures expansion, string source)
    {
        try
        {
            return expansion.TransformRows(rows);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the polynomial expansion failed: " + e.Message, e);
        }
    }

    /// <summary>Sparse rows expanded (for prediction).</summary>
    public static CsrMatrix<double> Rows(CsrMatrix<double> rows, PolynomialFeatures expansion, string source)
    {
        try
        {
            return expansion.Transform(rows);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the polynomial expansion failed: " + e.Message, e);
        }
    }

    /// <summary>The names and count of the columns a model reads from a file: its inputs before any expansion.</summary>
    public static (IReadOnlyList<string>? Names, int Columns) InputsOf(SavedModel saved) =>
        saved.Metadata.Expansion is { } e ? (saved.Metadata.InputFeatureNames, e.InputColumns) : (saved.Metadata.FeatureNames, saved.Classifier.FeatureCount);
}
