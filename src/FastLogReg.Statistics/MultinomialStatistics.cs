using System.Globalization;
using System.Numerics;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace FastLogReg.Statistics;

/// <summary>
/// The coefficient statistics of an unpenalized multinomial model against a reference class, as statsmodels'
/// <c>MNLogit(...).fit().summary()</c> shows them: for every class k other than the reference, the coefficients of
/// log(P(k)/P(ref)) — (wₖ − w_ref, bₖ − b_ref) of the K-row model — with standard errors, z, p-values, intervals and
/// relative-risk ratios (e^coefficient).
/// </summary>
public sealed class MultinomialCoefficientTable
{
    internal MultinomialCoefficientTable(int reference, IReadOnlyList<IReadOnlyList<Coefficient>> classes, double[,] covariance, double logLikelihood, double level)
    {
        ReferenceClass = reference;
        Classes = classes;
        Covariance = covariance;
        LogLikelihood = logLikelihood;
        Level = level;
    }

    /// <summary>The class the others are compared with.</summary>
    public int ReferenceClass { get; }

    /// <summary>
    /// Per class id (the reference's entry is empty): one row per feature, then the intercept. <see cref="Coefficient.OddsRatio"/>
    /// is the relative-risk ratio P(k)/P(ref) per unit of the feature.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Coefficient>> Classes { get; }

    /// <summary>The covariance of the (K − 1)(d + 1) estimates ((K − 1)·d without intercepts), class-major in class order (the reference left out), each class's intercept last.</summary>
    public double[,] Covariance { get; }

    /// <summary>The log-likelihood Σᵢ sᵢ·log pᵢ,yᵢ at the model.</summary>
    public double LogLikelihood { get; }

    /// <summary>The confidence level of the intervals.</summary>
    public double Level { get; }

    /// <summary>The table as text, one block per class.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        int width = Math.Max(12, Classes.SelectMany(k => k).Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        double tail = (1 - Level) / 2;
        var text = new StringBuilder();
        for (int k = 0; k < Classes.Count; k++)
        {
            if (k == ReferenceClass)
            {
                continue;
            }

            text.AppendLine(string.Format(c, "class {0} against class {1}", k, ReferenceClass));
            text.AppendLine(string.Format(c, "{0} {1,12} {2,12} {3,9} {4,9} {5,12} {6,12} {7,12}", "".PadRight(width), "coef", "std err", "z", "P>|z|", tail.ToString("0.###", c), (1 - tail).ToString("0.###", c), "RRR"));
            foreach (Coefficient r in Classes[k])
            {
                text.AppendLine(string.Format(c, "{0} {1,12:G6} {2,12:G6} {3,9:F3} {4,9:F3} {5,12:G6} {6,12:G6} {7,12:G6}", r.Name.PadRight(width), r.Estimate, r.StandardError, r.Z, r.PValue, r.Lower, r.Upper, r.OddsRatio));
            }
        }

        text.Append(string.Format(c, "log-likelihood {0:G10}", LogLikelihood));
        return text.ToString();
    }
}

/// <summary>Coefficient statistics of K-class models.</summary>
public static class MultinomialStatistics
{
    /// <summary>
    /// The table of an unpenalized multinomial <paramref name="model"/> on the data it was fitted on: the covariance is
    /// the inverse of the observed information of the (K − 1)(d + 1) parameters against <paramref name="referenceClass"/>
    /// — the Hessian of the summed cross-entropy (one pass per block of the matrix, <see cref="MultinomialObjective{T}.TryGetHessian"/>),
    /// with the reference class's rows and columns left out.
    /// </summary>
    /// <param name="model">A multinomial model on raw features (one-vs-rest models are K binary ones: use <see cref="CoefficientStatistics"/> per class).</param>
    /// <param name="data">The data it was fitted on, with class ids 0 … K − 1.</param>
    /// <param name="names">Feature names (d of them), or null for x0, x1, ….</param>
    /// <param name="referenceClass">The class the others are compared with; 0 (statsmodels' choice) by default.</param>
    /// <param name="level">The confidence level, in (0, 1). Default 0.95.</param>
    /// <param name="fitIntercept">Whether the model was fitted with intercepts; without them the table has no intercept rows.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">
    /// The model is not multinomial, does not fit the data's shape, has more than 4,097 parameters, classifies every row
    /// correctly (separable classes: no finite estimate), or the information is singular (the message names the columns).
    /// </exception>
    public static MultinomialCoefficientTable Compute<T>(MulticlassModel model, Dataset<T> data, IReadOnlyList<string>? names = null, int referenceClass = 0, double level = 0.95, bool fitIntercept = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model.Kind != ClassificationKind.Multinomial)
        {
            throw new ArgumentException($"A {model.Kind} model has no multinomial covariance: its classes are {model.ClassCount} separate binary models (use CoefficientStatistics.Compute on each).", nameof(model));
        }

        int k = model.ClassCount, d = model.FeatureCount;
        if (data.Columns != d || data.ClassCount != k)
        {
            throw new ArgumentException($"The data has {data.Columns} columns and {data.ClassCount} classes; the model {d} features and {k} classes.", nameof(data));
        }

