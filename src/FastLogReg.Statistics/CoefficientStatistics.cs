using System.Globalization;
using System.Numerics;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace FastLogReg.Statistics;

/// <summary>One row of a coefficient table.</summary>
/// <param name="Name">The feature's name ("(intercept)" for b).</param>
/// <param name="Estimate">The coefficient on the raw feature scale.</param>
/// <param name="StandardError">√ of the covariance's diagonal entry.</param>
/// <param name="Z">Estimate / StandardError.</param>
/// <param name="PValue">Two-sided, against the standard normal: 2·(1 − Φ(|z|)).</param>
/// <param name="Lower">Lower end of the confidence interval, estimate − q·se.</param>
/// <param name="Upper">Upper end, estimate + q·se.</param>
/// <param name="OddsRatio">e^estimate: the factor on the odds per unit of the feature.</param>
public sealed record Coefficient(string Name, double Estimate, double StandardError, double Z, double PValue, double Lower, double Upper, double OddsRatio)
{
    /// <summary>The row of an estimate and its standard error, with the interval's normal quantile <paramref name="q"/>.</summary>
    internal static Coefficient Of(string name, double estimate, double standardError, double q)
    {
        double z = estimate / standardError;
        return new Coefficient(name, estimate, standardError, z, SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2)), estimate - (q * standardError), estimate + (q * standardError), Math.Exp(estimate));
    }
}

/// <summary>The coefficient statistics of a fitted binary model, as statsmodels' <c>Logit(...).fit().summary()</c> shows them.</summary>
public sealed class CoefficientTable
{
    internal CoefficientTable(IReadOnlyList<Coefficient> rows, double[,] covariance, double logLikelihood, double level, double lambda)
    {
        Rows = rows;
        Covariance = covariance;
        LogLikelihood = logLikelihood;
        Level = level;
        Lambda = lambda;
    }

    /// <summary>One row per feature, then the intercept (when fitted).</summary>
    public IReadOnlyList<Coefficient> Rows { get; }

    /// <summary>The covariance of the estimates, (d + 1) × (d + 1) with the intercept last (d × d when it was not fitted).</summary>
    public double[,] Covariance { get; }

    /// <summary>The log-likelihood Σᵢ sᵢ·[yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] at the model.</summary>
    public double LogLikelihood { get; }

    /// <summary>The confidence level of the intervals.</summary>
    public double Level { get; }

    /// <summary>The L2 strength the covariance accounts for (0: the maximum-likelihood covariance).</summary>
    public double Lambda { get; }

    /// <summary>The table as text: name, coefficient, standard error, z, P&gt;|z|, the interval and the odds ratio.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        int width = Math.Max(12, Rows.Max(r => r.Name.Length));
        double tail = (1 - Level) / 2;
        var text = new StringBuilder();
        text.AppendLine(string.Format(c, "{0} {1,12} {2,12} {3,9} {4,9} {5,12} {6,12} {7,12}", "".PadRight(width), "coef", "std err", "z", "P>|z|", (tail).ToString("0.###", c), (1 - tail).ToString("0.###", c), "odds ratio"));
        foreach (Coefficient r in Rows)
        {
            text.AppendLine(string.Format(c, "{0} {1,12:G6} {2,12:G6} {3,9:F3} {4,9:F3} {5,12:G6} {6,12:G6} {7,12:G6}", r.Name.PadRight(width), r.Estimate, r.StandardError, r.Z, r.PValue, r.Lower, r.Upper, r.OddsRatio));
        }

        text.Append(string.Format(c, "log-likelihood {0:G10}", LogLikelihood));
        if (Lambda > 0)
        {
            text.Append(string.Format(c, "; L2 λ = {0:G6}: the covariance is the inverse of the penalized Hessian", Lambda));
        }

        return text.ToString();
    }
}

