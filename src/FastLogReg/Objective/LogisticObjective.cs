using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Optimization;

namespace FastLogReg.Objective;

/// <summary>
/// The regularized logistic-regression objective over a local data set (dense rows or compressed sparse rows):
/// <code>
/// f(w, b) = (1/S) Σᵢ sᵢ·[softplus(zᵢ) − yᵢ·zᵢ] + P(w),   zᵢ = wᵀx̃ᵢ + b,   S = Σᵢ sᵢ
/// </code>
/// i.e. the weighted mean binary cross-entropy plus a penalty that never touches the intercept (L2: (λ/2)‖w‖²). sᵢ is
/// the row's sample weight (default 1) times its class weight (default 1); x̃ᵢ is xᵢ, or (xᵢ − μ)/σ with a
/// <see cref="FeatureScaling"/>. scikit-learn's <c>LogisticRegression(C)</c> minimizes the same function for λ = 1/(C·S).
/// The parameter vector is (w₀ … w_{d−1}, b), without b when the intercept is not fitted.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/> features; all sums are accumulated in double.</typeparam>
/// <remarks>
/// Each <see cref="Evaluate"/> is one fused pass over the data (value and gradient together), split into chunks fixed
/// by the data alone and reduced in chunk order: the result is bit-identical for any degree of parallelism.
/// Standardization rescales the parameters, not the data: nothing is copied, and sparse rows stay sparse. After
/// construction an evaluation allocates nothing. Not thread-safe: one evaluation at a time per instance.
/// </remarks>
public sealed class LogisticObjective<T> : IStochasticFunction, ITwiceDifferentiableFunction
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FeatureLayout<T> _layout;
    private readonly ChunkedBinomialLoss<T> _loss;
    private readonly RegularizedObjective _objective;
    private readonly CacheLineAligned _raw; // w′ then b′ of the point being evaluated
    private long _rowsProcessed;

    /// <summary>Creates the objective with an L2 penalty.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="l2">λ ≥ 0, the L2 strength.</param>
    /// <param name="fitIntercept">Whether b is a parameter (otherwise b = 0).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    /// <param name="scaling">Standardize the features with this scaling (inside the kernel); null for raw features.</param>
    /// <param name="classWeights">Class weights; null for none.</param>
    public LogisticObjective(
        Dataset<T> data,
        double l2 = 0,
        bool fitIntercept = true,
        int? maxDegreeOfParallelism = null,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
        : this(data, CheckedL2(l2), fitIntercept, maxDegreeOfParallelism, scaling, classWeights)
    {
    }

    /// <summary>Creates the objective with any smooth penalty.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="penalty">P(w); <see cref="Penalty.None"/> for none.</param>
    /// <param name="fitIntercept">Whether b is a parameter (otherwise b = 0).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    /// <param name="scaling">Standardize the features with this scaling; null for raw features.</param>
    /// <param name="classWeights">Class weights; null for none.</param>
    public LogisticObjective(
        Dataset<T> data,
        Penalty penalty,
        bool fitIntercept = true,
        int? maxDegreeOfParallelism = null,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
        : this(data, penalty, fitIntercept, maxDegreeOfParallelism, widthCap: null, scaling, classWeights)
    {
    }

    internal LogisticObjective(
        Dataset<T> data,
        double l2,
        bool fitIntercept,
        int? maxDegreeOfParallelism,
        SimdWidth? widthCap,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
        : this(data, CheckedL2(l2), fitIntercept, maxDegreeOfParallelism, widthCap, scaling, classWeights)
    {
    }

    internal LogisticObjective(
        Dataset<T> data,
        Penalty penalty,
        bool fitIntercept,
        int? maxDegreeOfParallelism,
        SimdWidth? widthCap,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null,
        bool? columnMajor = null,
        bool oneThread = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(penalty);
        Require.DegreeOfParallelism(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (scaling is not null && scaling.Columns != data.Columns)
        {
            throw new ArgumentException($"The scaling has {scaling.Columns} columns but the data has {data.Columns}.", nameof(scaling));
        }

        Data = data;
        _layout = FeatureLayout<T>.For(data, widthCap, oneThread);
        ClassTotals totals = Totals(_layout);
        (double cw0, double cw1) = (classWeights ?? ClassWeights.None).Resolve(totals);
        double totalWeight = totals.TotalWeight([cw0, cw1]);
        _loss = new ChunkedBinomialLoss<T>(_layout, oneThread ? 1 : maxDegreeOfParallelism, cw0, cw1, totalWeight, columnMajor);
        _objective = new RegularizedObjective(_loss, penalty, fitIntercept, scaling);
        _raw = new CacheLineAligned(data.Columns + 1);
    }

    /// <summary>The objective of <paramref name="source"/>'s data, scaling, class weights and intercept with another penalty, sharing its rows' sums (one evaluation at a time across both).</summary>
    private LogisticObjective(LogisticObjective<T> source, Penalty penalty)
    {
        Data = source.Data;
        _layout = source._layout;
        _loss = source._loss;
        _objective = new RegularizedObjective(_loss, penalty, source.FitIntercept, source.Scaling);
        _raw = source._raw; // scratch of one evaluation: shared, as the rows' sums are (one of the two at a time)
    }

    /// <summary>
    /// This objective with <paramref name="penalty"/> instead, sharing the layout and the rows' sums (and a sparse column
    /// copy, built once): for a sequence of fits such as the regularization path. Use one of the two at a time.
    /// </summary>
    internal LogisticObjective<T> WithPenalty(Penalty penalty) => new(this, penalty);

    /// <summary>The data the objective is evaluated on.</summary>
    public Dataset<T> Data { get; }

    /// <summary>λ when the penalty is L2 (0 for none); NaN for other penalties.</summary>
    public double L2 => Penalty is L2Penalty l2 ? l2.Lambda : double.NaN;

    /// <summary>The penalty.</summary>
    public Penalty Penalty => _objective.Penalty;

    /// <summary>Whether the last parameter is the intercept b.</summary>
    public bool FitIntercept => _objective.FitIntercept;

    /// <summary>The standardization applied inside the kernel, or null.</summary>
    public FeatureScaling? Scaling => _objective.Scaling;

    /// <summary>S = Σᵢ sᵢ, the total row weight (sample × class weights; the row count when unweighted).</summary>
    public double TotalWeight => _loss.TotalWeight;

    /// <inheritdoc/>
    public int Dimension => _objective.Dimension;

    /// <inheritdoc/>
    public int SampleCount => Data.Rows;

    /// <summary>The data term (1/S) Σᵢ sᵢ·ℓᵢ of the most recent evaluation, without the penalty.</summary>
    public double LastLoss => _objective.LastLoss;

    /// <summary>Full evaluations so far (each is one pass over the data).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Passes over the data so far: rows processed by full and mini-batch evaluations, divided by the row count.</summary>
    public double DataPasses => ((double)_rowsProcessed / Data.Rows) + HessianProducts + _objective.CurvaturePasses + _objective.HessianMatrices;

    /// <summary>Hessian-vector products so far (each is one pass over the data).</summary>
    public long HessianProducts { get; private set; }

    /// <summary>Threads an evaluation uses at most (never more than the number of chunks).</summary>
    public int DegreeOfParallelism => _loss.DegreeOfParallelism;

    /// <summary>The rows' sums as a source for other objectives (a distributed driver, a Newton solver's Hessian).</summary>
    internal ChunkedBinomialLoss<T> Loss => _loss;

    internal FeatureLayout<T> Layout => _layout;

    internal SimdWidth Width => _layout.Width;

    internal int ChunkCount => _layout.Partition.ChunkCount;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="Dimension"/>.</exception>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        _objective.CheckLengths(point, gradient);
        int d = Data.Columns;
        _objective.ToRaw(point, _raw.Slice(0, d), out _raw[d]);
        _loss.Evaluate(_raw.Slice(0, d), _raw[d], gradient[..d], out double loss, out double residual);
        Evaluations++;
        _rowsProcessed += Data.Rows;
        return _objective.Finish(point, gradient, loss, residual, TotalWeight);
    }

    /// <inheritdoc/>
    /// <remarks>Gathers the rows into an internal buffer (reused; created on first use) and runs the fused kernel on one thread.</remarks>
    public double EvaluateSamples(ReadOnlySpan<double> point, Span<double> gradient, ReadOnlySpan<int> samples)
    {
        _objective.CheckLengths(point, gradient);
        if (samples.IsEmpty)
        {
            throw new ArgumentException("The batch has no rows.", nameof(samples));
        }

        int d = Data.Columns;
        _objective.ToRaw(point, _raw.Slice(0, d), out _raw[d]);
        double total = _loss.EvaluateSamples(_raw.Slice(0, d), _raw[d], samples, gradient, out double loss, out double residual);
        _rowsProcessed += samples.Length;

        // A batch of zero-weight rows carries no information: only the penalty's gradient remains.
        return _objective.Finish(point, gradient, loss, residual, total > 0 ? total : 1);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// At the most recently evaluated point: the rows' curvature cᵢ = sᵢσ(zᵢ)(1 − σ(zᵢ)) is cached on the first product
    /// after an evaluation (one pass, n doubles kept), then each product is one fused pass — the dots xᵢᵀu and the
    /// accumulation Σ cᵢ(xᵢᵀu)xᵢ block by block, bit-identical for any degree of parallelism.
    /// </remarks>
    public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
    {
        _objective.HessianVector(direction, product);
        HessianProducts++;
    }

    /// <inheritdoc/>
    public bool TryGetHessianDiagonal(Span<double> diagonal) => _objective.TryGetHessianDiagonal(diagonal);

    /// <inheritdoc/>
    public bool TryGetPreconditioner(Span<double> preconditioner) => _objective.TryGetPreconditioner(preconditioner);

    /// <inheritdoc/>
    /// <remarks>
    /// One pass over the rows (counted in <see cref="DataPasses"/>, after the curvature pass) with O(n·d²/2)
    /// multiply-adds: the rows of the matrix are split among the threads, each entry one sequential sum over the rows,
    /// so the matrix is bit-identical for any degree of parallelism. Up to <see cref="RegularizedObjective.MaxHessianDimension"/> parameters.
    /// </remarks>
    public bool TryGetHessian(Span<double> hessian) => _objective.TryGetHessian(hessian);

    /// <summary>Whole Hessians built so far (<see cref="TryGetHessian"/>).</summary>
    public long HessianMatrices => _objective.HessianMatrices;

    /// <summary>sᵢ, the weight of row <paramref name="row"/>: its sample weight (1 when unweighted) times its class's weight.</summary>
    internal double RowWeight(int row)
    {
        double sample = Data.HasSampleWeights ? double.CreateTruncating(Data.SampleWeights.Span[row]) : 1.0;
        return sample * (Data.Labels.Span[row] == T.One ? _loss.ClassWeight1 : _loss.ClassWeight0);
    }

    /// <summary>The class totals of the data, from per-chunk totals merged in chunk order.</summary>
    private static ClassTotals Totals(FeatureLayout<T> layout)
    {
        var totals = new ClassTotals(2);
        for (int c = 0; c < layout.Partition.ChunkCount; c++)
        {
            (int start, int count) = layout.Partition[c];
            totals.Add(ClassTotals.Of(layout.Data, start, count));
        }

        return totals;
    }

    private static Penalty CheckedL2(double l2)
    {
        Require.L2(l2, nameof(l2));
        return Penalty.L2(l2);
    }
}
