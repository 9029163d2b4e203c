using System.Numerics;
using System.Runtime.CompilerServices;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;

namespace FastLogReg.Training;

/// <summary>
/// newGLMNET (Yuan, Ho &amp; Lin 2012; LIBLINEAR's <c>-s 6</c>) for the binary objective with an L1 or elastic-net
/// penalty: each outer iteration takes the Newton quadratic model of the smooth part at w, minimizes model + λρ‖w + d‖₁
/// by cyclic coordinate descent (closed-form one-dimensional steps; the intercept unpenalized), then a backtracking line
/// search on the true objective along d — which needs no pass over X, since the margins move by X d, kept as the
/// coordinates change. Coordinates at zero whose gradient lies inside ±λρ are left out of the inner sweeps (they are
/// rechecked every outer iteration; convergence is judged on the full pseudo-gradient, as OWL-QN's). When the sweeps
/// have not solved the model after about as many sweeps as it costs to build the active columns' Hessian, they build it
/// (dense columns blocked, sparse ones by scatter and gather) and go on at O(active) per coordinate step (glmnet's
/// covariance updates), with a Cholesky step on the face the sweeps found; a later iterate — a path's next point — may step on that snapshot instead of
/// building its own. State kept between fits and the strong rule: <see cref="NewGlmnet{T}"/>.
/// </summary>
/// <remarks>
/// Works on a column copy of the data (<see cref="ColumnCopy{T}"/>; dense or sparse), standardized by arithmetic (sparse
/// columns stay sparse), in double. The coordinate steps run in a fixed order on one thread; the column sums and the
/// blocked snapshot are split into fixed units for the pool's threads, each sum and snapshot entry computed by one thread
/// in one order, so the result does not depend on the thread count. Data passes are counted as column sweeps: one per outer gradient over the working columns (and one over the
/// screened-out ones when they are checked), two per inner sweep over the active columns, count(count + 1)/2 + count
/// column dots per Hessian built (count + 2 per column added to a snapshot) and one sweep to form X d from it.
/// Its loops are compiled fully optimized on first use (<c>AggressiveOptimization</c>; the column loops in
/// <see cref="DenseColumnArithmetic"/>, no TensorPrimitives): a fit takes
/// milliseconds, and measured in a process still compiling other code (a benchmark after ML.NET's), tier-0 code made it
/// 10–20× slower.
/// </remarks>
internal static class NewGlmnet
{
    /// <summary>One fit from <paramref name="start"/> (see <see cref="NewGlmnet{T}"/>).</summary>
    public static OptimizationResult Minimize<T>(
        ColumnCopy<T> x,
        ReadOnlySpan<T> labels,
        ReadOnlySpan<double> rowWeights,
        FeatureScaling? scaling,
        double l1,
        double l2,
        bool fitIntercept,
        ReadOnlySpan<double> start,
        StoppingRules rules,
        Action<double> countPasses,
        int? maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new NewGlmnet<T>(x, labels, rowWeights, scaling, fitIntercept, maxDegreeOfParallelism).Minimize(l1, l2, start, rules, countPasses);

    /// <summary>
    /// Coordinate descent taking over from <paramref name="owlQn"/>'s best point (Auto's hand-over when OWL-QN has not
    /// converged in its iterations); the result counts both solvers' iterations and joins their histories, and the
    /// progress reports go on numbering where OWL-QN's stopped (its starting point, already reported, is not again).
    /// </summary>
    internal static OptimizationResult HandOver<T>(OptimizationResult owlQn, NewGlmnet<T> solver, double l1, double l2, StoppingRules rules, Action<double> countPasses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        StoppingRules continued = ContinuedProgress.After(rules, owlQn.Iterations);
        return OptimizationResult.Join(owlQn, solver.Minimize(l1, l2, owlQn.Point, continued, countPasses));
    }
}

/// <summary>
/// The solver's state for one data set, reused by the fits of a regularization path: the margins, residuals and
/// curvatures at the last iterate and the columns' gradient sums there. A fit that starts where the last one stopped
/// (a path's warm start) begins from them instead of a pass over the data; given the previous point's L1 strength, it
/// also screens the columns by the sequential strong rule (Tibshirani et al. 2012): a column at zero whose gradient is
/// below 2λρ − λ′ρ (λ′ the previous λ) is left out of the iterations and checked once the others have converged — a
/// violator joins and the fit goes on — so every fit still ends on the full pseudo-gradient.
/// </summary>
internal sealed class NewGlmnet<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int MaxInnerSweeps = 100;

    /// <summary>Up to this many active columns (dense or sparse) the inner sweeps may switch to their Hessian (<see cref="GramSweeps"/>).</summary>
    internal const int GramColumns = 512;

    /// <summary>The intercept's Levenberg term after a failed line search (rows' weights sum to 1, so ΣD ≤ ¼), ×100 per retry up to <see cref="MaxInterceptCurvature"/>.</summary>
    private const double MinInterceptCurvature = 1e-4;

    /// <summary>The largest Levenberg term on the intercept tried.</summary>
    private const double MaxInterceptCurvature = 1e2;

    /// <summary>A coordinate's step moves its column's part of the margins by at most this many (curvature-weighted) standard deviations.</summary>
    private const double MaxMarginStep = 10;

    /// <summary>
    /// A step on an older Hessian snapshot counts as good when the next pseudo-gradient (ℓ₁) is at most this share of
    /// the one it started from; otherwise the next snapshot is built fresh.
    /// </summary>
    private const double StaleProgress = 0.25;

    /// <summary>
    /// The inner sweeps switch to a fresh snapshot after count / this many sweeps (at least 2): a blocked snapshot costs
    /// about as much as count/16 column sweeps (measured, --path-cost: 16 against 4 took the 50,000 × 500 fit at λ_min
    /// from 1.52 to 0.75 s and its path from 8.3 to 5.4 s; switching after 2 sweeps whatever the count, 1.51 and 5.1 s).
    /// </summary>
    private const int SweepsPerSnapshotShare = 16;

    /// <summary>From this many columns a fresh snapshot is built blocked (<see cref="BuildSnapshot"/>).</summary>
    private const int BlockedSnapshotColumns = 8;

    /// <summary>Rows per block of <see cref="BuildSnapshot"/> (four columns' block: 32 KB).</summary>
    private const int SnapshotRowBlock = 1024;

    /// <summary>
    /// The smallest Cholesky pivot the face solve accepts, relative to its diagonal entry: nearly duplicated active
    /// columns (1 − r² below the factorization's usual 10⁻¹⁰) must still get their face step — it is cut at the first sign
    /// change and at the step limits, so a pivot of rounding size cannot send it far.
    /// </summary>
    private const double FacePivot = 1e-15;

    /// <summary>The face solve needs every free column's curvature above this many times <see cref="Nu"/>.</summary>
    private const double CurvatureFloorShare = 1e3;

    /// <summary>Sweeps on the active columns' Hessian at most per outer iteration (each O(active²), no data).</summary>
    private const int MaxGramSweeps = 2_000;

    /// <summary>The inner sweeps' largest relative accuracy (the forcing term's cap, at the first outer iteration).</summary>
    private const double MaxForcing = 0.5;
    private const int MaxLineSearchSteps = 30;
    private const double Armijo = 0.01;
    private const double Nu = 1e-12;

    /// <summary>Relative size of f's rounding error (a sum of n terms): 64 ulps.</summary>
    private const double RoundingLevel = 64 * 2.220446049250313e-16;

    /// <summary>
    /// Fixed units of the parallel work: a list of columns to sum cut into this many slices, or a snapshot's four-column
    /// groups dealt round-robin. Each column's sums and each snapshot entry are computed by one thread in a fixed order,
    /// so results do not depend on the thread count.
    /// </summary>
    private const int ParallelUnits = 8;

    /// <summary>Column sums over fewer values (rows × columns) than this run on the caller's thread (waking a pool thread costs more).</summary>
    private const long ParallelSumValues = 1 << 20;

    /// <summary>Snapshots of fewer multiply-adds than this are built on the caller's thread (as the exact Hessian's rule).</summary>
    private const long ParallelSnapshotWork = 4_000_000;

