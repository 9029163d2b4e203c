using System.Numerics;

namespace FastLogReg.IO;

/// <summary>
/// Collects a file's label values row by row (at most two distinct ones, compared without allocating) and maps them to
/// 0/1 at the end — shared by the CSV and LIBSVM readers.
/// </summary>
internal sealed class LabelCodes(string source, string column)
{
    private readonly List<string> _values = new(2);
    private Growable<byte> _codes = new(1024);

    public IReadOnlyList<string> Values => _values;

    public byte[] Codes => _codes.ToArray();

    public void Add(ReadOnlySpan<char> value, long line, int field)
    {
        if (value.IsEmpty)
        {
            throw new DataFormatException(source, line, field, $"the label{Where()} is empty.");
        }

        for (int k = 0; k < _values.Count; k++)
        {
            if (value.SequenceEqual(_values[k]))
            {
                _codes.Add((byte)k);
                return;
            }
        }

        if (_values.Count == 2)
        {
            throw new DataFormatException(source, line, field, $"a third label value '{CsvDataReader.Shorten(value)}'{Where()}: expected two classes, but '{_values[0]}' and '{_values[1]}' were seen before.");
        }

        _values.Add(value.ToString());
        _codes.Add((byte)(_values.Count - 1));
    }

    /// <summary>
    /// The mapping (given, or inferred from exactly two values) and the 0/1 labels. With a given mapping a file may hold
    /// one class, but no value outside the mapping.
    /// </summary>
    public static (LabelMapping Mapping, T[] Labels) Map<T>(IReadOnlyList<string> values, byte[] codes, LabelMapping? given, string? positive, string source, string? column)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string where = string.IsNullOrEmpty(column) ? string.Empty : $" in column '{column}'";
        LabelMapping mapping;
        if (given is not null)
        {
            foreach (string v in values)
            {
                if (v != given.Negative && v != given.Positive)
                {
                    throw new DataFormatException(source, 0, null, $"the label value '{v}'{where} is neither '{given.Negative}' (class 0) nor '{given.Positive}' (class 1), the labels the model was trained with.");
                }
            }

            mapping = given;
        }
        else
        {
            if (values.Count < 2)
            {
                throw new DataFormatException(source, 0, null, $"every label{where} is '{values[0]}': expected two classes.");
            }

            if (positive is not null && positive != values[0] && positive != values[1])
            {
                throw new DataFormatException(source, 0, null, $"the positive label '{positive}' is not among the label values '{values[0]}' and '{values[1]}'.")
                {
                    Option = nameof(CsvReadOptions.PositiveLabel),
                };
            }

            mapping = LabelMapping.From(values[0], values[1], positive);
        }

        bool[] isPositive = values.Select(v => v == mapping.Positive).ToArray();
        T[] labels = new T[codes.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            labels[i] = isPositive[codes[i]] ? T.One : T.Zero;
        }

        return (mapping, labels);
    }

    private string Where() => string.IsNullOrEmpty(column) ? string.Empty : $" in column '{column}'";
}
