namespace FastLogReg.IO;

/// <summary>
/// A data or model file that cannot be read: the message names the file, the line and (where it applies) the column,
/// and says what was expected. The readers throw nothing else for bad content.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file (or stream name).</param>
    /// <param name="line">1-based line number, or 0 when the problem is not on one line.</param>
    /// <param name="column">1-based column (field) number, or null.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public DataFormatException(string source, long line, int? column, string problem, Exception? inner = null)
        : base(Format(source, line, column, problem), inner)
    {
        Source = source;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file (or stream name).</summary>
    public new string Source { get; }

    /// <summary>1-based line number, or 0 when the problem is not on one line.</summary>
    public long Line { get; }

    /// <summary>1-based column (field) number, or null.</summary>
    public int? Column { get; }

    /// <summary>What is wrong and what was expected, without the location.</summary>
    public string Problem { get; }

    /// <summary>
    /// The read option whose value the file contradicts (<c>nameof(CsvReadOptions.LabelColumn)</c>,
    /// <c>nameof(CsvReadOptions.PositiveLabel)</c>, …), or null when the file alone is at fault.
    /// </summary>
    public string? Option { get; init; }

    private static string Format(string source, long line, int? column, string problem) =>
        line <= 0 ? $"{source}: {problem}"
        : column is { } c ? $"{source}, line {line}, column {c}: {problem}"
        : $"{source}, line {line}: {problem}";
}
