using System.Buffers;
using System.Numerics;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using nietras.SeparatedValues;

namespace FastLogReg.IO;

/// <summary>
/// One piece of a CSV file: where its rows go in the shared feature array, its labels, how many lines it spans, and
/// its first bad row (line numbers relative to the piece, which starts at its line 1).
/// </summary>
internal sealed class CsvPiece<T>
    where T : unmanaged
{
    /// <summary>Byte range in the file.</summary>
    public long Offset;

    public int Length;

    /// <summary>Line terminators in the piece: the lines it moves the next piece's numbering on by.</summary>
    public long Lines;

    /// <summary>First row slot of the piece in the shared array, and the slots it has (the lines that start in it).</summary>
    public long FirstSlot;

    public long Slots;

    /// <summary>Rows parsed (blank lines leave their slots unused).</summary>
    public int Rows;

    public Growable<string> Labels;

    /// <summary>Each row's line, relative to the piece.</summary>
    public Growable<int> RowLines;

    /// <summary>The last line a row (blank or not) started on, relative; 0 if none.</summary>
    public long LastLine;

    /// <summary>The piece's first bad row, if any (the piece stops there).</summary>
    public ParsedRow<T>? Error;
}

/// <summary>A file's pieces in order and the array their rows were parsed into (row slots, gaps where lines were blank).</summary>
internal sealed record CsvPieces<T>(CsvPiece<T>[] Pieces, T[] Features)
    where T : unmanaged;

/// <summary>
/// Parses a CSV file on several cores by cutting it, after its header line, into pieces of a few megabytes that end at
/// a line break; each core parses its pieces and the pieces are joined in file order. Unlike Sep's parallel mode, where
/// one thread splits all of the text, both the splitting and the number parsing are shared. A piece of plain rows
/// (unquoted numbers, no spaces: what programs write) is parsed straight from its bytes by <see cref="CsvPlainRows"/>;
/// any other piece, and any piece with an error, by a Sep reader of its own, which reports the error.
/// </summary>
/// <remarks>
/// A line break inside a quoted field would make a cut land mid-row, so a file with any quote character is not cut
/// (the caller parses it as one stream); neither is a file in an encoding other than UTF-8, or one whose header line
/// does not end in '\n'. The rows, values and errors are those of the one-stream parse, whatever the thread count.
/// </remarks>
internal static class CsvFilePieces
{
    /// <summary>Largest piece: big enough that opening a reader per piece is noise, small enough to balance the cores.</summary>
    internal const int MaxPieceBytes = 4 << 20;

    private const int MinPieceBytes = 256 << 10;

    private const int WindowBytes = 64 << 10;

    /// <summary>Bytes read at a time when counting lines: well inside a core's L2 cache.</summary>
    private const int CountBytes = 256 << 10;

