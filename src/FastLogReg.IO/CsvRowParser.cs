using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using nietras.SeparatedValues;

namespace FastLogReg.IO;

/// <summary>
/// One CSV row as parsed on a pool thread: its features (in a buffer the consumer recycles), its label value, or
/// the error it holds. Nothing here throws, so that the consumer — which sees rows in file order — reports the first
/// bad row of the file whichever thread parsed it.
/// </summary>
/// <remarks>
/// <see cref="Line"/> is Sep's first line of the row and <see cref="LineEnd"/> the line after its last. In Sep's parallel
/// mode the first line of a row that spans a buffer refill (a quoted field holding thousands of lines) was measured wrong
/// (2 instead of 1,783) while the end was right; the consumer, which sees rows in order, corrects it from the previous
/// row's end.
/// </remarks>
internal readonly record struct ParsedRow<T>(T[]? Values, string Label, long Line, long LineEnd, int Length, int? ErrorColumn, string? Error)
{
    public static ParsedRow<T> Blank(long line, long lineEnd) => new(null, string.Empty, line, lineEnd, 0, null, null);

    public static ParsedRow<T> Failed(long line, long lineEnd, int? column, string error) => new(null, string.Empty, line, lineEnd, 0, column, error);
}

/// <summary>Parses one row of a CSV file: the header's number of fields, finite features, the label value (interned).</summary>
internal sealed class CsvRowParser<T>(string[] header, int[] featureIndex, int labelIndex, bool decimalComma = false)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LabelInterner _labels = new();

    /// <summary>Whether numbers are written with a decimal comma.</summary>
    public bool DecimalComma => decimalComma;

    /// <summary>Each header column's role for <see cref="CsvPlainRows"/>: its index among the features, ignored, or the label.</summary>
    public int[] Roles { get; } = Enumerable.Range(0, header.Length)
        .Select(j => j == labelIndex ? CsvPlainRows.Label : Array.IndexOf(featureIndex, j) is int k and >= 0 ? k : CsvPlainRows.Ignored)
        .ToArray();

    /// <summary>
    /// Row buffers in flight between the parsing threads and the consumer, reused: only as many exist as rows are in
    /// flight at once (ArrayPool.Shared, rented on one thread and returned on another, was measured allocating one per row: 2× the memory).
    /// </summary>
    private readonly ConcurrentQueue<T[]> _buffers = new();

    /// <summary>Hands a row's buffer back once its values are copied out.</summary>
    public void Recycle(T[] values) => _buffers.Enqueue(values);

    public ParsedRow<T> Parse(SepReader.Row row)
    {
        long line = row.LineNumberFrom;
        long lineEnd = row.LineNumberToExcl;
        if (row.Span.Contains('\uFFFD'))
        {
            return ParsedRow<T>.Failed(line, lineEnd, null, TextChecks.NotUtf8);
        }

        if (row.ColCount != header.Length)
        {
            if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty)
            {
                return ParsedRow<T>.Blank(line, lineEnd);
            }

            if (CsvCell.IsUnterminated(row[row.ColCount - 1].Span))
            {
                return ParsedRow<T>.Failed(line, lineEnd, row.ColCount, $"the quote that opens field {row.ColCount} is never closed: it runs to the end of the file. Close it, or remove it.");
            }

            return ParsedRow<T>.Failed(line, lineEnd, null, $"the row has {row.ColCount} fields but the header has {header.Length}.");
        }

        T[] values = _buffers.TryDequeue(out T[]? reused) ? reused : new T[featureIndex.Length];
        for (int k = 0; k < featureIndex.Length; k++)
        {
            int j = featureIndex[k];
            if (!CsvCell.TryParseNumber(row[j].Span, decimalComma, header[j], out T value, out string? problem))
            {
                Recycle(values);
                return ParsedRow<T>.Failed(line, lineEnd, j + 1, CsvCell.IsUnterminated(row[j].Span) ? $"the quote that opens field {j + 1} is never closed." : problem!);
            }

            values[k] = value;
        }

        string label = string.Empty;
        if (labelIndex >= 0)
        {
            ReadOnlySpan<char> field = row[labelIndex].Span;
            string? unquoted = CsvCell.Label(field, out string? problem);
            if (problem is not null)
            {
                Recycle(values);
                return ParsedRow<T>.Failed(line, lineEnd, labelIndex + 1, problem);
            }

            label = _labels.Intern(unquoted is null ? field : unquoted.AsSpan());
        }
        return new ParsedRow<T>(values, label, line, lineEnd, row.Span.Length, null, null);
    }

    /// <summary>
    /// Label values as shared strings, so that a row carries a reference rather than a new string. A file has two label
    /// values (a third is an error the consumer reports), so a few entries, read without a lock, cover every row.
    /// </summary>
    private sealed class LabelInterner
    {
        private const int Capacity = 4;
        private readonly Lock _gate = new();
        private volatile string[] _known = [];

        public string Intern(ReadOnlySpan<char> value)
        {
            foreach (string known in _known)
            {
                if (value.SequenceEqual(known))
                {
                    return known;
                }
            }

            string text = value.ToString();
            lock (_gate)
            {
                if (_known.Length < Capacity && Array.IndexOf(_known, text) < 0)
                {
                    _known = [.. _known, text];
                }
            }

            return text;
        }
    }
}
