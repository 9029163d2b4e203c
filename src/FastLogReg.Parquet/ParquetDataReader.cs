using System.Globalization;
using System.Numerics;
using FastLogReg.Data;
using FastLogReg.IO;
using ParquetSharp;

namespace FastLogReg.Parquet;

/// <summary>How to read a Parquet file.</summary>
public sealed record ParquetReadOptions
{
    /// <summary>The label column's name; default: the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The feature columns by name, in this order; default: every column but the label, in file order.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>The class of each label value (a saved model's mapping), or null to infer it as the CSV reader does.</summary>
    public LabelMapping? Labels { get; init; }

    /// <summary>The label value of the positive class (two classes), or null for the later one.</summary>
    public string? PositiveLabel { get; init; }

    /// <summary>The most classes the label may hold (2: binary). Default 2.</summary>
    public int MaxClasses { get; init; } = 2;
}

/// <summary>
/// Reads Parquet files (ParquetSharp: Apache Arrow's C++ reader, chosen by measurement — 1,000,000 × 100 float in a
/// fifth of Parquet.Net's time) column by column into the dense row-major matrix: numeric columns (float, double, and
/// the integer types; bool as 0/1), the label by name (numbers or text, classes inferred as for CSV).
/// Missing columns, non-numeric feature columns, nulls and non-finite values are errors that name the file, the column
/// and (for values) the row.
/// </summary>
public static class ParquetDataReader
{
    /// <summary>Reads features and labels.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The Parquet file.</param>
    /// <param name="options">Columns and labels; null for the defaults.</param>
    /// <exception cref="DataFormatException">The file is not Parquet, or a column or value is unusable (the message names it).</exception>
    public static LabeledData<T> Read<T>(string path, ParquetReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Guard(path, () => ReadLabeled<T>(path, options ?? new ParquetReadOptions()));

    private static LabeledData<T> ReadLabeled<T>(string path, ParquetReadOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var file = new ParquetFile(path);
        Column label = file.Field(options.LabelColumn ?? file.Fields[^1].Name, "label");
        Column[] features = file.Features(options.FeatureColumns, exclude: label);
        T[] x = file.ReadMatrix<T>(features);
        var codes = new LabelCodes(path, label.Name, Math.Max(2, options.MaxClasses));
        file.ReadLabels(label, codes);
        (LabelMapping mapping, T[] y) = codes.Map<T>(options.Labels, options.PositiveLabel, options.Labels is null ? 2 : 1);
        var data = DenseDataset.Create(x, y, features.Length, Math.Max(2, mapping.Count));
        return new LabeledData<T>(data, features.Select(f => f.Name).ToArray(), mapping, path) { LabelColumn = label.Name };
    }

    /// <summary>Reads the feature columns only (for prediction).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The Parquet file.</param>
    /// <param name="featureColumns">The columns by name, in the model's order; null for every numeric column.</param>
    public static FeatureTable<T> ReadFeatures<T>(string path, IReadOnlyList<string>? featureColumns)
        where T : unmanaged, IFloatingPointIeee754<T> => Guard(path, () => ReadFeatureTable<T>(path, featureColumns));

    private static FeatureTable<T> ReadFeatureTable<T>(string path, IReadOnlyList<string>? featureColumns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var file = new ParquetFile(path);
        Column[] features = file.Features(featureColumns, exclude: null);
        T[] x = file.ReadMatrix<T>(features);
        return new FeatureTable<T>(x, file.Rows, features.Length, features.Select(f => f.Name).ToArray(), path);
    }

    /// <summary>The column names of a Parquet file (its header).</summary>
    /// <param name="path">The Parquet file.</param>
    public static IReadOnlyList<string> ReadColumnNames(string path) => Guard(path, () =>
    {
        using var file = new ParquetFile(path);
        return (IReadOnlyList<string>)file.Fields.Select(f => f.Name).ToArray();
    });

    /// <summary>
    /// Anything ParquetSharp throws on a damaged file (a corrupt page, a bad footer, a missing column chunk) becomes a
    /// <see cref="DataFormatException"/> naming the file; our own errors, a missing file and running out of memory pass.
    /// </summary>
    private static TResult Guard<TResult>(string path, Func<TResult> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (DataFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or OutOfMemoryException or OperationCanceledException))
        {
            throw new DataFormatException(path, 0, null, $"not a readable Parquet file (damaged or truncated?): {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>A column of the file: its position, name and the .NET type of its values.</summary>
    private sealed record Column(int Index, string Name, Type Type, bool Nullable, bool IsList);

    /// <summary>An open Parquet file: its columns and row groups.</summary>
    private sealed class ParquetFile : IDisposable
    {
        private readonly string _path;
        private readonly ParquetFileReader _reader;
        private readonly long[] _firstRow;

        public ParquetFile(string path)
        {
            _path = path;
            if (!File.Exists(path))
            {
                throw Directory.Exists(path)
                    ? new DataFormatException(path, 0, null, "this is a directory, not a Parquet file.")
                    : new FileNotFoundException($"no such data file: {path}", path);
            }

            try
            {
                _reader = new ParquetFileReader(path);
            }
            catch (Exception e) when (e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException))
            {
                throw new DataFormatException(path, 0, null, $"not a readable Parquet file: {e.Message}", e);
            }

            FileMetaData meta = _reader.FileMetaData;
            SchemaDescriptor schema = meta.Schema;
            var factory = LogicalTypeFactory.Default;
            Fields = new Column[meta.NumColumns];
            for (int j = 0; j < Fields.Length; j++)
            {
                ColumnDescriptor c = schema.Column(j);
                (_, Type logical, Type element) = c.GetSystemTypes(factory, null!, false);
                bool list = c.MaxRepetitionLevel > 0 || element.IsArray && element != typeof(byte[]);

                // Named by the path the user knows: a struct's field as 'S.X' (its leaf name alone may repeat a top-level
                // column's), a list column by its own name (not Parquet's inner 'element').
                string dotted = c.Path.ToDotString();
                string name = list ? dotted.Split('.')[0] : dotted;
                Fields[j] = new Column(j, name, System.Nullable.GetUnderlyingType(logical) ?? logical, c.MaxDefinitionLevel > 0, list);
            }

            if (Fields.Length < 1)
            {
                _reader.Dispose();
                throw new DataFormatException(path, 0, null, "the file has no columns.");
            }

            _firstRow = new long[meta.NumRowGroups + 1];
            for (int g = 0; g < meta.NumRowGroups; g++)
            {
                using RowGroupReader group = _reader.RowGroup(g);
                _firstRow[g + 1] = _firstRow[g] + group.MetaData.NumRows;
            }

            Rows = checked((int)_firstRow[^1]);
        }

        public Column[] Fields { get; }

        public int Rows { get; }

        public Column Field(string name, string role)
        {
            Column? field = Fields.FirstOrDefault(f => f.Name == name);
            return field ?? throw new DataFormatException(_path, 0, null, $"no {role} column '{name}': the file has {string.Join(", ", Fields.Select(f => $"'{f.Name}'"))}.") { Option = role == "label" ? nameof(CsvReadOptions.LabelColumn) : nameof(CsvReadOptions.FeatureColumns) };
        }

        public Column[] Features(IReadOnlyList<string>? names, Column? exclude)
        {
            Column[] features = names is null ? Fields.Where(f => f != exclude).ToArray() : names.Select(n => Field(n, "feature")).ToArray();
            if (exclude is not null && names is not null && features.Contains(exclude))
            {
                throw new DataFormatException(_path, 0, null, $"the label column '{exclude.Name}' is also asked for as a feature: a column is one or the other.") { Option = nameof(CsvReadOptions.FeatureColumns) };
            }

            if (features.Length == 0)
            {
                throw new DataFormatException(_path, 0, null, "no feature columns: the file has only the label.");
            }

            foreach (Column f in features)
            {
                if (f.IsList || !IsNumeric(f.Type))
                {
                    throw new DataFormatException(_path, 0, null, $"the feature column '{f.Name}' holds {Describe(f)}, not numbers: select numeric columns (or encode this one first).");
                }
            }

            return features;
        }

        /// <summary>
        /// The features, row-major. Row groups are read in parallel (each worker opens the file itself; each group fills
        /// its own rows, so the result does not depend on the thread count); within a group every column is read (converted
        /// to the element type and checked), then copied into the rows eight rows at a time.
        /// A problem in several groups is reported for the first of them.
        /// </summary>
        public T[] ReadMatrix<T>(Column[] features)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int d = features.Length;
            long size = (long)Rows * d;
            if (size > Array.MaxLength)
            {
                throw new DataFormatException(_path, 0, null, string.Format(CultureInfo.InvariantCulture, "{0:N0} rows × {1} features do not fit one array.", Rows, d));
            }

            T[] x = GC.AllocateUninitializedArray<T>((int)size);
            int groups = _firstRow.Length - 1;
            int workers = Math.Max(1, Math.Min(groups, Environment.ProcessorCount));
            FreshPages.Prepare(x, workers);
            var errors = new Exception?[groups];
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
            {
                ParquetFileReader? reader = null;
                try
                {
                    reader = new ParquetFileReader(_path);
                    for (int g = worker; g < groups; g += workers)
                    {
                        try
                        {
                            ReadGroup(reader, g, features, x);
                        }
                        catch (Exception e)
                        {
                            errors[g] = e;
                            return;
                        }
                    }
                }
                catch (Exception e)
                {
                    errors[worker] ??= e;
                }
                finally
                {
                    reader?.Dispose();
                }
            });

            if (errors.FirstOrDefault(e => e is not null) is { } first)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }

            return x;
        }

