using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>
/// The binomial <see cref="LossSums"/> of a local data set: each chunk of the layout's fixed partition runs the fused
/// kernel on some core into its own slots, and the slots are folded in chunk order — bit-identical for any number of
/// threads. Class totals (and so S and balanced class weights) are merged from per-chunk totals the same way.
/// </summary>
internal sealed class ChunkedBinomialLoss<T> : ILossSumsSource
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FeatureLayout<T> _layout;
    private readonly ChunkRunner _runner;
    private readonly CacheLineAligned _parameters;       // w′ then b′ of the point being evaluated, readable from worker threads
    private readonly CacheLineAligned _partialGradients; // ChunkCount slots of _gradientStride doubles
    private readonly int _gradientStride;                // ≥ Columns + 8, a multiple of 8: no two chunks' slots share a cache line
    private readonly double[] _partialLoss;              // per chunk
    private readonly double[] _partialResidual;          // per chunk

    public ChunkedBinomialLoss(FeatureLayout<T> layout, int? maxDegreeOfParallelism, double classWeight0, double classWeight1, double totalWeight)
    {
        _layout = layout;
        ClassWeight0 = classWeight0;
        ClassWeight1 = classWeight1;
        TotalWeight = totalWeight;
        int columns = layout.Columns;
        int chunks = layout.Partition.ChunkCount;
        _parameters = new CacheLineAligned(columns + 1);
        _gradientStride = ((columns + 7) & ~7) + 8;
        _partialGradients = new CacheLineAligned(checked(chunks * _gradientStride));
        _partialLoss = new double[chunks];
        _partialResidual = new double[chunks];
        _runner = new ChunkRunner(chunks, maxDegreeOfParallelism, ProcessChunk);
    }

    public int Columns => _layout.Columns;

    public double TotalWeight { get; }

    public double ClassWeight0 { get; }

    public double ClassWeight1 { get; }

    public int ChunkCount => _layout.Partition.ChunkCount;

    public int DegreeOfParallelism => _runner.DegreeOfParallelism;

    public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        Evaluate(weights, bias, sums.Gradient, out double loss, out double residual);
        sums.Loss = loss;
        sums.Residual = residual;
    }

    /// <summary>The sums at (<paramref name="weights"/>, <paramref name="bias"/>), the gradient sums straight into <paramref name="gradient"/> (d values).</summary>
    public void Evaluate(ReadOnlySpan<double> weights, double bias, Span<double> gradient, out double loss, out double residual)
    {
        int d = Columns;
        weights.CopyTo(_parameters.Span);
        _parameters[d] = bias;
        _runner.Run();

        // Reduce the per-chunk partial sums in chunk order: the result does not depend on which thread ran which chunk.
        Span<double> gw = gradient[..d];
        ReadOnlySpan<double> partials = _partialGradients.Span;
        partials[..d].CopyTo(gw);
        loss = _partialLoss[0];
        residual = _partialResidual[0];
        for (int c = 1; c < _partialLoss.Length; c++)
        {
            TensorPrimitives.Add(gw, partials.Slice(c * _gradientStride, d), gw);
            loss += _partialLoss[c];
            residual += _partialResidual[c];
        }
    }

    /// <summary>The sums over the rows <paramref name="samples"/> only (on the calling thread); returns their total weight.</summary>
    public double EvaluateSamples(ReadOnlySpan<double> weights, double bias, ReadOnlySpan<int> samples, Span<double> gradient, out double loss, out double residual)
    {
        Dataset<T> data = _layout.Data;
        double total = 0;
        foreach (int i in samples)
        {
            if ((uint)i >= (uint)data.Rows)
            {
                ThrowHelper.ThrowRowOutOfRange(i, data.Rows);
            }

            double sample = data.HasSampleWeights ? double.CreateTruncating(data.SampleWeights.Span[i]) : 1.0;
            total += sample * (data.Labels.Span[i] == T.One ? ClassWeight1 : ClassWeight0);
        }

        if (!(total > 0))
        {
            gradient[..Columns].Clear();
            loss = 0;
            residual = 0;
            return total;
        }

        _layout.BinomialSamples(samples, new BinomialPoint(weights, bias, ClassWeight0, ClassWeight1), gradient[..Columns], out loss, out residual);
        return total;
    }

    private void ProcessChunk(int chunk)
    {
        int d = Columns;
        (int start, int count) = _layout.Partition[chunk];
        var point = new BinomialPoint(_parameters.Slice(0, d), _parameters[d], ClassWeight0, ClassWeight1);
        _layout.Binomial(start, count, point, _partialGradients.Slice(chunk * _gradientStride, d), out _partialLoss[chunk], out _partialResidual[chunk]);
    }
}
