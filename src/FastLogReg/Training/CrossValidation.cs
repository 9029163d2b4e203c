using System.Globalization;
using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Models;

namespace FastLogReg.Training;

/// <summary>How cross-validation splits the rows and which penalties it compares.</summary>
public sealed record CrossValidationOptions
{
    /// <summary>k, the number of folds, ≥ 2. Default 5.</summary>
    public int Folds
    {
        get;
        init => field = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(Folds), value, "Cross-validation needs at least 2 folds.");
    }

        = 5;

    /// <summary>The seed of the stratified shuffle (the same seed gives the same folds). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>The λ grid: from the whole data's λ_max down (glmnet's defaults when null: 100 values to 10⁻⁴·λ_max).</summary>
    public PathOptions? Path { get; init; }

    /// <summary>
    /// scikit-learn's grid instead of λ values: each C is one model per fold at λ = 1/(C·S_train) (S_train the fold's
    /// total weight), refitted on all rows at λ = 1/(C·S) — what <c>LogisticRegressionCV(Cs=…)</c> does. Null for a λ grid.
    /// </summary>
    public IReadOnlyList<double>? CValues
    {
        get;
        init => field = value is null || (value.Count > 0 && value.All(c => c > 0 && double.IsFinite(c)))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CValues), "Every C must be finite and > 0, and there must be at least one.");
    }

    /// <summary>The L1 shares ρ to compare (each in [0, 1]); null for the training options' own.</summary>
    public IReadOnlyList<double>? L1Ratios
    {
        get;
        init => field = value is null || (value.Count > 0 && value.All(r => r is >= 0 and <= 1))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(L1Ratios), "Every L1 ratio must be in [0, 1], and there must be at least one.");
    }

    /// <summary>An explicit fold for every row (0 … Folds − 1), instead of the stratified shuffle; null for the shuffle.</summary>
    public IReadOnlyList<int>? FoldOfRow { get; init; }
}

/// <summary>The cross-validated scores of one penalty (λ, ρ): means and spreads over the folds.</summary>
/// <param name="Lambda">λ (for a C grid: the refit's λ = 1/(C·S)).</param>
/// <param name="L1Ratio">ρ.</param>
/// <param name="C">The C of a scikit-learn grid, else NaN.</param>
/// <param name="MeanLogLoss">Mean over the folds of the held-out log-loss.</param>
/// <param name="SdLogLoss">Its standard deviation over the folds (population, as scikit-learn reports it).</param>
/// <param name="StandardError">The standard error of the mean log-loss, sd (with k − 1) / √k — the one-standard-error rule's yardstick.</param>
/// <param name="MeanAccuracy">Mean held-out accuracy.</param>
/// <param name="SdAccuracy">Its standard deviation.</param>
/// <param name="MeanRocAuc">Mean held-out ROC AUC (NaN for K classes).</param>
/// <param name="SdRocAuc">Its standard deviation.</param>
/// <param name="MeanNonZeroWeights">Mean non-zero weights of the fold models.</param>
public sealed record CrossValidationPoint(
    double Lambda,
    double L1Ratio,
    double C,
    double MeanLogLoss,
    double SdLogLoss,
    double StandardError,
    double MeanAccuracy,
    double SdAccuracy,
    double MeanRocAuc,
    double SdRocAuc,
    double MeanNonZeroWeights);

/// <summary>The outcome of cross-validation: every penalty's scores, the choices, and the model refitted on all rows.</summary>
public sealed class CrossValidationResult
{
    internal CrossValidationResult(IReadOnlyList<CrossValidationPoint> points, CrossValidationPoint best, CrossValidationPoint oneStandardError, TrainingResult refit, int[] foldOfRow)
    {
        Points = points;
        Best = best;
        OneStandardError = oneStandardError;
        Refit = refit;
        FoldOfRow = foldOfRow;
    }

    /// <summary>Every (ρ, λ) compared, λ decreasing within each ρ.</summary>
    public IReadOnlyList<CrossValidationPoint> Points { get; }

    /// <summary>The penalty with the lowest mean held-out log-loss (the first, i.e. the largest λ, on a tie).</summary>
    public CrossValidationPoint Best { get; }

    /// <summary>The largest λ (same ρ) whose mean log-loss is within one standard error of the best's (glmnet's <c>lambda.1se</c>).</summary>
    public CrossValidationPoint OneStandardError { get; }

    /// <summary>The model refitted on all rows with the best penalty.</summary>
    public TrainingResult Refit { get; }

    /// <summary>The fold in which each row was held out.</summary>
    public IReadOnlyList<int> FoldOfRow { get; }
}