    private readonly ColumnCopy<T> _x;
    private readonly ChunkRunner? _runner; // null for one thread
    private readonly int[] _sumList; // the columns the current run sums
    private int _sumCount;
    private bool _runSnapshot; // the current run builds snapshot groups (else sums columns)
    private int[]? _snapshotOrder;
    private int _snapshotCount;
    private int _snapshotRow0;
    private int _snapshotRows;
    private double[][]? _unitBlocks; // per unit: a four-column block of SnapshotRowBlock rows
    private readonly int _n;
    private readonly int _d;
    private readonly int _dimension;
    private readonly bool _fitIntercept;
    private readonly double[] _mu;
    private readonly double[] _inv;
    private readonly double[] _y;
    private readonly double[] _s;

    // The state at _point: margins, residuals, curvatures and loss (when _rowsCurrent), and per column whose _known flag
    // is set, its gradient sum, Hessian diagonal (both without the penalty) and Σ Dᵢ xᵢⱼ.
    private readonly double[] _point;
    private double[] _z;
    private double[] _zNew;
    private double[] _r;
    private double[] _curvature;
    private double[] _rNew;
    private double[] _curvatureNew;
    private readonly double[] _smoothGradient;
    private readonly double[] _diagonal;
    private readonly double[] _columnCurvature;
    private readonly bool[] _known;
    private bool _rowsCurrent;
    private double _sumR;
    private double _sumD;
    private double _loss;

    // Workspace.
    private readonly double[] _gradient;
    private readonly double[] _pg;
    private readonly double[] _h;
    private readonly double[] _direction;
    private readonly double[] _trial;
    private readonly double[] _xd;
    private readonly double[] _cxd;
    private readonly bool[] _active;
    private readonly bool[] _working;
    private readonly int[] _order;
    // The Hessian snapshot of the inner sweeps (see Snapshot): X̃ᵀDX̃ over _gramColumns[0.._gramCount) (stride
    // _gramStride), c = X̃ᵀD1, Σ D and D itself as they were when it was built, at iterate _gramVersion.
    private double[]? _gram;
    private double[]? _gramCentred;
    private double[]? _gramCurvature;
    private double[]? _gramColumnCurvature;
    private int[]? _gramColumns;
    private readonly int[] _gramIndex;
    private int _gramCount;
    private int _gramStride;
    private double _gramSumD;
    private long _gramVersion = -1;
    private long _version; // counts the iterates: a cold start and every accepted step
    private bool _staleAllowed;
    private double _stalePgNorm1 = double.NaN;
    private double[]? _u;
    private double[]? _scratch;
    private double[]? _blockScratch;
    private int[]? _faceColumns;
    private int[]? _faceFixed;
    private double[]? _faceMatrix;
    private double[]? _faceVector;

    // The last face solve's factor stays in _faceMatrix; it is used again while its inputs are the same: the snapshot
    // (its epoch: every time it is emptied or rebuilt — a column added later does not change the entries already there),
    // the face's columns in order, l2, H_bb and the intercept.
    private long _snapshotEpoch;
    private int[]? _factoredFace;
    private int _factoredCount = -1;
    private long _factoredEpoch = -1;
    private double _factoredL2 = double.NaN;
    private double _factoredHbb = double.NaN;
    private bool _factoredIntercept;

    // The screened columns' check by a bound (see CheckScreened): the residuals r° at the last point where every column's
    // gradient was summed, those gradients g°, each column's ‖x̃ⱼ‖ (centred and scaled as the gradient sees it), and per
    // column whether the check certified |gⱼ| ≤ λρ at the current point without summing it, with that bound.
    private double[]? _referenceResiduals;
    private double[]? _referenceGradient;
    private double[]? _columnNorms;
    private readonly bool[] _certified;
    private readonly double[] _certifiedBound;

    // Along a path: the predictor's history of solutions, and the λ (l1 + l2) the current one was asked for.
    private readonly PathPredictor _predictor;
    private double _pathLambda = double.NaN;

    /// <summary>The predictor's highest degree (1: the secant; for tests and probes).</summary>
    internal int PredictorDegree { get => _predictor.HighestDegree; set => _predictor.HighestDegree = value; }

    /// <summary>The degree of the polynomial the predictor used at each point it moved, summed (for tests and probes).</summary>
    internal int PredictorDegreeSum { get; private set; }

    /// <summary>Path points whose start the predictor moved (for tests and probes).</summary>
    internal int PredictedStarts { get; private set; }

    /// <summary>Column-sum and snapshot runs handed to the pool's threads so far (for tests).</summary>
    internal int ParallelRuns { get; private set; }

    /// <summary>Sweeps over the Hessian snapshot so far (each O(active × snapshot), no data; for tests and probes).</summary>
    internal long GramSweepCount { get; private set; }

    /// <summary>The ℓ₁ norm of the active pseudo-gradient at the last fit's first iterate (a later fit's forcing reference), or 0 if it stopped there.</summary>
    internal double FirstPseudoGradientNorm1 { get; private set; }

    public NewGlmnet(ColumnCopy<T> x, ReadOnlySpan<T> labels, ReadOnlySpan<double> rowWeights, FeatureScaling? scaling, bool fitIntercept, int? maxDegreeOfParallelism = 1)
    {
        _x = x;
        _sumList = new int[x.Columns];
        _runner = (maxDegreeOfParallelism ?? Environment.ProcessorCount) > 1 && Environment.ProcessorCount > 1 ? new ChunkRunner(ParallelUnits, maxDegreeOfParallelism, RunUnit) : null;
        _n = x.Rows;
        _d = x.Columns;
        _fitIntercept = fitIntercept;
        _dimension = _d + (fitIntercept ? 1 : 0);
        _mu = new double[_d];
        _inv = new double[_d];
        for (int j = 0; j < _d; j++)
        {
            _mu[j] = scaling?.Means[j] ?? 0;
            _inv[j] = 1 / (scaling?.Scales[j] ?? 1);
            if (x.Offsets is { } offsets)
            {
                // The copy holds column j less its offset c: (x − μ)/σ = ((x − c) − (μ − c))/σ.
                _mu[j] -= offsets[j];
            }

            if (x.Units is { } units)
            {
                // The copy holds column j divided by its unit u (a power of two): (x − μ)/σ = (x/u − μ/u)·(u/σ), exactly.
                _mu[j] /= units[j];
                _inv[j] *= units[j];
            }
        }

        _y = new double[_n];
        _s = rowWeights.ToArray();
        for (int i = 0; i < _n; i++)
        {
            _y[i] = labels[i] == T.One ? 1 : 0;
        }

        _point = new double[_dimension];
        _z = new double[_n];
        _zNew = new double[_n];
        _r = new double[_n];
        _curvature = new double[_n];
        _rNew = new double[_n];
        _curvatureNew = new double[_n];
        _smoothGradient = new double[_d];
        _diagonal = new double[_d];
        _columnCurvature = new double[_d];
        _known = new bool[_d];
        _certified = new bool[_d];
        _certifiedBound = new double[_d];
        _predictor = new PathPredictor(_d);
        _gradient = new double[_dimension];
        _pg = new double[_dimension];
        _h = new double[_d];
        _direction = new double[_dimension];
        _trial = new double[_dimension];
        _xd = new double[_n];
        _cxd = new double[_n];
        _active = new bool[_d];
        _working = new bool[_d];
        _order = new int[_d];
        _gramIndex = new int[_d];
        Array.Fill(_gramIndex, -1);
    }

