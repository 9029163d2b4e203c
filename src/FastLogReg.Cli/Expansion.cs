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
        string[] names = expansion.Names(loaded.Data is SparseDataset<double> ? null : loaded.FeatureNames);
        try
        {
            Dataset<double> data = expansion.Transform(loaded.Data);
            return loaded with { Data = data, FeatureNames = names };
        }
        catch (DataValueException e)
        {
            throw Overflow(source, e, names);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the polynomial expansion failed: " + Messages.ForUser(e), e);
        }
    }

    /// <summary>Row-major rows expanded (for prediction).</summary>
    public static double[] Rows(ReadOnlySpan<double> rows, PolynomialFeatures expansion, string source, IReadOnlyList<string>? inputNames = null)
    {
        try
        {
            return expansion.TransformRows(rows);
        }
        catch (DataValueException e)
        {
            throw Overflow(source, e, expansion.Names(inputNames));
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the polynomial expansion failed: " + Messages.ForUser(e), e);
        }
    }

    private static DataFormatException Overflow(string source, DataValueException e, IReadOnlyList<string> names) =>
        new(source, 0, null, string.Format(System.Globalization.CultureInfo.InvariantCulture, "data row {0}: the expanded feature '{1}' overflows ({2:G6}): scale those columns first, or use a lower degree.", e.Row + 1, e.Column is { } t && t < names.Count ? names[t] : "?", e.Value), e);

    /// <summary>Sparse rows expanded (for prediction).</summary>
    public static CsrMatrix<double> Rows(CsrMatrix<double> rows, PolynomialFeatures expansion, string source)
    {
        try
        {
            return expansion.Transform(rows);
        }
        catch (DataValueException e)
        {
            throw Overflow(source, e, expansion.Names());
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, null, "the polynomial expansion failed: " + Messages.ForUser(e), e);
        }
    }

    /// <summary>The names and count of the columns a model reads from a file: its inputs before any expansion.</summary>
    public static (IReadOnlyList<string>? Names, int Columns) InputsOf(SavedModel saved) =>
        saved.Metadata.Expansion is { } e ? (saved.Metadata.InputFeatureNames, e.InputColumns) : (saved.Metadata.FeatureNames, saved.Classifier.FeatureCount);
}
