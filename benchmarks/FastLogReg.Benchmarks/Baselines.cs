using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace FastLogReg.Benchmarks;

/// <summary>
/// What FastLogReg is measured against, on the same data and the same fixed chunks of rows:
/// the streaming read (the memory-bandwidth limit of one epoch) and the naive per-row TensorPrimitives pass.
/// </summary>
public sealed class Baselines<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _x;
    private readonly T[] _y;
    private readonly int _columns;
    private readonly int _chunkRows;
    private readonly int _chunks;
    private readonly T[] _w;
    private readonly T _b;
    private readonly T[] _partialGradients;
    private readonly double[] _wDouble;
    private readonly double _bDouble;
    private readonly double[] _partialGradientsDouble;
    private readonly double[] _rowScratch;
    private readonly double[] _partials;
    private readonly ParallelOptions _options;

    public Baselines(T[] x, T[] y, int columns, double[] point, int threads)
    {
        _x = x;
        _y = y;
        _columns = columns;
        long rowBytes = (long)columns * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        _chunkRows = (int)Math.Max(64, (1L << 20) / rowBytes);
        _chunks = (y.Length + _chunkRows - 1) / _chunkRows;
        _w = point[..columns].Select(T.CreateTruncating).ToArray();
        _b = T.CreateTruncating(point[columns]);
        _partialGradients = new T[_chunks * columns];
        _wDouble = point[..columns];
        _bDouble = point[columns];
        _partialGradientsDouble = new double[_chunks * columns];
        _rowScratch = new double[_chunks * columns];
        _partials = new double[_chunks];
        _options = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }

    /// <summary>Σ X with TensorPrimitives.Sum, chunk by chunk: reads every feature byte once and does nothing else.</summary>
    public double StreamingRead()
    {
        Parallel.For(0, _chunks, _options, c =>
        {
            (int start, int count) = Range(c);
            _partials[c] = double.CreateTruncating(TensorPrimitives.Sum<T>(_x.AsSpan(start * _columns, count * _columns)));
        });
        return _partials.Sum();
    }

    /// <summary>
    /// What one writes first: per row, TensorPrimitives.Dot for z, a scalar σ and loss, TensorPrimitives.MultiplyAdd for
    /// the gradient — in the data's own type, as the library calls require.
    /// </summary>
    public double NaivePerRow()
    {
        Parallel.For(0, _chunks, _options, c =>
        {
            (int start, int count) = Range(c);
            Span<T> g = _partialGradients.AsSpan(c * _columns, _columns);
            g.Clear();
            double loss = 0;
            for (int i = start; i < start + count; i++)
            {
                ReadOnlySpan<T> xi = _x.AsSpan(i * _columns, _columns);
                double z = double.CreateTruncating(TensorPrimitives.Dot<T>(xi, _w) + _b);
                double r = Residual(z, double.CreateTruncating(_y[i]), ref loss);
                TensorPrimitives.MultiplyAdd<T>(xi, T.CreateTruncating(r), g, g);
            }

            _partials[c] = loss;
        });
        return _partials.Sum();
    }

    /// <summary>
    /// The naive pass with the library's precision: per row, the features widened to double
    /// (TensorPrimitives.ConvertChecked into a row buffer; no copy for double data), TensorPrimitives.Dot in double for z,
    /// a scalar σ and loss, TensorPrimitives.MultiplyAdd in double for the gradient — what one writes first when sums
    /// must be accumulated in double, as FastLogReg's are.
    /// </summary>
    public double NaivePerRowDoubleSums()
    {
        Parallel.For(0, _chunks, _options, c =>
        {
            (int start, int count) = Range(c);
            Span<double> g = _partialGradientsDouble.AsSpan(c * _columns, _columns);
            Span<double> row = _rowScratch.AsSpan(c * _columns, _columns);
            g.Clear();
            double loss = 0;
            for (int i = start; i < start + count; i++)
            {
                ReadOnlySpan<T> features = _x.AsSpan(i * _columns, _columns);
                ReadOnlySpan<double> xi;
                if (typeof(T) == typeof(double))
                {
                    xi = MemoryMarshal.Cast<T, double>(features);
                }
                else
                {
                    TensorPrimitives.ConvertChecked<T, double>(features, row);
                    xi = row;
                }

                double z = TensorPrimitives.Dot(xi, _wDouble) + _bDouble;
                TensorPrimitives.MultiplyAdd(xi, Residual(z, double.CreateTruncating(_y[i]), ref loss), g, g);
            }

            _partials[c] = loss;
        });
        return _partials.Sum();
    }

    /// <summary>The naive passes' scalar σ and stable loss for one row: adds its loss and returns σ(z) − y.</summary>
    private static double Residual(double z, double y, ref double loss)
    {
        double p = 1.0 / (1.0 + Math.Exp(-z));
        loss += Math.Max(z, 0) - (y * z) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        return p - y;
    }

    private (int Start, int Count) Range(int chunk)
    {
        int start = chunk * _chunkRows;
        return (start, Math.Min(_chunkRows, _y.Length - start));
    }
}