    /// <summary>
    /// Parses the rows after the header of <paramref name="path"/>, or returns null when the file cannot be cut safely
    /// (then the caller parses it as one stream, from the start of its rows).
    /// </summary>
    /// <remarks>
    /// Two passes over the pieces, each on all cores: the first counts every piece's lines (and looks for quotes), which
    /// fixes where each piece's rows go in one array of the final size; the second parses the rows into place. Reading
    /// the bytes twice costs about a page-cache read; it spares a second copy of all the features.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="separator">Its separator.</param>
    /// <param name="parser">The row parser.</param>
    /// <param name="columns">Features per row.</param>
    /// <param name="withLabels">Whether rows have labels.</param>
    /// <param name="threads">Threads to parse with.</param>
    /// <param name="range">Only the rows in these bytes (whole lines, after the header); null for every row.</param>
    public static CsvPieces<T>? TryParse<T>(string path, char separator, CsvRowParser<T> parser, int columns, bool withLabels, int threads, (long Start, long End)? range = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        if (Header(file, length) is not { } header)
        {
            return null;
        }

        long dataStart = header.End;
        if (range is { } r)
        {
            (dataStart, length) = (r.Start, Math.Min(r.End, length));
        }

        long[] cuts = Cuts(file, dataStart, length, PieceBytes(length - dataStart, threads));
        var pieces = new CsvPiece<T>[cuts.Length - 1];
        for (int k = 0; k < pieces.Length; k++)
        {
            pieces[k] = new CsvPiece<T> { Offset = cuts[k], Length = (int)(cuts[k + 1] - cuts[k]) };
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        bool quoted = false;
        Run(pieces.Length, options, k =>
        {
            if (!Count(file, pieces[k]))
            {
                Volatile.Write(ref quoted, true);
            }
        });
        if (quoted)
        {
            return null;
        }

        long slots = 0;
        foreach (CsvPiece<T> piece in pieces)
        {
            piece.FirstSlot = slots;
            slots += piece.Slots;
        }

        if (slots * columns > Array.MaxLength)
        {
            return null; // the one-stream parse says so, with the row where it happens
        }

        T[] features = GC.AllocateUninitializedArray<T>((int)(slots * columns));
        FreshPages.Prepare(features, threads);
        SepReaderOptions spec = Sep.New(separator).Reader(CsvDataReader.Configure);
        int firstFailed = int.MaxValue;
        bool miscounted = false;
        Run(pieces.Length, options, k =>
        {
            if (k > Volatile.Read(ref firstFailed))
            {
                return; // an earlier piece failed: rows after it are never used
            }

            CsvPiece<T> piece = pieces[k];
            if (!Parse(file, header.Bytes, piece, features.AsSpan((int)(piece.FirstSlot * columns), (int)(piece.Slots * columns)), separator, spec, parser, columns, withLabels, () => k > Volatile.Read(ref firstFailed)))
            {
                Volatile.Write(ref miscounted, true);
            }
            else if (piece.Error is not null)
            {
                InterlockedMin(ref firstFailed, k);
            }
        });

        if (miscounted)
        {
            return null; // more rows than lines counted (not expected): parse as one stream rather than guess
        }

        return new CsvPieces<T>(firstFailed == int.MaxValue ? pieces : pieces[..(firstFailed + 1)], features);
    }

    private static void Run(int count, ParallelOptions options, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, options, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>About eight pieces per thread, between 256 KB and 4 MB.</summary>
    private static int PieceBytes(long bytes, int threads) =>
        (int)Math.Clamp(bytes / (8L * threads), MinPieceBytes, MaxPieceBytes);

    /// <summary>
    /// The header line's bytes (without a byte-order mark, with its '\n') and the offset just after it; null when the
    /// file must not be cut there: a byte-order mark other than UTF-8's, a quote or a lone '\r' in the header, or no
    /// line break in the first window.
    /// </summary>
    private static (byte[] Bytes, long End)? Header(SafeFileHandle file, long length)
    {
        byte[] window = new byte[(int)Math.Min(WindowBytes, length)];
        int read = ReadFully(file, window, 0);
        ReadOnlySpan<byte> head = window.AsSpan(0, read);
        int bom = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (bom == 0 && head.Length >= 2 && (head[0] is 0xFE or 0xFF or 0 || head[1] == 0))
        {
            return null; // UTF-16 or UTF-32: a '\n' byte is not a line break there
        }

        int newline = head.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> header = head[bom..newline];
        int cr = header.IndexOf((byte)'\r');
        if (header.Contains((byte)'"') || (cr >= 0 && cr != header.Length - 1))
        {
            return null;
        }

        return (head[bom..(newline + 1)].ToArray(), newline + 1);
    }

    /// <summary>Piece boundaries: every <paramref name="pieceBytes"/>, moved on to just after the next '\n'.</summary>
    private static long[] Cuts(SafeFileHandle file, long start, long length, int pieceBytes)
    {
        var cuts = new List<long> { start };
        byte[] window = new byte[WindowBytes];
        long at = start + pieceBytes;
        while (at < length)
        {
            long cut = length;
            for (long from = at; from < length;)
            {
                int read = ReadFully(file, window.AsSpan(0, (int)Math.Min(WindowBytes, length - from)), from);
                int newline = window.AsSpan(0, read).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    cut = from + newline + 1;
                    break;
                }

                from += read;
            }

            if (cut < length)
            {
                cuts.Add(cut);
            }

            at = Math.Max(cut, at) + pieceBytes;
        }

        cuts.Add(length);
        return [.. cuts];
    }

    /// <summary>Counts a piece's lines and row slots; false if it holds a quote (the file cannot be cut safely).</summary>
    /// <remarks>
    /// Read a few hundred kilobytes at a time, so each read is scanned while it is in the core's cache: one search for a
    /// quote or a '\r' (rare), one count of '\n'. A piece with a '\r' is counted whole (<see cref="CountWithReturns"/>).
    /// </remarks>
    private static bool Count<T>(SafeFileHandle file, CsvPiece<T> piece)
        where T : unmanaged
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Math.Min(piece.Length, CountBytes));
        try
        {
            long lines = 0;
            byte last = (byte)'\n';
            for (int done = 0; done < piece.Length;)
            {
                int read = ReadFully(file, bytes.AsSpan(0, Math.Min(piece.Length - done, CountBytes)), piece.Offset + done);
                ReadOnlySpan<byte> text = bytes.AsSpan(0, read);
                if (text.IndexOfAny((byte)'"', (byte)'\r') >= 0)
                {
                    return CountWithReturns(file, piece);
                }

                lines += text.Count((byte)'\n');
                if (read == 0)
                {
                    break; // the file shrank while being read
                }

                last = text[^1];
                done += read;
            }

            piece.Lines = lines;
            piece.Slots = lines + (last is (byte)'\n' ? 0 : 1);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Counts the lines of a piece that may hold a '\r' (a line end alone or before '\n'); false if it holds a quote.</summary>
    private static bool CountWithReturns<T>(SafeFileHandle file, CsvPiece<T> piece)
        where T : unmanaged
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(piece.Length);
        try
        {
            ReadOnlySpan<byte> text = bytes.AsSpan(0, ReadFully(file, bytes.AsSpan(0, piece.Length), piece.Offset));
            if (text.Contains((byte)'"'))
            {
                return false;
            }

            // Sep ends a line at "\r\n", '\n' or a lone '\r'; a last line without a terminator is a line too.
            long returns = text.Count((byte)'\r');
            piece.Lines = text.Count((byte)'\n') + returns - (returns == 0 ? 0 : text.Count("\r\n"u8));
            piece.Slots = piece.Lines + (text.IsEmpty || text[^1] is (byte)'\n' or (byte)'\r' ? 0 : 1);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Parses a piece's rows into its slots; false if it has more rows than slots.</summary>
    /// <remarks>
    /// Sep reads the piece after a copy of the file's header line, exactly as it reads the rows of the whole file (its
    /// line numbers for a first row without a header were measured one too high), so a row's line within the piece is
    /// Sep's line number less one.
    /// </remarks>
    private static bool Parse<T>(
        SafeFileHandle file, byte[] header, CsvPiece<T> piece, Span<T> slots, char separator, SepReaderOptions spec, CsvRowParser<T> parser, int columns, bool withLabels, Func<bool> abandoned)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(header.Length + piece.Length);
        try
        {
            int read = header.Length + ReadFully(file, bytes.AsSpan(header.Length, piece.Length), piece.Offset);
            piece.Labels = new Growable<string>(withLabels ? (int)piece.Slots : 0);
            piece.RowLines = new Growable<int>(withLabels ? (int)piece.Slots : 0);
            // Plain rows hold '.' decimals: a file read with a decimal comma goes to Sep and the strict cell parser.
            if (CsvFastPath.PlainRows && !parser.DecimalComma && CsvPlainRows.TryParse(bytes.AsSpan(header.Length, read - header.Length), separator, parser.Roles, slots, piece, abandoned))
            {
                return true;
            }

            // Not plain (or bad): Sep reads the piece, after a copy of the header line, its labels and row lines started
            // afresh in the same buffers (the plain parse may have added some).
            piece.Labels.RemoveLast(piece.Labels.Count);
            piece.RowLines.RemoveLast(piece.RowLines.Count);
            header.CopyTo(bytes, 0);
            using SepReader reader = spec.From(new MemoryStream(bytes, 0, read, writable: false));
            foreach (SepReader.Row row in reader)
            {
                ParsedRow<T> parsed = parser.Parse(row);
                parsed = parsed with { Line = parsed.Line - 1 };
                piece.LastLine = parsed.Line;
                if (parsed.Error is not null)
                {
                    piece.Error = parsed;
                    return true;
                }

                if (parsed.Values is null)
                {
                    continue; // a blank line
                }

                if ((piece.Rows + 1L) * columns > slots.Length)
                {
                    return false;
                }

                if ((piece.Rows & 4095) == 4095 && abandoned())
                {
                    return true; // an earlier piece failed: this one's rows will not be used
                }

                parsed.Values.AsSpan(0, columns).CopyTo(slots.Slice(piece.Rows * columns, columns));
                parser.Recycle(parsed.Values);
                if (withLabels)
                {
                    piece.Labels.Add(parsed.Label);
                    piece.RowLines.Add((int)parsed.Line);
                }

                piece.Rows++;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer[total..], offset + total);
            if (read == 0)
            {
                break; // the file shrank while being read
            }

            total += read;
        }

        return total;
    }

    private static void InterlockedMin(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value < current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
