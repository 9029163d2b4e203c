using System.Numerics;

namespace FastLogReg.IO;

/// <summary>
/// Collects a file's label values row by row — distinct values by <see cref="LabelMapping"/>'s equality (numbers by
/// value), each with the line it first appears on — and maps them to class ids at the end; shared by the CSV and LIBSVM
/// readers.
/// </summary>
internal sealed class LabelCodes(string source, string column, int maxClasses = 2, bool keepCodes = true)
{
    private readonly List<string> _values = new(2);
    private readonly List<LabelKey> _keys = new(2);
    private readonly List<long> _firstLines = new(2);
    private Growable<ushort> _codes = new(1024);

    /// <summary>The most classes a file may hold (beyond, the label column is surely wrong).</summary>
    public const int MostClasses = 1000;

    public IReadOnlyList<string> Values => _values;

    public ushort[] Codes => _codes.ToArray();

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
                Keep((ushort)k);
                return;
            }
        }

        LabelKey key = LabelKey.Of(value);
        int same = _keys.IndexOf(key);
        if (same >= 0)
        {
            Keep((ushort)same); // the same label written another way ("1.0" after "1"): one class
            return;
        }

        if (_values.Count == maxClasses)
        {
            throw new DataFormatException(source, line, field, maxClasses == 2
                ? $"a third label value '{CsvDataReader.Shorten(value)}'{Where()}: expected two classes, but '{_values[0]}' and '{_values[1]}' were seen before."
                : $"label value '{CsvDataReader.Shorten(value)}'{Where()} would be class {maxClasses + 1}: at most {maxClasses} classes are read (is the label column the right one?).");
        }

        _values.Add(value.ToString());
        _keys.Add(key);
        _firstLines.Add(line);
        Keep((ushort)(_values.Count - 1));
    }

    /// <summary>
    /// The mapping (given, or inferred from the values) and the class id of every row. With a given mapping a file may
    /// hold fewer classes, but no value outside the mapping. <paramref name="minimumClasses"/> values must be seen when inferring.
    /// </summary>
    public (LabelMapping Mapping, T[] Labels) Map<T>(LabelMapping? given, string? positive, int minimumClasses = 2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LabelMapping mapping = Mapping(given, positive, minimumClasses);

        // Class id of each distinct value, then of each row.
        T[] classOf = _values.Select(v => T.CreateTruncating(mapping.IndexOf(v))).ToArray();
        ReadOnlySpan<ushort> codes = _codes.AsSpan();
        T[] labels = new T[codes.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            labels[i] = classOf[codes[i]];
        }

        return (mapping, labels);
    }

    /// <summary>The mapping alone (given and checked against the values seen, or inferred from them), as <see cref="Map{T}"/> makes it.</summary>
    public LabelMapping Mapping(LabelMapping? given, string? positive, int minimumClasses = 2)
    {
        string where = Where();
        LabelMapping mapping;
        if (given is not null)
        {
            for (int k = 0; k < _values.Count; k++)
            {
                if (given.IndexOf(_values[k]) < 0)
                {
                    string known = given.Count == 2
                        ? $"neither '{given.Negative}' (class 0) nor '{given.Positive}' (class 1)"
                        : $"none of the model's {given.Count} classes ({string.Join(", ", given.Classes.Take(5).Select(c => $"'{c}'"))}{(given.Count > 5 ? ", …" : string.Empty)})";
                    throw new DataFormatException(source, _firstLines[k], null, $"the label value '{_values[k]}'{where} is {known}, the labels the model was trained with.");
                }
            }

            mapping = given;
        }
        else
        {
            if (_values.Count < minimumClasses)
            {
                throw new DataFormatException(source, 0, null, _values.Count == 0 ? "the file has no labelled rows." : $"every label{where} is '{_values[0]}': expected two classes or more.");
            }

            if (positive is not null)
            {
                if (_values.Count != 2)
                {
                    throw new DataFormatException(source, 0, null, $"a positive label ('{positive}') was given, but the file has {_values.Count} classes: the positive class applies to two.")
                    {
                        Option = nameof(CsvReadOptions.PositiveLabel),
                    };
                }

                if (LabelKey.Of(positive) is var key && !_keys.Contains(key))
                {
                    throw new DataFormatException(source, 0, null, $"the positive label '{positive}' is not among the label values '{_values[0]}' and '{_values[1]}'.")
                    {
                        Option = nameof(CsvReadOptions.PositiveLabel),
                    };
                }
            }

            mapping = LabelMapping.Infer(_values, positive);
        }

        return mapping;
    }

    private void Keep(ushort code)
    {
        if (keepCodes)
        {
            _codes.Add(code);
        }
    }

    private string Where() => string.IsNullOrEmpty(column) ? string.Empty : $" in column '{column}'";
}