        if ((uint)referenceClass >= (uint)k)
        {
            throw new ArgumentOutOfRangeException(nameof(referenceClass), referenceClass, $"The reference class must be a class id in [0, {k}).");
        }

        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        }

        if (names is not null && names.Count != d)
        {
            throw new ArgumentException($"{names.Count} names for {d} features.", nameof(names));
        }

        int[] counts = new int[k];
        foreach (T label in data.Labels.Span)
        {
            counts[int.CreateTruncating(label)]++;
        }

        if (Array.IndexOf(counts, 0) is int empty and >= 0)
        {
            throw new ArgumentException($"Class {empty} has no rows in the data: its coefficients are not identified.", nameof(data));
        }

        if (LogisticRegression.Separation(model, data) is { } how)
        {
            // statsmodels' PerfectSeparationError, and one class cut from the rest (quasi-complete separation): moving
            // the weights along the separating direction raises the likelihood for ever — there is no maximum, and the
            // standard errors mean nothing (class 2 ⇔ x0 > 0.6 gave x0's weight 1,507 ± 1.2·10⁸).
            throw new ArgumentException(char.ToUpperInvariant(how[0]) + how[1..] + ": the unpenalized coefficients have no finite maximum-likelihood estimate and their standard errors mean nothing. Drop the separating columns, or merge the class.", nameof(data));
        }

        if (!fitIntercept && model.Intercepts.ToArray().Any(b => b != 0))
        {
            throw new ArgumentException("fitIntercept is false but the model has non-zero intercepts: it was fitted with them.", nameof(fitIntercept));
        }

        // A column of extreme scale (largest |x| outside [2⁻⁴⁰⁰, 2⁴⁰⁰]): its information under- or overflows; it is taken
        // on the columns divided by a power of two near that scale (exact), the weights multiplied by it, and scaled back.
        double[]? units = CoefficientStatistics.ExtremeUnits(CoefficientStatistics.ColumnMagnitudes(data));
        var objective = new MultinomialObjective<T>(units is null ? data : CoefficientStatistics.InUnits(data, units), Penalty.None, fitIntercept: fitIntercept);
        int n = objective.Dimension;
        if (n > RegularizedObjective.MaxHessianDimension)
        {
            throw new ArgumentException($"{k} classes of {d} features are {n:N0} parameters; coefficient statistics build the whole information matrix, at most {RegularizedObjective.MaxHessianDimension:N0}.", nameof(model));
        }

        // The point: the model's K rows of weights, then its K intercepts (the objective's layout).
        double[] point = new double[n];
        for (int c = 0; c < k; c++)
        {
            model.Coefficients(c).CopyTo(point.AsSpan(c * d, d));
            for (int j = 0; units is not null && j < d; j++)
            {
                point[(c * d) + j] *= units[j];
            }

            if (fitIntercept)
            {
                point[(k * d) + c] = model.Intercepts[c];
            }
        }

        double meanLoss = objective.Evaluate(point, new double[n]);
        double[] hessian = new double[n * n];
        if (!objective.TryGetHessian(hessian))
        {
            throw new ArgumentException($"The information matrix of {n} parameters could not be built.", nameof(model));
        }

        // The parameters against the reference, class-major, each class's intercept last, and their labels.
        string[] features = [.. Enumerable.Range(0, d).Select(j => names?[j] ?? "x" + j.ToString(CultureInfo.InvariantCulture)), "(intercept)"];
        int per = d + (fitIntercept ? 1 : 0);
        int[] index = new int[(k - 1) * per];
        string[] labels = new string[index.Length];
        int[] others = [.. Enumerable.Range(0, k).Where(c => c != referenceClass)];
        for (int o = 0; o < others.Length; o++)
        {
            for (int j = 0; j < per; j++)
            {
                index[(o * per) + j] = j < d ? (others[o] * d) + j : (k * d) + others[o];
                labels[(o * per) + j] = $"{features[j]} (class {others[o].ToString(CultureInfo.InvariantCulture)})";
            }
        }

        double total = objective.TotalWeight;
        Matrix<double> information = Matrix<double>.Build.Dense(index.Length, index.Length, (r, c) => hessian[(index[r] * n) + index[c]] * total);
        Matrix<double> covariance = CoefficientStatistics.Invert(information, labels);
        double UnitOf(int at) => units is not null && at % per < d ? units[at % per] : 1;

        double q = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        var classes = new IReadOnlyList<Coefficient>[k];
        classes[referenceClass] = [];
        for (int o = 0; o < others.Length; o++)
        {
            int c = others[o];
            var rows = new Coefficient[per];
            for (int j = 0; j < per; j++)
            {
                double estimate = j < d ? model.Coefficients(c)[j] - model.Coefficients(referenceClass)[j] : model.Intercepts[c] - model.Intercepts[referenceClass];
                int at = (o * per) + j;
                rows[j] = Coefficient.Of(features[j], estimate, Math.Sqrt(covariance[at, at]) / UnitOf(at), q);
            }

            classes[c] = rows;
        }

        if (units is not null)
        {
            // Back to the raw scale (after the standard errors, taken in units so that they do not overflow); an entry
            // beyond the double range is ∞.
            covariance = Matrix<double>.Build.Dense(covariance.RowCount, covariance.ColumnCount, (r, c) => covariance[r, c] / UnitOf(r) / UnitOf(c));
        }

        return new MultinomialCoefficientTable(referenceClass, classes, covariance.ToArray(), -meanLoss * total, level);
    }
}
