using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.IO;

/// <summary>A data set read from a file, with what is needed to interpret it: column names and the label mapping.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Data">The rows (features and 0/1 labels), owned by this object.</param>
/// <param name="FeatureNames">One name per feature column (from the CSV header; "f1", "f2", … for LIBSVM).</param>
/// <param name="Labels">How the file's label values map to 0 and 1.</param>
/// <param name="Source">The file read.</param>
public sealed record LabeledData<T>(DenseDataset<T> Data, IReadOnlyList<string> FeatureNames, LabelMapping Labels, string Source)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The header name of the label column (CSV), or null (LIBSVM, where the label is each line's first field).</summary>
    public string? LabelColumn { get; init; }
}

/// <summary>
/// The two label values found in a file and which one is the positive class (label 1). Unless chosen, the positive class
/// is the larger of two numbers (so 0/1 and −1/+1 keep their usual meaning), or else the later of two strings in
/// ordinal order.
/// </summary>
/// <param name="Negative">The file's value for class 0.</param>
/// <param name="Positive">The file's value for class 1.</param>
public sealed record LabelMapping(string Negative, string Positive)
{
    /// <summary>Whether the two values came from numbers (1 is then the larger).</summary>
    public bool IsNumeric => double.TryParse(Negative, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        && double.TryParse(Positive, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>Orders two distinct values into a mapping (see the type's remarks), or uses <paramref name="positive"/>.</summary>
    internal static LabelMapping From(string a, string b, string? positive)
    {
        if (positive is not null)
        {
            return positive == a ? new LabelMapping(b, a) : new LabelMapping(a, b);
        }

        var c = System.Globalization.CultureInfo.InvariantCulture;
        bool numeric = double.TryParse(a, System.Globalization.NumberStyles.Float, c, out double x)
            & double.TryParse(b, System.Globalization.NumberStyles.Float, c, out double y);
        bool aFirst = numeric ? x < y : string.CompareOrdinal(a, b) < 0;
        return aFirst ? new LabelMapping(a, b) : new LabelMapping(b, a);
    }
}
