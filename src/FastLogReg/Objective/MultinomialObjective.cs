using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>
/// The K-class logistic-regression objective over a local data set (dense or sparse rows):
/// <code>
/// multinomial:  f(W, b) = (1/S) Σᵢ sᵢ·[logsumexp(zᵢ) − z_{i,yᵢ}] + P(W),          zᵢ = W x̃ᵢ + b ∈ ℝᴷ
/// one-vs-rest:  f(W, b) = (1/S) Σᵢ sᵢ·Σₖ [softplus(zᵢₖ) − [yᵢ = k]·zᵢₖ] + P(W)
/// </code>
/// with the penalty on W only (never on b). The parameter vector is W (K rows of d, row-major) then b (K values; absent
/// when the intercept is not fitted). One-vs-rest is K independent binary problems, each normalized by S, summed: its
/// minimum is every binary problem's minimum at once — one pass over the data serves all K.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/> features; all sums in double.</typeparam>
/// <remarks>
/// One fused pass per evaluation (each load of x serves all K classes), chunks fixed by the data, folded in chunk order:
/// bit-identical for any degree of parallelism. With K = 2 the multinomial model is over-parameterized: its loss depends
/// on w = w₁ − w₀ alone, the penalty (λ/2)(‖w₀‖² + ‖w₁‖²) is smallest at w₁ = −w₀ = w/2, where it is (λ/4)‖w‖², so its
/// decision function z₁ − z₀ is the binary model's wᵀx + b at half the λ. Not thread-safe: one evaluation at a time.
/// </remarks>
public sealed class MultinomialObjective<T> : ITwiceDifferentiableFunction, IShiftInvariant
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FeatureLayout<T> _layout;
    private readonly ChunkRunner _runner;
    private readonly double[] _classWeights;
    private readonly double[] _raw;          // W′ (in the layout's orientation) then b′
    private readonly double[] _rawClassMajor; // W′ class-major, for the conversions
    private readonly ChunkParts _parts;
    private readonly double[] _partialGradients; // one slot of _stride doubles (K·d, padded) per unit
    private readonly double[] _partialResiduals; // units × K
    private readonly double[] _partialLoss;
    private readonly double[] _fold;              // the folded gradient in the layout's orientation
    private readonly int _stride;
    private long _evaluations;
    private double[]? _lastPoint;      // the point of the most recent evaluation, where the Hessian is taken
    private double[]? _scores;         // K × n: probabilities at the last point (for the Hessian), on first use
    private double[]? _rowWeights;     // n: sᵢ·cw(yᵢ)
    private List<double[]>? _blockWeights; // n per block of a group
    private double[]? _gramBlock;      // a group's matrices, (d + 1)² each
    private GramBuilder<T>? _gram;
    private bool _probabilitiesCurrent; // _scores holds the probabilities at _lastPoint
    private bool _hessianPass;          // the runner's pass is the Hessian-vector one (MatrixFreeProduct)
    private double[]? _diagonalSums;    // the folded diagonal sums, then one slot per thread of the curvature pass (SoftmaxCurvature.SlotLength each)
    private double[]? _curvatureRaw;    // the curvature pass's point on raw features: W (class-major), then b
    private ChunkRunner? _curvatureRunner; // one unit per thread: a wave of the curvature pass's chunks
    private int _curvatureWave;         // the wave's first chunk
    private bool _curvatureDiagonal;    // whether the pass takes the diagonal's sums
    private bool _diagonalCurrent;      // _diagonalSums holds the folded sums at _lastPoint
    private readonly int? _maxDegreeOfParallelism;
    private bool _floatPass;                   // this evaluation runs the float pass
    private double _rowWeightMagnitude = double.NaN; // max sᵢ·cw(yᵢ), on the first float pass

    /// <summary>Creates the objective.</summary>
    /// <param name="data">The training data; its labels are class ids 0 … K − 1 (K = <see cref="Dataset{T}.ClassCount"/>).</param>
    /// <param name="penalty">P(W); <see cref="Penalty.None"/> for none.</param>
    /// <param name="oneVsRest">K binary losses instead of the softmax.</param>
    /// <param name="fitIntercept">Whether b is a parameter.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    /// <param name="scaling">Standardize the features (in parameter space); null for raw features.</param>
    /// <param name="classWeights">Class weights; null for none.</param>
    public MultinomialObjective(
        Dataset<T> data,
        Penalty penalty,
        bool oneVsRest = false,
        bool fitIntercept = true,
        int? maxDegreeOfParallelism = null,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
        : this(data, penalty, oneVsRest, fitIntercept, maxDegreeOfParallelism, null, scaling, classWeights)
    {
    }

    internal MultinomialObjective(
        Dataset<T> data,
        Penalty penalty,
        bool oneVsRest,
        bool fitIntercept,
        int? maxDegreeOfParallelism,
        SimdWidth? widthCap,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(penalty);
        Require.DegreeOfParallelism(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (scaling is not null && scaling.Columns != data.Columns)
        {
            throw new ArgumentException($"The scaling has {scaling.Columns} columns but the data has {data.Columns}.", nameof(scaling));
        }

        Data = data;
        Penalty = penalty;
        OneVsRest = oneVsRest;
        FitIntercept = fitIntercept;
        Scaling = scaling;
        _layout = FeatureLayout<T>.For(data, widthCap);
        var totals = new ClassTotals(data.ClassCount);
        for (int c = 0; c < _layout.Partition.ChunkCount; c++)
        {
            (int start, int count) = _layout.Partition[c];
            totals.Add(ClassTotals.Of(data, start, count));
        }

        _classWeights = (classWeights ?? ClassWeights.None).ResolveAll(totals);
        TotalWeight = totals.TotalWeight(_classWeights);
        int k = Classes, d = data.Columns;
        _stride = (((k * d) + 7) & ~7) + 8;
        _raw = new double[(k * d) + k];
        _rawClassMajor = new double[k * d];
        _parts = new ChunkParts(_layout.Partition, k, d, _layout.Partition.ChunkCount, data is DenseDataset<T> ? Unsafe.SizeOf<T>() : 0);
        _partialGradients = new double[checked(_parts.Count * _stride)];
        _partialResiduals = new double[_parts.Count * k];
        _partialLoss = new double[_parts.Count];
        _fold = new double[k * d];
        _runner = new ChunkRunner(_parts.Count, maxDegreeOfParallelism, ProcessChunk);
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        _shiftGroups = oneVsRest ? [] : [.. Enumerable.Range(0, d).Select(j => (j, d)), .. fitIntercept ? [(k * d, 1)] : Array.Empty<(int, int)>()];
    }

    private readonly (int First, int Stride)[] _shiftGroups;

    /// <inheritdoc/>
    int IShiftInvariant.ShiftGroupSize => Classes;

    /// <inheritdoc/>
    /// <remarks>The softmax's: each column's K weights (stride d) and the K intercepts; none for one-vs-rest.</remarks>
    IReadOnlyList<(int First, int Stride)> IShiftInvariant.ShiftGroups => _shiftGroups;

    /// <inheritdoc/>
    /// <remarks>The penalty's L2 strength on a column's group (its smooth part is that times ‖W‖²/2: the curvature bound is exact for L2 and the elastic net), 0 on the intercepts'.</remarks>
    double IShiftInvariant.ShiftCurvature(int group) => group < Data.Columns ? Penalty.CurvatureBound : 0;

    /// <summary>The data.</summary>
    public Dataset<T> Data { get; }

    /// <summary>K.</summary>
    public int Classes => Data.ClassCount;

    /// <summary>The penalty on W.</summary>
    public Penalty Penalty { get; }

    /// <summary>Whether the loss is K binary losses (one-vs-rest) rather than the softmax.</summary>
    public bool OneVsRest { get; }

    /// <summary>Whether the last K parameters are the intercepts.</summary>
    public bool FitIntercept { get; }

    /// <summary>
    /// Whether the pass over dense float rows computes in float (twice the lanes per instruction: the products, and the
    /// multinomial softmax; every sum across float partials, and the loss's, in double): the objective and gradient then
    /// agree with the double pass to about 10⁻⁷ relative rather than to its last bits. Used where the registers hold at least 8 floats and a row at
    /// least one register; ignored for double or sparse rows, and an evaluation whose products could leave the float
    /// range (|x|·|w| over a row, or the row weights times |x|, near 10³⁶) runs in double. Off by default; may be switched
    /// between evaluations.
    /// </summary>
    public bool FloatProducts { get; set; }

    /// <summary>Whether <see cref="FloatProducts"/> takes effect on this data and machine (dense float rows, 256-bit SIMD or wider, rows of at least one register).</summary>
    public bool FloatProductsSupported => _layout.SupportsFloatProducts;

    /// <summary>The standardization, or null.</summary>
    public FeatureScaling? Scaling { get; }

    /// <summary>S, the total row weight.</summary>
    public double TotalWeight { get; }

    /// <summary>The class weights in effect, one per class.</summary>
    public ReadOnlySpan<double> ClassWeightValues => _classWeights;

    /// <inheritdoc/>
    public int Dimension => (Classes * Data.Columns) + (FitIntercept ? Classes : 0);

    /// <summary>The data term of the most recent evaluation, without the penalty.</summary>
    public double LastLoss { get; private set; }

    /// <summary>Passes over the data so far (evaluations, and the Hessians': a pass for the probabilities at each new point, and the matrix blocks' or the products' passes).</summary>
    public double DataPasses => _evaluations + HessianPasses;

    /// <summary>Passes over the data made for Hessians so far.</summary>
    public long HessianPasses { get; private set; }

    /// <inheritdoc/>
    /// <remarks>
    /// The whole matrix over (W, b), W class-major then the K intercepts, at the most recently evaluated point: block
    /// (k, l) is (1/S) Σᵢ sᵢ·pᵢₖ(δₖₗ − pᵢₗ)·x̂ᵢx̂ᵢᵀ for the softmax (pᵢₖ(1 − pᵢₖ) on the diagonal blocks only, for one-vs-rest),
    /// x̂ᵢ = ((xᵢ − μ)/σ, 1) when standardized, plus the penalty's curvature on W. A pass for the probabilities, then blocked
    /// weighted-Gram passes computing every block (K(K + 1)/2 of them; K for one-vs-rest) at once — one pass unless the
    /// blocks' row weights exceed 128 MB: O(n·K²·d²/4) multiply-adds, bit-identical
    /// for any thread count. The softmax's matrix has only the penalty's curvature along equal shifts of every class
    /// (none for the intercepts): Newton-Cholesky solves along those directions apart (<see cref="ShiftDeflation"/>). False beyond
    /// <see cref="RegularizedObjective.MaxHessianDimension"/> parameters.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="hessian"/> does not hold Dimension² values.</exception>
    /// <exception cref="InvalidOperationException">Nothing has been evaluated yet.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryGetHessian(Span<double> hessian)
    {
        int n = Dimension, k = Classes, d = Data.Columns, kd = k * d, size = d + 1, rows = Data.Rows;
        if (hessian.Length != (long)n * n)
        {
            throw new ArgumentException($"The Hessian span has {hessian.Length} elements but the objective's Hessian has {n} × {n}.", nameof(hessian));
        }

        if (n > RegularizedObjective.MaxHessianDimension)
        {
            return false;
        }

        if (_lastPoint is null)
        {
            throw new InvalidOperationException("The Hessian is taken at the most recently evaluated point: call Evaluate first.");
        }

        EnsureProbabilities();
        _gramBlock ??= new double[size * size];
        _gram ??= new GramBuilder<T>(_layout, _maxDegreeOfParallelism);
        double inverse = 1.0 / TotalWeight;
        ReadOnlySpan<double> means = Scaling is null ? default : Scaling.Means, scales = Scaling is null ? default : Scaling.Scales;
        hessian.Clear();

        // The blocks (a, c), c ≤ a (c = a only, for one-vs-rest), in groups whose weight vectors fit in about 128 MB:
        // one pass over the rows per group, every block of rows expanded once for all of the group's blocks.
        var blocks = new List<(int A, int C)>();
        for (int a = 0; a < k; a++)
        {
            for (int c = OneVsRest ? a : 0; c <= a; c++)
            {
                blocks.Add((a, c));
            }
        }

        int group = (int)Math.Clamp((16L << 20) / Math.Max(1, rows), 1, blocks.Count);
        _blockWeights ??= new List<double[]>();
        for (int first = 0; first < blocks.Count; first += group)
        {
            int count = Math.Min(group, blocks.Count - first);
            while (_blockWeights.Count < count)
            {
                _blockWeights.Add(new double[rows]);
            }

            for (int b = 0; b < count; b++)
            {
                (int a, int c) = blocks[first + b];
                ReadOnlySpan<double> pa = _scores.AsSpan(a * rows, rows), pc = _scores.AsSpan(c * rows, rows);
                double[] weightsOfBlock = _blockWeights[b];
                for (int i = 0; i < rows; i++)
                {
                    weightsOfBlock[i] = _rowWeights[i] * (a == c ? pa[i] * (1 - pa[i]) : -pa[i] * pc[i]);
                }
            }

            if (_gramBlock is null || _gramBlock.Length < count * size * size)
            {
                _gramBlock = new double[count * size * size];
            }

            _gram.ComputeMany(count == _blockWeights.Count ? _blockWeights : _blockWeights.GetRange(0, count), means, scales, _gramBlock);
            HessianPasses++;
            for (int b = 0; b < count; b++)
            {
                (int a, int c) = blocks[first + b];
                Place(hessian, a, c, b, inverse);
                if (a != c)
                {
                    Place(hessian, c, a, b, inverse);
                }
            }
        }

        // The penalty's curvature on W; never on b.
        Penalty.AddHessianInto(hessian, n, kd);
        return true;

        // Block (a, c) of the matrix from Gram matrix number m (intercept last): W rows/columns and the intercepts.
        void Place(Span<double> h, int a, int c, int m, double scale)
        {
            ReadOnlySpan<double> g = _gramBlock.AsSpan(m * size * size, size * size);
            for (int j = 0; j < size; j++)
            {
                if (j == d && !FitIntercept)
                {
                    break;
                }

                int row = j < d ? (a * d) + j : kd + a;
                for (int q = 0; q < size; q++)
                {
                    if (q == d && !FitIntercept)
                    {
                        break;
                    }

                    int column = q < d ? (c * d) + q : kd + c;
                    h[(row * n) + column] = g[(j * size) + q] * scale;
                }
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Without the matrix, for any K·d: one pass over the rows shaped as an evaluation (<see cref="MatrixFreeProduct"/>),
    /// after a pass for the probabilities once per evaluated point. Bit-identical for any thread count.
    /// </remarks>
    public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
    {
        int n = Dimension;
        if (direction.Length != n || product.Length != n)
        {
            throw new ArgumentException($"The direction and product need {n} values; got {direction.Length} and {product.Length}.", nameof(direction));
        }

        MatrixFreeProduct(direction, product);
    }

    /// <summary>
    /// The probabilities at the most recently evaluated point into <c>_scores</c> (K × n, class-major) and the rows' weights
    /// sᵢ·cw(yᵢ) into <c>_rowWeights</c>, once per point — with <paramref name="diagonal"/> also the Hessian diagonal's sums
    /// into <c>_diagonalSums</c> — in one pass over each chunk on raw parameters (<see cref="FeatureLayout{T}.SoftmaxCurvature"/>: fused over dense rows).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_scores), nameof(_rowWeights))]
    private void EnsureProbabilities(bool diagonal = false)
    {
        int k = Classes, d = Data.Columns, kd = k * d, rows = Data.Rows, slot = SoftmaxCurvature.SlotLength(k, d);
        _scores ??= new double[checked(k * rows)];
        if (_rowWeights is null)
        {
            _rowWeights = new double[rows];
            RowWeights(_rowWeights, 1.0);
        }

        if (_probabilitiesCurrent && (!diagonal || _diagonalCurrent))
        {
            return;
        }

        // One pass over each chunk (the probabilities, and the diagonal's sums from zero when asked), the chunks' sums
        // folded in chunk order — as a sharded fit folds its shards' chunks. The chunks run on the objective's threads a
        // wave at a time (one chunk per thread, each into its own slot), and each wave's slots are folded in order.
        _curvatureRaw ??= new double[kd + k];
        ToRaw(_lastPoint, _curvatureRaw.AsSpan(0, kd), _curvatureRaw.AsSpan(kd, k));
        int chunks = _layout.Partition.ChunkCount, lanes = CurvatureLanes;
        if (diagonal)
        {
            _diagonalSums ??= new double[checked((1 + lanes) * slot)];
        }

        _curvatureDiagonal = diagonal;
        _curvatureRunner ??= new ChunkRunner(lanes, lanes, CurvatureChunk);
        Span<double> folded = diagonal ? _diagonalSums.AsSpan(0, slot) : default;
        for (int wave = 0; wave < chunks; wave += lanes)
        {
            _curvatureWave = wave;
            _curvatureRunner.Run();
            for (int i = wave == 0 ? 1 : 0; diagonal && i < lanes && wave + i < chunks; i++)
            {
                TensorPrimitives.Add(folded, _diagonalSums.AsSpan((1 + i) * slot, slot), folded);
            }
        }

        HessianPasses++;
        _probabilitiesCurrent = true;
        _diagonalCurrent = diagonal;
    }

    /// <summary>
    /// Threads of the curvature pass: one per chunk up to the objective's, while their slots stay within 64 MB together
    /// (a wide model's slots are large: K + 2·K·d doubles each); beyond that fewer, down to one (the caller's thread
    /// alone with two slots, as the pass ran before it had threads).
    /// </summary>
    internal int CurvatureLanes =>
        (int)Math.Max(1, Math.Min(Math.Min(_runner.DegreeOfParallelism, _layout.Partition.ChunkCount), (8L << 20) / SoftmaxCurvature.SlotLength(Classes, Data.Columns)));

    /// <summary>
    /// The curvature pass's chunk <c>_curvatureWave</c> + <paramref name="lane"/> (when there is one) into the lane's
    /// slot — chunk 0's sums straight into the folded total, where the later chunks are added.
    /// </summary>
    private void CurvatureChunk(int lane)
    {
        int chunk = _curvatureWave + lane;
        if (chunk >= _layout.Partition.ChunkCount)
        {
            return;
        }

        int k = Classes, kd = k * Data.Columns, slot = SoftmaxCurvature.SlotLength(k, Data.Columns);
        (int start, int count) = _layout.Partition[chunk];
        Span<double> sums = _curvatureDiagonal ? _diagonalSums.AsSpan(chunk == 0 ? 0 : (1 + lane) * slot, slot) : default;
        _layout.SoftmaxCurvature(start, count, _curvatureRaw.AsSpan(0, kd), _curvatureRaw.AsSpan(kd, k), _classWeights, OneVsRest, _scores, Data.Rows, sums);
    }

    /// <summary>Each row's weight sᵢ·cw(yᵢ) times <paramref name="scale"/> into <paramref name="destination"/> (n values).</summary>
    internal void RowWeights(Span<double> destination, double scale)
    {
        ReadOnlySpan<T> labels = Data.Labels.Span;
        ReadOnlySpan<T> sample = Data.SampleWeights.Span;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (Data.HasSampleWeights ? double.CreateTruncating(sample[i]) : 1.0) * _classWeights[int.CreateTruncating(labels[i])] * scale;
        }
    }

    /// <summary>
    /// ∇²f·v without the matrix: one pass over the rows shaped as an evaluation (each row's K scores of the direction
    /// uᵢ = V x̂ᵢ + v_b, then sᵢ·pᵢₖ(uᵢₖ − Σₗ pᵢₗuᵢₗ), accumulated against xᵢ), chunks folded in chunk order — bit-identical
    /// for any thread count — then the standardization's chain rule, the normalization and the penalty's curvature on W.
    /// The probabilities at the point take one pass, once per point.
    /// </summary>
    private void MatrixFreeProduct(ReadOnlySpan<double> direction, Span<double> product)
    {
        if (_lastPoint is null)
        {
            throw new InvalidOperationException("The Hessian is taken at the most recently evaluated point: call Evaluate first.");
        }

        EnsureProbabilities();
        int k = Classes, d = Data.Columns, kd = k * d;
        StageRaw(direction);
        _hessianPass = true;
        try
        {
            _runner.Run();
        }
        finally
        {
            _hessianPass = false;
        }

        Span<double> sums = stackalloc double[k];
        FoldUnits(product[..kd], sums);
        SoftmaxCurvature.FinishProduct(direction, product, sums, k, d, Scaling, Penalty, TotalWeight, FitIntercept);
        HessianPasses++;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Entry (k, j): (1/S) Σᵢ sᵢ·pᵢₖ(1 − pᵢₖ)·x̂ᵢⱼ² plus the penalty's curvature (the softmax's diagonal blocks and
    /// one-vs-rest's alike), the intercepts' without the penalty — trust-region Newton's preconditioner. Its sums come
    /// with the probabilities in one pass (once per point), the chunks on the objective's threads, each chunk's from
    /// zero and folded in chunk order: bit-identical for any thread count and to a sharded fit's.
    /// </remarks>
    public bool TryGetHessianDiagonal(Span<double> diagonal)
    {
        if (diagonal.Length != Dimension || _lastPoint is null)
        {
            return false;
        }

        EnsureProbabilities(diagonal: true);
        SoftmaxCurvature.Diagonal(_diagonalSums!.AsSpan(0, SoftmaxCurvature.SlotLength(Classes, Data.Columns)), Classes, Data.Columns, Scaling, TotalWeight, Penalty.CurvatureBound, FitIntercept, diagonal);
        return true;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The Hessian's diagonal averaged over the classes per column (and over the intercepts), then itself on dense rows
    /// and LIBLINEAR's mix on sparse ones (<see cref="Preconditioning"/>): a preconditioner that scales every class of a
    /// column alike keeps conjugate gradients off the directions the softmax cannot see.
    /// </remarks>
    public bool TryGetPreconditioner(Span<double> preconditioner)
    {
        if (!TryGetHessianDiagonal(preconditioner))
        {
            return false;
        }

        Preconditioning.ClassUniform(preconditioner, Classes, Data.Columns, FitIntercept);
        Preconditioning.ForRows(preconditioner, Data is SparseDataset<T>);
        return true;
    }

    /// <summary>Threads an evaluation uses at most.</summary>
    public int DegreeOfParallelism => _runner.DegreeOfParallelism;

    internal int ChunkCount => _layout.Partition.ChunkCount;

    /// <summary>Work units per pass (chunks, or their parts on data sets of few chunks: <see cref="ChunkParts"/>).</summary>
    internal int WorkUnits => _parts.Count;

    internal FeatureLayout<T> Layout => _layout;

    /// <inheritdoc/>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        if (point.Length != Dimension || gradient.Length != Dimension)
        {
            throw new ArgumentException($"The point and gradient need {Dimension} values (K = {Classes} rows of d = {Data.Columns}{(FitIntercept ? ", then K intercepts" : string.Empty)}); got {point.Length} and {gradient.Length}.", nameof(point));
        }

        int k = Classes, kd = k * Data.Columns;
        StageRaw(point);
        _floatPass = FloatProducts && _layout.SupportsFloatProducts && FloatRangeHolds();
        _runner.Run();
        Span<double> residual = stackalloc double[k];
        double loss = FoldUnits(gradient[..kd], residual);

        _evaluations++;
        _lastPoint ??= new double[Dimension];
        point.CopyTo(_lastPoint);
        _probabilitiesCurrent = false;
        double value = Finish(point, gradient, residual, loss, TotalWeight, Scaling, Penalty, FitIntercept, k, Data.Columns, out double lastLoss);
        LastLoss = lastLoss;
        return value;
    }

    /// <summary>(W, b) — a point or a direction — to the raw parameters the pass reads, in the layout's orientation.</summary>
    private void StageRaw(ReadOnlySpan<double> parameters)
    {
        int k = Classes, d = Data.Columns, kd = k * d;
        ToRaw(parameters, _rawClassMajor, _raw.AsSpan(kd, k));
        if (_layout.FeatureMajorClasses)
        {
            Transpose(_rawClassMajor, k, d, _raw.AsSpan(0, kd));
        }
        else
        {
            _rawClassMajor.CopyTo(_raw.AsSpan(0, kd));
        }
    }

    /// <summary>
    /// The pass's per-unit sums folded: each chunk's parts into its first unit, in part order; then the chunks' sums in
    /// chunk order — the class-major sums into <paramref name="weights"/> (K·d), the K per-class sums into
    /// <paramref name="sums"/>; returns the loss sum.
    /// </summary>
    private double FoldUnits(Span<double> weights, Span<double> sums)
    {
        int k = Classes, d = Data.Columns, kd = k * d, chunks = _layout.Partition.ChunkCount;
        for (int c = 0; c < chunks; c++)
        {
            _parts.Fold(c, kd, k, _stride, _partialGradients, _partialResiduals, _partialLoss);
        }

        _partialGradients.AsSpan(0, kd).CopyTo(_fold);
        _partialResiduals.AsSpan(0, k).CopyTo(sums);
        double loss = _partialLoss[0];
        for (int c = 1; c < chunks; c++)
        {
            int u = _parts.FirstUnit(c);
            TensorPrimitives.Add(_fold, _partialGradients.AsSpan(u * _stride, kd), _fold);
            TensorPrimitives.Add(sums, _partialResiduals.AsSpan(u * k, k), sums);
            loss += _partialLoss[u];
        }

        if (_layout.FeatureMajorClasses)
        {
            Transpose(_fold, d, k, weights);
        }
        else
        {
            _fold.CopyTo(weights);
        }

        return loss;
    }

    /// <summary>
    /// From raw sums folded in chunk order — Σ of the class-major gradient sums already in <paramref name="gradient"/>[..K·d],
    /// the K residual sums, the loss sum — over rows of total weight <paramref name="totalWeight"/>, to the objective and
    /// its gradient at <paramref name="point"/>: the chain rule of the standardization, the normalization, the penalty.
    /// The local objective and a sharded one finish through this, so their bits agree.
    /// </summary>
    internal static double Finish(ReadOnlySpan<double> point, Span<double> gradient, ReadOnlySpan<double> residual, double loss, double totalWeight, FeatureScaling? scaling, Penalty penalty, bool fitIntercept, int k, int d, out double lastLoss)
    {
        int kd = k * d;
        Span<double> gw = gradient[..kd];
        double inverse = 1.0 / totalWeight;
        SoftmaxCurvature.ToStandardizedAndNormalized(gw, residual, k, d, scaling, inverse);
        ReadOnlySpan<double> w = point[..kd];
        penalty.AddGradient(w, gw);
        if (fitIntercept)
        {
            TensorPrimitives.Multiply(residual, inverse, gradient.Slice(kd, k));
        }

        lastLoss = loss * inverse;
        return lastLoss + penalty.Value(w);
    }

    /// <summary>(W, b) → the raw-feature parameters (class-major W′, b′).</summary>
    internal void ToRaw(ReadOnlySpan<double> point, Span<double> weights, Span<double> biases) =>
        ToRaw(point, weights, biases, Classes, Data.Columns, FitIntercept, Scaling);

    /// <summary>(W, b) → the raw-feature parameters (class-major W′, b′), for K classes of d columns.</summary>
    internal static void ToRaw(ReadOnlySpan<double> point, Span<double> weights, Span<double> biases, int k, int d, bool fitIntercept, FeatureScaling? scaling)
    {
        for (int c = 0; c < k; c++)
        {
            double b = fitIntercept ? point[(k * d) + c] : 0.0;
            if (scaling is null)
            {
                point.Slice(c * d, d).CopyTo(weights.Slice(c * d, d));
                biases[c] = b;
            }
            else
            {
                scaling.ToRaw(point.Slice(c * d, d), b, weights.Slice(c * d, d), out biases[c]);
            }
        }
    }

    /// <summary>
    /// Whether the float pass stays far inside the float range at the current W: a score's partial sums at most 256
    /// products |x|·|w|, a gradient entry's at most 128 products |residual|·|x| with |residual| ≤ sᵢ·cw(yᵢ), and W and the
    /// row weights are rounded to float — each bound kept below 10³⁶ (float's largest is 3.4·10³⁸). Otherwise the
    /// evaluation runs in double: a float pass would overflow to ∞ or NaN where the double one is finite.
    /// </summary>
    private bool FloatRangeHolds()
    {
        const double Limit = 1e36;
        if (double.IsNaN(_rowWeightMagnitude))
        {
            double sample = Data.HasSampleWeights ? Math.Abs(TensorPrimitives.MaxMagnitude<float>(MemoryMarshal.Cast<T, float>(Data.SampleWeights.Span))) : 1.0;
            _rowWeightMagnitude = sample * Math.Abs(TensorPrimitives.MaxMagnitude<double>(_classWeights));
        }

        double x = Data.MaxMagnitude, w = Math.Abs(TensorPrimitives.MaxMagnitude<double>(_rawClassMajor));
        return w <= Limit && _rowWeightMagnitude <= Limit
            && x * w * Math.Min(Data.Columns, SoftmaxFloatProducts.MaxPartialTerms) <= Limit
            && x * _rowWeightMagnitude * SoftmaxLossGradient.BlockRows <= Limit;
    }

    /// <summary>destination (cols × rows) = source (rows × cols)ᵀ.</summary>
    internal static void TransposeInto(ReadOnlySpan<double> source, int rows, int cols, Span<double> destination) => Transpose(source, rows, cols, destination);

    private void ProcessChunk(int unit)
    {
        int k = Classes, kd = k * Data.Columns;
        (int start, int count) = _parts[unit];
        if (_hessianPass)
        {
            _layout.SoftmaxHessianVector(start, count, _raw.AsSpan(0, kd), _raw.AsSpan(kd, k), _scores.AsSpan(start), Data.Rows, _classWeights, OneVsRest, _partialGradients.AsSpan(unit * _stride, kd), _partialResiduals.AsSpan(unit * k, k));
            _partialLoss[unit] = 0;
            return;
        }

        _partialLoss[unit] = _layout.Softmax(start, count, _raw.AsSpan(0, kd), _raw.AsSpan(kd, k), _classWeights, OneVsRest, _partialGradients.AsSpan(unit * _stride, kd), _partialResiduals.AsSpan(unit * k, k), _floatPass);
    }

    /// <summary>destination (cols × rows) = source (rows × cols)ᵀ.</summary>
    private static void Transpose(ReadOnlySpan<double> source, int rows, int cols, Span<double> destination)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                destination[(c * rows) + r] = source[(r * cols) + c];
            }
        }
    }
}