/// <summary>
/// k-fold cross-validation over a regularization path (and a grid of L1 shares), as scikit-learn's
/// <c>LogisticRegressionCV</c> and glmnet's <c>cv.glmnet</c>: stratified, seeded folds; per fold the warm-started path
/// on the training rows, scored on the held-out rows (log-loss, accuracy, ROC AUC); the λ with the lowest mean log-loss
/// and the largest λ within one standard error of it; the model refitted on all rows. Deterministic: the same folds
/// and scores for any number of threads.
/// </summary>
public static class CrossValidation
{
    /// <summary>Runs cross-validation.</summary>
    /// <param name="data">The data: two classes, or K (the path of a K-class model, scored by log-loss and accuracy; ROC AUC is NaN).</param>
    /// <param name="options">Training options (the penalty's λ is the grid's; the L1 share is the default of the ρ grid).</param>
    /// <param name="cv">Folds, seed and grids; null for 5 folds over glmnet's default λ grid.</param>
    /// <param name="cancellationToken">Stops the run between fits.</param>
    /// <returns>The scores, the choices and the refitted model.</returns>
    public static CrossValidationResult Run<T>(Dataset<T> data, TrainingOptions options, CrossValidationOptions? cv = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        cv ??= new CrossValidationOptions();
        bool multiclass = LogisticRegression.FitsKClasses(data, options);
        if (cv.CValues is not null && cv.Path?.Lambdas is not null)
        {
            throw new ArgumentException("Give either CValues (scikit-learn's C grid) or Path.Lambdas, not both.", nameof(cv));
        }

        int[] folds = cv.FoldOfRow is { } given ? CheckFolds(given, data.Rows, cv.Folds) : Stratified(data, cv.Folds, cv.Seed);
        CheckEveryFoldTrainsEveryClass(data, folds, cv.Folds);

        // The C grid ascending: λ = 1/(C·S) decreasing, the order of the path and of the points (the first on a tie).
        double[]? cValues = cv.CValues is { } givenC ? [.. givenC.Order()] : null;
        double[] ratios = [.. cv.L1Ratios ?? [options.L1Ratio]];
        var points = new List<CrossValidationPoint>();
        foreach (double rho in ratios)
        {
            TrainingOptions ofRho = options with { L1Ratio = rho };
            double[] fullLambdas = cValues is { } cs
                ? [.. cs.Select(c => TrainingOptions.L2FromScikitLearnC(c, TotalWeight(data)))]
                : [.. RegularizationPath.Compute(data, ofRho, new PathOptions { Count = 1 }, cancellationToken).LambdaMax is var max
                    ? RegularizationPath.Grid(cv.Path ?? new PathOptions(), max, data.Rows > data.Columns)
                    : []];
            int grid = fullLambdas.Length;
            double[,] logLoss = new double[grid, cv.Folds], accuracy = new double[grid, cv.Folds], auc = new double[grid, cv.Folds], nonZeros = new double[grid, cv.Folds];
            for (int f = 0; f < cv.Folds; f++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int[] trainRows = [.. Enumerable.Range(0, data.Rows).Where(i => folds[i] != f)];
                int[] testRows = [.. Enumerable.Range(0, data.Rows).Where(i => folds[i] == f)];
                Dataset<T> train = DatasetRows.Take(data, trainRows), test = DatasetRows.Take(data, testRows);
                double[] lambdas = cValues is { } c
                    ? [.. c.Select(v => TrainingOptions.L2FromScikitLearnC(v, TotalWeight(train)))]
                    : fullLambdas;
                RegularizationPath path = RegularizationPath.Compute(train, ofRho, new PathOptions { Lambdas = lambdas }, cancellationToken);
                for (int k = 0; k < grid; k++)
                {
                    // The path fits its λ in decreasing order: find this grid point's (a C grid may be unordered).
                    PathPoint point = path.Points.First(p => p.Lambda == lambdas[k]);
                    if (multiclass)
                    {
                        MulticlassEvaluation score = point.Multiclass.Evaluate(test);
                        (logLoss[k, f], accuracy[k, f], auc[k, f]) = (score.LogLoss, score.Accuracy, double.NaN);
                    }
                    else
                    {
                        ModelEvaluation score = point.Model.Evaluate(test);
                        (logLoss[k, f], accuracy[k, f], auc[k, f]) = (score.LogLoss, score.Accuracy, score.RocAuc);
                    }

                    nonZeros[k, f] = point.NonZeroWeights;
                }
            }

            for (int k = 0; k < grid; k++)
            {
                (double mean, double sd, double se) = Spread(logLoss, k);
                points.Add(new CrossValidationPoint(
                    fullLambdas[k],
                    rho,
                    cValues?[k] ?? double.NaN,
                    mean,
                    sd,
                    se,
                    Spread(accuracy, k).Mean,
                    Spread(accuracy, k).Sd,
                    Spread(auc, k).Mean,
                    Spread(auc, k).Sd,
                    Spread(nonZeros, k).Mean));
            }
        }

        CrossValidationPoint best = points[0];
        foreach (CrossValidationPoint p in points)
        {
            if (p.MeanLogLoss < best.MeanLogLoss)
            {
                best = p;
            }
        }

        CrossValidationPoint oneSe = points
            .Where(p => p.L1Ratio == best.L1Ratio && p.MeanLogLoss <= best.MeanLogLoss + best.StandardError)
            .MaxBy(p => p.Lambda)!;
        TrainingResult refit = LogisticRegression.Train(data, options with { Lambda = best.Lambda, L1Ratio = best.L1Ratio, InitialModel = null }, cancellationToken);
        return new CrossValidationResult(points, best, oneSe, refit, folds);
    }

