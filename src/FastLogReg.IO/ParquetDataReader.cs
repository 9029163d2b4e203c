using System.Globalization;
using System.Numerics;
using FastLogReg.Data;
using Parquet;
using Parquet.Schema;

namespace FastLogReg.IO;

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
/// Reads Parquet files (Parquet.Net, fully managed) column by column into the dense row-major matrix: numeric columns
/// (float, double, and the integer types; bool as 0/1), the label by name (numbers or text, classes inferred as for CSV).
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
        DataField label = file.Field(options.LabelColumn ?? file.Fields[^1].Name, "label");
        DataField[] features = file.Features(options.FeatureColumns, exclude: label);
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
        DataField[] features = file.Features(featureColumns, exclude: null);
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
    /// Anything Parquet.Net throws on a damaged file (a corrupt page, a bad footer, a missing column chunk) becomes a
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

    /// <summary>An open Parquet file: its fields and row groups.</summary>
    private sealed class ParquetFile : IDisposable
    {
        /// <summary>Rows per transposition tile: 256 rows of 100 doubles fit in L2 with their sources.</summary>
        private const int TileRows = 256;

        private readonly string _path;
        private readonly ParquetReader _reader;
        private readonly int[] _firstRow;

        public ParquetFile(string path)
        {
            _path = path;
            try
            {
                _reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException))
            {
                throw new DataFormatException(path, 0, null, $"not a readable Parquet file: {e.Message}", e);
            }

            Fields = _reader.Schema.GetDataFields();
            if (Fields.Length < 1)
            {
                throw new DataFormatException(path, 0, null, "the file has no columns.");
            }

            long rows = 0;
            _firstRow = new int[_reader.RowGroupCount];
            for (int g = 0; g < _reader.RowGroupCount; g++)
            {
                using ParquetRowGroupReader group = _reader.OpenRowGroupReader(g);
                _firstRow[g] = checked((int)rows);
                rows += group.RowCount;
            }

            Rows = checked((int)rows);
        }

        public DataField[] Fields { get; }

        public int Rows { get; }

        public DataField Field(string name, string role)
        {
            DataField? field = Fields.FirstOrDefault(f => f.Name == name);
            return field ?? throw new DataFormatException(_path, 0, null, $"no {role} column '{name}': the file has {string.Join(", ", Fields.Select(f => $"'{f.Name}'"))}.") { Option = role == "label" ? nameof(CsvReadOptions.LabelColumn) : nameof(CsvReadOptions.FeatureColumns) };
        }

        public DataField[] Features(IReadOnlyList<string>? names, DataField? exclude)
        {
            DataField[] features = names is null ? Fields.Where(f => f != exclude).ToArray() : names.Select(n => Field(n, "feature")).ToArray();
            if (features.Length == 0)
            {
                throw new DataFormatException(_path, 0, null, "no feature columns: the file has only the label.");
            }

            foreach (DataField f in features)
            {
                if (f.IsArray || !IsNumeric(Underlying(f.ClrType)))
                {
                    throw new DataFormatException(_path, 0, null, $"the feature column '{f.Name}' holds {Describe(f)}, not numbers: select numeric columns (or encode this one first).");
                }
            }

            return features;
        }

        /// <summary>
        /// The features, row-major. Row groups are read in parallel (each worker opens the file itself; each group fills
        /// its own rows, so the result does not depend on the thread count); within a group every column is read, then
        /// transposed into the rows in tiles of <see cref="TileRows"/> rows (cache-sized, not one scattered write per value).
        /// A problem in several groups is reported for the first of them.
        /// </summary>
        public T[] ReadMatrix<T>(DataField[] features)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int d = features.Length;
            long size = (long)Rows * d;
            if (size > Array.MaxLength)
            {
                throw new DataFormatException(_path, 0, null, string.Format(CultureInfo.InvariantCulture, "{0:N0} rows × {1} features do not fit one array.", Rows, d));
            }

            var x = new T[size];
            int groups = _reader.RowGroupCount;
            var errors = new Exception?[groups];
            Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(groups, Environment.ProcessorCount) }, g =>
            {
                try
                {
                    ParquetReader reader = ParquetReader.CreateAsync(_path).GetAwaiter().GetResult();
                    try
                    {
                        using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
                        int count = checked((int)group.RowCount);
                        double[][] columns = new double[d][];
                        for (int j = 0; j < d; j++)
                        {
                            columns[j] = System.Buffers.ArrayPool<double>.Shared.Rent(count);
                            ReadNumbers(group, features[j], columns[j].AsSpan(0, count), _firstRow[g]);
                        }

                        for (int tile = 0; tile < count; tile += TileRows)
                        {
                            int end = Math.Min(count, tile + TileRows);
                            for (int j = 0; j < d; j++)
                            {
                                double[] column = columns[j];
                                for (int i = tile; i < end; i++)
                                {
                                    x[((long)(_firstRow[g] + i) * d) + j] = T.CreateTruncating(column[i]);
                                }
                            }
                        }

                        foreach (double[] column in columns)
                        {
                            System.Buffers.ArrayPool<double>.Shared.Return(column);
                        }
                    }
                    finally
                    {
                        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    }
                }
                catch (Exception e)
                {
                    errors[g] = e;
                }
            });

            if (errors.FirstOrDefault(e => e is not null) is { } first)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }

            return x;
        }

        public void ReadLabels(DataField label, LabelCodes codes)
        {
            Type type = Underlying(label.ClrType);
            if (label.IsArray || !(IsNumeric(type) || IsText(type)))
            {
                throw new DataFormatException(_path, 0, null, $"the label column '{label.Name}' holds {Describe(label)}: labels are numbers, booleans or text.");
            }

            int first = 0;
            for (int g = 0; g < _reader.RowGroupCount; g++)
            {
                using ParquetRowGroupReader group = _reader.OpenRowGroupReader(g);
                int count = checked((int)group.RowCount);
                if (IsText(type))
                {
                    string?[] values = new string?[count];
                    group.ReadAsync(label, values.AsMemory()).AsTask().GetAwaiter().GetResult();
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
                        codes.Add(values[i].ToString("R", CultureInfo.InvariantCulture), first + i + 1, 0);
                    }
                }

                first += count;
            }
        }

        public void Dispose() => _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

        private void ReadNumbers(ParquetRowGroupReader group, DataField field, Span<double> destination, int firstRow)
        {
            Type type = Underlying(field.ClrType);
            if (type == typeof(double))
            {
                Read<double>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(float))
            {
                Read<float>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(int))
            {
                Read<int>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(long))
            {
                Read<long>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(short))
            {
                Read<short>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(byte))
            {
                Read<byte>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(sbyte))
            {
                Read<sbyte>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(ushort))
            {
                Read<ushort>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(uint))
            {
                Read<uint>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(ulong))
            {
                Read<ulong>(group, field, destination, firstRow, v => v);
            }
            else if (type == typeof(bool))
            {
                Read<bool>(group, field, destination, firstRow, v => v ? 1 : 0);
            }
            else
            {
                throw new DataFormatException(_path, 0, null, $"the column '{field.Name}' holds {type.Name}, not numbers.");
            }
        }

        private void Read<TValue>(ParquetRowGroupReader group, DataField field, Span<double> destination, int firstRow, Func<TValue, double> convert)
            where TValue : struct
        {
            int count = destination.Length;
            if (field.IsNullable)
            {
                TValue?[] values = System.Buffers.ArrayPool<TValue?>.Shared.Rent(count);
                try
                {
                    group.ReadAsync(field, values.AsMemory(0, count)).AsTask().GetAwaiter().GetResult();
                    for (int i = 0; i < count; i++)
                    {
                        destination[i] = values[i] is { } v ? Finite(convert(v), field, firstRow + i) : throw Null(field, firstRow + i);
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
                    group.ReadAsync(field, values.AsMemory(0, count)).AsTask().GetAwaiter().GetResult();
                    for (int i = 0; i < count; i++)
                    {
                        destination[i] = Finite(convert(values[i]), field, firstRow + i);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<TValue>.Shared.Return(values);
                }
            }
        }

        private double Finite(double value, DataField field, int row) =>
            double.IsFinite(value) ? value : throw new DataFormatException(_path, 0, null, $"row {row + 1}, column '{field.Name}': {value.ToString(CultureInfo.InvariantCulture)} is not a finite number.");

        private DataFormatException Null(DataField field, int row) =>
            new(_path, 0, null, $"row {row + 1}, column '{field.Name}' is null (missing): fill or drop missing values first.");

        private static Type Underlying(Type type) => Nullable.GetUnderlyingType(type) ?? type;

        private static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

        private static string Describe(DataField field) =>
            field.IsArray ? "lists" : IsText(Underlying(field.ClrType)) ? "text" : Underlying(field.ClrType).Name;

        private static bool IsNumeric(Type type) =>
            type == typeof(double) || type == typeof(float) || type == typeof(int) || type == typeof(long) || type == typeof(short)
            || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(bool);
    }
}