    /// <summary>
    /// Minimizes loss + <paramref name="l1"/>‖w‖₁ + <paramref name="l2"/>/2 ‖w‖² from <paramref name="start"/>. With
    /// <paramref name="previousL1"/> (the L1 strength of the fit that ended at <paramref name="start"/>), the columns are
    /// screened by the sequential strong rule. The inner sweeps solve each model to a relative accuracy
    /// √(‖pg‖₁/‖pg₀‖₁), pg₀ the first iterate's pseudo-gradient — or <paramref name="forcingReference"/> when larger: a
    /// warm start's first pseudo-gradient is already small, and measured against itself its first model would be solved
    /// to only 50%. With <paramref name="resume"/> the fit goes on where the last one stopped as if it had not (a caller
    /// taking one iteration at a time): the snapshot's staleness verdict is kept rather than reset.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public OptimizationResult Minimize(double l1, double l2, ReadOnlySpan<double> start, StoppingRules rules, Action<double> countPasses, double? previousL1 = null, double forcingReference = 0, bool resume = false)
    {
        int n = _n, d = _d, dim = _dimension;
        bool fitIntercept = _fitIntercept;
        ColumnCopy<T> x = _x;
        double[] point = _point, gradient = _gradient, pg = _pg, h = _h, direction = _direction, trial = _trial;
        double[] xd = _xd, cxd = _cxd, curvature = _curvature, columnCurvature = _columnCurvature, mu = _mu, inv = _inv;
        bool[] active = _active, working = _working, known = _known;
        int[] order = _order;

        bool warm = _rowsCurrent && start.SequenceEqual(point);
        bool onPath = warm && previousL1 is not null;
        FirstPseudoGradientNorm1 = 0;
        double lambda = l1 + l2, solvedLambda = _pathLambda;
        if (!warm)
        {
            _rowsCurrent = false;
            start.CopyTo(point);
            Array.Clear(_z);
            Margins(x, point, fitIntercept, mu, inv, _z);
            countPasses(1);
            (_loss, _sumR, _sumD) = LogisticRowTerms.At(_z, _y, _s, _r, curvature);
            Array.Clear(known);
            Array.Clear(_certified);
            _rowsCurrent = true;
            _version++;
        }

        if (!resume)
        {
            _staleAllowed = true; // one step on an older Hessian snapshot is always tried (a path's last one is close)
            _stalePgNorm1 = double.NaN;
        }

        ref double stalePgNorm1 = ref _stalePgNorm1; // pgNorm1 of the iteration that stepped on an older snapshot, if the last did

        // The working set: every column, or the strong rule's — the non-zero weights and the columns whose gradient at
        // the start reaches 2λρ − λ′ρ.
        bool screening = warm && previousL1 is { } previous && rules.ReferenceGradientNorm is not null && AllBounded();
        double strongBound = screening ? (2 * l1) - previousL1!.Value : double.NegativeInfinity;
        for (int j = 0; j < d; j++)
        {
            // A column the last check certified without summing it is judged by its bound (it may be kept for nothing,
            // never dropped for want of its gradient).
            double magnitude = known[j] ? Math.Abs(_smoothGradient[j]) : _certifiedBound[j];
            working[j] = !screening || point[j] != 0 || magnitude >= strongBound;
        }

        // Move this start (the last solution) by the predictor, then remember it for the next point's.
        if (onPath)
        {
            point.CopyTo(direction, 0); // the last solution (the direction is cleared before each use)
            Predict(l1, l2, lambda, solvedLambda, countPasses);
            curvature = _curvature;
            _predictor.Push(direction.AsSpan(0, dim), solvedLambda);
        }
        else
        {
            _predictor.Clear();
        }

        _pathLambda = lambda;

        double threshold = rules.Tolerance * Math.Max(1.0, rules.ReferenceGradientNorm ?? 1.0);
        var monitor = new IterationMonitor(point, rules);
        double f = _loss + PenaltyValue(point, d, l1, l2);
        double pgNorm1Initial = 0;
        for (int iteration = 0; ; iteration++)
        {
            // The gradient and the diagonal of the Hessian at the current point over the working columns: one sweep
            // over them (columns already summed at this point — a warm start's — are not swept again).
            int swept = 0, outside = 0;
            for (int j = 0; j < d; j++)
            {
                if (!working[j])
                {
                    gradient[j] = 0; // at zero, and screened out: no pseudo-gradient until checked
                    outside++;
                }
                else if (!known[j])
                {
                    _sumList[swept++] = j;
                }
            }

            SumColumns(swept);
            for (int j = 0; j < d; j++)
            {
                if (working[j])
                {
                    gradient[j] = _smoothGradient[j] + (l2 * point[j]);
                    h[j] = _diagonal[j] + l2 + Nu;
                }
            }

            if (fitIntercept)
            {
                gradient[d] = _sumR;
            }

            countPasses((double)swept / Math.Max(d, 1));
            OwlQn.PseudoGradient(point, gradient, l1, d, pg);
            if (outside > 0 && SmallVectors.Norm(pg) <= threshold)
            {
                // Converged on the working set: check the screened-out columns' optimality (one sweep over them); a
                // violator joins the working set and the iterations go on.
                outside = CheckScreened(l1, l2, countPasses);
            }

            if (monitor.Check(iteration, point, f, pg, out double norm) is { } done)
            {
                if (outside > 0 && done.StopReason != StopReason.Converged)
                {
                    // Stopped for another reason with columns unchecked: report the full pseudo-gradient's norm.
                    CheckScreened(l1, l2, countPasses);
                    return monitor.Finish(done.StopReason, point, f, SmallVectors.Norm(pg));
                }

                return done;
            }

            double pgNorm1 = 0;
            int activeCount = 0;
            for (int j = 0; j < d; j++)
            {
                active[j] = working[j] && (point[j] != 0 || Math.Abs(gradient[j]) >= l1);
                if (active[j])
                {
                    activeCount++;
                    pgNorm1 += Math.Abs(pg[j]);
                }
            }

            if (fitIntercept)
            {
                pgNorm1 += Math.Abs(pg[d]);
            }

            if (iteration == 0)
            {
                FirstPseudoGradientNorm1 = pgNorm1;
                pgNorm1Initial = Math.Max(pgNorm1, forcingReference);
            }

            if (!double.IsNaN(stalePgNorm1))
            {
                // A step on an older snapshot must have done about what a Newton step does, else the next one is built fresh.
                _staleAllowed = pgNorm1 <= StaleProgress * stalePgNorm1;
                stalePgNorm1 = double.NaN;
            }

            // The active coordinates, in order (LIBLINEAR permutes them at random; cyclic order took fewer outer
            // iterations on raw breast cancer: 209 against 322 to 1e-5).
            int count = 0;
            for (int j = 0; j < d; j++)
            {
                if (active[j])
                {
                    order[count++] = j;
                }
            }

            double sumD = _sumD;

            // Coordinate descent on the quadratic model: q(Δ) = gᵀΔ + ½ΔᵀHΔ + λρ‖w + Δ‖₁, H = XᵀDX + λ(1 − ρ)I. With an
            // intercept, each coordinate's step is taken jointly with the intercept's (the intercept eliminated
            // exactly: the curvature and gradient of the column centred under D), so an offset column — raw features
            // far from zero — does not slow the sweeps down. The model is solved to a relative accuracy η that falls
            // as the outer iterations converge (inexact Newton's forcing term): an inner sweep over the active columns
            // is cheaper than an outer iteration.
            // If the line search fails — nearly every row saturated (ΣD → 0, e.g. a warm start far off), where the Newton
            // model is flat along b and its step unbounded — the model is solved again with a Levenberg term on the
            // intercept alone (its curvature raised to 10⁻⁴, then ×100), which keeps the step to what the search can shorten.
            bool accepted = false;
            double fNew = double.NaN, lossNew = double.NaN, sumRNew = double.NaN, sumDNew = double.NaN;
            for (double interceptTau = 0; ; interceptTau = interceptTau == 0 ? MinInterceptCurvature : interceptTau * 100)
            {
                Array.Clear(direction);
                Array.Clear(xd);
                Array.Clear(cxd);
                double offset = 0, sumDxd = 0; // every row's (X d)ᵢ is xd[i] + offset; Σ Dᵢ xd[i]
                double forcing = pgNorm1Initial > 0 ? Math.Min(MaxForcing, Math.Sqrt(pgNorm1 / pgNorm1Initial)) : MaxForcing;
                double hbb = sumD + interceptTau;
                bool jointIntercept = fitIntercept && hbb > 0;
                bool few = count <= GramColumns;
                bool older = few && _gramCount > 0 && _gramVersion != _version && _staleAllowed;
                for (int sweeps = 0; sweeps < MaxInnerSweeps; sweeps++)
                {
                    if (few && (older || sweeps >= Math.Max(2, count / SweepsPerSnapshotShare)))
                    {
                        // Still not solved after as many sweeps as building the active columns' Hessian X̃ᵀDX̃ costs
                        // (count²/2 column dots, blocked: about count/16 sweeps): build it and go on at O(count) per coordinate
                        // step (glmnet's covariance updates) — at most twice the better of the two. Or, from the first
                        // sweep, the snapshot an earlier iterate (a path's previous point) built, if its steps have
                        // been good (see Snapshot). The margins' move X d is formed again from the direction at the end.
                        countPasses(Snapshot(order, count, fresh: !older) / Math.Max(d, 1));
                        if (older)
                        {
                            stalePgNorm1 = pgNorm1;
                        }

                        GramSweeps(order, count, interceptTau, gradient, point, direction, l1, l2, d, fitIntercept, forcing * pgNorm1);
                        countPasses((double)count / Math.Max(d, 1));
                        Array.Clear(xd);
                        offset = fitIntercept ? direction[d] : 0;
                        for (int q = 0; q < count; q++)
                        {
                            int j = order[q];
                            if (direction[j] != 0)
                            {
                                AddColumn(x, j, direction[j] * inv[j], xd);
                                offset -= direction[j] * mu[j] * inv[j];
                            }
                        }

                        break;
                    }

                    double violation = 0;
                    for (int q = 0; q < count; q++)
                    {
                        int j = order[q];

                        double hx = ColumnDot(x, j, cxd, columnCurvature[j], offset, sumDxd, sumD, mu[j], inv[j]);
                        double g = gradient[j] + hx + (l2 * direction[j]);
                        double gb = 0, c = 0;
                        if (jointIntercept)
                        {
                            gb = gradient[d] + sumDxd + (offset * sumD) + (interceptTau * direction[d]);
                            c = (columnCurvature[j] - (mu[j] * sumD)) * inv[j];
                        }

                        double step = CoordinateStep(g, point[j] + direction[j], h[j], jointIntercept, c, gb, hbb, l1, l2, sumD, ref violation);
                        if (step == 0)
                        {
                            continue;
                        }

                        direction[j] += step;
                        AddColumn(x, j, step * inv[j], curvature, xd, cxd);
                        sumDxd += step * inv[j] * columnCurvature[j];
                        offset -= step * mu[j] * inv[j];
                        if (jointIntercept)
                        {
                            double interceptStep = -(gb + (c * step)) / hbb;
                            direction[d] += interceptStep;
                            offset += interceptStep;
                        }
                    }

                    if (fitIntercept)
                    {
                        double g = gradient[d] + sumDxd + (offset * sumD) + (interceptTau * direction[d]);
                        violation += Math.Abs(g);
                        double step = -g / (hbb + Nu);
                        direction[d] += step;
                        offset += step;
                    }

                    countPasses(2.0 * activeCount / Math.Max(d, 1));
                    if (violation <= forcing * pgNorm1)
                    {
                        break;
                    }
                }

                // Backtracking on the objective along the direction: the margins move by β·(X d) exactly.
                double decrease = 0, l1Now = 0, l1Next = 0;
                for (int j = 0; j < dim; j++)
                {
                    decrease += gradient[j] * direction[j];
                }

                for (int j = 0; j < d; j++)
                {
                    l1Now += Math.Abs(point[j]);
                    l1Next += Math.Abs(point[j] + direction[j]);
                }

                decrease += l1 * (l1Next - l1Now);
                double beta = 1;
                for (int attempt = 0; attempt < MaxLineSearchSteps; attempt++)
                {
                    for (int j = 0; j < dim; j++)
                    {
                        trial[j] = point[j] + (beta * direction[j]);
                    }

                    (lossNew, sumRNew, sumDNew) = LogisticRowTerms.Step(_z, xd, offset, beta, _y, _s, _zNew, _rNew, _curvatureNew);
                    fNew = lossNew + PenaltyValue(trial, d, l1, l2);

                    // Near the optimum the predicted decrease falls below the rounding of f itself: then a full step that
                    // does not raise f beyond that rounding is taken (else the search would fail on noise).
                    bool roundingRegime = attempt == 0 && Math.Abs(decrease) <= RoundingLevel * Math.Max(1, Math.Abs(f));
                    if (fNew - f <= Armijo * beta * decrease || (roundingRegime && fNew - f <= RoundingLevel * Math.Max(1, Math.Abs(f))))
                    {
                        accepted = true;
                        break;
                    }

                    beta *= 0.5;
                }

                if (accepted || !fitIntercept || interceptTau >= MaxInterceptCurvature)
                {
                    break;
                }
            }

            if (!accepted)
            {
                if (outside > 0)
                {
                    CheckScreened(l1, l2, countPasses);
                    norm = SmallVectors.Norm(pg);
                }

                return monitor.Finish(StopReason.NoProgress, point, f, norm);
            }

            MoveToTrial(lossNew, sumRNew, sumDNew);
            curvature = _curvature;
            f = fNew;
        }
    }

