using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using FastLogReg.Data;
using Microsoft.Win32.SafeHandles;

namespace FastLogReg.IO;

/// <summary>How to read a LIBSVM file.</summary>
public sealed record LibSvmReadOptions
{
    /// <summary>Number of feature columns; null to use the largest index in the file. Default null.</summary>
    public int? Columns
    {
        get;
        init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Columns), value, "Columns must be at least 1 (or null).");
    }

    /// <summary>The label value that is the positive class when inferring the mapping; null for <see cref="LabelMapping"/>'s rule.</summary>
    public string? PositiveLabel { get; init; }

    /// <summary>
    /// The label mapping to use instead of inferring one (for instance the mapping a model was trained with); values
    /// outside it are an error, and a file may then hold fewer classes. Default null.
    /// </summary>
    public LabelMapping? Labels { get; init; }

    /// <summary>Indices start at 0 (as scikit-learn writes with <c>zero_based=True</c>) rather than at 1 (LIBSVM's own convention). Default false.</summary>
    public bool ZeroBased { get; init; }

    /// <summary>The most classes the labels may hold: 2 (the default) for binary data; up to 1000.</summary>
    public int MaxClasses
    {
        get;
        init => field = value is >= 2 and <= LabelCodes.MostClasses ? value : throw new ArgumentOutOfRangeException(nameof(MaxClasses), value, $"MaxClasses must be from 2 to {LabelCodes.MostClasses}.");
    }

        = 2;

    /// <summary>Threads that parse a file read by path (it is cut into pieces at line ends). Default null: every core. The result does not depend on it.</summary>
    public int? MaxDegreeOfParallelism
    {
        get;
        init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "MaxDegreeOfParallelism must be at least 1 (or null for every core).");
    }
}

/// <summary>A sparse data set read from a file: the rows as compressed sparse rows, the column names and the label mapping.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Data">The rows, owned by this object.</param>
/// <param name="FeatureNames">"f1", "f2", … (one-based, as the file numbers its columns).</param>
/// <param name="Labels">How the file's label values map to classes.</param>
/// <param name="Source">The file read.</param>
public sealed record SparseLabeledData<T>(SparseDataset<T> Data, IReadOnlyList<string> FeatureNames, LabelMapping Labels, string Source)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Things the reader did that the user should know (e.g. <c>qid</c> fields ignored); empty when none.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The CSV label column's name (data read from CSV with hashed columns); null for LIBSVM.</summary>
    public string? LabelColumn { get; init; }
}

/// <summary>
/// Reads LIBSVM / SVMlight sparse text — one row per line, <c>label [qid:n] index:value index:value …</c> with strictly
/// ascending indices (1-based, or 0-based when asked), <c># comments</c> — straight into compressed sparse rows. A file
/// read by path is cut at line ends into pieces of about 4 MB that the cores parse from their UTF-8 bytes, joined in
/// file order (the same rows, and the same first error, for any thread count). <c>qid</c> fields (SVMlight's ranking
/// groups) are ignored, with a note. Anything malformed raises a <see cref="DataFormatException"/> naming the file, line
/// and field.
/// </summary>
public static partial class LibSvmDataReader
{
    /// <summary>The most classes a file may hold.</summary>
    public const int MostClasses = LabelCodes.MostClasses;

    /// <summary>Longest line read (a longer one is damage, or not LIBSVM).</summary>
    private const int MaxLineBytes = 64 << 20;

    private const int PieceBytes = 4 << 20;

