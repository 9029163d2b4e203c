using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Numerics;

namespace FastLogReg.Models;

/// <summary>
/// A trained K-class linear model: scores zₖ = wₖᵀx + bₖ; multinomial probabilities softmax(z)ₖ, or one-vs-rest
/// probabilities σ(zₖ) normalized to sum 1 (as scikit-learn's <c>OneVsRestClassifier</c>); the class is the largest
/// score (the first on a tie). Immutable; safe to share across threads. One-row and batch calls give the same bits.
/// </summary>
public sealed class MulticlassModel : ClassificationModel
{
    private readonly double[] _weights;    // K × d, class-major
    private readonly double[] _intercepts; // K

    /// <summary>Creates a model (the values are copied).</summary>
    /// <param name="kind"><see cref="ClassificationKind.Multinomial"/> or <see cref="ClassificationKind.OneVsRest"/>.</param>
    /// <param name="coefficients">W: K rows of d finite values, row-major.</param>
    /// <param name="intercepts">b: K finite values.</param>
    /// <exception cref="ArgumentException">Fewer than two classes, a size that does not divide, or a value that is not finite.</exception>
    public MulticlassModel(ClassificationKind kind, ReadOnlySpan<double> coefficients, ReadOnlySpan<double> intercepts)
    {
        if (kind == ClassificationKind.Binary || !Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A K-class model is Multinomial or OneVsRest (a binary model is a LogisticModel).");
        }

        if (intercepts.Length < 2)
        {
            throw new ArgumentException($"A K-class model needs at least two classes (intercepts), not {intercepts.Length}.", nameof(intercepts));
        }

        if (coefficients.IsEmpty || coefficients.Length % intercepts.Length != 0)
        {
            throw new ArgumentException($"{coefficients.Length} coefficients are not {intercepts.Length} rows of the same length (at least one).", nameof(coefficients));
        }

        for (int i = 0; i < coefficients.Length; i++)
        {
            if (!double.IsFinite(coefficients[i]))
            {
                throw new ArgumentException($"Coefficient {i % (coefficients.Length / intercepts.Length)} of class {i / (coefficients.Length / intercepts.Length)} is {coefficients[i]}: coefficients must be finite.", nameof(coefficients));
            }
        }

        for (int k = 0; k < intercepts.Length; k++)
        {
            if (!double.IsFinite(intercepts[k]))
            {
                throw new ArgumentException($"Intercept {k} is {intercepts[k]}: intercepts must be finite.", nameof(intercepts));
            }
        }

        Kind = kind;
        _weights = coefficients.ToArray();
        _intercepts = intercepts.ToArray();
        FeatureCount = coefficients.Length / intercepts.Length;
    }

    /// <inheritdoc/>
    public override ClassificationKind Kind { get; }

    /// <inheritdoc/>
    public override int FeatureCount { get; }

    /// <inheritdoc/>
    public override int ClassCount => _intercepts.Length;

    /// <inheritdoc/>
    public override int CoefficientRows => _intercepts.Length;

    /// <summary>W, K rows of d coefficients (row-major).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>b, one intercept per class.</summary>
    public ReadOnlySpan<double> Intercepts => _intercepts;

    /// <inheritdoc/>
    public override ReadOnlySpan<double> Coefficients(int row) => _weights.AsSpan(checked(row * FeatureCount), FeatureCount);

    /// <inheritdoc/>
    public override double Intercept(int row) => _intercepts[row];

