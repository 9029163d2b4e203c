using System.Buffers;

namespace FastLogReg.IO;

/// <summary>
/// The lines of a file from a byte offset on, each with its offset and 1-based line number, read through one growing
/// buffer (no allocation per line). A line is its bytes without the '\n' and without a final '\r'.
/// </summary>
internal sealed class FileLines : IDisposable
{
    /// <summary>Whether a line is a row (not blank or a comment); may throw for a line the format refuses.</summary>
    public delegate bool RowTest(ReadOnlySpan<byte> line, long number);

    private const int MaxLineBytes = 16 << 20;

    private readonly Stream _stream;
    private readonly string _source;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
    private int _start; // the next line's first byte in the buffer
    private int _end; // bytes held
    private long _bufferOffset; // the file offset of _buffer[0]
    private bool _eof;

    public FileLines(Stream stream, string source, long offset, long line)
    {
        _stream = stream;
        _source = source;
        _stream.Seek(offset, SeekOrigin.Begin);
        _bufferOffset = offset;
        Line = line - 1;
    }

    /// <summary>The current line's number (1-based).</summary>
    public long Line { get; private set; }

    /// <summary>The current line's first byte in the file.</summary>
    public long Offset { get; private set; }

    /// <summary>The byte after the current line's '\n' (or the end of the file).</summary>
    public long NextOffset => _bufferOffset + _start;

    /// <summary>Moves to the next line; false at the end of the file.</summary>
    public bool TryNext(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && _end > _start))
            {
                int length = newline >= 0 ? newline : _end - _start;
                line = _buffer.AsSpan(_start, length);
                if (line.Length > 0 && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                Offset = _bufferOffset + _start;
                _start += newline >= 0 ? length + 1 : length;
                Line++;
                return true;
            }

            if (_eof)
            {
                line = default;
                return false;
            }

            Fill();
        }
    }

    /// <summary>Keeps the unread bytes, makes room (growing the buffer for a long line) and reads more.</summary>
    private void Fill()
    {
        int held = _end - _start;
        if (held >= MaxLineBytes)
        {
            throw new DataFormatException(_source, Line + 1, null, "a line is longer than 16 MB: not CSV text.");
        }

        if (held == _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, held).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_start, held).CopyTo(_buffer);
        }

        _bufferOffset += _start;
        _start = 0;
        _end = held;
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _eof = read == 0;
    }

    /// <summary>
    /// From a row start (<paramref name="offset"/>, on line <paramref name="line"/>), passes over <paramref name="skip"/>
    /// rows and finds the bytes of the next <paramref name="rows"/>: where they start, on which line, and where they end.
    /// </summary>
    /// <exception cref="DataFormatException">The file ends first (it changed after it was outlined).</exception>
    public static (long Start, long StartLine, long End) Locate(Stream stream, string source, long offset, long line, int skip, int rows, long fileLength, RowTest isRow)
    {
        // The outline's offsets hold for the bytes it read: the same length, and a row start just after a line break.
        if (fileLength > 0 && stream.Length != fileLength)
        {
            throw new DataFormatException(source, 0, null, $"the file is {stream.Length:N0} bytes, but it was {fileLength:N0} when it was outlined: it changed (or this machine holds another copy — every machine must read the same bytes).");
        }

        if (offset > 0)
        {
            stream.Seek(offset - 1, SeekOrigin.Begin);
            if (stream.ReadByte() != '\n')
            {
                throw new DataFormatException(source, line, null, "the outline's row start is not at the start of a line: the file changed after it was outlined.");
            }
        }

        long start = offset, startLine = line, end = offset;
        int seen = 0;
        using (var lines = new FileLines(stream, source, offset, line))
        {
            while (seen < skip + rows && lines.TryNext(out ReadOnlySpan<byte> text))
            {
                if (!isRow(text, lines.Line))
                {
                    continue;
                }

                if (++seen == skip)
                {
                    (start, startLine) = (lines.NextOffset, lines.Line + 1);
                }

                end = lines.NextOffset;
            }
        }

        return seen == skip + rows ? (start, startLine, end)
            : throw new DataFormatException(source, 0, null, $"the file ends {skip + rows - seen} rows before the range planned from line {line} ({skip} + {rows} rows): it changed after it was outlined.");
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>Where every <see cref="Every"/>th row of a file starts (byte offset and line): enough to find any row with a short scan.</summary>
internal sealed class RowStarts
{
    /// <summary>Rows between two recorded starts.</summary>
    public const int Every = 1024;

    private readonly List<long> _offsets = [];
    private readonly List<long> _lines = [];

    /// <summary>Records row <paramref name="row"/> (0-based) when it is one of every <see cref="Every"/>.</summary>
    public void Add(long row, long offset, long line)
    {
        if (row % Every == 0)
        {
            _offsets.Add(offset);
            _lines.Add(line);
        }
    }

    /// <summary>The recorded start at or before <paramref name="row"/>, and the rows from there to it.</summary>
    public (long Offset, long Line, int Skip) Find(int row) => (_offsets[row / Every], _lines[row / Every], row % Every);
}
