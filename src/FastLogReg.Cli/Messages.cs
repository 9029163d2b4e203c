using System.Text.RegularExpressions;

namespace FastLogReg.Cli;

/// <summary>The library's messages as a command-line user needs them: option names instead of property names, no parameter names.</summary>
internal static partial class Messages
{
    private static readonly (string Library, string Cli)[] Names =
    [
        ("Standardize = true", "--standardize"),
        ("MaxIterations", "--max-iterations"),
        ("Tolerance", "--tolerance"),
        ("L2 > 0", "--l2 > 0 (or a finite --C)"),
        ("LbfgsHistory", "--lbfgs-history"),
        ("(CLI: --standardize)", string.Empty),
        ("(CLI: --decimal-comma)", string.Empty),
        ("CsvReadOptions.DecimalComma, or --decimal-comma", "--decimal-comma"),
    ];

    /// <summary>An exception's message without .NET's "(Parameter 'x')" and "Actual value was …" suffixes.</summary>
    public static string ForUser(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            message = message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
            message = ActualValue().Replace(message, string.Empty);
        }

        return Translate(message.Trim());
    }

    /// <summary>Library property names in advice (raise MaxIterations, set Standardize = true) → the tool's options.</summary>
    public static string Translate(string message)
    {
        foreach ((string library, string cli) in Names)
        {
            message = message.Replace(library, cli, StringComparison.Ordinal);
        }

        return DoubleSpace().Replace(message, " ").Replace(" .", ".", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\r?\nActual value was [^\r\n]*")]
    private static partial Regex ActualValue();

    [GeneratedRegex(@"  +")]
    private static partial Regex DoubleSpace();
}
