using System.CommandLine;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Parquet;

namespace FastLogReg.Cli;

/// <summary>The options that say which file to read and how.</summary>
internal sealed class InputOptions
{
    private readonly Option<FileInfo> _data;
    private readonly Option<string?> _format;
    private readonly Option<string?> _label;
    private readonly Option<string?> _separator;
    private readonly Option<string?> _positive;
    private readonly Option<bool> _decimalComma;
    private readonly Option<bool> _byPosition;
    private readonly Option<bool> _zeroBased;
    private readonly bool _forModel;
    private readonly bool _withLabelOptions;

    private readonly bool _withPositive;

    public InputOptions(bool required, bool withLabelOptions = true, bool forModel = false, bool withPositive = true)
    {
        _withPositive = withLabelOptions && withPositive;
        _forModel = forModel;
        _zeroBased = new Option<bool>("--zero-based") { Description = "LIBSVM indices start at 0 (as scikit-learn's zero_based=True writes them), not at 1." };
        _byPosition = new Option<bool>("--by-position") { Description = "Take the file's columns as the model's features in order, instead of selecting them by header name." };
        _withLabelOptions = withLabelOptions;
        _data = new Option<FileInfo>("--data") { Description = "The data: CSV (header line; ',', ';' or tab) or LIBSVM sparse text.", Required = required };
        _format = OptionParsers.OptionalChoice("--format", "csv, libsvm or parquet (default: libsvm for .libsvm/.svm files, parquet for .parquet, else csv).", "csv", "libsvm", "parquet");
        _label = new Option<string?>("--label") { Description = "CSV label column: its header name or 1-based number (default: the last column)." };
        _separator = OptionParsers.OptionalChoice("--separator", "CSV separator: ',', ';' or 'tab' (default: detected from the header).", ",", ";", "tab");
        _decimalComma = new Option<bool>("--decimal-comma") { Description = "CSV numbers use a comma as the decimal separator (1,5), as many European files do (usually with ';' between fields)." };
        _positive = new Option<string?>("--positive") { Description = "The label value of the positive class (default: the larger number, or the later string)." };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_data);
        command.Options.Add(_format);
        if (_withLabelOptions)
        {
            command.Options.Add(_label);
        }

        if (_withPositive)
        {
            command.Options.Add(_positive);
        }

        command.Options.Add(_separator);
        command.Options.Add(_decimalComma);
        command.Options.Add(_zeroBased);
        if (_forModel)
        {
            command.Options.Add(_byPosition);
        }
    }

    public InputArguments Read(ParseResult r) => new(
        r.GetValue(_data)!,
        r.GetValue(_format),
        _withLabelOptions ? r.GetValue(_label) : null,
        r.GetValue(_separator) switch { null => null, "tab" => '\t', var s => s[0] },
        _withPositive ? r.GetValue(_positive) : null,
        r.GetValue(_decimalComma),
        _forModel && r.GetValue(_byPosition),
        r.GetValue(_zeroBased));
}

/// <summary>Which file to read and how.</summary>
internal sealed record InputArguments(FileInfo Data, string? Format, string? Label, char? Separator, string? Positive, bool DecimalComma = false, bool ByPosition = false, bool ZeroBased = false)
{
    public bool IsLibSvm => Format == "libsvm" || (Format is null && Data.Extension.ToLowerInvariant() is ".libsvm" or ".svm" or ".svmlight");

    public bool IsParquet => Format == "parquet" || (Format is null && Data.Extension.ToLowerInvariant() is ".parquet");

    /// <summary>Refuses options that would have no effect on this input (rather than ignoring them silently).</summary>
    public void CheckApplicable()
    {
        if (IsLibSvm)
        {
            string? csvOnly = Label is not null ? "--label" : Separator is not null ? "--separator" : DecimalComma ? "--decimal-comma" : ByPosition ? "--by-position" : null;
            if (csvOnly is not null)
            {
                throw new UsageException($"{csvOnly} applies to CSV files; '{Data.Name}' is read as LIBSVM (its label is each line's first field).");
            }
        }

        else if (ZeroBased)
        {
            throw new UsageException($"--zero-based applies to LIBSVM files; '{Data.Name}' is read as {(IsParquet ? "Parquet" : "CSV")} (use --format libsvm if it is LIBSVM).");
        }

        if (IsParquet && (Separator is not null || DecimalComma))
        {
            throw new UsageException($"{(Separator is not null ? "--separator" : "--decimal-comma")} applies to CSV files; '{Data.Name}' is read as Parquet (typed columns).");
        }

        if (DecimalComma && Separator == ',')
        {
            throw new UsageException("--decimal-comma with --separator ',': a comma cannot separate both fields and decimals; such files use ';' or tab between fields.");
        }
    }
}

