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
/// The label values of a file's classes, in class order: class k is <see cref="Classes"/>[k]. Unless given, the classes
/// are ordered as numbers when every value is one (so 0/1 and −1/+1 keep their usual meaning, and class 1 of two is the
/// larger), otherwise as strings in ordinal order. Values are the same label when both are numbers of equal value
/// (<c>1</c>, <c>1.0</c>, <c>+1</c>) or the same string.
/// </summary>
public sealed class LabelMapping : IEquatable<LabelMapping>
{
    private readonly string[] _classes;

    /// <summary>Two classes: <paramref name="negative"/> is class 0, <paramref name="positive"/> class 1.</summary>
    /// <param name="negative">The value of class 0.</param>
    /// <param name="positive">The value of class 1.</param>
    public LabelMapping(string negative, string positive)
        : this([negative, positive])
    {
    }

    /// <summary>K ≥ 2 classes, in class order.</summary>
    /// <param name="classes">Distinct label values (no two the same label).</param>
    /// <exception cref="ArgumentException">Fewer than two values, a null, or two values that are the same label.</exception>
    public LabelMapping(IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count < 2)
        {
            throw new ArgumentException($"A label mapping needs at least two classes, not {classes.Count}.", nameof(classes));
        }

        _classes = classes.ToArray();
        for (int k = 0; k < _classes.Length; k++)
        {
            ArgumentNullException.ThrowIfNull(_classes[k], nameof(classes));
            int same = IndexOf(_classes[k]);
            if (same != k)
            {
                throw new ArgumentException($"Classes {same} and {k} ('{_classes[same]}', '{_classes[k]}') are the same label.", nameof(classes));
            }
        }
    }

    /// <summary>The label value of each class, in class order.</summary>
    public IReadOnlyList<string> Classes => _classes;

    /// <summary>K, the number of classes.</summary>
    public int Count => _classes.Length;

    /// <summary>The value of class 0.</summary>
    public string Negative => _classes[0];

    /// <summary>The value of class 1 (the positive class of a binary mapping).</summary>
    public string Positive => _classes[1];

    /// <summary>Whether every value is a (finite) number.</summary>
    public bool IsNumeric => _classes.All(c => LabelKey.Of(c).IsNumber);

    /// <summary>The class of a label value (by <see cref="LabelMapping"/>'s equality), or −1.</summary>
    /// <param name="value">A label value.</param>
    public int IndexOf(ReadOnlySpan<char> value)
    {
        LabelKey key = LabelKey.Of(value);
        for (int k = 0; k < _classes.Length; k++)
        {
            if (LabelKey.Of(_classes[k]).Equals(key))
            {
                return k;
            }
        }

        return -1;
    }

    /// <inheritdoc/>
    public bool Equals(LabelMapping? other) => other is not null && _classes.AsSpan().SequenceEqual(other._classes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LabelMapping);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (string c in _classes)
        {
            hash.Add(c, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", _classes.Select((c, k) => $"{k} = '{c}'"));

    /// <summary>
    /// Orders distinct values into classes (see the type's remarks); with <paramref name="positive"/> (two classes only)
    /// that value is class 1.
    /// </summary>
    internal static LabelMapping Infer(IReadOnlyList<string> values, string? positive)
    {
        string[] ordered = values.All(v => LabelKey.Of(v).IsNumber)
            ? values.OrderBy(v => LabelKey.Of(v).Number).ToArray()
            : values.Order(StringComparer.Ordinal).ToArray();
        if (positive is not null && ordered.Length == 2)
        {
            var mapping = new LabelMapping(ordered);
            int k = mapping.IndexOf(positive);
            return k == 0 ? new LabelMapping(ordered[1], ordered[0]) : mapping;
        }

        return new LabelMapping(ordered);
    }
}

/// <summary>A label value as compared: its number when it is a finite number (−0 as 0), otherwise its text.</summary>
internal readonly record struct LabelKey(bool IsNumber, double Number, string? Text)
{
    public static LabelKey Of(ReadOnlySpan<char> value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? new LabelKey(true, x == 0 ? 0.0 : x, null)
            : new LabelKey(false, 0, value.ToString());
}