    /// <summary>
    /// The step to the trial point, whose margins, residuals and curvatures (and their sums, and the loss) the last
    /// <see cref="LogisticRowTerms.Step"/> left in the spare arrays: they become the current ones; every column's sums are stale.
    /// </summary>
    private void MoveToTrial(double loss, double sumR, double sumD)
    {
        _version++;
        _trial.CopyTo(_point, 0);
        (_z, _zNew) = (_zNew, _z);
        (_r, _rNew) = (_rNew, _r);
        (_curvature, _curvatureNew) = (_curvatureNew, _curvature);
        (_loss, _sumR, _sumD) = (loss, sumR, sumD);
        Array.Clear(_known);
        Array.Clear(_certified);
    }

    /// <summary>
    /// The path's predictor (<see cref="PathPredictor"/>): the start for the next λ extrapolated from the last solution
    /// and the ones before it; the moved weights' columns update the margins. Taken only when its objective at the new λ
    /// is below the last solution's; then every column's sums are stale (the strong rule has already screened on the last
    /// solution's gradient, as it should).
    /// </summary>
    private void Predict(double l1, double l2, double lambda, double solvedLambda, Action<double> countPasses)
    {
        int d = _d;
        double[] point = _point, trial = _trial, xd = _xd;
        int degree = _predictor.Prepare(point, solvedLambda, lambda);
        if (degree == 0)
        {
            return;
        }

        Array.Clear(xd);
        double offset = 0;
        int moved = 0;
        for (int j = 0; j < d; j++)
        {
            double step = _predictor.Step(j, point[j]);
            trial[j] = point[j];
            if (step != 0)
            {
                trial[j] += step;
                AddColumn(_x, j, step * _inv[j], xd);
                offset -= step * _mu[j] * _inv[j];
                moved++;
            }
        }

        if (_fitIntercept)
        {
            double step = _predictor.Step(d, point[d]);
            trial[d] = point[d] + step;
            offset += step;
        }

        if (moved == 0)
        {
            return;
        }

        countPasses((double)moved / Math.Max(d, 1));
        (double loss, double sumR, double sumD) = LogisticRowTerms.Step(_z, xd, offset, 1, _y, _s, _zNew, _rNew, _curvatureNew);
        if (!(loss + PenaltyValue(trial, d, l1, l2) < _loss + PenaltyValue(point, d, l1, l2)))
        {
            return;
        }

        MoveToTrial(loss, sumR, sumD);
        PredictedStarts++;
        PredictorDegreeSum += degree;
    }

    /// <summary>The columns _sumList[0..count) summed (<see cref="SumColumn"/>), on the pool's threads too when there is enough work.</summary>
    private void SumColumns(int count)
    {
        if (_runner is null || (long)count * _n < ParallelSumValues)
        {
            for (int q = 0; q < count; q++)
            {
                SumColumn(_sumList[q]);
            }

            return;
        }

        _sumCount = count;
        _runSnapshot = false;
        ParallelRuns++;
        _runner.Run();
    }

    /// <summary>One unit of the current parallel run: a slice of the column list, or the snapshot groups a0 = 4g, g ≡ unit (mod units), over the current row block.</summary>
    private void RunUnit(int unit)
    {
        if (!_runSnapshot)
        {
            int first = (int)((long)_sumCount * unit / ParallelUnits), end = (int)((long)_sumCount * (unit + 1) / ParallelUnits);
            for (int q = first; q < end; q++)
            {
                SumColumn(_sumList[q]);
            }

            return;
        }

        double[] block = _unitBlocks![unit];
        for (int a0 = 4 * unit; a0 < _snapshotCount; a0 += 4 * ParallelUnits)
        {
            SnapshotGroup(_snapshotOrder!, _snapshotCount, a0, _snapshotRow0, _snapshotRows, block);
        }
    }

    /// <summary>Column j's gradient sum, Hessian diagonal and Σ Dᵢ xᵢⱼ at the current point.</summary>
    private void SumColumn(int j)
    {
        (_smoothGradient[j], _diagonal[j], _columnCurvature[j]) = GradientAndDiagonal(_x, j, _r, _curvature, _sumR, _sumD, _mu[j], _inv[j]);
        _known[j] = true;
    }

