using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;

namespace FastLogReg.Orleans;

/// <summary>How a training job is spread over a cluster.</summary>
public sealed record ClusterTrainingOptions
{
    /// <summary>Shards to cut the data set into (fewer when it has fewer chunks). Default 4.</summary>
    public int Shards { get; init; } = 4;

    /// <summary>CSV: the label column's name or 1-based number; null for the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>"csv", "libsvm" (compressed sparse rows, chunks cut by non-zeros), or null (the default) to go by the file's extension (.libsvm, .svm, .svmlight).</summary>
    public string? Format { get; init; }

    /// <summary>LIBSVM: indices start at 0. Default false.</summary>
    public bool ZeroBased { get; init; }

    /// <summary>
    /// The most label values the file may hold: 2 (the default) for binary data; up to 1000, and a file with more than
    /// two trains a K-class model (multinomial, or one-vs-rest with <c>MultiClass.OneVsRest</c>), as LogisticRegression.Train does.
    /// </summary>
    public int MaxClasses
    {
        get;
        init => field = value is >= 2 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(MaxClasses), value, "MaxClasses must be from 2 to 1000.");
    }

        = 2;

    /// <summary>Keep the features as float on the silos (else double). Default false.</summary>
    public bool Float { get; init; }

    /// <summary>Attempts per shard call before the job fails (a failed or timed-out call is retried: evaluation is pure). Default 4.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>How long one shard call may take before it is retried. Default 2 minutes.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A name for the job's grains (so that two jobs on one cluster do not share shards). Default: a new GUID.</summary>
    public string? JobId { get; init; }

    /// <summary>
    /// Each shard folds its own chunks and sends one vector (the scalable mode: messages grow with the shards, not the
    /// chunks), instead of one per chunk. The model is then bit-identical to a local fit whose sums are folded with the
    /// same shard cuts (ShardLossSums.Evaluate per shard), not to LogisticRegression.Train: the additions are grouped
    /// differently, a difference in the last bits of the sums. Default false (per chunk: the single-machine bits).
    /// </summary>
    public bool PerShardSums { get; init; }

    /// <summary>
    /// With <see cref="PerShardSums"/>: fold the shards' sums through a fixed aggregation tree of this fan-in (each node
    /// a shard grain folding at most this many children in shard order; <see cref="AggregationTree"/>), so that the
    /// caller receives one vector per evaluation instead of one per shard. 0 (the default): the caller gathers every
    /// shard's vector. The model is bit-identical to a local <see cref="AggregationTree"/> fold of the same shards and fan-in.
    /// </summary>
    public int FanIn { get; init; }

    /// <summary>
    /// scikit-learn's C: when set, λ = 1/(C·S) with S the total weight merged over the shards (as
    /// <see cref="TrainingOptions.L2FromScikitLearnC"/> on the whole file), replacing the options' L2. Default null.
    /// </summary>
    public double? ScikitLearnC { get; init; }

    /// <summary>Called before each evaluation of the objective with its 1-based number (progress, or fault injection in tests).</summary>
    public Action<int>? BeforeEvaluation { get; init; }
}

/// <summary>The model a cluster trained, and how.</summary>
/// <param name="Classifier">The model on raw features: binary, multinomial or one-vs-rest.</param>
/// <param name="Optimization">Where the solver stopped and why.</param>
/// <param name="Shards">The shards used.</param>
/// <param name="Retries">Shard calls that failed or timed out and were made again.</param>
/// <param name="KernelWidth">The SIMD width every silo ran its kernels at.</param>
public sealed record ClusterTrainingResult(ClassificationModel Classifier, OptimizationResult Optimization, int Shards, int Retries, string KernelWidth)
{
    /// <summary>The binary model (<see cref="Classifier"/> of a two-class fit).</summary>
    /// <exception cref="InvalidOperationException">The fit was multi-class: use <see cref="Classifier"/>.</exception>
    public LogisticModel Model => Classifier as LogisticModel
        ?? throw new InvalidOperationException($"The model has {Classifier.ClassCount} classes ({Classifier.Kind}): use Classifier.");

    /// <summary>Rows of the file.</summary>
    public int Rows { get; init; }

    /// <summary>λ, the L2 strength used (from <see cref="ClusterTrainingOptions.ScikitLearnC"/> when given).</summary>
    public double L2 { get; init; }

    /// <summary>The feature columns' names.</summary>
    public IReadOnlyList<string> FeatureNames { get; init; } = [];

    /// <summary>The label column's name.</summary>
    public string LabelName { get; init; } = string.Empty;

    /// <summary>The label mapping over the whole file.</summary>
    public FastLogReg.IO.LabelMapping Labels { get; init; } = null!;

    /// <summary>The standardization merged over the shards, when asked for (the model is on raw features either way).</summary>
    public FeatureScaling? Standardization { get; init; }
}