/// <summary>Reads data files for the commands (always as double: text numbers are parsed exactly).</summary>
internal static class DataInput
{
    /// <summary>A labelled file, for training (mapping inferred) or evaluation (the model's mapping and feature names).</summary>
    public static LoadedData ReadLabeled(InputArguments input, LabelMapping? mapping = null, IReadOnlyList<string>? featureNames = null, int? columns = null, string? modelLabelColumn = null, int? modelClasses = null)
    {
        input.CheckApplicable();

        // Training takes any number of classes (a third one makes the model multinomial); evaluation the model's.
        int classes = Math.Max(2, mapping?.Count ?? modelClasses ?? LibSvmDataReader.MostClasses);
        if (input.IsLibSvm)
        {
            // Sparse rows as they are: a LIBSVM file is never densified here.
            return LoadedData.From(LibSvmDataReader.ReadSparse<double>(RequireExists(input.Data), new LibSvmReadOptions { Columns = columns, Labels = mapping, PositiveLabel = input.Positive, ZeroBased = input.ZeroBased, MaxClasses = classes }));
        }

        // The model's features by name (an error names any the header lacks), unless the user asks for position.
        IReadOnlyList<string>? select = input.ByPosition ? null : featureNames;
        if (input.IsParquet)
        {
            string path = RequireExists(input.Data);
            IReadOnlyList<string> names = ParquetDataReader.ReadColumnNames(path);
            string? parquetLabel = input.Label ?? (modelLabelColumn is not null && names.Contains(modelLabelColumn) ? modelLabelColumn : null);
            if (parquetLabel is null && modelLabelColumn is not null && select is not null && names.Count > 0 && select.Contains(names[^1]))
            {
                throw new DataFormatException(path, 0, null, $"no column '{modelLabelColumn}' (the model's label), and the last column '{names[^1]}' is one of the model's features: name the label column with --label.");
            }

            return LoadedData.From(ParquetDataReader.Read<double>(path, new ParquetReadOptions { LabelColumn = parquetLabel, FeatureColumns = select, Labels = mapping, PositiveLabel = input.Positive, MaxClasses = classes }));
        }

        // Evaluation finds the label column the model was trained with by its name, unless told otherwise.
        IReadOnlyList<string> header = modelLabelColumn is not null && input.Label is null ? PeekHeader(input) : [];
        string? label = input.Label ?? (modelLabelColumn is not null && header.Contains(modelLabelColumn) ? modelLabelColumn : null);
        if (label is null && modelLabelColumn is not null && select is not null && header.Count > 0 && select.Contains(header[^1]))
        {
            // The last column would be the label, but the model reads it as a feature: the model's label column is what is missing.
            throw new DataFormatException(input.Data.FullName, 1, null, $"no column '{modelLabelColumn}' (the model's label), and the last column '{header[^1]}' is one of the model's features: name the label column with --label.");
        }

        var options = new CsvReadOptions { LabelColumn = label, Separator = input.Separator, Labels = mapping, PositiveLabel = input.Positive, FeatureColumns = select, DecimalComma = input.DecimalComma, MaxClasses = classes };
        // By path, so that a big file is cut into pieces parsed on every core.
        return LoadedData.From(CsvDataReader.Read<double>(RequireExists(input.Data), options));
    }