    /// <summary>
    /// The KKT check of the screened-out columns (all at zero): each one's gradient; where it exceeds λρ the column
    /// joins the working set. The pseudo-gradient is then formed again over every column; returns the columns still
    /// screened out.
    /// <para>
    /// A column need not be summed when a bound settles it: with r° the residuals of the last point where every
    /// column's gradient g° was summed, |gⱼ(r)| ≤ |g°ⱼ| + ‖x̃ⱼ‖·‖r − r°‖ (Cauchy–Schwarz; x̃ⱼ the column as the gradient
    /// sees it, centred and scaled), and a column whose bound stays below λρ is optimal at zero (a safe screening test,
    /// as in El Ghaoui et al. 2012 and the gap-safe rules of Fercoq, Gramfort &amp; Salmon 2015, here around the last fully
    /// checked point). Along a path the residuals move little from one λ to the next, so most columns far from entering
    /// are settled by one O(n) norm instead of a pass over them. When fewer than half would be, every screened column
    /// is summed and r°, g° move to this point.
    /// </para>
    /// </summary>
    private int CheckScreened(double l1, double l2, Action<double> countPasses)
    {
        int swept = 0, outside = 0;
        for (int j = 0; j < _d; j++)
        {
            if (!_working[j] && !_known[j])
            {
                _sumList[swept++] = j;
            }
        }

        if (swept > 0 && _referenceResiduals is not null)
        {
            swept = CertifyByBound(l1, swept, countPasses);
        }

        SumColumns(swept);
        for (int j = 0; j < _d; j++)
        {
            if (_working[j])
            {
                continue;
            }

            if (!_known[j])
            {
                // Certified: |gⱼ| ≤ bound < λρ, so its pseudo-gradient is 0 (the reference value has the same property).
                _gradient[j] = _referenceGradient![j];
                outside++;
                continue;
            }

            _gradient[j] = _smoothGradient[j];
            _h[j] = _diagonal[j] + l2 + Nu;
            if (Math.Abs(_gradient[j]) > l1)
            {
                _working[j] = true;
            }
            else
            {
                outside++;
            }
        }

        if (Array.TrueForAll(_known, k => k))
        {
            // Every column summed at this point: the reference for the next checks.
            _referenceResiduals ??= new double[_n];
            _referenceGradient ??= new double[_d];
            _r.CopyTo(_referenceResiduals, 0);
            _smoothGradient.CopyTo(_referenceGradient, 0);
        }

        countPasses((double)swept / Math.Max(_d, 1));
        OwlQn.PseudoGradient(_point, _gradient, l1, _d, _pg);
        return outside;
    }

    /// <summary>
    /// Removes from _sumList[0..count) the columns the bound settles (see <see cref="CheckScreened"/>), marking them
    /// certified, unless fewer than half would be — then all stay, to be summed. Returns the columns left to sum.
    /// </summary>
    private int CertifyByBound(double l1, int count, Action<double> countPasses)
    {
        if (_columnNorms is null)
        {
            _columnNorms = CentredColumnNorms(_x, _mu, _inv, _n);
            countPasses(2);
        }

        double distance = Distance(_r, _referenceResiduals!);
        int settled = 0;
        for (int q = 0; q < count; q++)
        {
            int j = _sumList[q];
            _certifiedBound[j] = Bound(j, distance); // read only where _certified is set below
            if (_certifiedBound[j] < l1)
            {
                settled++;
            }
        }

        if (2 * settled < count)
        {
            return count;
        }

        int left = 0;
        for (int q = 0; q < count; q++)
        {
            int j = _sumList[q];
            if (_certifiedBound[j] < l1)
            {
                _certified[j] = true;
            }
            else
            {
                _sumList[left++] = j;
            }
        }

        return left;
    }

    /// <summary>
    /// ‖a − b‖: the plain squares (four running sums) when their sum lies in [2⁻⁹⁰⁰, ∞) — squares that underflowed are
    /// then below 2⁻¹²²·n of it — else scaled as dnrm2 does (the residuals of a near-separable fit move by 10⁻²⁰⁰ as
    /// easily as by 1; their plain squares would underflow). The scaled form took 8% of raw breast cancer's path.
    /// </summary>
    private static double Distance(double[] a, double[] b)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int n = Math.Min(a.Length, b.Length), i = 0;
        for (; i + 4 <= n; i += 4)
        {
            double d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }

        for (; i < n; i++)
        {
            double d0 = a[i] - b[i];
            s0 += d0 * d0;
        }

