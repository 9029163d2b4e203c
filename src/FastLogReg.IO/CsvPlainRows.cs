using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastLogReg.IO;

/// <summary>
/// Parses the rows of a piece of plain CSV straight from its UTF-8 bytes: unquoted fields without spaces, numbers written
/// plainly (<see cref="PlainDecimal"/>), lines ending in '\n' or "\r\n". That is what programs write, and it is most of
/// the time of loading a large file; anything else — and every error — is declined, and the piece is parsed by Sep.
/// </summary>
/// <remarks>
/// A row taken here has exactly the fields, values, label and line number Sep's parse gives it (the differential tests
/// compare the two on damaged files): both parsers round numbers correctly, and this one takes only a subset of what
/// Sep takes — where Sep would trim spaces, unquote, or report an error, this one declines the whole piece.
/// </remarks>
internal static class CsvPlainRows
{
    /// <summary>A column's role in <c>roles</c>: ignored, or the label (features are their index among the features).</summary>
    public const int Ignored = -1;

    public const int Label = -2;

    /// <summary>
    /// Parses <paramref name="text"/>, a piece of whole lines, into <paramref name="slots"/> (row after row, blank lines
    /// skipped) and fills in the piece's rows, labels, row lines and last line; false if it declines (the piece is then to
    /// be parsed by Sep, its labels and row lines started afresh: some rows may have been added to them).
    /// </summary>
    /// <param name="text">The piece's bytes.</param>
    /// <param name="separator">The field separator: ',', ';' or tab are taken; another (a caller may pass any) might be a
    /// byte a number holds, so it is declined and Sep alone judges the file.</param>
    /// <param name="roles">For each header column: its index among the features, <see cref="Ignored"/> or <see cref="Label"/>.</param>
    /// <param name="slots">Where the piece's rows go, <c>features</c> values each.</param>
    /// <param name="piece">The piece, whose rows, labels and lines are filled in.</param>
    /// <param name="abandoned">Asked now and then: true when the rows will not be used (an earlier piece failed).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one call per piece: too few to tier up before the file is read
    public static unsafe bool TryParse<T>(ReadOnlySpan<byte> text, char separator, int[] roles, Span<T> slots, CsvPiece<T> piece, Func<bool> abandoned)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (separator is not (',' or ';' or '\t'))
        {
            return false;
        }

        int features = 0;
        foreach (int role in roles)
        {
            features += role >= 0 ? 1 : 0;
        }

        bool vectorized = ByteClasses.IsAccelerated;
        var labels = new LabelStrings();
        int rows = 0;
        int line = 0;
        int at = 0;
        while (at < text.Length)
        {
            line++;
            if (LineEnd(text, at) is int next and >= 0)
            {
                at = next;
                if (roles.Length == 1)
                {
                    return false; // with one column an empty line is an empty cell to Sep, not a blank line
                }

                continue; // a blank line
            }

            if ((rows + 1L) * features > slots.Length)
            {
                return false; // more rows than lines were counted: Sep's parse says what happened
            }

            Span<T> row = slots.Slice(rows * features, features);
            (int Start, int End) label = (0, -1);
            int end = -1;
            if (vectorized)
            {
                fixed (T* pinned = row)
                {
                    end = WindowedRow(text, at, (byte)separator, roles, row, pinned, ref label);
                }
            }

            if (end < 0 && (end = FieldByFieldRow(text, at, (byte)separator, roles, row, ref label)) < 0)
            {
                return false;
            }

            at = end;
            if (label.End >= 0)
            {
                if (labels.Get(text[label.Start..label.End]) is not { } value)
                {
                    return false;
                }

                piece.Labels.Add(value);
                piece.RowLines.Add(line);
            }

            rows++;
            if ((rows & 4095) == 0 && abandoned())
            {
                break;
            }
        }

