using System.Globalization;
using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.IO;

/// <summary>How to read a LIBSVM file.</summary>
public sealed record LibSvmReadOptions
{
    /// <summary>Number of feature columns; null to use the largest index in the file. Default null.</summary>
    public int? Columns { get; init; }

    /// <summary>The label value that is the positive class when inferring the mapping; null for <see cref="LabelMapping"/>'s rule.</summary>
    public string? PositiveLabel { get; init; }

    /// <summary>
    /// The label mapping to use instead of inferring one (for instance the mapping a model was trained with); values
    /// other than its two are an error, and a file may then hold a single class. Default null.
    /// </summary>
    public LabelMapping? Labels { get; init; }
}

/// <summary>
/// Reads LIBSVM sparse text — one row per line, <c>label index:value index:value …</c> with 1-based, strictly ascending
/// indices — and densifies it (absent features are 0). Lines may end with a <c># comment</c>. Anything malformed raises
/// a <see cref="DataFormatException"/> naming the file, line and field.
/// </summary>
public static class LibSvmDataReader
{
    /// <summary>Reads a LIBSVM file.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">Column count and positive class; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static LabeledData<T> Read<T>(string path, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var text = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Read<T>(text, path, options);
    }

    /// <summary>Reads LIBSVM text from a reader.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="source">A name for the text in error messages.</param>
    /// <param name="options">Column count and label mapping; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed.</exception>
    public static LabeledData<T> Read<T>(TextReader text, string source, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new LibSvmReadOptions();
        (T[] x, int rows, int columns, LabelCodes labels) = Parse<T>(text, source, options);
        (LabelMapping mapping, T[] y) = LabelCodes.Map<T>(labels.Values, labels.Codes, options.Labels, options.PositiveLabel, source, column: null);
        return new LabeledData<T>(DenseDataset.Create(x, y, columns), Names(columns), mapping, source);
    }

    /// <summary>Reads the features of LIBSVM text for prediction (the labels are checked for syntax, then ignored).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="source">A name for error messages.</param>
    /// <param name="options">Column count; label options are ignored.</param>
    /// <exception cref="DataFormatException">The content is malformed.</exception>
    public static FeatureTable<T> ReadFeatures<T>(TextReader text, string source, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] x, int rows, int columns, _) = Parse<T>(text, source, options ?? new LibSvmReadOptions(), distinctLabels: int.MaxValue);
        return new FeatureTable<T>(x, rows, columns, Names(columns), source);
    }

    private static string[] Names(int columns) => Enumerable.Range(1, columns).Select(j => "f" + j.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static (T[] X, int Rows, int Columns, LabelCodes Labels) Parse<T>(TextReader text, string source, LibSvmReadOptions options, int distinctLabels = 2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.Require<T>();
        if (options.Columns is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Columns, "Columns must be at least 1.");
        }

        var rowStarts = new Growable<long>(1024);
        var indices = new Growable<int>(4096);
        var values = new Growable<T>(4096);
        var labels = new LabelCodes(source, string.Empty);
        int maxIndex = 0;
        long maxIndexLine = 0;
        int maxIndexField = 0;
        long lineNumber = 0;
        int rows = 0;
        string? line;
        while ((line = text.ReadLine()) is not null)
        {
            lineNumber++;
            ReadOnlySpan<char> content = line.AsSpan();
            if (content.Contains('\uFFFD'))
            {
                throw new DataFormatException(source, lineNumber, null, TextChecks.NotUtf8);
            }

            if (content.Contains('\0'))
            {
                throw lineNumber == 1 ? CsvDataReader.NotText(source) : new DataFormatException(source, lineNumber, null, "the line holds a NUL character: not LIBSVM text.");
            }

            int hash = content.IndexOf('#');
            if (hash >= 0)
            {
                content = content[..hash];
            }

            content = content.Trim();
            if (content.IsEmpty)
            {
                continue;
            }

            int field = 1;
            ReadOnlySpan<char> rest = content;
            ReadOnlySpan<char> label = NextToken(ref rest);
            if (!double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out double numericLabel) || !double.IsFinite(numericLabel))
            {
                throw new DataFormatException(source, lineNumber, field, $"the label '{CsvDataReader.Shorten(label)}' is not a finite number: expected 'label index:value …'.");
            }

            if (distinctLabels == 2)
            {
                labels.Add(label, lineNumber, field);
            }

            rowStarts.Add(indices.Count);
            rows++;
            int previous = 0;
            while (!rest.IsEmpty)
            {
                field++;
                ReadOnlySpan<char> token = NextToken(ref rest);
                int colon = token.IndexOf(':');
                if (colon <= 0 || colon == token.Length - 1)
                {
                    throw new DataFormatException(source, lineNumber, field, $"'{CsvDataReader.Shorten(token)}' is not 'index:value'.");
                }

                if (!int.TryParse(token[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index < 1)
                {
                    throw new DataFormatException(source, lineNumber, field, $"the index '{CsvDataReader.Shorten(token[..colon])}' is not an integer ≥ 1.");
                }

                if (index <= previous)
                {
                    throw new DataFormatException(source, lineNumber, field, $"the index {index} does not follow {previous}: indices must be strictly ascending.");
                }

                if (options.Columns is { } limit && index > limit)
                {
                    throw new DataFormatException(source, lineNumber, field, $"the index {index} exceeds the {limit} columns expected.");
                }

                if (!T.TryParse(token[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out T value) || !T.IsFinite(value))
                {
                    throw new DataFormatException(source, lineNumber, field, $"the value '{CsvDataReader.Shorten(token[(colon + 1)..])}' of feature {index} is not a finite number.");
                }

                previous = index;
                if (index > maxIndex)
                {
                    (maxIndex, maxIndexLine, maxIndexField) = (index, lineNumber, field);
                }

                indices.Add(index - 1);
                values.Add(value);
            }
        }

        if (rows == 0)
        {
            throw new DataFormatException(source, 0, null, "the file has no rows: expected lines of 'label index:value …'.");
        }

        int columns = options.Columns ?? Math.Max(maxIndex, 1);
        CheckDenseSize<T>(rows, columns, values.Count, options.Columns is null ? (maxIndexLine, maxIndexField) : (0, 0), source);

        T[] x = new T[rows * columns];
        ReadOnlySpan<long> starts = rowStarts.AsSpan();
        ReadOnlySpan<int> idx = indices.AsSpan();
        ReadOnlySpan<T> val = values.AsSpan();
        for (int i = 0; i < rows; i++)
        {
            long end = i + 1 < rows ? starts[i + 1] : idx.Length;
            for (long k = starts[i]; k < end; k++)
            {
                x[((long)i * columns) + idx[(int)k]] = val[(int)k];
            }
        }

        return (x, rows, columns, labels);
    }

    /// <summary>
    /// Refuses, before anything is allocated, a dense matrix that would be mostly zeros and large (more than
    /// max(2²⁶, 16 × non-zeros) values) or that would not fit in half the memory available — a LIBSVM file with a stray
    /// index of 10⁸ would otherwise take gigabytes per row.
    /// </summary>
    private static void CheckDenseSize<T>(int rows, int columns, long nonZeros, (long Line, int Field) widest, string source)
        where T : unmanaged
    {
        long values = (long)rows * columns;
        long bytes = values * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        bool tooSparse = values > Math.Max(DenseWithoutQuestion, 16 * nonZeros);
        bool tooLarge = values > Array.MaxLength || bytes > available / 2;
        if (!tooSparse && !tooLarge)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        string size = string.Format(c, "{0:N0} rows × {1:N0} columns = {2:N0} values ({3:G3} GB) for {4:N0} non-zeros", rows, columns, values, bytes / 1e9, nonZeros);
        string why = tooLarge
            ? string.Format(c, "more than half the {0:G3} GB of memory available", available / 1e9)
            : "almost all zeros";
        string advice = widest.Line > 0 ? $"feature index {columns} is the largest; check it, or" : "lower the column count, or";
        throw new DataFormatException(source, widest.Line, widest.Field > 0 ? widest.Field : null, $"densifying would take {size}: {why}. {char.ToUpperInvariant(advice[0])}{advice[1..]} use data that fits a dense matrix.");
    }

    /// <summary>Dense matrices up to this many values (512 MB of doubles) are built however sparse the file is.</summary>
    private const long DenseWithoutQuestion = 1L << 26;

    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> rest)
    {
        int end = rest.IndexOfAny(' ', '\t');
        ReadOnlySpan<char> token = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[(end + 1)..].TrimStart();
        return token;
    }
}