        double plain = (s0 + s1) + (s2 + s3);
        return plain >= PlainSquaresFloor && double.IsFinite(plain) ? Math.Sqrt(plain) : ScaledDistance(a, b);
    }

    /// <summary>Sums of squares at or above this (2⁻⁹⁰⁰) lose nothing that matters to the terms that underflowed.</summary>
    private const double PlainSquaresFloor = 1.1872516628095342e-271;

    /// <summary>‖a − b‖ scaled as dnrm2 does: each difference divided by the largest before it is squared.</summary>
    private static double ScaledDistance(double[] a, double[] b)
    {
        double largest = 0;
        for (int i = 0; i < a.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(a[i] - b[i]));
        }

        if (!(largest > 0) || double.IsInfinity(largest))
        {
            return largest;
        }

        double squares = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double difference = (a[i] - b[i]) / largest;
            squares += difference * difference;
        }

        return largest * Math.Sqrt(squares);
    }

    /// <summary>An upper bound on |gⱼ| at residuals r with ‖r − r°‖ = <paramref name="distance"/>, widened by 10⁻⁹ for rounding in g°ⱼ and the norms.</summary>
    private double Bound(int j, double distance) => ((Math.Abs(_referenceGradient![j]) + (_columnNorms![j] * distance)) * (1 + 1e-9)) + double.Epsilon;

    /// <summary>Whether every column's gradient at the current point is summed or bounded by the last check.</summary>
    private bool AllBounded()
    {
        for (int j = 0; j < _d; j++)
        {
            if (!_known[j] && !_certified[j])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// ‖x̃ⱼ‖ = ‖(xⱼ − μⱼ)/σⱼ‖ for every column (once per solver): the plain squares, and where their sum lies outside
    /// [2⁻⁹⁰⁰, ∞) two more passes as BLAS's dnrm2 does: each deviation scaled, then divided by the column's largest before
    /// it is squared. Data may be of any magnitude
    /// (10⁻²⁰⁰ to 10³⁰⁰), whose plain squares underflow to 0 — a bound of |g°ⱼ| alone, settling columns whatever r has
    /// done (a hostile review's finding) — or overflow to ∞.
    /// </summary>
    internal static double[] CentredColumnNorms(ColumnCopy<T> x, double[] mu, double[] inv, int n)
    {
        var norms = new double[x.Columns];
        for (int j = 0; j < x.Columns; j++)
        {
            double m = mu[j], scale = Math.Abs(inv[j]);
            bool dense = x.RowIndex is null;
            ReadOnlySpan<double> values = dense ? x.DenseColumn(j) : x.Values.AsSpan((int)x.Start[j], (int)(x.Start[j + 1] - x.Start[j]));
            long zeros = dense ? 0 : n - values.Length; // a sparse column's rows at zero, each deviating by −μ
            // The plain squares first; scaled as dnrm2 only when their sum is outside [2⁻⁹⁰⁰, ∞).
            double plain = zeros * (m * scale) * (m * scale);
            foreach (double v in values)
            {
                double c = (v - m) * scale;
                plain += c * c;
            }

            if (plain >= PlainSquaresFloor && double.IsFinite(plain))
            {
                norms[j] = Math.Sqrt(plain);
                continue;
            }

            double largest = zeros > 0 ? Math.Abs(m * scale) : 0;
            foreach (double v in values)
            {
                largest = Math.Max(largest, Math.Abs((v - m) * scale));
            }

            if (!(largest > 0) || double.IsInfinity(largest))
            {
                norms[j] = largest; // 0: a column that cannot move the gradient; ∞ or NaN: never settles
                continue;
            }

            double squares = 0;
            foreach (double v in values)
            {
                double c = (v - m) * scale / largest;
                squares += c * c;
            }

            double zero = m * scale / largest;
            squares += zeros * zero * zero;
            norms[j] = largest * Math.Sqrt(squares);
        }

        return norms;
    }

    /// <summary>λρ‖w‖₁ + λ(1 − ρ)/2 ‖w‖².</summary>
    private static double PenaltyValue(ReadOnlySpan<double> point, int d, double l1, double l2)
    {
        double absolute = 0, squares = 0;
        for (int j = 0; j < d; j++)
        {
            absolute += Math.Abs(point[j]);
            squares += point[j] * point[j];
        }

        return (l1 * absolute) + (0.5 * l2 * squares);
    }

    /// <summary>
    /// Makes the Hessian snapshot cover the active columns <paramref name="order"/>[0..count) and returns its cost in
    /// column dots. <paramref name="fresh"/>: built anew at the current curvatures D (count(count + 1)/2 dots, the columns'
    /// D-weighted products). Otherwise the snapshot of an earlier iterate is kept — along a path the previous point's,
    /// whose D differs little — and a column it lacks is added at that snapshot's D (count + 1 dots), so the model stays
    /// one convex quadratic: the step it gives is a variable-metric step that the line search checks on the true
    /// objective, and convergence is still judged on the exact pseudo-gradient. A snapshot without room is built fresh.
    /// </summary>
    private double Snapshot(int[] order, int count, bool fresh)
    {
        int stride = Math.Min(_d, GramColumns);
        _gram ??= new double[stride * stride];
        _gramCentred ??= new double[stride];
        _gramColumnCurvature ??= new double[stride];
        _gramColumns ??= new int[stride];
        _gramCurvature ??= new double[_n];
        _u ??= new double[stride];
        _scratch ??= new double[_n];
        _gramStride = stride;
        int missing = 0;
        for (int q = 0; q < count; q++)
        {
            missing += _gramIndex[order[q]] < 0 ? 1 : 0;
        }

        if (!fresh && _gramCount + missing > stride)
        {
            fresh = true;
        }
        else if (fresh && _gramVersion == _version && _gramCount + missing <= stride)
        {
            fresh = false; // already at this iterate's D (a retry of the same iteration): only add what is missing
        }

        double dots = 0;
        if (fresh)
        {
            for (int a = 0; a < _gramCount; a++)
            {
                _gramIndex[_gramColumns[a]] = -1;
            }

            _gramCount = 0;
            _snapshotEpoch++;
            _curvature.CopyTo(_gramCurvature, 0);
            _gramSumD = _sumD;
            _gramVersion = _version;
        }

        if (fresh && count >= BlockedSnapshotColumns && _x.RowIndex is null)
        {
            return BuildSnapshot(order, count);
        }

        for (int q = 0; q < count; q++)
        {
            int j = order[q];
            if (_gramIndex[j] < 0)
            {
                dots += AddToSnapshot(j);
            }
        }

        return dots;
    }

    /// <summary>
    /// A fresh snapshot of columns <paramref name="order"/>[0..count) at the current iterate's D, built blocked or a
    /// column at a time (sparse columns: always), as a count × count copy (for tests: both ways must agree).
    /// </summary>
    internal double[] FreshSnapshot(int[] order, int count, bool blocked)
    {
        _gramCount = 0;
        _snapshotEpoch++;
        Array.Fill(_gramIndex, -1);
        Snapshot(order, 0, fresh: true);
        if (blocked && _x.RowIndex is null)
        {
            BuildSnapshot(order, count);
        }
        else
        {
            for (int q = 0; q < count; q++)
            {
                AddToSnapshot(order[q]);
            }
        }

        double[] copy = new double[count * count];
        for (int a = 0; a < count; a++)
        {
            for (int b = 0; b < count; b++)
            {
                copy[(a * count) + b] = _gram![(_gramIndex[order[a]] * _gramStride) + _gramIndex[order[b]]];
            }
        }

        _gramVersion = -1; // not a snapshot the next fit should trust
        return copy;
    }

    /// <summary>
    /// A fresh snapshot of the columns <paramref name="order"/>[0..count) at the current D, its dot products blocked:
    /// rows in blocks of <see cref="SnapshotRowBlock"/>, four columns' D-weighted values at a time against each later
    /// column (<see cref="DenseColumnArithmetic.Dot4"/>) — a block of every column stays in cache while the four-column
    /// groups pass over it, where a column at a time read every other column from memory (200 columns of 50,000 rows:
    /// 8 GB per snapshot). Returns the column dots it is worth (count(count + 1)/2 + count).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double BuildSnapshot(int[] order, int count)
    {
        double[] gram = _gram!, curvature = _gramCurvature!;
        int stride = _gramStride, n = _n;
        double[] block = _blockScratch ??= new double[4 * SnapshotRowBlock];
        for (int a = 0; a < count; a++)
        {
            int j = order[a];
            _gramColumns![a] = j;
            _gramIndex[j] = a;
            _gramColumnCurvature![a] = DenseColumnArithmetic.Dot(curvature, _x.DenseColumn(j));
            Array.Clear(gram, a * stride, count);
        }

        _gramCount = count;
        _snapshotEpoch++;
        bool parallel = _runner is not null && (long)count * count / 2 * n >= ParallelSnapshotWork;
        if (parallel && _unitBlocks is null)
        {
            _unitBlocks = new double[ParallelUnits][];
            for (int u = 0; u < ParallelUnits; u++)
            {
                _unitBlocks[u] = new double[4 * SnapshotRowBlock];
            }
        }

        for (int r0 = 0; r0 < n; r0 += SnapshotRowBlock)
        {
            int rows = Math.Min(SnapshotRowBlock, n - r0);
            if (parallel)
            {
                // The groups of this row block on every thread: each Gram entry still adds its row blocks in order.
                (_snapshotOrder, _snapshotCount, _snapshotRow0, _snapshotRows, _runSnapshot) = (order, count, r0, rows, true);
                ParallelRuns++;
                _runner!.Run();
                continue;
            }

            for (int a0 = 0; a0 < count; a0 += 4)
            {
                SnapshotGroup(order, count, a0, r0, rows, block);
            }
        }

        // The raw sums Σ D xₐ xᵦ (upper triangle) to the centred and scaled G̃, mirrored.
        for (int a = 0; a < count; a++)
        {
            int ja = order[a];
            double ca = _gramColumnCurvature![a];
            _gramCentred![a] = (ca - (_mu[ja] * _gramSumD)) * _inv[ja];
            for (int b = a; b < count; b++)
            {
                int jb = order[b];
                double value = (gram[(a * stride) + b] - (_mu[ja] * _gramColumnCurvature[b]) - (_mu[jb] * ca) + (_mu[ja] * _mu[jb] * _gramSumD)) * _inv[ja] * _inv[jb];
                gram[(a * stride) + b] = value;
                gram[(b * stride) + a] = value;
            }
        }

        return (count * (count + 1) / 2.0) + count;
    }

    /// <summary>
    /// Rows a0..a0+3 of the raw snapshot sums, upper triangle, over rows [r0, r0 + rows): the four columns' D-weighted
    /// values into <paramref name="block"/>, then their dots with every later column (<see cref="DenseColumnArithmetic.Dot4"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SnapshotGroup(int[] order, int count, int a0, int r0, int rows, double[] block)
    {
        double[] gram = _gram!, curvature = _gramCurvature!;
        int stride = _gramStride;
        int group = Math.Min(4, count - a0);
        for (int k = 0; k < 4; k++)
        {
            Span<double> target = block.AsSpan(k * SnapshotRowBlock, rows);
            if (k >= group)
            {
                target.Clear();
                continue;
            }

            ReadOnlySpan<double> column = _x.DenseColumn(order[a0 + k]).Slice(r0, rows);
            for (int i = 0; i < rows; i++)
            {
                target[i] = curvature[r0 + i] * column[i];
            }
        }

        for (int b = a0; b < count; b++)
        {
            (double s0, double s1, double s2, double s3) = DenseColumnArithmetic.Dot4(
                block.AsSpan(0, rows), block.AsSpan(SnapshotRowBlock, rows), block.AsSpan(2 * SnapshotRowBlock, rows), block.AsSpan(3 * SnapshotRowBlock, rows), _x.DenseColumn(order[b]).Slice(r0, rows));
            gram[(a0 * stride) + b] += s0;
            if (group > 1 && b >= a0 + 1)
            {
                gram[((a0 + 1) * stride) + b] += s1;
            }

            if (group > 2 && b >= a0 + 2)
            {
                gram[((a0 + 2) * stride) + b] += s2;
            }

            if (group > 3 && b >= a0 + 3)
            {
                gram[((a0 + 3) * stride) + b] += s3;
            }
        }
    }

    /// <summary>
    /// Column j's row and column of the snapshot: G̃ⱼᵦ = (Σ D xⱼ xᵦ − μⱼ Σ D xᵦ − μᵦ Σ D xⱼ + μⱼμᵦ Σ D)·invⱼ·invᵦ from the
    /// raw columns, at the snapshot's D; returns the column dots it took.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double AddToSnapshot(int j)
    {
        double[] gram = _gram!, scratch = _scratch!, curvature = _gramCurvature!;
        int a = _gramCount, stride = _gramStride;
        int[]? rows = _x.RowIndex;
        double cx = 0;
        if (rows is null)
        {
            cx = DenseColumnArithmetic.MultiplySum(_x.DenseColumn(j), curvature, scratch);
        }
        else
        {
            // Sparse: D·xⱼ scattered into a dense vector (zero elsewhere: only this method writes it, and it clears the
            // rows it wrote), then each column's dot gathers from it over its own non-zeros.
            double[] values = _x.Values;
            for (long k = _x.Start[j], to = _x.Start[j + 1]; k < to; k++)
            {
                int i = rows[k];
                double v = curvature[i] * values[k];
                scratch[i] = v;
                cx += v;
            }
        }

        _gramColumns![a] = j;
        _gramIndex[j] = a;
        _gramColumnCurvature![a] = cx;
        _gramCentred![a] = (cx - (_mu[j] * _gramSumD)) * _inv[j];
        _gramCount = a + 1;
        for (int b = 0; b <= a; b++)
        {
            int jb = _gramColumns[b];
            double raw = RawDot(_x, jb, scratch);
            double cb = b == a ? cx : _gramColumnCurvature[b];
            double value = (raw - (_mu[j] * cb) - (_mu[jb] * cx) + (_mu[j] * _mu[jb] * _gramSumD)) * _inv[j] * _inv[jb];
            gram[(a * stride) + b] = value;
            gram[(b * stride) + a] = value;
        }

        if (rows is not null)
        {
            for (long k = _x.Start[j], to = _x.Start[j + 1]; k < to; k++)
            {
                scratch[rows[k]] = 0;
            }
        }

        return a + 2;
    }

    /// <summary>
    /// Coordinate descent on the quadratic model over the active columns <paramref name="order"/>[0..count) with
    /// the snapshot's Hessian G: (HΔ)ⱼ = (GΔ)ⱼ + cⱼΔ_b and g_b(Δ) = g_b + cᵀΔ + ΣD·Δ_b, c = X̃ᵀD1, kept up to date as
    /// u = GΔ and v = cᵀΔ — the same steps as the column sweeps, at O(snapshot size) each, continuing from the direction
    /// the column sweeps reached. Stops when the sweep's subgradient violation is at most <paramref name="target"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GramSweeps(int[] order, int count, double interceptTau, double[] gradient, double[] point, double[] direction, double l1, double l2, int d, bool fitIntercept, double target)
    {
        double[] gram = _gram!, centred = _gramCentred!, u = _u!;
        int[] columns = _gramColumns!, index = _gramIndex;
        int size = _gramCount, stride = _gramStride;
        double sumD = _gramSumD, hbb = sumD + interceptTau;
        bool jointIntercept = fitIntercept && hbb > 0;

        // u = G̃Δ, v = cᵀΔ and the intercept's step, from the sweeps so far.
        double v = SnapshotProducts(direction), db = fitIntercept ? direction[d] : 0;

        int nextFaceSolve = 3;
        for (int sweeps = 0; sweeps < MaxGramSweeps; sweeps++)
        {
            GramSweepCount++;
            double violation = 0;
            for (int q = 0; q < count; q++)
            {
                int j = order[q];
                int a = index[j];
                double c = centred[a];
                double hj = gram[(a * stride) + a] + l2 + Nu;
                double g = gradient[j] + u[a] + (c * db) + (l2 * direction[j]);
                double gb = jointIntercept ? gradient[d] + v + (hbb * db) : 0;
                double step = CoordinateStep(g, point[j] + direction[j], hj, jointIntercept, c, gb, hbb, l1, l2, sumD, ref violation);
                if (step == 0)
                {
                    continue;
                }

                direction[j] += step;
                DenseColumnArithmetic.AddScaled(gram.AsSpan(a * stride, size), step, u.AsSpan(0, size));

                v += c * step;
                if (jointIntercept)
                {
                    db += -(gb + (c * step)) / hbb;
                }
            }

            if (fitIntercept)
            {
                double g = gradient[d] + v + (hbb * db);
                violation += Math.Abs(g);
                db += -g / hbb;
            }

            if (violation <= target)
            {
                break;
            }

            if (sweeps == nextFaceSolve)
            {
                bool moved = FaceSolve(order, count, interceptTau, gradient, point, direction, l1, l2, d, fitIntercept, ref db);
                nextFaceSolve = moved ? sweeps + 2 : (2 * nextFaceSolve) + 4; // after a (partial) step, again soon
                if (moved)
                {
                    // Moved towards the model's minimizer on the current sign pattern: u and v anew; the next sweep checks it.
                    v = SnapshotProducts(direction);
                }
            }
        }

        if (fitIntercept)
        {
            direction[d] = db;
        }
    }

    /// <summary>
    /// u = G̃Δ into the snapshot's products and returns v = cᵀΔ, over the whole snapshot (a column in it that is not
    /// active has Δ = 0).
    /// </summary>
    private double SnapshotProducts(double[] direction)
    {
        double[] gram = _gram!, centred = _gramCentred!, u = _u!;
        int[] columns = _gramColumns!;
        int size = _gramCount, stride = _gramStride;
        double v = 0;
        for (int a = 0; a < size; a++)
        {
            double sum = 0;
            for (int b = 0; b < size; b++)
            {
                sum += gram[(a * stride) + b] * direction[columns[b]];
            }

            u[a] = sum;
            v += centred[a] * direction[columns[a]];
        }

        return v;
    }

    /// <summary>
    /// The model's minimizer on the face the sweeps have found: with the signs σ of the non-zero coordinates of w + Δ
    /// fixed (and the zero ones held at zero), the model is a smooth quadratic in them and the intercept, minimized by one
    /// Cholesky solve of [G_FF + λ₂I, c_F; c_Fᵀ, ΣD] — where coordinate descent on correlated columns creeps (thousands
    /// of sweeps on standardized breast cancer's radius, perimeter and area; without end on nearly duplicated columns).
    /// The step goes towards that minimizer as far as every sign holds and every move stays within its step limit; false
    /// when it cannot move at all (the sweeps go on from where they were).
    /// </summary>
    private bool FaceSolve(int[] order, int count, double interceptTau, double[] gradient, double[] point, double[] direction, double l1, double l2, int d, bool fitIntercept, ref double db)
    {
        double[] gram = _gram!, centred = _gramCentred!;
        int stride = _gramStride;
        double sumD = _gramSumD, hbb = sumD + interceptTau;
        if (fitIntercept && !(hbb > 0))
        {
            return false;
        }

        int free = 0, held = 0;
        int[] face = _faceColumns ??= new int[stride];
        int[] fixedColumns = _faceFixed ??= new int[stride];
        for (int q = 0; q < count; q++)
        {
            int j = order[q];
            if (point[j] + direction[j] != 0)
            {
                face[free++] = j;
            }
            else if (direction[j] != 0)
            {
                fixedColumns[held++] = j; // an active coordinate the sweeps moved to zero: held there (Δ = −w)
            }
        }

        int m = free + (fitIntercept ? 1 : 0);
        if (free == 0)
        {
            return false;
        }

        double[] matrix = _faceMatrix ??= new double[(stride + 1) * (stride + 1)];
        double[] rhs = _faceVector ??= new double[stride + 1];
        bool factored = _factoredEpoch == _snapshotEpoch && _factoredCount == free && _factoredIntercept == fitIntercept
            && _factoredL2.Equals(l2) && _factoredHbb.Equals(hbb) && _factoredFace is { } last && face.AsSpan(0, free).SequenceEqual(last.AsSpan(0, free));
        if (!factored)
        {
            _factoredCount = -1; // the matrix is overwritten from here on, whether or not a factor comes of it
        }

        for (int p = 0; p < free; p++)
        {
            int jp = face[p], ap = _gramIndex[jp];
            if (!factored && !(gram[(ap * stride) + ap] + l2 > CurvatureFloorShare * Nu))
            {
                return false; // the floor Nu is most of this column's curvature: not a Newton model along it
            }

            double sign = Math.Sign(point[jp] + direction[jp]);
            double fixedPart = 0; // H Δ over the active coordinates held at zero (Δ = −w)
            for (int q = 0; q < held; q++)
            {
                int jq = fixedColumns[q];
                fixedPart += gram[(ap * stride) + _gramIndex[jq]] * direction[jq];
            }

            rhs[p] = -(gradient[jp] + (l1 * sign) + fixedPart);
            if (!factored)
            {
                for (int q = 0; q <= p; q++)
                {
                    matrix[(p * m) + q] = gram[(ap * stride) + _gramIndex[face[q]]];
                }

                matrix[(p * m) + p] += l2 + Nu;
            }
        }

        if (fitIntercept)
        {
            double fixedPart = 0;
            for (int q = 0; q < held; q++)
            {
                int jq = fixedColumns[q];
                fixedPart += centred[_gramIndex[jq]] * direction[jq];
            }

            rhs[free] = -(gradient[d] + fixedPart);
            if (!factored)
            {
                for (int q = 0; q < free; q++)
                {
                    matrix[(free * m) + q] = centred[_gramIndex[face[q]]];
                }

                matrix[(free * m) + free] = hbb;
            }
        }

        Span<double> a = matrix.AsSpan(0, m * m), x = rhs.AsSpan(0, m);
        if (!factored)
        {
            if (!Cholesky.Factor(a, m, FacePivot))
            {
                return false;
            }

            int[] kept = _factoredFace ??= new int[stride];
            face.AsSpan(0, free).CopyTo(kept);
            (_factoredCount, _factoredEpoch, _factoredL2, _factoredHbb, _factoredIntercept) = (free, _snapshotEpoch, l2, hbb, fitIntercept);
        }

        Cholesky.Solve(a, m, x);

        // From the current Δ towards the face's minimizer Δ*: the model falls all along the segment (a convex quadratic
        // towards its minimum on the face), so go as far as t ≤ 1 keeps every sign and every move within its step limit;
        // a coordinate that reaches zero stops there, exactly (the next sweeps and face solves go on from the new face).
        double t = 1;
        int stopsAtZero = -1;
        for (int p = 0; p < free; p++)
        {
            int jp = face[p];
            double now = direction[jp], target = x[p];
            if (!double.IsFinite(target))
            {
                return false;
            }

            double w = point[jp], at = w + now, next = w + target;
            if (Math.Sign(next) != Math.Sign(at))
            {
                double reach = at / (at - next); // where w + Δ(t) crosses zero
                if (reach < t)
                {
                    t = reach;
                    stopsAtZero = p;
                }
            }

            double limit = StepLimit(gram[(_gramIndex[jp] * stride) + _gramIndex[jp]] + l2 + Nu, l2, sumD);
            if (Math.Abs(target) > limit && target != now)
            {
                double bound = ((Math.Sign(target) * limit) - now) / (target - now);
                if (bound < t)
                {
                    t = Math.Max(bound, 0);
                    stopsAtZero = -1;
                }
            }
        }

        if (!(t > 0))
        {
            return false;
        }

        for (int p = 0; p < free; p++)
        {
            int jp = face[p];
            direction[jp] = p == stopsAtZero ? -point[jp] : direction[jp] + (t * (x[p] - direction[jp]));
        }

        if (fitIntercept)
        {
            db += t * (x[free] - db);
        }

        return true;
    }

    /// <summary>
    /// One coordinate's step on the model (the closed-form minimizer of the one-dimensional quadratic plus λρ|w + Δ|),
    /// taken jointly with the intercept when <paramref name="joint"/>: for a step δ the intercept's best step is
    /// −(g_b + c δ)/H_bb, so the coordinate sees gradient g − c g_b/H_bb and curvature h − c²/H_bb. Adds the coordinate's
    /// subgradient violation to <paramref name="violation"/>; the step is limited by <see cref="StepLimit"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CoordinateStep(double g, double wpd, double h, bool joint, double c, double gb, double hbb, double l1, double l2, double sumD, ref double violation)
    {
        double gp = g + l1, gn = g - l1;
        violation += wpd > 0 ? Math.Abs(gp) : wpd < 0 ? Math.Abs(gn) : Math.Max(Math.Max(gn, -gp), 0);
        double hj = h, gj = g;
        if (joint)
        {
            gj = g - (c * gb / hbb);
            hj = Math.Max(h - (c * c / hbb), l2 + Nu);
        }

        double gjp = gj + l1, gjn = gj - l1;
        double step = gjp <= hj * wpd ? -gjp / hj : gjn >= hj * wpd ? -gjn / hj : -wpd;
        if (step == 0)
        {
            return 0;
        }

        double limit = StepLimit(hj, l2, sumD);
        return Math.Clamp(step, -limit, limit);
    }

    /// <summary>
    /// The largest step of a coordinate whose (intercept-eliminated) curvature is <paramref name="hj"/>: one that moves
    /// the margins by at most <see cref="MaxMarginStep"/> of the column's D-weighted spread √((hj − λ₂)/ΣD) — so a column
    /// of tiny scale (whose weight must be huge) is not held to the step of a standardized one.
    /// </summary>
    private static double StepLimit(double hj, double l2, double sumD)
    {
        double spread = sumD > 0 ? Math.Sqrt(Math.Max(hj - l2 - Nu, 0) / sumD) : 0;
        return spread > 0 ? Math.Min(MaxMarginStep / spread, double.MaxValue) : MaxMarginStep;
    }

    /// <summary>zᵢ = x̃ᵢᵀw + b from the columns (x̃ = (x − μ)/σ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Margins(ColumnCopy<T> x, ReadOnlySpan<double> point, bool fitIntercept, double[] mu, double[] inv, double[] z)
    {
        double constant = fitIntercept ? point[x.Columns] : 0;
        for (int j = 0; j < x.Columns; j++)
        {
            if (point[j] != 0)
            {
                AddColumn(x, j, point[j] * inv[j], z);
                constant -= point[j] * mu[j] * inv[j];
            }
        }

        for (int i = 0; i < z.Length; i++)
        {
            z[i] += constant;
        }
    }

    /// <summary>(Σ rᵢ x̃ᵢⱼ, Σ Dᵢ x̃ᵢⱼ², Σ Dᵢ xᵢⱼ (raw)) for column j, from the raw column and the totals Σ r, Σ D.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Gradient, double Diagonal, double CurvatureSum) GradientAndDiagonal(ColumnCopy<T> x, int j, double[] r, double[] c, double sumR, double sumD, double mu, double inv)
    {
        double rx = 0, cx = 0, cxx = 0;
        if (x.RowIndex is null)
        {
            (rx, cx, cxx) = DenseColumnArithmetic.Sums(x.DenseColumn(j), r, c);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                int i = rows[k];
                double v = values[k];
                rx += r[i] * v;
                double cv = c[i] * v;
                cx += cv;
                cxx += cv * v;
            }
        }

        // Σ r (x − μ)/σ and Σ D (x − μ)²/σ².
        return ((rx - (mu * sumR)) * inv, (cxx - (2 * mu * cx) + (mu * mu * sumD)) * inv * inv, cx);
    }

    /// <summary>Σᵢ Dᵢ x̃ᵢⱼ (X d)ᵢ with (X d)ᵢ = xd[i] + offset, from cxd = D ∘ xd and the column's Σ Dᵢ xᵢⱼ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ColumnDot(ColumnCopy<T> x, int j, double[] cxd, double cx, double offset, double sumDxd, double sumD, double mu, double inv)
    {
        double dot = RawDot(x, j, cxd);

        // Σ D (x − μ)/σ (xd + offset) = [Σ x (D xd) + offset Σ D x − μ (Σ D xd + offset Σ D)]/σ.
        return (dot + (offset * cx) - (mu * (sumDxd + (offset * sumD)))) * inv;
    }

    /// <summary>Σᵢ xᵢⱼ·vᵢ for the raw column j (dense, or over its non-zeros).</summary>
    private static double RawDot(ColumnCopy<T> x, int j, double[] vector)
    {
        if (x.RowIndex is null)
        {
            return DenseColumnArithmetic.Dot(x.DenseColumn(j), vector);
        }

        double[] values = x.Values;
        int[] rows = x.RowIndex;
        double dot = 0;
        for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
        {
            dot += values[k] * vector[rows[k]];
        }

        return dot;
    }

    /// <summary>xd += a · (raw column j) and cxd += a · D ∘ (raw column j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddColumn(ColumnCopy<T> x, int j, double a, double[] c, double[] xd, double[] cxd)
    {
        if (x.RowIndex is null)
        {
            DenseColumnArithmetic.AddScaled(x.DenseColumn(j), a, c, xd, cxd);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                int i = rows[k];
                double delta = a * values[k];
                xd[i] += delta;
                cxd[i] += c[i] * delta;
            }
        }
    }

    /// <summary>target += a · (raw column j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddColumn(ColumnCopy<T> x, int j, double a, double[] target)
    {
        if (x.RowIndex is null)
        {
            DenseColumnArithmetic.AddScaled(x.DenseColumn(j), a, target);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                target[rows[k]] += a * values[k];
            }
        }
    }
}