/// <summary>
/// Binary and K-class training (L2 by L-BFGS or trust-region Newton, L1 and elastic net by OWL-QN; standardized or not) of a CSV or LIBSVM file on an Orleans cluster, bit-identical to <see cref="LogisticRegression.Train{T}"/> on
/// the whole file on one machine (same options, same SIMD width): the file is cut into shards on the data set's own
/// chunk boundaries (<see cref="ShardPlan"/>), each shard grain reads its rows from the file on its silo, and every
/// evaluation of the objective broadcasts the parameters, gathers each chunk's raw sums and folds them in the data set's
/// order (<see cref="ShardedLossSums.Fold"/>); L-BFGS drives it exactly as the local fit does.
/// </summary>
public static class ClusterTraining
{
    /// <summary>Trains on the CSV file at <paramref name="path"/> (a path every silo can read).</summary>
    /// <param name="grains">The cluster client (or a grain factory inside a silo).</param>
    /// <param name="path">The CSV file: a header line, numeric features, a binary label.</param>
    /// <param name="options">Penalty, tolerance, iteration limit, class weights, standardization, history; the solver L-BFGS or Newton (binary or K-class), or OWL-QN when the penalty has an L1 part; Auto runs L-BFGS for two classes and, for K, L-BFGS handing over to Newton after its allowance as a local fit does.</param>
    /// <param name="cluster">Shards, retries, the label column.</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    /// <exception cref="NotSupportedException">An option this version cannot shard (the message says which).</exception>
    /// <exception cref="InvalidOperationException">The silos run different SIMD widths, or a shard failed every attempt.</exception>
    public static async Task<ClusterTrainingResult> TrainAsync(IGrainFactory grains, string path, TrainingOptions options, ClusterTrainingOptions? cluster = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        cluster ??= new ClusterTrainingOptions();
        Check(options, cluster);
        ClusterLossSums source = await ClusterLossSums.ConnectAsync(grains, path, options.ClassWeights, cluster, options.Standardize).ConfigureAwait(false);
        ShardPlan plan = source.Plan;
        if (cluster.ScikitLearnC is { } c)
        {
            options = options with { L2 = TrainingOptions.L2FromScikitLearnC(c, source.TotalWeight) };
        }

        // K classes (or multinomial asked for): the K-class objective over the same shards, as LogisticRegression.Train branches.
        bool multiclass = source.Classes > 2 || options.MultiClass != MultiClass.Auto;
        int k = source.Classes, d = plan.Columns;
        ShardedMultinomialObjective? softmax = multiclass ? new ShardedMultinomialObjective(source.Softmax(options.MultiClass == MultiClass.OneVsRest), options.Penalty, options.FitIntercept, source.Scaling) : null;
        IDifferentiableFunction objective = softmax ?? (IDifferentiableFunction)new RegularizedObjective(source, options.Penalty, options.FitIntercept, source.Scaling);

        // The solver calls the objective synchronously; it runs on its own thread, waiting on the shards' answers.
        var solverOptions = new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations };
        double[] start = new double[objective.Dimension];
        int penalized = multiclass ? k * d : d;
        // As LogisticRegression.Train's Auto on K classes: L-BFGS for its allowance, then trust-region Newton from its point.
        bool newtonAfter = multiclass && options.Solver == Solver.Auto && SolverOf(options) == Solver.Lbfgs && options.MaxIterations > LogisticRegression.AutoMulticlassLbfgsIterations;
        bool handedOver = false;
        OptimizationResult result = await Task.Factory.StartNew(
            () => newtonAfter ? LbfgsThenNewton(objective, start, options, cancellationToken, out handedOver) : SolverOf(options) switch
            {
                Solver.Newton => TrustRegionNewton.Minimize((ITwiceDifferentiableFunction)objective, start, solverOptions, cancellationToken),
                Solver.OwlQn => OwlQn.Minimize(objective, start, options.Penalty.L1Strength, penalized, solverOptions, options.LbfgsHistory, cancellationToken),
                Solver.GradientDescent => GradientDescent.Minimize(objective, start, options.LearningRate!.Value, solverOptions, cancellationToken),
                Solver.BacktrackingGradientDescent => BacktrackingGradientDescent.Minimize(objective, start, options.LearningRate!.Value, solverOptions, cancellationToken),
                Solver.Nesterov => NesterovGradientDescent.Minimize(objective, start, options.LearningRate!.Value, solverOptions, cancellationToken),
                _ => Lbfgs.Minimize(objective, start, solverOptions, options.LbfgsHistory, cancellationToken),
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        ClassificationModel model;
        if (softmax is not null)
        {
            if ((SolverOf(options) == Solver.Newton || handedOver) && options.MultiClass != MultiClass.OneVsRest)
            {
                // As the local fit: remove the softmax's null-space shift Newton's steps leave (the same bits).
                LogisticRegression.CenterShiftDirection(result.Point, k, d, options.FitIntercept, options.Penalty.CurvatureBound == 0 && options.Penalty.L1Strength == 0);
            }

            double[] classWeights = new double[k * d], intercepts = new double[k];
            softmax.ToRaw(result.Point, classWeights, intercepts);
            model = new MulticlassModel(options.MultiClass == MultiClass.OneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial, classWeights, intercepts);
        }
        else
        {
            double[] weights = result.Point.AsSpan(0, d).ToArray();
            double bias = options.FitIntercept ? result.Point[d] : 0.0;
            if (source.Scaling is { } scaling)
            {
                scaling.ToRaw(result.Point.AsSpan(0, d), bias, weights, out bias);
            }

            model = new LogisticModel(weights, bias);
        }

        return new ClusterTrainingResult(model, result, plan.Shards.Count, source.Retries, source.KernelWidth)
        {
            Rows = plan.Rows,
            L2 = options.L2,
            FeatureNames = source.FeatureNames,
            LabelName = source.LabelName,
            Labels = source.Labels,
            Standardization = source.Scaling,
        };
    }

    /// <summary>
    /// Auto's K-class rule, as a local fit runs it (<see cref="LogisticRegression.AutoMulticlassLbfgsIterations"/>):
    /// L-BFGS for its allowance, then — when it has not converged — trust-region Newton from its point with the
    /// iterations left; the same stopping rules, so the same bits.
    /// </summary>
    private static OptimizationResult LbfgsThenNewton(IDifferentiableFunction objective, double[] start, TrainingOptions options, CancellationToken cancellationToken, out bool handedOver)
    {
        var rules = new StoppingRules(LogisticRegression.AutoMulticlassLbfgsIterations, options.Tolerance, null, null, () => 0, cancellationToken);
        OptimizationResult first = Lbfgs.Minimize(objective, start, options.LbfgsHistory, rules);
        handedOver = first.StopReason is StopReason.MaxIterations or StopReason.NoProgress;
        return handedOver
            ? TrustRegionNewton.HandOver(first, (ITwiceDifferentiableFunction)objective, LogisticRegression.RulesAfter(rules, options, null, first))
            : first;
    }

    /// <summary>
    /// The solver a sharded fit runs: L-BFGS (Auto), Newton, or — with an L1 part in the penalty — OWL-QN, which needs
    /// only values and gradients (coordinate descent, the local default for L1 on raw features, reads columns: not sharded).
    /// </summary>
    private static Solver SolverOf(TrainingOptions options) =>
        options.L1Ratio > 0 ? Solver.OwlQn
        : options.Solver is Solver.Newton or Solver.GradientDescent or Solver.BacktrackingGradientDescent or Solver.Nesterov ? options.Solver
        : Solver.Lbfgs;

    private static void Check(TrainingOptions options, ClusterTrainingOptions cluster)
    {
        bool l1 = options.L1Ratio > 0;
        if (options.Solver == Solver.NewtonCholesky)
        {
            throw new NotSupportedException("Sharded training does not run NewtonCholesky: it builds the whole Hessian from every row on one machine. Use Newton (trust-region; its Hessian-vector products are sharded like gradients).");
        }

        if (options.Solver == Solver.DualCoordinateDescent)
        {
            throw new NotSupportedException("Sharded training does not run DualCoordinateDescent: its sweeps visit every row in one sequence, each step using the weights the rows before it left. Use Newton or L-BFGS (Auto).");
        }

        bool firstOrder = options.Solver is Solver.GradientDescent or Solver.BacktrackingGradientDescent or Solver.Nesterov;
        if (l1 ? options.Solver is not (Solver.Auto or Solver.Lbfgs or Solver.OwlQn) : !firstOrder && options.Solver is not (Solver.Auto or Solver.Lbfgs or Solver.Newton))
        {
            throw new NotSupportedException(l1
                ? options.Solver == Solver.CoordinateDescent
                    ? "Sharded training runs OWL-QN for an L1 penalty; CoordinateDescent is not sharded (coordinate descent reads columns)."
                    : $"Sharded training runs OWL-QN for an L1 penalty; {options.Solver} needs a smooth penalty (L1Ratio = 0): use OwlQn (or Auto)."
                : $"Sharded training runs L-BFGS, Newton, OWL-QN (L1) and the full-batch first-order solvers; {options.Solver} samples rows: not sharded.");
        }

        if (firstOrder && options.LearningRate is null)
        {
            throw new NotSupportedException($"{options.Solver} on a cluster needs TrainingOptions.LearningRate: the safe rate 1/L is computed from the whole data set on one machine, not merged over shards.");
        }

        if (options.InitialModel is not null)
        {
            throw new NotSupportedException("Sharded training starts from zero (no warm start).");
        }


        if (cluster.FanIn != 0 && (cluster.FanIn < 2 || !cluster.PerShardSums))
        {
            throw new ArgumentException(cluster.FanIn < 2
                ? $"FanIn is {cluster.FanIn}: a tree node folds at least 2 children (0 for none)."
                : "FanIn aggregates per-shard sums: set PerShardSums too (per-chunk sums must all reach the caller to keep the single-machine bits).", nameof(cluster));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(cluster.Shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cluster.MaxAttempts, 1);
    }
}