/// <summary>
/// Standard errors, z statistics, p-values, confidence intervals and odds ratios of a binary model's coefficients from
/// the inverse of the Hessian at the optimum (the observed information), on the raw feature scale also when the model
/// was trained on standardized features — the numbers of statsmodels' <c>Logit</c> for an unpenalized fit.
/// </summary>
/// <remarks>
/// With an L2 penalty the covariance is the inverse of the penalized Hessian, (I + S·λ·D)⁻¹ with D = diag(σⱼ²) for a
/// standardized fit (the penalty is on the standardized weights) or the identity: the Gaussian (Laplace)
/// approximation of the posterior under the matching normal prior. It is not a frequentist covariance of a biased
/// estimator; an L1 fit has none and is refused.
/// </remarks>
public static class CoefficientStatistics
{
    /// <summary>The coefficient table of <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <param name="model">The fitted model (raw features).</param>
    /// <param name="data">The data it was fitted on.</param>
    /// <param name="lambda">The L2 strength it was fitted with (0 for none).</param>
    /// <param name="standardization">The standardization it was fitted with (the penalty was on standardized weights), or null.</param>
    /// <param name="names">Feature names (d of them), or null for x0, x1, ….</param>
    /// <param name="level">The confidence level, in (0, 1). Default 0.95.</param>
    /// <param name="fitIntercept">Whether the model was fitted with an intercept (<see cref="Training.TrainingOptions.FitIntercept"/>); without one the
    /// information has no intercept row and column, and the table no intercept row.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">The Hessian is singular: the message names the collinear columns; unpenalized (λ = 0) and the model classifies every row correctly (separable classes: no finite estimate); the data has more than two classes or other columns than the model, or the standardization other columns; or <paramref name="fitIntercept"/> is false but the model has an intercept.</exception>
    public static CoefficientTable Compute<T>(LogisticModel model, Dataset<T> data, double lambda = 0, FeatureScaling? standardization = null, IReadOnlyList<string>? names = null, double level = 0.95, bool fitIntercept = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        }