        piece.Rows = rows;
        piece.LastLine = line;
        return true;
    }

    /// <summary>
    /// Parses the row at <paramref name="at"/> 64 bytes at a time: the fields ending in a window are found from one mask
    /// of field ends; each field is read on its own from the window's byte-class masks without a branch on its bytes
    /// (<see cref="PlainDecimal.ParseField{T}"/>). Returns where the next line starts, or -1 if the
    /// row must be read field by field: a field that is not short and plain, too few or too many fields, or the end of
    /// the text near.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int WindowedRow<T>(ReadOnlySpan<byte> text, int at, byte separator, int[] roles, Span<T> row, T* pinned, ref (int Start, int End) label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref byte origin = ref MemoryMarshal.GetReference(text);
        ref T values = ref MemoryMarshal.GetReference(row);
        int last = roles.Length - 1;
        ulong wrong = 0;
        int j = 0;
        for (int window = at; window <= text.Length - PlainDecimal.WindowReach;)
        {
            ref byte bytes = ref Unsafe.Add(ref origin, window);
            ByteClasses masks = ByteClasses.Of(ref bytes, separator);
            ulong ends = masks.Ends;
            if (ends == 0)
            {
                return -1; // a field of 64 bytes or more
            }

            int start = 0;
            do
            {
                int end = BitOperations.TrailingZeroCount(ends);
                ends &= ends - 1;
                int role = roles[j];
                if (role >= 0)
                {
                    wrong |= PlainDecimal.ParseField(ref bytes, start, end, masks, out Unsafe.Add(ref values, role));
                }
                else if (role == Label)
                {
                    label = (window + start, window + end);
                }

                byte stop = Unsafe.Add(ref bytes, end);
                if (j == last)
                {
                    int next = window + end + 1;
                    if (stop == (byte)'\r' && Unsafe.Add(ref bytes, end + 1) == (byte)'\n')
                    {
                        next++;
                    }
                    else if (stop != (byte)'\n')
                    {
                        return -1; // more fields than the header has, or a lone '\r'
                    }

                    return wrong == 0 ? next : -1;
                }

                wrong |= stop != separator ? 1UL : 0; // the line ended before the last field
                start = end + 1;
                j++;
            }
            while (ends != 0);

            window += start;
        }

        return -1;
    }


    /// <summary>Parses the row at <paramref name="at"/> field by field (<see cref="PlainDecimal.Parse{T}"/>); returns where the next line starts, or -1 if the row is not plain.</summary>
    private static int FieldByFieldRow<T>(ReadOnlySpan<byte> text, int at, byte separator, int[] roles, Span<T> row, ref (int Start, int End) label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < roles.Length; j++)
        {
            if (j > 0)
            {
                if (at >= text.Length || text[at] != separator)
                {
                    return -1; // too few fields, or a field that is not plain
                }

                at++;
            }

            int role = roles[j];
            if (role >= 0)
            {
                if ((at = PlainDecimal.Parse(text, at, out row[role])) < 0)
                {
                    return -1;
                }
            }
            else
            {
                int start = at;
                while (at < text.Length && text[at] != separator && text[at] != (byte)'\n' && text[at] != (byte)'\r')
                {
                    at++;
                }

                if (role == Label)
                {
                    label = (start, at);
                }
            }
        }

        return LineEnd(text, at); // -1 if more fields follow, or the field is not plain
    }

    /// <summary>Where the line end ("\n", "\r\n" or the end of the text) at <paramref name="at"/> ends; -1 if there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LineEnd(ReadOnlySpan<byte> text, int at)
    {
        if (at >= text.Length)
        {
            return at;
        }

        if (text[at] == (byte)'\n')
        {
            return at + 1;
        }

        return text[at] == (byte)'\r' && at + 1 < text.Length && text[at + 1] == (byte)'\n' ? at + 2 : -1;
    }

    /// <summary>
    /// Label values as strings, one per distinct value (a file has two). Values Sep would read differently — empty, with a
    /// space or control character to trim, or not ASCII (to decode) — are declined (null).
    /// </summary>
    private struct LabelStrings
    {
        private string? _first;
        private string? _second;

        public string? Get(ReadOnlySpan<byte> value)
        {
            if (value.IsEmpty || value.ContainsAnyExceptInRange((byte)'!', (byte)'~'))
            {
                return null;
            }

            if (Is(_first, value))
            {
                return _first;
            }

            if (Is(_second, value))
            {
                return _second;
            }

            string text = System.Text.Encoding.ASCII.GetString(value);
            if (_first is null)
            {
                _first = text;
            }
            else
            {
                _second ??= text;
            }

            return text;
        }

        private static bool Is(string? known, ReadOnlySpan<byte> value)
        {
            if (known is null || known.Length != value.Length)
            {
                return false;
            }

            for (int k = 0; k < value.Length; k++)
            {
                if (known[k] != value[k])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