    /// <summary>Stratified folds: each class's rows shuffled (seeded) and dealt to the folds in turn, classes one after the other.</summary>
    internal static int[] Stratified<T>(Dataset<T> data, int folds, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data.Rows < folds)
        {
            throw new ArgumentException($"{data.Rows} rows cannot be split into {folds} folds.", nameof(data));
        }

        int[] fold = new int[data.Rows];
        var rng = new Random(seed);
        int next = 0;
        for (int c = 0; c < data.ClassCount; c++)
        {
            T label = T.CreateTruncating(c);
            int[] rows = [.. Enumerable.Range(0, data.Rows).Where(i => data.Labels.Span[i] == label)];
            rng.Shuffle(rows);
            foreach (int i in rows)
            {
                fold[i] = next;
                next = (next + 1) % folds;
            }
        }

        return fold;
    }

    private static int[] CheckFolds(IReadOnlyList<int> given, int rows, int folds)
    {
        if (given.Count != rows)
        {
            throw new ArgumentException($"FoldOfRow has {given.Count} entries but the data has {rows} rows.");
        }

        for (int i = 0; i < rows; i++)
        {
            if (given[i] < 0 || given[i] >= folds)
            {
                throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "FoldOfRow[{0}] = {1} is not a fold of 0 … {2}.", i, given[i], folds - 1));
            }
        }

        int[] result = [.. given];
        for (int f = 0; f < folds; f++)
        {
            if (!result.Contains(f))
            {
                throw new ArgumentException($"Fold {f} holds no rows.");
            }
        }

        return result;
    }

    /// <summary>
    /// Each fold's training rows (every row outside it) must hold weight of every class: a fit without one of them has
    /// no model (a binary path of a single class; a K-class one without class c's rows).
    /// </summary>
    private static void CheckEveryFoldTrainsEveryClass<T>(Dataset<T> data, int[] folds, int foldCount)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Rows of positive weight counted per fold and class (counts, not weight sums: 10¹⁷ + 16 − 10¹⁷ is 0).
        int k = data.ClassCount;
        int[,] rowsIn = new int[foldCount, k];
        int[] total = new int[k];
        ReadOnlySpan<T> labels = data.Labels.Span;
        ReadOnlySpan<T> weights = data.HasSampleWeights ? data.SampleWeights.Span : default;
        for (int i = 0; i < data.Rows; i++)
        {
            if (weights.IsEmpty || weights[i] > T.Zero)
            {
                int c = int.CreateTruncating(labels[i]);
                rowsIn[folds[i], c]++;
                total[c]++;
            }
        }

        for (int f = 0; f < foldCount; f++)
        {
            for (int c = 0; c < k; c++)
            {
                if (total[c] > 0 && total[c] == rowsIn[f, c])
                {
                    int rows = total[c];
                    throw new ArgumentException(string.Format(
                        CultureInfo.InvariantCulture,
                        "Fold {0}'s training rows (every row outside it) hold no weight of class {1} (its rows of positive weight, {2} of them, are all in fold {0}): its model cannot be fitted. Use fewer folds, or more rows of the class.",
                        f,
                        c,
                        rows),
                        "cv");
                }
            }
        }
    }

    private static double TotalWeight<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!data.HasSampleWeights)
        {
            return data.Rows;
        }

        double total = 0;
        foreach (T s in data.SampleWeights.Span)
        {
            total += double.CreateTruncating(s);
        }

        return total;
    }

    private static (double Mean, double Sd, double Se) Spread(double[,] values, int k)
    {
        int n = values.GetLength(1);
        double mean = 0;
        for (int f = 0; f < n; f++)
        {
            mean += values[k, f];
        }

        mean /= n;
        double squares = 0;
        for (int f = 0; f < n; f++)
        {
            squares += (values[k, f] - mean) * (values[k, f] - mean);
        }

        return (mean, Math.Sqrt(squares / n), Math.Sqrt(squares / (n - 1)) / Math.Sqrt(n));
    }
}
