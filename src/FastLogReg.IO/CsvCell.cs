using System.Globalization;
using System.Numerics;

namespace FastLogReg.IO;

/// <summary>
/// One CSV field as written in the file (Sep splits rows but does not unescape them here): the quotes are judged, then
/// a number must be exactly the invariant float grammar — <c>[-+]digits[.digits][e[-+]digits]</c>, '.' as the decimal
/// point, no thousands separators — or, with a decimal comma, the same with ',' in place of '.'.
/// </summary>
internal static class CsvCell
{
    /// <summary>The text of a field: a quoted field without its quotes and with doubled quotes undone; others as they are.</summary>
    public static string Unquote(ReadOnlySpan<char> field) =>
        IsQuoted(field) ? field[1..^1].ToString().Replace("\"\"", "\"", StringComparison.Ordinal) : field.ToString();

    /// <summary>Whether the field starts with a quote whose closing quote never comes (it ran to the end of the input).</summary>
    public static bool IsUnterminated(ReadOnlySpan<char> field)
    {
        if (field.IsEmpty || field[0] != '"')
        {
            return false;
        }

        // Inside a quoted field a quote is either doubled or the closing one.
        int k = 1;
        while (k < field.Length)
        {
            if (field[k] == '"')
            {
                if (k + 1 < field.Length && field[k + 1] == '"')
                {
                    k += 2;
                    continue;
                }

                return false;
            }

            k++;
        }

        return true;
    }

    /// <summary>Whether a field that opens with a quote goes on after its closing quote (<c>"1"2</c>).</summary>
    public static bool HasTextAfterQuote(ReadOnlySpan<char> field) =>
        !field.IsEmpty && field[0] == '"' && !IsUnterminated(field) && !(IsQuoted(field) && !ContainsLoneQuote(field[1..^1]));

    /// <summary>A label field checked like a number's quotes (closed, nothing after them), then unquoted; or why not.</summary>
    public static string? Label(ReadOnlySpan<char> field, out string? problem)
    {
        problem = null;
        if (field.IsEmpty || field[0] != '"')
        {
            return null;
        }

        if (IsUnterminated(field))
        {
            problem = "the quote that opens the label is never closed: it runs to the end of the file. Close it, or remove it.";
            return null;
        }

        if (HasTextAfterQuote(field))
        {
            problem = $"the label '{CsvDataReader.Shorten(field)}' has text after its closing quote.";
            return null;
        }

        return Unquote(field);
    }

    /// <summary>Whether quoted text holds a quote that is not doubled.</summary>
    private static bool ContainsLoneQuote(ReadOnlySpan<char> inner)
    {
        for (int k = 0; k < inner.Length; k++)
        {
            if (inner[k] == '"')
            {
                if (k + 1 < inner.Length && inner[k + 1] == '"')
                {
                    k++;
                    continue;
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Parses a feature field; on failure <paramref name="problem"/> says why, naming the value and column.</summary>
    public static bool TryParseNumber<T>(ReadOnlySpan<char> field, bool decimalComma, string column, out T value, out string? problem)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        value = T.Zero;
        problem = null;
        ReadOnlySpan<char> text = field;
        string quoted = $"'{CsvDataReader.Shorten(field)}' in column '{column}'";
        if (!text.IsEmpty && text[0] == '"')
        {
            if (!IsQuoted(text) || text[1..^1].Contains('"'))
            {
                problem = $"{quoted} has text after its closing quote: expected a number, quoted or not.";
                return false;
            }

            text = text[1..^1].Trim();
        }

        if (text.IsEmpty)
        {
            problem = $"the value in column '{column}' is empty: every feature needs a number.";
            return false;
        }

        // .NET's parser ignores trailing NUL characters; a NUL in a number is damage, never part of it.
        if (text.Contains('\0'))
        {
            problem = $"{quoted} holds a NUL character: not a number (a damaged or binary file?).";
            return false;
        }

        if (decimalComma)
        {
            if (text.Contains('.'))
            {
                problem = $"{quoted} holds a '.', but the file is read with a decimal comma (',' as the decimal separator).";
                return false;
            }

            Span<char> swapped = text.Length <= 64 ? stackalloc char[64] : new char[text.Length];
            swapped = swapped[..text.Length];
            text.CopyTo(swapped);
            swapped.Replace(',', '.');
            return Finish(swapped, quoted, decimalComma, out value, out problem);
        }

        return Finish(text, quoted, decimalComma, out value, out problem);
    }

    private static bool Finish<T>(ReadOnlySpan<char> text, string quoted, bool decimalComma, out T value, out string? problem)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        problem = null;

        // NumberStyles.Float: sign, digits, one decimal point, exponent — no thousands separators, no currency, no hex.
        if (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            problem = LooksLikeDecimalComma(text) && !decimalComma
                ? $"{quoted} is not a number: the decimal separator is '.'. If the file writes decimals with a comma, read it with a decimal comma (CsvReadOptions.DecimalComma, or --decimal-comma)."
                : text.ContainsAnyInRange('A', 'Z') || text.ContainsAnyInRange('a', 'z')
                ? $"{quoted} is not a number. A column of categories or text can be hashed into features (CLI: --hash COLUMN=bits, or COLUMN=bits:words for text; API: CsvDataReader.ReadHashed)."
                : $"{quoted} is not a number.";
            return false;
        }

        if (!T.IsFinite(value))
        {
            problem = $"{quoted} is not finite: features must be finite numbers.";
            return false;
        }

        return true;
    }

    private static bool IsQuoted(ReadOnlySpan<char> field) => field.Length >= 2 && field[0] == '"' && field[^1] == '"';

    /// <summary>-?digits,digits — what a decimal comma looks like.</summary>
    private static bool LooksLikeDecimalComma(ReadOnlySpan<char> text)
    {
        int comma = text.IndexOf(',');
        if (comma <= 0 || comma == text.Length - 1 || text[(comma + 1)..].Contains(','))
        {
            return false;
        }

        ReadOnlySpan<char> whole = text[0] is '-' or '+' ? text[1..comma] : text[..comma];
        return !whole.IsEmpty && !whole.ContainsAnyExceptInRange('0', '9') && !text[(comma + 1)..].ContainsAnyExceptInRange('0', '9');
    }
}
