using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace FastLogReg.Cli;

/// <summary>
/// Options whose values are parsed here rather than by System.CommandLine's default converter, so that a value that does
/// not parse or is out of range becomes one parse error naming the option, the value and what is accepted (exit code 2)
/// — never an exception from a validator reading a value that failed to convert.
/// </summary>
internal static class OptionParsers
{
    /// <summary>A number option: <paramref name="accepted"/> describes the range <paramref name="accept"/> admits.</summary>
    public static Option<double?> Number(string name, string description, Func<double, bool> accept, string accepted) =>
        new(name)
        {
            Description = description,
            CustomParser = r =>
            {
                string token = Token(r);
                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && accept(value))
                {
                    return value;
                }

                r.AddError($"{name} must be {accepted}, not '{token}'.");
                return null;
            },
        };

    /// <summary>
    /// The repeatable <c>--hash COLUMN=bits[:words]</c> option: each use hashes one CSV column — as one category per
    /// cell, or with <c>:words</c> as a bag of words — into 2^bits features.
    /// </summary>
    public static Option<Features.HashedColumn[]> HashedColumns(string name) =>
        new(name)
        {
            Description = "Hash a categorical or text CSV column into 2^bits sparse features (the hashing trick): COLUMN=bits for one category per cell, COLUMN=bits:words for a bag of words; repeat for more columns. bits 1-24 (e.g. 10 for a few hundred categories, 18-20 for text).",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
            CustomParser = r =>
            {
                var columns = new List<Features.HashedColumn>();
                foreach (Token t in r.Tokens)
                {
                    string text = t.Value;
                    int eq = text.LastIndexOf('=');
                    string spec = eq < 0 ? string.Empty : text[(eq + 1)..];
                    string[] parts = spec.Split(':');
                    Features.HashedTokens tokens = Features.HashedTokens.Category;
                    bool good = eq > 0 && parts.Length is 1 or 2 && (parts.Length == 1 || parts[1] is "words" or "category" && (tokens = parts[1] == "words" ? Features.HashedTokens.Words : Features.HashedTokens.Category) == tokens);
                    if (!good || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int bits) || bits is < Features.HashedColumn.MinBits or > Features.HashedColumn.MaxBits)
                    {
                        r.AddError($"{name} takes COLUMN=bits or COLUMN=bits:words with bits from {Features.HashedColumn.MinBits} to {Features.HashedColumn.MaxBits}, not '{text}'.");
                        return [];
                    }

                    columns.Add(new Features.HashedColumn(text[..eq], bits, tokens));
                }

                return [.. columns];
            },
        };

    /// <summary>A number option with a default value.</summary>
    public static Option<double> Number(string name, string description, double defaultValue, Func<double, bool> accept, string accepted) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                string token = Token(r);
                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && accept(value))
                {
                    return value;
                }

                r.AddError($"{name} must be {accepted}, not '{token}'.");
                return defaultValue;
            },
        };

    /// <summary>An integer option in [<paramref name="minimum"/>, int.MaxValue].</summary>
    public static Option<int?> Integer(string name, string description, int minimum) =>
        new(name)
        {
            Description = description,
            CustomParser = r => ParseInteger(r, name, minimum, fallback: null),
        };

    /// <summary>An optional integer option in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static Option<int?> IntegerInRange(string name, string description, int minimum, int maximum) =>
        new(name)
        {
            Description = description,
            CustomParser = r => ParseInteger(r, name, minimum, fallback: null, maximum),
        };

    /// <summary>An integer option in [<paramref name="minimum"/>, int.MaxValue] with a default value.</summary>
    public static Option<int> Integer(string name, string description, int minimum, int defaultValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseInteger(r, name, minimum, defaultValue) ?? defaultValue,
        };

    private static int? ParseInteger(ArgumentResult r, string name, int minimum, int? fallback, int maximum = int.MaxValue)
    {
        string token = Token(r);
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        r.AddError($"{name} must be a whole number from {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)}, not '{token}'.");
        return fallback;
    }

    /// <summary>An option that takes one of a few words.</summary>
    public static Option<string?> OptionalChoice(string name, string description, params string[] choices) =>
        new(name)
        {
            Description = description,
            CustomParser = r => ParseChoice(r, name, choices),
        };

    /// <summary>An option that takes one of a few words, with a default.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseChoice(r, name, choices) ?? defaultValue,
        };

    private static string? ParseChoice(ArgumentResult r, string name, string[] choices)
    {
        string token = Token(r);
        if (choices.Contains(token, StringComparer.Ordinal))
        {
            return token;
        }

        r.AddError($"{name} must be one of {string.Join(", ", choices)}, not '{token}'.");
        return null;
    }

    private static string Token(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : string.Empty;
}
