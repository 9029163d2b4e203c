using System.Globalization;
using System.Numerics;
using System.Text;
using FastLogReg.Data;

namespace FastLogReg.Features;

/// <summary>
/// Polynomial and interaction features — a linear model on them draws curved boundaries (a circle is
/// x₁² + x₂² = r², linear in the squares). The outputs are, in scikit-learn's <c>PolynomialFeatures(degree,
/// interaction_only, include_bias=False)</c> order: the d inputs, then every product of two inputs (x₀², x₀x₁, …, or
/// only the distinct pairs with <see cref="InteractionOnly"/>), then of three, up to <see cref="Degree"/>. Dense rows give
/// dense rows; sparse rows give sparse rows holding only the products of their non-zeros. Immutable; thread-safe.
/// </summary>
public sealed class PolynomialFeatures
{
    /// <summary>The most output columns an expansion may have (the term table and the rows grow with it).</summary>
    public const int MaxOutputColumns = 1 << 20;

    private readonly int[][] _terms;
    private Dictionary<long, int>? _rankOfTerm;

    /// <summary>An expansion of <paramref name="inputColumns"/> features.</summary>
    /// <param name="inputColumns">d, the number of input features, ≥ 1.</param>
    /// <param name="degree">The highest degree, 1 to 3 (1 is the identity).</param>
    /// <param name="interactionOnly">Only products of distinct features (no squares or cubes).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range, or more than <see cref="MaxOutputColumns"/> outputs (the message gives the count).</exception>
    public PolynomialFeatures(int inputColumns, int degree = 2, bool interactionOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputColumns, 1);
        if (degree is < 1 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(degree), degree, "The degree must be 1, 2 or 3.");
        }

        long outputs = CountOutputs(inputColumns, degree, interactionOnly);
        if (outputs > MaxOutputColumns)
        {
            throw new ArgumentOutOfRangeException(
                nameof(degree),
                degree,
                string.Format(CultureInfo.InvariantCulture, "Degree {0}{1} of {2} features gives {3:N0} features, more than the {4:N0} allowed: use a lower degree, interactions only, or fewer (or hashed) features.", degree, interactionOnly ? " (interactions only)" : string.Empty, inputColumns, outputs, MaxOutputColumns));
        }

        InputColumns = inputColumns;
        Degree = degree;
        InteractionOnly = interactionOnly;
        _terms = new int[outputs][];
        int next = 0;
        var term = new int[degree];
        for (int size = 1; size <= degree; size++)
        {
            Enumerate(term, 0, size, 0);
        }

        void Enumerate(int[] t, int position, int size, int from)
        {
            if (position == size)
            {
                _terms[next++] = t[..size];
                return;
            }

            for (int j = from; j < inputColumns; j++)
            {
                t[position] = j;
                Enumerate(t, position + 1, size, interactionOnly ? j + 1 : j);
            }
        }
    }

    /// <summary>d, the number of input features.</summary>
    public int InputColumns { get; }

    /// <summary>The highest degree.</summary>
    public int Degree { get; }

    /// <summary>Whether only products of distinct features are formed.</summary>
    public bool InteractionOnly { get; }

    /// <summary>The number of output features.</summary>
    public int OutputColumns => _terms.Length;

    /// <summary>The number of outputs an expansion would have, without building it.</summary>
    /// <param name="inputColumns">d.</param>
    /// <param name="degree">The degree.</param>
    /// <param name="interactionOnly">Interactions only.</param>
    public static long CountOutputs(int inputColumns, int degree, bool interactionOnly)
    {
        long total = 0;
        for (int k = 1; k <= degree; k++)
        {
            total += (long)Math.Min(long.MaxValue, Binomial(interactionOnly ? inputColumns : inputColumns + k - 1, k));
        }

        return total;
    }

    /// <summary>The input features of output <paramref name="output"/> (ascending; repeated for a power).</summary>
    /// <param name="output">An output column.</param>
    public ReadOnlySpan<int> Term(int output) => _terms[output];

    /// <summary>
    /// The output names: "a", then "a^2", "a*b", "a^2*b", … built from <paramref name="inputNames"/> (or x0, x1, …).
    /// </summary>
    /// <param name="inputNames">d input names, or null.</param>
    public string[] Names(IReadOnlyList<string>? inputNames = null)
    {
        if (inputNames is not null && inputNames.Count != InputColumns)
        {
            throw new ArgumentException($"{inputNames.Count} names for {InputColumns} input features.", nameof(inputNames));
        }

        string Name(int j) => inputNames?[j] ?? "x" + j.ToString(CultureInfo.InvariantCulture);
        var names = new string[_terms.Length];
        var text = new StringBuilder();
        for (int t = 0; t < _terms.Length; t++)
        {
            text.Clear();
            int[] term = _terms[t];
            for (int p = 0; p < term.Length;)
            {
                int power = 1;
                while (p + power < term.Length && term[p + power] == term[p])
                {
                    power++;
                }

                if (text.Length > 0)
                {
                    text.Append('*');
                }

                text.Append(Name(term[p]));
                if (power > 1)
                {
                    text.Append('^').Append(power.ToString(CultureInfo.InvariantCulture));
                }

                p += power;
            }

            names[t] = text.ToString();
        }

        return names;
    }

    /// <summary>Expands one dense row.</summary>
    /// <param name="row">d values.</param>
    /// <param name="destination">Receives <see cref="OutputColumns"/> values.</param>
    /// <exception cref="ArgumentException">A product overflows (the message names the term).</exception>
    public void TransformRow<T>(ReadOnlySpan<T> row, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length != InputColumns || destination.Length != OutputColumns)
        {
            throw new ArgumentException($"The row has {row.Length} values for {InputColumns} inputs, the destination {destination.Length} slots for {OutputColumns} outputs.");
        }

        if (Expand(row, destination) is { } bad)
        {
            throw new ArgumentException($"The feature {Names()[bad]} overflows ({destination[bad]}): scale the inputs first.");
        }
    }

    /// <summary>Fills <paramref name="destination"/>; returns the first output that overflowed, or null.</summary>
    private int? Expand<T>(ReadOnlySpan<T> row, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int? overflow = null;
        for (int t = 0; t < _terms.Length; t++)
        {
            T product = T.One;
            foreach (int j in _terms[t])
            {
                product *= row[j];
            }

            destination[t] = product;
            if (!T.IsFinite(product) && overflow is null)
            {
                overflow = t;
            }
        }

        return overflow;
    }

    /// <summary>Expands rows stored one after another (row-major, a multiple of d values) into a new array.</summary>
    /// <param name="rows">Row-major values, rows × d.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of d, the result exceeds an array, or a product overflows (the message names the row).</exception>
    public T[] TransformRows<T>(ReadOnlySpan<T> rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows.Length % InputColumns != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not whole rows of {InputColumns}.", nameof(rows));
        }

        int count = rows.Length / InputColumns;
        long size = (long)count * OutputColumns;
        if (size > Array.MaxLength)
        {
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "{0:N0} rows × {1:N0} expanded features is {2:N0} values, more than one array holds: expand sparse rows, or fewer features.", count, OutputColumns, size), nameof(rows));
        }

        long bytes = size * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available / 2)
        {
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "{0:N0} rows × {1:N0} expanded features need {2:F1} GB, more than half the memory available ({3:F1} GB): use a lower degree, interactions only, fewer columns, or sparse rows.", count, OutputColumns, bytes / 1e9, available / 1e9), nameof(rows));
        }

        var x = new T[size];
        for (int i = 0; i < count; i++)
        {
            Span<T> target = x.AsSpan(i * OutputColumns, OutputColumns);
            if (Expand(rows.Slice(i * InputColumns, InputColumns), target) is { } bad)
            {
                throw new DataValueException(i, bad, double.CreateTruncating(target[bad]), $"the expanded feature {Names()[bad]} (output column {bad}) overflows: scale the inputs first.", nameof(rows));
            }
        }

        return x;
    }

    /// <summary>The expanded data set (new arrays; labels, class count and sample weights shared).</summary>
    /// <param name="data">Dense or sparse rows of d features.</param>
    /// <exception cref="ArgumentException">The data has another width, the result exceeds an array's size, or a product overflows (the message names row and term).</exception>
    public Dataset<T> Transform<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T> => data switch
        {
            DenseDataset<T> dense => Transform(dense),
            SparseDataset<T> sparse => Transform(sparse),
            _ => throw new ArgumentException($"Unsupported data set {data?.GetType().Name}.", nameof(data)),
        };

    /// <summary>The expanded dense data set.</summary>
    /// <param name="data">Dense rows of d features.</param>
    public DenseDataset<T> Transform<T>(DenseDataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(data.Columns);
        if (data.IsNative)
        {
            throw new ArgumentException("The data lives in native memory; expand it in chunks with TransformRows (an expansion of data beyond 2³¹ values does not fit one array).", nameof(data));
        }

        T[] x = TransformRows(data.Features.Span);

        return DenseDataset.Create(x, data.Labels, OutputColumns, data.ClassCount, data.SampleWeights);
    }

    /// <summary>The expanded sparse data set: each row holds the products of its non-zeros.</summary>
    /// <param name="data">Sparse rows of d features.</param>
    public SparseDataset<T> Transform<T>(SparseDataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return SparseDataset.Create(Transform(data.Matrix), data.Labels, data.ClassCount, data.SampleWeights);
    }

    /// <summary>The expanded sparse rows.</summary>
    /// <param name="rows">Sparse rows of d features.</param>
    public CsrMatrix<T> Transform<T>(CsrMatrix<T> rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckWidth(rows.Columns);
        Dictionary<long, int> rank = _rankOfTerm ??= BuildRanks();
        var values = new List<T>();
        var indices = new List<int>();
        long[] offsets = new long[rows.Rows + 1];
        var term = new int[Degree];
        for (int i = 0; i < rows.Rows; i++)
        {
            SparseRow<T> row = rows.GetRow(i);
            int[] columns = row.Indices.ToArray();
            T[] x = row.Values.ToArray();
            for (int size = 1; size <= Degree; size++)
            {
                Emit(0, size, 0, T.One);
            }

            offsets[i + 1] = values.Count;

            void Emit(int position, int size, int from, T product)
            {
                if (position == size)
                {
                    long key = 0;
                    for (int p = 0; p < size; p++)
                    {
                        key = (key * (InputColumns + 1L)) + term[p] + 1;
                    }

                    if (!T.IsFinite(product))
                    {
                        throw new DataValueException(i, rank[key], double.CreateTruncating(product), $"the expanded feature {Names()[rank[key]]} (output column {rank[key]}) overflows: scale the inputs first.", nameof(rows));
                    }

                    indices.Add(rank[key]);
                    values.Add(product);
                    return;
                }

                for (int q = from; q < columns.Length; q++)
                {
                    term[position] = columns[q];
                    Emit(position + 1, size, InteractionOnly ? q + 1 : q, product * x[q]);
                }
            }
        }

        return CsrMatrix.Create<T>(values.ToArray(), indices.ToArray(), offsets, OutputColumns);
    }

    private Dictionary<long, int> BuildRanks()
    {
        var ranks = new Dictionary<long, int>(_terms.Length);
        for (int t = 0; t < _terms.Length; t++)
        {
            long key = 0;
            foreach (int j in _terms[t])
            {
                key = (key * (InputColumns + 1L)) + j + 1;
            }

            ranks.Add(key, t);
        }

        return ranks;
    }

    private void CheckWidth(int columns)
    {
        if (columns != InputColumns)
        {
            throw new ArgumentException($"The data has {columns} features; this expansion was built for {InputColumns}.");
        }
    }

    private static double Binomial(long n, int k)
    {
        double result = 1;
        for (int i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return Math.Round(result);
    }
}