    /// <summary>The K scores zₖ = wₖᵀx + bₖ of one row.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The row, d finite values.</param>
    /// <param name="scores">Receives K scores.</param>
    public void DecisionFunction<T>(ReadOnlySpan<T> features, Span<double> scores)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRow(features.Length, scores.Length);
        Scores(features, scores);
        for (int k = 0; k < scores.Length; k++)
        {
            if (!double.IsFinite(scores[k]))
            {
                BatchPrediction.ThrowNonFiniteRow(features, FeatureCount, 0, nameof(features));
            }
        }
    }

    /// <summary>The K class probabilities of one row (they sum to 1).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The row, d finite values.</param>
    /// <param name="probabilities">Receives K probabilities.</param>
    public void PredictProbabilities<T>(ReadOnlySpan<T> features, Span<double> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        DecisionFunction(features, probabilities);
        ToProbabilities(probabilities);
    }

    /// <summary>The predicted class of one row: the largest score (the lowest class on a tie).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The row, d finite values.</param>
    public int PredictClass<T>(ReadOnlySpan<T> features)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<double> scores = ClassCount <= 256 ? stackalloc double[ClassCount] : new double[ClassCount];
        DecisionFunction(features, scores);
        return ArgMax(scores);
    }

    /// <summary>Scores for a batch of dense rows into <paramref name="destination"/> (rows × K, row-major).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Row-major rows of d values.</param>
    /// <param name="destination">At least rows × K slots.</param>
    /// <returns>The number of rows.</returns>
    public int DecisionFunctionBatch<T>(ReadOnlySpan<T> features, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.ThrowIfUnsupportedElementType<T>();
        int d = FeatureCount, k = ClassCount;
        if (features.Length % d != 0)
        {
            ThrowHelper.ThrowBatchShapeMismatch(features.Length, d, nameof(features));
        }

        int rows = features.Length / d;
        if (destination.Length < (long)rows * k)
        {
            ThrowHelper.ThrowDestinationTooShort(rows * k, destination.Length, nameof(destination));
        }

        for (int i = 0; i < rows; i++)
        {
            Span<double> scores = destination.Slice(i * k, k);
            Scores(features.Slice(i * d, d), scores);
            for (int c = 0; c < k; c++)
            {
                if (!double.IsFinite(scores[c]))
                {
                    BatchPrediction.ThrowNonFiniteRow(features.Slice(i * d, d), d, i, nameof(features));
                }
            }
        }

        return rows;
    }

    /// <summary>Class probabilities for a batch of dense rows (rows × K, row-major; bit-identical to one-row calls).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Row-major rows of d values.</param>
    /// <param name="destination">At least rows × K slots.</param>
    /// <returns>The number of rows.</returns>
    public int PredictProbabilitiesBatch<T>(ReadOnlySpan<T> features, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = DecisionFunctionBatch(features, destination);
        for (int i = 0; i < rows; i++)
        {
            ToProbabilities(destination.Slice(i * ClassCount, ClassCount));
        }

        return rows;
    }

    /// <summary>Classes for a batch of dense rows.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Row-major rows of d values.</param>
    /// <param name="destination">At least one slot per row.</param>
    /// <returns>The number of rows.</returns>
    public int PredictClasses<T>(ReadOnlySpan<T> features, Span<int> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = features.Length / FeatureCount;
        double[] scores = new double[(long)rows * ClassCount];
        DecisionFunctionBatch(features, scores);
        for (int i = 0; i < rows; i++)
        {
            destination[i] = ArgMax(scores.AsSpan(i * ClassCount, ClassCount));
        }

        return rows;
    }

    /// <summary>Scores for sparse rows into <paramref name="destination"/> (rows × K).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="rows">Sparse rows with d columns.</param>
    /// <param name="destination">At least rows × K slots.</param>
    /// <returns>The number of rows.</returns>
    public int DecisionFunction<T>(CsrMatrix<T> rows, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Columns != FeatureCount)
        {
            throw new ArgumentException($"The matrix has {rows.Columns} columns but the model has {FeatureCount} features.", nameof(rows));
        }

        int k = ClassCount;
        if (destination.Length < (long)rows.Rows * k)
        {
            ThrowHelper.ThrowDestinationTooShort(rows.Rows * k, destination.Length, nameof(destination));
        }

        for (int i = 0; i < rows.Rows; i++)
        {
            SparseRow<T> row = rows.GetRow(i);
            for (int c = 0; c < k; c++)
            {
                double z = SparseLossGradient.Dot(ref MemoryMarshal.GetReference(row.Indices), ref MemoryMarshal.GetReference(row.Values), row.Indices.Length, ref MemoryMarshal.GetReference(Coefficients(c))) + _intercepts[c];
                if (!double.IsFinite(z))
                {
                    throw new DataValueException(i, null, double.NaN, "a score overflowed: the row's values are too large for the model's weights.", nameof(rows));
                }

                destination[(i * k) + c] = z;
            }
        }

        return rows.Rows;
    }

    /// <summary>Class probabilities for sparse rows (rows × K).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="rows">Sparse rows with d columns.</param>
    /// <param name="destination">At least rows × K slots.</param>
    /// <returns>The number of rows.</returns>
    public int PredictProbabilities<T>(CsrMatrix<T> rows, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = DecisionFunction(rows, destination);
        for (int i = 0; i < count; i++)
        {
            ToProbabilities(destination.Slice(i * ClassCount, ClassCount));
        }

        return count;
    }

    /// <summary>Accuracy, log-loss, the confusion matrix and per-class scores on labelled data (class ids 0 … K − 1).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Rows with d columns and K classes.</param>
    public MulticlassEvaluation Evaluate<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MulticlassEvaluation.Compute(this, data);

    /// <summary>Scores of a whole data set (rows × K), dense or sparse.</summary>
    internal double[] Scores<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] scores = new double[(long)data.Rows * ClassCount];
        switch (data)
        {
            case DenseDataset<T> dense:
                for (int i = 0; i < dense.Rows; i++)
                {
                    Scores(dense.GetRow(i), scores.AsSpan(i * ClassCount, ClassCount));
                }

                break;
            case SparseDataset<T> sparse:
                DecisionFunction(sparse.Matrix, scores);
                break;
        }

        return scores;
    }

    /// <summary>Scores → probabilities in place: softmax (multinomial) or normalized σ (one-vs-rest).</summary>
    internal void ToProbabilities(Span<double> z)
    {
        if (Kind == ClassificationKind.Multinomial)
        {
            StableLogistic.Softmax(z);
        }
        else
        {
            // σ(z_c)/Σσ(z_j) as the softmax of log σ(z_c) = −softplus(−z_c): every σ may underflow to 0 in double (all
            // scores below about −745), their ratios do not.
            for (int c = 0; c < z.Length; c++)
            {
                z[c] = -StableLogistic.CrossEntropy(z[c], 1.0);
            }

            StableLogistic.Softmax(z);
        }
    }

    /// <summary>−log p(y | x) from the scores, computed stably (no probability is rounded to 0 first).</summary>
    internal double NegativeLogProbability(ReadOnlySpan<double> z, int y)
    {
        if (Kind == ClassificationKind.Multinomial)
        {
            double max = z[0];
            for (int c = 1; c < z.Length; c++)
            {
                max = Math.Max(max, z[c]);
            }

            double sum = 0;
            for (int c = 0; c < z.Length; c++)
            {
                sum += Math.Exp(z[c] - max);
            }

            return max + Math.Log(sum) - z[y];
        }

        // −log(σ(z_y) / Σ σ(z_c)) = softplus(−z_y) + log Σ σ(z_c), the sum in log space: lₓ = log σ(zₓ) = −softplus(−zₓ),
        // log Σ e^(l_c) = m + log Σ e^(l_c − m) — finite where every σ underflows (all scores below about −745).
        double top = double.NegativeInfinity;
        for (int c = 0; c < z.Length; c++)
        {
            top = Math.Max(top, -StableLogistic.CrossEntropy(z[c], 1.0));
        }

        double total = 0;
        for (int c = 0; c < z.Length; c++)
        {
            total += Math.Exp(-StableLogistic.CrossEntropy(z[c], 1.0) - top);
        }

        return StableLogistic.CrossEntropy(z[y], 1.0) + top + Math.Log(total);
    }

    /// <summary>The class with the largest value (the first on a tie): for scores or probabilities alike.</summary>
    /// <param name="values">K scores or probabilities.</param>
    public static int ArgMaxOf(ReadOnlySpan<double> values) => ArgMax(values);

    internal static int ArgMax(ReadOnlySpan<double> scores)
    {
        int best = 0;
        for (int c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>The K scores of one row, each by the training kernel's one-row dot product.</summary>
    private void Scores<T>(ReadOnlySpan<T> x, Span<double> scores)
        where T : unmanaged
    {
        int d = FeatureCount;
        ref T x0 = ref MemoryMarshal.GetReference(x);
        for (int c = 0; c < ClassCount; c++)
        {
            ref double w = ref _weights[c * d];
            scores[c] = _intercepts[c] + SimdWidthSelector.For(d) switch
            {
                SimdWidth.Vector512 => RowDots.Dot1<T, Vector512<double>, Simd512>(ref x0, ref w, d, Simd512.LastLanesMask(d % 8)),
                SimdWidth.Vector256 => RowDots.Dot1<T, Vector256<double>, Simd256>(ref x0, ref w, d, Simd256.LastLanesMask(d % 4)),
                SimdWidth.Vector128 => RowDots.Dot1<T, Vector128<double>, Simd128>(ref x0, ref w, d, Simd128.LastLanesMask(d % 2)),
                _ => RowDots.Dot1<T, double, SimdScalar>(ref x0, ref w, d, 0.0),
            };
        }
    }

    private void CheckRow(int features, int scores)
    {
        if (features != FeatureCount)
        {
            ThrowHelper.ThrowFeatureCountMismatch(features, FeatureCount, "features");
        }

        if (scores != ClassCount)
        {
            throw new ArgumentException($"The destination has {scores} slots but the model has {ClassCount} classes.", "scores");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"MulticlassModel({Kind}, {ClassCount} classes × {FeatureCount} features)";
}