    /// <summary>Reads a LIBSVM file as sparse rows.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">Columns, labels, index base; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed (the message says where and why).</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static SparseLabeledData<T> ReadSparse<T>(string path, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new LibSvmReadOptions();
        Parsed<T> parsed = ParseFile<T>(path, options, withLabels: true);
        return Labelled(parsed, options, path);
    }

    /// <summary>Reads LIBSVM text as sparse rows.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="source">A name for the text in error messages.</param>
    /// <param name="options">Columns, labels, index base; null for the defaults.</param>
    public static SparseLabeledData<T> ReadSparse<T>(TextReader text, string source, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new LibSvmReadOptions();
        return Labelled(ParseText<T>(text, source, options, withLabels: true), options, source);
    }

    /// <summary>Reads the rows of a LIBSVM file for prediction (labels are checked for syntax, then ignored).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">Columns and index base.</param>
    public static CsrMatrix<T> ReadRows<T>(string path, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParseFile<T>(path, options ?? new LibSvmReadOptions(), withLabels: false).Matrix(options?.Columns);

    /// <summary>Reads a LIBSVM file and densifies it (absent features are 0), refused when the dense matrix would be large and mostly zeros.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="options">Columns and labels; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed, or too sparse to densify.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static LabeledData<T> Read<T>(string path, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new LibSvmReadOptions();
        return Dense(ParseFile<T>(path, options, withLabels: true), options, path);
    }

    /// <summary>Reads LIBSVM text and densifies it.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="source">A name for the text in error messages.</param>
    /// <param name="options">Columns and labels; null for the defaults.</param>
    /// <exception cref="DataFormatException">The content is malformed, or too sparse to densify.</exception>
    public static LabeledData<T> Read<T>(TextReader text, string source, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new LibSvmReadOptions();
        return Dense(ParseText<T>(text, source, options, withLabels: true), options, source);
    }

    /// <summary>Reads the features of LIBSVM text for prediction, densified (the labels are checked for syntax, then ignored).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="source">A name for error messages.</param>
    /// <param name="options">Column count; label options are ignored.</param>
    public static FeatureTable<T> ReadFeatures<T>(TextReader text, string source, LibSvmReadOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        options ??= new LibSvmReadOptions();
        Parsed<T> parsed = ParseText<T>(text, source, options, withLabels: false);
        int columns = parsed.Columns(options.Columns);
        T[] x = parsed.Densify(columns, source);
        return new FeatureTable<T>(x, parsed.Rows, columns, Names(columns), source);
    }

    private static SparseLabeledData<T> Labelled<T>(Parsed<T> parsed, LibSvmReadOptions options, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (LabelMapping mapping, T[] y) = parsed.Labels!.Map<T>(options.Labels, options.PositiveLabel);
        CsrMatrix<T> matrix = parsed.Matrix(options.Columns);
        var notes = new List<string>();
        if (parsed.QidFields > 0)
        {
            notes.Add($"{parsed.QidFields} qid fields (SVMlight's ranking groups) were ignored: logistic regression does not use them.");
        }

        return new SparseLabeledData<T>(SparseDataset.Create(matrix, y, mapping.Count), Names(matrix.Columns), mapping, source) { Notes = notes };
    }

    private static LabeledData<T> Dense<T>(Parsed<T> parsed, LibSvmReadOptions options, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (LabelMapping mapping, T[] y) = parsed.Labels!.Map<T>(options.Labels, options.PositiveLabel);
        int columns = parsed.Columns(options.Columns);
        T[] x = parsed.Densify(columns, source);
        return new LabeledData<T>(mapping.Count == 2 ? DenseDataset.Create(x, y, columns) : DenseDataset.Create(x, y, columns, mapping.Count), Names(columns), mapping, source);
    }

    private static IReadOnlyList<string> Names(int columns) => new PositionalNames(columns);

    /// <summary>"f1", "f2", … made on demand: a file with index 10⁸ must not cost 10⁸ strings.</summary>
    private sealed class PositionalNames(int count) : IReadOnlyList<string>
    {
        public int Count => count;

        public string this[int index] => (uint)index < (uint)count ? "f" + (index + 1).ToString(CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<string> GetEnumerator()
        {
            for (int j = 0; j < count; j++)
            {
                yield return this[j];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A file by path: cut at line ends into pieces parsed in parallel, joined in order; a pipe or device is read as one stream.</summary>
    private static Parsed<T> ParseFile<T>(string path, LibSvmReadOptions options, bool withLabels, (long Start, long End)? range = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.Require<T>();
        FileEntry entry = FileEntry.Inspect(path);
        if (entry.Kind == FileEntryKind.Directory)
        {
            throw new DataFormatException(path, 0, null, "this is a directory, not a data file.");
        }

        if (entry.Kind != FileEntryKind.RegularFile && range is null)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            return ParseStream<T>(stream, path, options, withLabels);
        }

        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(file);
        long offset = Bom(file);
        if (range is { } r)
        {
            (offset, length) = (r.Start == 0 ? offset : r.Start, Math.Min(r.End, length)); // whole lines, from a row start (after a byte-order mark)
        }

        var cuts = new List<long> { offset };
        byte[] probe = new byte[64 << 10];
        for (long next = offset + PieceBytes; next < length;)
        {
            // The piece ends after the first line end at or past its nominal end.
            long end = -1;
            for (long at = next; at < length && end < 0;)
            {
                int read = RandomAccess.Read(file, probe, at);
                int newline = probe.AsSpan(0, read).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    end = at + newline + 1;
                }
                else if ((at += read) - next > MaxLineBytes || read == 0)
                {
                    break;
                }
            }

            if (end < 0 || end >= length)
            {
                break;
            }

            cuts.Add(end);
            next = end + PieceBytes;
        }

        cuts.Add(length);
        var pieces = new Piece<T>[cuts.Count - 1];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };

        // First the colons of every piece, a bound on its non-zeros (each "index:value" has one; comments and qid fields
        // may add more): the non-zeros are then parsed straight into arrays of the final size, each piece into its own
        // slice — no growing buffers, no copy into joined arrays, and the fresh pages mapped at once. (Parsing into
        // growing buffers spent a quarter of a two-thread read in page faults, which serialize across threads.)
        long[] bounds = new long[pieces.Length];
        Parallel.For(0, pieces.Length, parallel, k => bounds[k] = CountColons(file, cuts[k], cuts[k + 1]));
        long total = bounds.Sum();
        int[]? indices = null;
        T[]? values = null;
        if (total <= Array.MaxLength)
        {
            indices = GC.AllocateUninitializedArray<int>((int)total);
            values = GC.AllocateUninitializedArray<T>((int)total);
            FreshPages.Prepare(indices, parallel.MaxDegreeOfParallelism);
            FreshPages.Prepare(values, parallel.MaxDegreeOfParallelism);
        }

        int firstFailed = int.MaxValue;
        Parallel.For(0, pieces.Length, parallel, k =>
        {
            if (k > Volatile.Read(ref firstFailed))
            {
                return; // an earlier piece failed: this one's rows will not be used
            }

            int size = checked((int)(cuts[k + 1] - cuts[k]));
            byte[] bytes = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                int got = RandomAccess.Read(file, bytes.AsSpan(0, size), cuts[k]);
                long first = 0;
                for (int j = 0; j < k; j++)
                {
                    first += bounds[j];
                }

                var piece = indices is null ? new Piece<T>(size / 12) : new Piece<T>(size / 64, indices, values!, first, bounds[k]);
                piece.Parse(bytes.AsSpan(0, got), options.ZeroBased, options.Columns, withLabels);
                pieces[k] = piece;
                if (piece.Error is not null)
                {
                    InterlockedMin(ref firstFailed, k);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        });

        return Join(pieces, path, options, withLabels);
    }

    /// <summary>Text from a reader: encoded to UTF-8 a block at a time and parsed by the same byte parser, in one stream.</summary>
    private static Parsed<T> ParseText<T>(TextReader text, string source, LibSvmReadOptions options, bool withLabels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.Require<T>();
        var bytes = new MemoryStream();
        using (var writer = new StreamWriter(bytes, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            char[] buffer = new char[1 << 16];
            int read;
            while ((read = text.Read(buffer, 0, buffer.Length)) > 0)
            {
                writer.Write(buffer, 0, read);
            }
        }

        bytes.Position = 0;
        return ParseStream<T>(bytes, source, options, withLabels);
    }

    /// <summary>A stream read in order: whole lines are handed to the byte parser a block at a time.</summary>
    private static Parsed<T> ParseStream<T>(Stream stream, string source, LibSvmReadOptions options, bool withLabels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pieces = new List<Piece<T>>();
        byte[] buffer = new byte[1 << 20];
        int filled = 0;
        bool first = true;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxLineBytes)
                {
                    pieces.Add(Piece<T>.Failed(0, null, $"a line is longer than {MaxLineBytes >> 20} MB: not LIBSVM text (or a line end is missing)."));
                    break;
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            int read = stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            int start = 0;
            if (first && filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
            {
                start = 3;
            }

            if (filled >= 3 || read == 0)
            {
                first = false;
            }

            int end = read == 0 ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (end > start)
            {
                var piece = new Piece<T>((end - start) / 16);
                piece.Parse(buffer.AsSpan(start, end - start), options.ZeroBased, options.Columns, withLabels);
                pieces.Add(piece);
                if (piece.Error is not null)
                {
                    break;
                }

                buffer.AsSpan(end, filled - end).CopyTo(buffer);
                filled -= end;
            }
            else if (start > 0)
            {
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }

            if (read == 0)
            {
                break;
            }
        }

        return Join(pieces.ToArray(), source, options, withLabels);
    }

    /// <summary>Joins the pieces in file order: line numbers made absolute, labels coded, the first error thrown.</summary>
    private static Parsed<T> Join<T>(Piece<T>[] pieces, string source, LibSvmReadOptions options, bool withLabels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var labels = withLabels ? new LabelCodes(source, string.Empty, options.MaxClasses) : null;
        long rows = 0, nonZeros = 0, before = 0, qid = 0;
        int maxIndex = -1;
        (long Line, int Field) widest = (0, 0);
        foreach (Piece<T> piece in pieces)
        {
            if (piece is null)
            {
                break;
            }

            if (labels is not null)
            {
                ReadOnlySpan<int> lines = piece.RowLines.AsSpan();
                ReadOnlySpan<ushort> codes = piece.LabelCodes.AsSpan();
                for (int r = 0; r < codes.Length; r++)
                {
                    labels.Add(piece.LabelValues[codes[r]], before + lines[r], 1);
                }
            }

            if (piece.Error is { } bad)
            {
                throw new DataFormatException(source, before + bad.Line, bad.Field, bad.Message);
            }

            if (piece.MaxIndex > maxIndex)
            {
                maxIndex = piece.MaxIndex;
                widest = (before + piece.MaxIndexLine, piece.MaxIndexField);
            }

            rows += piece.RowCount;
            nonZeros += piece.NonZeros;
            qid += piece.QidFields;
            before += piece.Lines;
        }

        if (rows == 0)
        {
            throw new DataFormatException(source, 0, null, "the file has no rows: expected lines of 'label index:value …'.");
        }

        if (rows > Array.MaxLength - 1)
        {
            throw new DataFormatException(source, 0, null, $"{rows} rows are more than one data set holds ({Array.MaxLength - 1}).");
        }

        long[] offsets = new long[rows + 1];
        bool direct = pieces[0].Final is not null;
        int[] indices = direct ? pieces[0].Final!.Value.Indices : new int[nonZeros];
        T[] values = direct ? pieces[0].Final!.Value.Values : new T[nonZeros];
        long row = 0, at = 0;
        foreach (Piece<T> piece in pieces)
        {
            if (piece is null)
            {
                break;
            }

            ReadOnlySpan<long> starts = piece.RowStarts.AsSpan();
            for (int r = 0; r < starts.Length; r++)
            {
                offsets[row++] = at + starts[r];
            }

            if (!direct)
            {
                piece.Indices.AsSpan().CopyTo(indices.AsSpan(checked((int)at)));
                piece.Values.AsSpan().CopyTo(values.AsSpan(checked((int)at)));
            }
            else if (piece.Final!.Value.First != at)
            {
                // A piece with comments or qid fields held fewer non-zeros than colons: close the gap (the same arrays).
                Array.Copy(indices, piece.Final.Value.First, indices, at, piece.NonZeros);
                Array.Copy(values, piece.Final.Value.First, values, at, piece.NonZeros);
            }

            at += piece.NonZeros;
        }

        offsets[rows] = at;
        if (direct && at < indices.Length - (indices.Length / 8))
        {
            // Colons in comments (or qid fields) left more than an eighth unused: not kept alive with the data set.
            indices = indices.AsSpan(0, (int)at).ToArray();
            values = values.AsSpan(0, (int)at).ToArray();
        }

        return new Parsed<T>(offsets, indices, values, maxIndex, widest, labels, qid);
    }

    /// <summary>The colons in the file's bytes [<paramref name="start"/>, <paramref name="end"/>), read 256 KB at a time.</summary>
    private static long CountColons(SafeFileHandle file, long start, long end)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 << 10);
        try
        {
            long colons = 0;
            for (long at = start; at < end;)
            {
                int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - at)), at);
                if (read == 0)
                {
                    break;
                }

                colons += buffer.AsSpan(0, read).Count((byte)':');
                at += read;
            }

            return colons;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The length of a UTF-8 byte-order mark at the file's start (0 or 3).</summary>
    private static int Bom(SafeFileHandle file)
    {
        Span<byte> head = stackalloc byte[3];
        int read = RandomAccess.Read(file, head, 0);
        return read == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
    }

    private static void InterlockedMin(ref int target, int value)
    {
        int seen;
        while (value < (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>The rows of a whole file, joined.</summary>
    /// <remarks><see cref="Indices"/> and <see cref="Values"/> may run past the last non-zero, <c>Offsets[Rows]</c> (a file read in pieces sizes them by its colons).</remarks>
    private sealed record Parsed<T>(long[] Offsets, int[] Indices, T[] Values, int MaxIndex, (long Line, int Field) Widest, LabelCodes? Labels, long QidFields)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int Rows => Offsets.Length - 1;

        public int NonZeros => (int)Offsets[^1];

        public int Columns(int? given) => given ?? Math.Max(MaxIndex + 1, 1);

        public CsrMatrix<T> Matrix(int? given) => CsrMatrix.Create<T>(Values.AsMemory(0, NonZeros), Indices.AsMemory(0, NonZeros), Offsets, Columns(given));

        /// <summary>
        /// The rows as a dense row-major array — refused, before anything is allocated, when it would be mostly zeros and
        /// large (more than max(2²⁶, 16 × non-zeros) values) or not fit in half the memory available: a file with a stray
        /// index of 10⁸ would otherwise take gigabytes per row.
        /// </summary>
        public T[] Densify(int columns, string source)
        {
            long count = (long)Rows * columns;
            long bytes = count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            bool tooSparse = count > Math.Max(1L << 26, 16L * NonZeros);
            bool tooLarge = count > Array.MaxLength || bytes > available / 2;
            if (tooSparse || tooLarge)
            {
                var c = CultureInfo.InvariantCulture;
                string size = string.Format(c, "{0:N0} rows × {1:N0} columns = {2:N0} values ({3:G3} GB) for {4:N0} non-zeros", Rows, columns, count, bytes / 1e9, NonZeros);
                string why = tooLarge ? string.Format(c, "more than half the {0:G3} GB of memory available", available / 1e9) : "almost all zeros";
                throw new DataFormatException(source, Widest.Line, Widest.Field > 0 ? Widest.Field : null, $"densifying would take {size}: {why}. Feature index {MaxIndex + 1} is the largest; check it, or read the file as sparse rows (LibSvmDataReader.ReadSparse).");
            }

            T[] x = new T[count];
            for (int i = 0; i < Rows; i++)
            {
                for (long k = Offsets[i]; k < Offsets[i + 1]; k++)
                {
                    x[((long)i * columns) + Indices[k]] = Values[k];
                }
            }

            return x;
        }
    }

    /// <summary>What one piece of a file parses to.</summary>
    private sealed class Piece<T>(int capacity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private long _written;

        /// <summary>A piece whose non-zeros go straight into the final arrays, at [<paramref name="first"/>, <paramref name="first"/> + <paramref name="bound"/>).</summary>
        public Piece(int capacity, int[] indices, T[] values, long first, long bound)
            : this(capacity)
        {
            Final = (indices, values, first, bound);
            Indices = new(0);
            Values = new(0);
        }

        public Growable<long> RowStarts = new(capacity / 8);
        public Growable<int> Indices = new(capacity);
        public Growable<T> Values = new(capacity);

        /// <summary>Where the non-zeros go when not into <see cref="Indices"/> and <see cref="Values"/>.</summary>
        public (int[] Indices, T[] Values, long First, long Bound)? Final { get; }

        /// <summary>The non-zeros parsed.</summary>
        public int NonZeros => Final is null ? Indices.Count : (int)_written;
        public Growable<int> RowLines = new(capacity / 8);
        public Growable<ushort> LabelCodes = new(capacity / 8);
        public List<string> LabelValues = [];
        private readonly List<byte[]> _labelBytes = [];
        public int MaxIndex = -1;
        public long MaxIndexLine;
        public int MaxIndexField;
        public long QidFields;
        public long Lines;

        public (long Line, int? Field, string Message)? Error { get; private set; }

        public int RowCount => RowStarts.Count;

        public static Piece<T> Failed(long line, int? field, string message)
        {
            var piece = new Piece<T>(0);
            piece.Error = (line, field, message);
            return piece;
        }

        /// <summary>Parses whole lines; stops at the first bad one (its line within the piece, 1-based).</summary>
        public void Parse(ReadOnlySpan<byte> text, bool zeroBased, int? columns, bool withLabels)
        {
            int line = 0;
            while (!text.IsEmpty)
            {
                line++;
                int newline = text.IndexOf((byte)'\n');
                ReadOnlySpan<byte> content = newline < 0 ? text : text[..newline];
                text = newline < 0 ? default : text[(newline + 1)..];
                if (content.Length > MaxLineBytes)
                {
                    Error = (line, null, $"the line is longer than {MaxLineBytes >> 20} MB: not LIBSVM text.");
                    break;
                }

                if (ParseLine(content, line, zeroBased, columns, withLabels) is { } problem)
                {
                    Error = problem;
                    break;
                }
            }

            Lines = line;
        }

        private (long Line, int? Field, string Message)? ParseLine(ReadOnlySpan<byte> content, int line, bool zeroBased, int? columns, bool withLabels)
        {
            int hash = content.IndexOf((byte)'#');
            if (hash >= 0)
            {
                content = content[..hash];
            }

            content = content.Trim(" \t\r"u8);
            if (content.IsEmpty)
            {
                return null;
            }

            if (content.Contains((byte)0))
            {
                return (line, null, line == 1
                    ? "the file holds NUL characters: it looks like UTF-16 text without a byte-order mark, or a binary file. Save it as UTF-8."
                    : "the line holds a NUL character: not LIBSVM text.");
            }

            int field = 1;
            ReadOnlySpan<byte> label = NextToken(ref content);
            if (!double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out double numeric) || !double.IsFinite(numeric))
            {
                return (line, field, $"the label '{Show(label)}' is not a finite number: expected 'label index:value …'.");
            }

            if (withLabels)
            {
                LabelCodes.Add(Code(label));
                RowLines.Add(line);
            }

            RowStarts.Add(NonZeros);
            int previous = -1;
            while (!content.IsEmpty)
            {
                field++;
                ReadOnlySpan<byte> token = NextToken(ref content);
                int colon = token.IndexOf((byte)':');
                if (colon <= 0 || colon == token.Length - 1)
                {
                    return (line, field, $"'{Show(token)}' is not 'index:value'.");
                }

                ReadOnlySpan<byte> name = token[..colon];
                if (name.SequenceEqual("qid"u8))
                {
                    if (field != 2 || !long.TryParse(token[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        return (line, field, $"'{Show(token)}': a qid field is 'qid:n' with n a whole number, right after the label.");
                    }

                    QidFields++;
                    continue;
                }

                if (!TryIndex(name, out int index))
                {
                    return (line, field, name.ContainsAnyExceptInRange((byte)'0', (byte)'9') || name.IsEmpty
                        ? $"the index '{Show(name)}' is not an integer ≥ {(zeroBased ? 0 : 1)}."
                        : $"the index {Show(name)} is larger than the largest supported index, {int.MaxValue}.");
                }

                if (!zeroBased)
                {
                    if (index == 0)
                    {
                        return (line, field, "the index 0 is not an integer ≥ 1: LIBSVM indices start at 1 (a file with 0-based indices is read with ZeroBased = true, CLI --zero-based).");
                    }

                    index--;
                }

                if (index <= previous)
                {
                    return (line, field, $"the index {Show(name)} does not follow {previous + (zeroBased ? 0 : 1)}: indices must be strictly ascending (no duplicates).");
                }

                if (columns is { } limit && index >= limit)
                {
                    return (line, field, $"the index {Show(name)} exceeds the {limit} columns expected.");
                }

                ReadOnlySpan<byte> text = token[(colon + 1)..];

                // Plain decimals (what programs write) by the CSV reader's fast parser, anything else by .NET's.
                if (PlainDecimal.Parse(text, 0, out T value) != text.Length
                    && (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !T.IsFinite(value)))
                {
                    return (line, field, $"the value '{Show(text)}' of feature {Show(name)} is not a finite number.");
                }

                previous = index;
                if (index > MaxIndex)
                {
                    (MaxIndex, MaxIndexLine, MaxIndexField) = (index, line, field);
                }

                if (Final is { } final)
                {
                    // The colon count bounds the non-zeros: each one parsed here had its own colon.
                    final.Indices[final.First + _written] = index;
                    final.Values[final.First + _written] = value;
                    _written++;
                }
                else
                {
                    Indices.Add(index);
                    Values.Add(value);
                }
            }

            return null;
        }

        /// <summary>A whole number of ASCII digits that fits an int.</summary>
        private static bool TryIndex(ReadOnlySpan<byte> digits, out int index)
        {
            index = 0;
            if (digits.IsEmpty || digits.Length > 10)
            {
                return false;
            }

            long value = 0;
            foreach (byte b in digits)
            {
                uint digit = (uint)(b - '0');
                if (digit > 9)
                {
                    return false;
                }

                value = (value * 10) + digit;
            }

            if (value > int.MaxValue)
            {
                return false;
            }

            index = (int)value;
            return true;
        }

        private ushort Code(ReadOnlySpan<byte> label)
        {
            for (int k = 0; k < _labelBytes.Count; k++)
            {
                if (label.SequenceEqual(_labelBytes[k]))
                {
                    return (ushort)k;
                }
            }

            if (_labelBytes.Count == ushort.MaxValue)
            {
                return ushort.MaxValue; // beyond any class limit: the join reports it as one class too many
            }

            _labelBytes.Add(label.ToArray());
            LabelValues.Add(Encoding.UTF8.GetString(label));
            return (ushort)(LabelValues.Count - 1);
        }

        private static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> rest)
        {
            int end = rest.IndexOfAny((byte)' ', (byte)'\t');
            ReadOnlySpan<byte> token = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..].TrimStart(" \t"u8);
            return token;
        }

        private static string Show(ReadOnlySpan<byte> bytes)
        {
            string text = Encoding.UTF8.GetString(bytes.Length > 40 ? bytes[..37] : bytes);
            return bytes.Length > 40 ? text + "..." : text;
        }
    }
}