    /// <summary>
    /// A labelled CSV file with categorical or text columns hashed into sparse features (for training, or for evaluating a
    /// model trained so: <paramref name="numeric"/> are then the model's numeric columns).
    /// </summary>
    public static LoadedData ReadHashed(InputArguments input, IReadOnlyList<Features.HashedColumn> hashed, LabelMapping? mapping = null, IReadOnlyList<string>? numeric = null, string? modelLabelColumn = null, int? modelClasses = null)
    {
        input.CheckApplicable();
        RequireCsv(input, numeric is null ? "--hash" : "a model with hashed columns");
        if (input.ByPosition)
        {
            throw new UsageException("--by-position: a model with hashed columns finds its columns by name.");
        }

        int classes = Math.Max(2, mapping?.Count ?? modelClasses ?? LibSvmDataReader.MostClasses);
        string? label = input.Label ?? (modelLabelColumn is not null && PeekHeader(input).Contains(modelLabelColumn) ? modelLabelColumn : null);
        var options = new CsvReadOptions { LabelColumn = label, Separator = input.Separator, Labels = mapping, PositiveLabel = input.Positive, FeatureColumns = numeric, DecimalComma = input.DecimalComma, MaxClasses = classes };
        return LoadedData.From(CsvDataReader.ReadHashed<double>(RequireExists(input.Data), hashed, options));
    }

    /// <summary>The features of a CSV file for a model with hashed columns: its numeric columns by name, then the hashed blocks.</summary>
    public static CsrMatrix<double> ReadHashedRows(InputArguments input, IReadOnlyList<Features.HashedColumn> hashed, IReadOnlyList<string> numeric)
    {
        input.CheckApplicable();
        RequireCsv(input, "a model with hashed columns");
        if (input.ByPosition)
        {
            throw new UsageException("--by-position: a model with hashed columns finds its columns by name.");
        }

        return CsvDataReader.ReadHashedFeatures<double>(RequireExists(input.Data), hashed, new CsvReadOptions { Separator = input.Separator, FeatureColumns = numeric, DecimalComma = input.DecimalComma });
    }

    private static void RequireCsv(InputArguments input, string what)
    {
        if (input.IsLibSvm || input.IsParquet)
        {
            throw new UsageException($"{what} reads text columns from CSV files; '{input.Data.Name}' is read as {(input.IsLibSvm ? "LIBSVM" : "Parquet")}.");
        }
    }

    /// <summary>
    /// The features of a file for prediction: the model's columns by name (every one must be in the header), or — when
    /// the model has no feature names or the user asks — every column by position (exactly the model's count).
    /// </summary>
    public static FeatureTable<double> ReadFeatures(InputArguments input, IReadOnlyList<string>? featureNames, int columns)
    {
        input.CheckApplicable();
        if (input.IsLibSvm)
        {
            throw new InvalidOperationException("LIBSVM rows are read with ReadRows.");
        }

        IReadOnlyList<string>? select = input.ByPosition ? null : featureNames;
        if (input.IsParquet)
        {
            FeatureTable<double> table = ParquetDataReader.ReadFeatures<double>(RequireExists(input.Data), select);
            if (table.Columns != columns)
            {
                throw new DataFormatException(input.Data.FullName, 0, null, $"the file has {table.Columns} columns, but the model needs {columns} features, taken by position.");
            }

            return table;
        }

        if (select is null)
        {
            IReadOnlyList<string> header = PeekHeader(input);
            if (header.Count != columns)
            {
                throw new DataFormatException(input.Data.FullName, 1, null, $"the file has {header.Count} columns, but the model needs {columns} features, taken by position.");
            }
        }

        return CsvDataReader.ReadFeatures<double>(RequireExists(input.Data), new CsvReadOptions { Separator = input.Separator, FeatureColumns = select, DecimalComma = input.DecimalComma });
    }

    /// <summary>The rows of a LIBSVM file for prediction, sparse, with the model's column count.</summary>
    public static CsrMatrix<double> ReadRows(InputArguments input, int columns)
    {
        input.CheckApplicable();
        return LibSvmDataReader.ReadRows<double>(RequireExists(input.Data), new LibSvmReadOptions { Columns = columns, ZeroBased = input.ZeroBased });
    }

    private static IReadOnlyList<string> PeekHeader(InputArguments input)
    {
        using StreamReader text = Open(input.Data);
        return CsvDataReader.ReadHeader(text, input.Data.FullName, input.Separator);
    }

    private static StreamReader Open(FileInfo file) => new(RequireExists(file), detectEncodingFromByteOrderMarks: true);

    internal static string RequireExists(FileInfo file) =>
        file.Exists ? file.FullName
        : Directory.Exists(file.FullName) ? throw new DataFormatException(file.FullName, 0, null, "this is a directory, not a data file.")
        : throw new FileNotFoundException($"no such data file: {file.FullName}", file.FullName);
}
