using System.Numerics;
using System.Runtime.Intrinsics;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;

namespace FastLogReg.Kernels;

/// <summary>
/// The weighted Gram matrix Σᵢ cᵢ·x̂ᵢx̂ᵢᵀ of a data set in one pass over its rows, x̂ᵢ = ((xᵢ − μ)/σ, 1) (or (xᵢ, 1)
/// without a scaling): the Hessian of the binomial loss for an exact Newton step or the observed information. The rows
/// of G are split into panels of four and the panels among the threads; every thread reads all rows, block by block,
/// into its own scratch (dense or sparse rows alike, as doubles) and adds its panels. Each entry is one sequential sum
/// over the rows (<see cref="WeightedGram"/>), so the result is bit-identical for any number of threads.
/// </summary>
/// <remarks>O(n·d²/2) multiply-adds and (d + 8)² doubles of memory: meant for up to a few thousand features.</remarks>
internal sealed class GramBuilder<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Target size of one thread's block of rows, in doubles (64 KB: in L2 beside its panels of G, and below the large-object heap's 85 KB).</summary>
    private const int BlockDoubles = 8 * 1024;

    /// <summary>
    /// Multiply-adds below which a thread is not worth waking (about 0.2 ms of work: measured on 357 × 64, two threads
    /// took 3× one thread's 0.15 ms). The task count does not change the bits, only the speed.
    /// </summary>
    private const double MinWorkPerTask = 4e6;

    private readonly FeatureLayout<T> _layout;
    private readonly SimdWidth _width;
    private readonly int _stride;
    private readonly int _blockRows;
    private readonly int _panels;
    private readonly int _maxTasks;
    private ChunkRunner? _runner;
    private int[] _panelEnds = [];        // per task: its panels are [_panelEnds[t − 1], _panelEnds[t])
    private double[]?[] _blocks = [];    // per task
    private double[]?[] _scaled = [];    // per task: cᵢ·x̂ᵢⱼ of a panel
    private double[] _gram = [];         // count × stride × stride
    private IReadOnlyList<double[]> _curvatures = [];
    private double[]? _means;
    private double[]? _inverseScales;

    public GramBuilder(FeatureLayout<T> layout, int? maxDegreeOfParallelism)
    {
        _layout = layout;
        int d = layout.Columns;
        _stride = WeightedGram.Stride(d);
        _blockRows = Math.Min(Math.Clamp(BlockDoubles / _stride, 8, 512), Math.Max(1, layout.Data.Rows));
        _width = layout.Width;

        // Panels cover G's rows 0..d; each panel's work is proportional to its column count, j₀ + 4.
        _panels = (d + WeightedGram.PanelRows) / WeightedGram.PanelRows;
        _maxTasks = Math.Max(1, Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, _panels));
    }

    /// <summary>
    /// G = Σᵢ cᵢ·x̂ᵢx̂ᵢᵀ into <paramref name="destination"/>, (d + 1) × (d + 1) row-major, the intercept last.
    /// </summary>
    /// <param name="curvature">cᵢ, one per row.</param>
    /// <param name="means">μ for standardized features, or null.</param>
    /// <param name="scales">σ for standardized features, or null.</param>
    /// <param name="destination">Receives G (symmetric).</param>
    public void Compute(double[] curvature, ReadOnlySpan<double> means, ReadOnlySpan<double> scales, Span<double> destination) =>
        ComputeMany([curvature], means, scales, destination);

    /// <summary>
    /// One matrix per weight vector, Gₘ = Σᵢ cₘᵢ·x̂ᵢx̂ᵢᵀ, in one pass over the rows (each block of rows read and
    /// expanded once for all of them): <paramref name="destination"/> holds them one after another, each (d + 1)².
    /// Each entry is the same sum as <see cref="Compute"/> gives it alone.
    /// </summary>
    /// <param name="curvatures">The weight vectors, one per row each.</param>
    /// <param name="means">μ for standardized features, or null.</param>
    /// <param name="scales">σ for standardized features, or null.</param>
    /// <param name="destination">Receives the matrices (symmetric), count × (d + 1)².</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ComputeMany(IReadOnlyList<double[]> curvatures, ReadOnlySpan<double> means, ReadOnlySpan<double> scales, Span<double> destination)
    {
        int d = _layout.Columns, size = d + 1, count = curvatures.Count;
        _curvatures = curvatures;
        if (means.IsEmpty)
        {
            _means = null;
            _inverseScales = null;
        }
        else
        {
            _means ??= new double[d];
            _inverseScales ??= new double[d];
            means.CopyTo(_means);
            for (int j = 0; j < d; j++)
            {
                _inverseScales[j] = 1.0 / scales[j];
            }
        }

        int matrix = _stride * _stride;
        // Grown, never shrunk: a K-class Hessian's last group of blocks is smaller than the others.
        if (_gram.Length < count * matrix)
        {
            _gram = new double[checked(count * matrix)];
        }
        else
        {
            Array.Clear(_gram, 0, count * matrix);
        }

        // Threads by the whole pass's work (the task count changes no bits, only the speed).
        double work = (double)_layout.Data.Rows * _stride * _stride / 2 * count;
        int tasks = (int)Math.Max(1, Math.Min(_maxTasks, work / MinWorkPerTask));
        if (_runner is null || _runner.ChunkCount != tasks)
        {
            Partition(tasks);
            _runner = new ChunkRunner(tasks, tasks, Task);
        }

        try
        {
            _runner.Run();
        }
        finally
        {
            _curvatures = [];
        }

        // The lower triangles are the computed ones; mirror them.
        for (int m = 0; m < count; m++)
        {
            ReadOnlySpan<double> g = _gram.AsSpan(m * matrix, matrix);
            Span<double> output = destination.Slice(m * size * size, size * size);
            for (int j = 0; j < size; j++)
            {
                for (int k = 0; k <= j; k++)
                {
                    double value = g[(j * _stride) + k];
                    output[(j * size) + k] = value;
                    output[(k * size) + j] = value;
                }
            }
        }
    }

    /// <summary>Splits the panels among <paramref name="tasks"/> tasks of about equal work.</summary>
    private void Partition(int tasks)
    {
        _panelEnds = new int[tasks];
        double total = (double)_panels * (_panels + 1) / 2, done = 0;
        for (int t = 0, p = 0; t < tasks; t++)
        {
            double target = total * (t + 1) / tasks;
            for (; p < _panels && done < target; p++)
            {
                done += p + 1;
            }

            _panelEnds[t] = p;
        }

        _blocks = new double[tasks][];
        _scaled = new double[tasks][];
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Task(int task)
    {
        int rows = _layout.Data.Rows, d = _layout.Columns;
        double[] block = _blocks[task] ??= new double[_blockRows * _stride];
        double[] scaled = _scaled[task] ??= new double[_blockRows * WeightedGram.PanelRows];
        int firstPanel = task == 0 ? 0 : _panelEnds[task - 1], endPanel = _panelEnds[task];
        if (firstPanel == endPanel)
        {
            return;
        }

        for (int start = 0; start < rows; start += _blockRows)
        {
            int count = Math.Min(_blockRows, rows - start);
            for (int i = 0; i < count; i++)
            {
                Span<double> row = block.AsSpan(i * _stride, _stride);
                row.Clear();
                _layout.DenseRow(start + i, row[..d]);
                if (_means is not null)
                {
                    for (int j = 0; j < d; j++)
                    {
                        row[j] = (row[j] - _means[j]) * _inverseScales![j];
                    }
                }

                row[d] = 1;
            }

            int matrix = _stride * _stride;
            for (int m = 0; m < _curvatures.Count; m++)
            {
                ReadOnlySpan<double> c = _curvatures[m].AsSpan(start, count);
                Span<double> gram = _gram.AsSpan(m * matrix, matrix);
                for (int p = firstPanel; p < endPanel; p++)
                {
                    int j0 = p * WeightedGram.PanelRows;
                    switch (_width)
                    {
                        case SimdWidth.Vector512:
                            WeightedGram.AddPanel<Vector512<double>, Simd512>(block, count, _stride, c, j0, gram, scaled);
                            break;
                        case SimdWidth.Vector256:
                            WeightedGram.AddPanel<Vector256<double>, Simd256>(block, count, _stride, c, j0, gram, scaled);
                            break;
                        case SimdWidth.Vector128:
                            WeightedGram.AddPanel<Vector128<double>, Simd128>(block, count, _stride, c, j0, gram, scaled);
                            break;
                        default:
                            WeightedGram.AddPanel<double, SimdScalar>(block, count, _stride, c, j0, gram, scaled);
                            break;
                    }
                }
            }
        }
    }
}