        if (!(lambda >= 0 && double.IsFinite(lambda)))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be finite and ≥ 0.");
        }

        int d = model.FeatureCount;
        if (names is not null && names.Count != d)
        {
            throw new ArgumentException($"{names.Count} names for {d} features.", nameof(names));
        }

        if (!fitIntercept && model.Bias != 0)
        {
            throw new ArgumentException($"fitIntercept is false but the model's intercept is {model.Bias.ToString("G6", CultureInfo.InvariantCulture)}: it was fitted with one.", nameof(fitIntercept));
        }

        if (data.Columns != d)
        {
            throw new ArgumentException($"The data has {data.Columns} columns but the model has {d} features.", nameof(data));
        }

        if (standardization is not null && standardization.Columns != d)
        {
            throw new ArgumentException($"The standardization has {standardization.Columns} columns but the model has {d} features.", nameof(standardization));
        }

        if (data.ClassCount > 2)
        {
            throw new ArgumentException($"The data has {data.ClassCount} classes but the model is binary: use MultinomialStatistics.Compute with a multinomial model.", nameof(data));
        }

        string[] labels = [.. Enumerable.Range(0, d).Select(j => names?[j] ?? "x" + j.ToString(CultureInfo.InvariantCulture)), "(intercept)"];

        // A column of extreme scale (σ when standardized, else its largest |x|, below 2⁻⁴⁰⁰ or above 2⁴⁰⁰): its raw
        // information Σ Dᵢxᵢⱼ² under- or overflows (a 10⁻¹⁷⁰ column came out "singular", a 10¹⁷⁰ one NaN). The information
        // is then taken on the columns divided by a power of two near that scale (exact) with the weights multiplied by
        // it, and the covariance scaled back.
        double[]? units = ExtremeUnits(standardization is null ? ColumnMagnitudes(data) : [.. standardization.Scales]);
        double[,] information = units is null ? model.ObservedInformation(data) : InUnits(model, units).ObservedInformation(InUnits(data, units));
        if (!fitIntercept)
        {
            // The intercept is not a parameter: its row and column leave the information (its inverse differs).
            information = Leading(information, d);
            labels = labels[..d];
        }
        ModelEvaluation fit = model.Evaluate(data);
        double totalWeight = data.HasSampleWeights ? data.SampleWeights.ToArray().Sum(double.CreateTruncating) : data.Rows;
        if (lambda > 0)
        {
            // The mean objective's penalty (λ/2)Σ(σⱼw′ⱼ)², times S for the summed loss, differentiated twice in w′.
            for (int j = 0; j < d; j++)
            {
                double scale = (standardization is null ? 1 : standardization.Scales[j]) / (units?[j] ?? 1);
                information[j, j] += totalWeight * lambda * scale * scale;
            }
        }

        Matrix<double> h = Matrix<double>.Build.DenseOfArray(information);
        Matrix<double> covariance = Invert(h, labels);
        if (lambda == 0 && LogisticRegression.Separates(model, data))
        {
            // statsmodels' PerfectSeparationError (after the singularity test, so that more columns than rows is said as
            // such): the likelihood has no maximum (it grows as the weights do), so the weights are wherever the solver
            // stopped and their standard errors mean nothing. Row by row, as training's Separable: a weighted accuracy
            // of 1 can round a misclassified row of weight 10⁻¹⁷ away.
            throw new ArgumentException("The model classifies every row correctly: the classes are separable, the unpenalized coefficients have no finite maximum-likelihood estimate and their standard errors mean nothing. Fit with an L2 penalty (and pass its λ), or drop the separating columns.", nameof(data));
        }

        double q = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        var rows = new Coefficient[labels.Length];
        for (int j = 0; j < rows.Length; j++)
        {
            double unit = j < d ? units?[j] ?? 1 : 1;
            rows[j] = Coefficient.Of(labels[j], j < d ? model.Weights[j] : model.Bias, Math.Sqrt(covariance[j, j]) / unit, q);
        }

        if (units is not null)
        {
            // Back to the raw scale; an entry beyond the double range (two 10⁻¹⁷⁰ columns: 10³⁴⁰) is ∞.
            covariance = Matrix<double>.Build.Dense(covariance.RowCount, covariance.ColumnCount, (i, k) => covariance[i, k] / (i < d ? units[i] : 1) / (k < d ? units[k] : 1));
        }

        return new CoefficientTable(rows, covariance.ToArray(), -fit.LogLoss * totalWeight, level, lambda);
    }

    /// <summary>Per column 2^⌊log₂ sⱼ⌋ where the scale sⱼ (&gt; 0) lies outside [2⁻⁴⁰⁰, 2⁴⁰⁰] (1 elsewhere), or null when no column's does.</summary>
    internal static double[]? ExtremeUnits(double[] scales)
    {
        double[]? units = null;
        for (int j = 0; j < scales.Length; j++)
        {
            double scale = scales[j];
            if (scale > 0 && double.IsFinite(scale) && scale is < SmallestPlainScale or > 1 / SmallestPlainScale)
            {
                units ??= [.. Enumerable.Repeat(1.0, scales.Length)];
                units[j] = Math.ScaleB(1.0, Math.ILogB(scale));
            }
        }

        return units;
    }

    /// <summary>The largest |xᵢⱼ| of every column.</summary>
    internal static double[] ColumnMagnitudes<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] largest = new double[data.Columns];
        FeatureLayout<T>.For(data).LargestDeviations(new double[data.Columns], largest);
        return largest;
    }

    /// <summary>2⁻⁴⁰⁰: a column of scale below it (or above its inverse) has its information taken in units.</summary>
    private const double SmallestPlainScale = 3.8725919148493183e-121;

    /// <summary>The model on the columns divided by <paramref name="units"/>: wⱼ·unitⱼ (exact: powers of two).</summary>
    private static LogisticModel InUnits(LogisticModel model, double[] units) =>
        new([.. Enumerable.Range(0, units.Length).Select(j => model.Weights[j] * units[j])], model.Bias);

    /// <summary>A copy of <paramref name="data"/> with column j divided by unitⱼ (exact: powers of two).</summary>
    internal static Dataset<T> InUnits<T>(Dataset<T> data, double[] units)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] labels = data.Labels.ToArray();
        T[]? weights = data.HasSampleWeights ? data.SampleWeights.ToArray() : null;
        switch (data)
        {
            case DenseDataset<T> dense:
            {
                int d = dense.Columns;
                var x = new T[(long)dense.Rows * d];
                for (int i = 0; i < dense.Rows; i++)
                {
                    ReadOnlySpan<T> row = dense.GetRow(i);
                    for (int j = 0; j < d; j++)
                    {
                        x[((long)i * d) + j] = T.CreateTruncating(double.CreateTruncating(row[j]) / units[j]);
                    }
                }

                return DenseDataset.Create(x, labels, d, data.ClassCount, weights);
            }

            case SparseDataset<T> sparse:
            {
                CsrMatrix<T> m = sparse.Matrix;
                var values = new List<T>();
                var indices = new List<int>();
                long[] offsets = new long[sparse.Rows + 1];
                for (int i = 0; i < sparse.Rows; i++)
                {
                    SparseRow<T> row = m.GetRow(i);
                    for (int k = 0; k < row.Indices.Length; k++)
                    {
                        indices.Add(row.Indices[k]);
                        values.Add(T.CreateTruncating(double.CreateTruncating(row.Values[k]) / units[row.Indices[k]]));
                    }

                    offsets[i + 1] = values.Count;
                }

                return SparseDataset.Create(CsrMatrix.Create<T>(values.ToArray(), indices.ToArray(), offsets, m.Columns), labels, data.ClassCount, weights);
            }

            default:
                throw new ArgumentException($"Unsupported data set {data.GetType().Name}.", nameof(data));
        }
    }

    /// <summary>The leading <paramref name="n"/> × <paramref name="n"/> block.</summary>
    private static double[,] Leading(double[,] matrix, int n)
    {
        double[,] block = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                block[i, j] = matrix[i, j];
            }
        }

        return block;
    }

    /// <summary>
    /// H⁻¹ by Cholesky; when H is singular — judged on its correlation form D^(−½)HD^(−½), so that feature scales do not
    /// matter — an error naming the columns of the null direction.
    /// </summary>
    internal static Matrix<double> Invert(Matrix<double> h, string[] labels)
    {
        int n = h.RowCount;
        double[] scale = new double[n];
        for (int j = 0; j < n; j++)
        {
            if (!(h[j, j] > 0))
            {
                throw new ArgumentException($"The Hessian is singular: the column {labels[j]} carries no information (it is zero on every row, or every row with it is fitted with certainty). Drop it, or fit with an L2 penalty.");
            }

            scale[j] = 1 / Math.Sqrt(h[j, j]);
        }

        Matrix<double> correlation = Matrix<double>.Build.Dense(n, n, (i, j) => h[i, j] * scale[i] * scale[j]);
        var evd = correlation.Evd(Symmetricity.Symmetric);
        int smallestIndex = 0;
        for (int i = 1; i < n; i++)
        {
            if (evd.EigenValues[i].Real < evd.EigenValues[smallestIndex].Real)
            {
                smallestIndex = i;
            }
        }

        double smallest = evd.EigenValues[smallestIndex].Real;
        if (!(smallest > 1e-12 * n))
        {
            MathNet.Numerics.LinearAlgebra.Vector<double> direction = evd.EigenVectors.Column(smallestIndex);
            double top = direction.AbsoluteMaximum();
            string[] involved = [.. Enumerable.Range(0, n).Where(j => Math.Abs(direction[j]) >= 0.05 * top).Select(j => labels[j])];
            throw new ArgumentException(string.Format(
                CultureInfo.InvariantCulture,
                "The Hessian is singular (its correlation form has an eigenvalue of {0:G3}): the columns {1} are collinear (a combination of them is constant on these rows), so their coefficients are not identified. Drop one of them, or fit with an L2 penalty.",
                smallest,
                string.Join(", ", involved)));
        }

        return h.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(n));
    }
}