        private void ReadGroup<T>(ParquetFileReader reader, int g, Column[] features, T[] x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int d = features.Length;
            using RowGroupReader group = reader.RowGroup(g);
            int count = checked((int)group.MetaData.NumRows);
            long first = _firstRow[g];
            T[][] columns = new T[d][];
            try
            {
                for (int j = 0; j < d; j++)
                {
                    columns[j] = System.Buffers.ArrayPool<T>.Shared.Rent(count);
                    ReadNumbers(group, features[j], columns[j].AsSpan(0, count), first);
                }

                // Into the rows: for each column, one element into each of a block of rows — the writes go down a few
                // row streams that advance together, the reads along the columns (each read once).
                const int Block = 8;
                Span<T> rows = x.AsSpan(checked((int)(first * d)), count * d);
                int i = 0;
                for (; i + Block <= count; i += Block)
                {
                    Span<T> block = rows.Slice(i * d, Block * d);
                    for (int j = 0; j < d; j++)
                    {
                        ReadOnlySpan<T> column = columns[j].AsSpan(i, Block);
                        for (int r = 0; r < Block; r++)
                        {
                            block[(r * d) + j] = column[r];
                        }
                    }
                }

                for (; i < count; i++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        rows[(i * d) + j] = columns[j][i];
                    }
                }
            }
            finally
            {
                foreach (T[]? column in columns)
                {
                    if (column is not null)
                    {
                        System.Buffers.ArrayPool<T>.Shared.Return(column);
                    }
                }
            }
        }

        public void ReadLabels(Column label, LabelCodes codes)
        {
            if (label.IsList || !(IsNumeric(label.Type) || label.Type == typeof(string)))
            {
                throw new DataFormatException(_path, 0, null, $"the label column '{label.Name}' holds {Describe(label)}: labels are numbers, booleans or text.");
            }

            var text = new Dictionary<long, string>();
            for (int g = 0; g < _firstRow.Length - 1; g++)
            {
                using RowGroupReader group = _reader.RowGroup(g);
                int count = checked((int)group.MetaData.NumRows);
                long first = _firstRow[g];
                if (label.Type == typeof(string))
                {
                    string?[] values = new string?[count];
                    using (LogicalColumnReader<string?> reader = group.Column(label.Index).LogicalReader<string?>())
                    {
                        ReadAll(reader, values);
                    }

                    for (int i = 0; i < count; i++)
                    {
                        codes.Add(values[i] ?? throw Null(label, first + i), first + i + 1, 0);
                    }
                }
                else
                {
                    double[] values = new double[count];
                    ReadNumbers(group, label, values, first);
                    for (int i = 0; i < count; i++)
                    {
                        // A label column holds a few distinct values: format each once, not once per row.
                        long bits = BitConverter.DoubleToInt64Bits(values[i]); // by bits: -0 stays apart from 0, as formatted
                        if (!text.TryGetValue(bits, out string? value))
                        {
                            value = values[i].ToString("R", CultureInfo.InvariantCulture);
                            text.Add(bits, value);
                        }

                        codes.Add(value, first + i + 1, 0);
                    }
                }
            }
        }

        public void Dispose() => _reader.Dispose();

        private void ReadNumbers<TOut>(RowGroupReader group, Column field, Span<TOut> destination, long firstRow)
            where TOut : unmanaged, IFloatingPointIeee754<TOut>
        {
            Type type = field.Type;
            if (type == typeof(double))
            {
                Read<double, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(float))
            {
                Read<float, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(int))
            {
                Read<int, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(long))
            {
                Read<long, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(short))
            {
                Read<short, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(byte))
            {
                Read<byte, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(sbyte))
            {
                Read<sbyte, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(ushort))
            {
                Read<ushort, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(uint))
            {
                Read<uint, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(ulong))
            {
                Read<ulong, TOut>(group, field, destination, firstRow);
            }
            else if (type == typeof(bool))
            {
                ReadBooleans(group, field, destination, firstRow);
            }
            else
            {
                throw new DataFormatException(_path, 0, null, $"the column '{field.Name}' holds {type.Name}, not numbers.");
            }
        }

        /// <summary>One column of a row group as doubles; generic over the stored type, so each conversion is compiled for it.</summary>
        private void Read<TValue, TOut>(RowGroupReader group, Column field, Span<TOut> destination, long firstRow)
            where TValue : unmanaged, INumberBase<TValue>
            where TOut : unmanaged, IFloatingPointIeee754<TOut>
        {
            int count = destination.Length;
            if (field.Nullable)
            {
                TValue?[] values = System.Buffers.ArrayPool<TValue?>.Shared.Rent(count);
                try
                {
                    using (LogicalColumnReader<TValue?> reader = group.Column(field.Index).LogicalReader<TValue?>())
                    {
                        ReadAll(reader, values.AsSpan(0, count));
                    }

                    for (int i = 0; i < count; i++)
                    {
                        destination[i] = values[i] is { } v ? Finite(TOut.CreateTruncating(v), v, field, firstRow + i) : throw Null(field, firstRow + i);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<TValue?>.Shared.Return(values);
                }
            }
            else
            {
                TValue[] values = System.Buffers.ArrayPool<TValue>.Shared.Rent(count);
                try
                {
                    using (LogicalColumnReader<TValue> reader = group.Column(field.Index).LogicalReader<TValue>())
                    {
                        ReadAll(reader, values.AsSpan(0, count));
                    }

                    for (int i = 0; i < count; i++)
                    {
                        destination[i] = Finite(TOut.CreateTruncating(values[i]), values[i], field, firstRow + i);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<TValue>.Shared.Return(values);
                }
            }
        }

        private void ReadBooleans<TOut>(RowGroupReader group, Column field, Span<TOut> destination, long firstRow)
            where TOut : unmanaged, IFloatingPointIeee754<TOut>
        {
            int count = destination.Length;
            if (field.Nullable)
            {
                bool?[] values = new bool?[count];
                using (LogicalColumnReader<bool?> reader = group.Column(field.Index).LogicalReader<bool?>())
                {
                    ReadAll(reader, values);
                }

                for (int i = 0; i < count; i++)
                {
                    destination[i] = values[i] is { } v ? (v ? TOut.One : TOut.Zero) : throw Null(field, firstRow + i);
                }
            }
            else
            {
                bool[] values = new bool[count];
                using (LogicalColumnReader<bool> reader = group.Column(field.Index).LogicalReader<bool>())
                {
                    ReadAll(reader, values);
                }

                for (int i = 0; i < count; i++)
                {
                    destination[i] = values[i] ? TOut.One : TOut.Zero;
                }
            }
        }

        /// <summary>Reads until the span is full (a batch may return fewer values than asked).</summary>
        private void ReadAll<TValue>(LogicalColumnReader<TValue> reader, Span<TValue> values)
        {
            for (int read = 0; read < values.Length;)
            {
                int got = reader.ReadBatch(values[read..]);
                if (got <= 0)
                {
                    throw new DataFormatException(_path, 0, null, $"a row group ends after {read} of its {values.Length} values: the file is damaged.");
                }

                read += got;
            }
        }

        /// <summary>The value as read, if finite in the element type (a double beyond float's range is not).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private TOut Finite<TOut, TValue>(TOut value, TValue stored, Column field, long row)
            where TOut : unmanaged, IFloatingPointIeee754<TOut>
            where TValue : unmanaged, INumberBase<TValue> =>
            TOut.IsFinite(value) ? value : throw NotFinite(double.CreateTruncating(stored), typeof(TOut) == typeof(float), field, row);

        private DataFormatException NotFinite(double value, bool toFloat, Column field, long row) =>
            new(_path, 0, null, double.IsFinite(value)
                ? $"row {row + 1}, column '{field.Name}': {value.ToString("R", CultureInfo.InvariantCulture)} is beyond the range of float (read the file as double, or rescale the column)."
                : $"row {row + 1}, column '{field.Name}': {value.ToString(CultureInfo.InvariantCulture)} is not a finite number.");

        private DataFormatException Null(Column field, long row) =>
            new(_path, 0, null, $"row {row + 1}, column '{field.Name}' is null (missing): fill or drop missing values first.");

        private static string Describe(Column field) =>
            field.IsList ? "lists" : field.Type == typeof(string) ? "text" : field.Type.Name;

        private static bool IsNumeric(Type type) =>
            type == typeof(double) || type == typeof(float) || type == typeof(int) || type == typeof(long) || type == typeof(short)
            || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(bool);
    }
}
