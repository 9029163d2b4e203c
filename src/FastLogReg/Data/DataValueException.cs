using System.Globalization;

namespace FastLogReg.Data;

/// <summary>
/// A value in the caller's data that cannot be used: the exception names its row (0-based, in the data as given),
/// column (0-based, when the problem is one value) and the value, so that a caller that knows where the rows came from
/// (a file's lines, a shuffle) can point the user at it.
/// </summary>
public sealed class DataValueException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="row">0-based row.</param>
    /// <param name="column">0-based column, or null when the problem is the row as a whole.</param>
    /// <param name="value">The offending value (NaN when the row as a whole is meant).</param>
    /// <param name="problem">What is wrong and what to do, without the location.</param>
    /// <param name="paramName">The argument that holds the data.</param>
    public DataValueException(int row, int? column, double value, string problem, string? paramName)
        : base(Format(row, column, value, problem), paramName)
    {
        Row = row;
        Column = column;
        Value = value;
        Problem = problem;
    }

    /// <summary>0-based row.</summary>
    public int Row { get; }

    /// <summary>0-based column, or null.</summary>
    public int? Column { get; }

    /// <summary>The offending value.</summary>
    public double Value { get; }

    /// <summary>What is wrong and what to do, without the location.</summary>
    public string Problem { get; }

    private static string Format(int row, int? column, double value, string problem) =>
        column is { } c
            ? string.Format(CultureInfo.InvariantCulture, "Feature value {0:G6} at row {1}, column {2} {3}", value, row, c, problem)
            : string.Format(CultureInfo.InvariantCulture, "Row {0}: {1}", row, problem);
}
