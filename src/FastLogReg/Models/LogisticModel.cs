using System.Numerics.Tensors;
using System.Numerics;
using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Numerics;

namespace FastLogReg.Models;

/// <summary>
/// A trained binary logistic-regression model: P(y = 1 | x) = σ(wᵀx + b). Immutable; safe to share across threads.
/// </summary>
public sealed class LogisticModel : ClassificationModel
{
    private readonly CacheLineAligned _weights; // w on cache lines: the row dots load it a register at a time

    /// <summary>Creates a model from weights and a bias (the weights are copied).</summary>
    /// <param name="weights">w, one finite weight per feature, at least one.</param>
    /// <param name="bias">b, finite.</param>
    /// <exception cref="ArgumentException">No weights, or a weight or the bias is NaN or ±∞.</exception>
    public LogisticModel(ReadOnlySpan<double> weights, double bias)
    {
        if (weights.IsEmpty)
        {
            throw new ArgumentException("A model needs at least one weight.", nameof(weights));
        }

        if (!TensorPrimitives.IsFiniteAll(weights))
        {
            int j = 0;
            while (double.IsFinite(weights[j]))
            {
                j++;
            }

            throw new ArgumentException($"Weight {j} is {weights[j]}: weights must be finite.", nameof(weights));
        }

        if (!double.IsFinite(bias))
        {
            throw new ArgumentOutOfRangeException(nameof(bias), bias, "The bias must be finite.");
        }

        _weights = new CacheLineAligned(weights.Length);
        weights.CopyTo(_weights.Span);
        Bias = bias;
        Width = SimdWidthSelector.For(_weights.Length);
    }

    /// <summary>w, one weight per feature.</summary>
    public ReadOnlySpan<double> Weights => _weights.Span;

    /// <summary>b, the intercept.</summary>
    public double Bias { get; }

    /// <summary>The number of features a row must have.</summary>
    public override int FeatureCount => _weights.Length;

    /// <inheritdoc/>
    public override ClassificationKind Kind => ClassificationKind.Binary;

    /// <inheritdoc/>
    public override int ClassCount => 2;

    /// <inheritdoc/>
    public override int CoefficientRows => 1;

    /// <inheritdoc/>
    public override ReadOnlySpan<double> Coefficients(int row) => row == 0 ? Weights : throw new ArgumentOutOfRangeException(nameof(row), row, "A binary model has one row of coefficients.");

    /// <inheritdoc/>
    public override double Intercept(int row) => row == 0 ? Bias : throw new ArgumentOutOfRangeException(nameof(row), row, "A binary model has one intercept.");

    internal SimdWidth Width { get; }

    /// <summary>The decision value z = wᵀx + b (the log-odds of class 1) for one row.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The row, <see cref="FeatureCount"/> finite values.</param>
    /// <exception cref="ArgumentException">Wrong number of features, or a feature is NaN or ±∞.</exception>
    public double DecisionFunction<T>(ReadOnlySpan<T> features)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.ThrowIfUnsupportedElementType<T>();
        if (features.Length != _weights.Length)
        {
            ThrowHelper.ThrowFeatureCountMismatch(features.Length, _weights.Length, nameof(features));
        }

        double z = BatchPrediction.Dot(this, features) + Bias;
        if (!double.IsFinite(z))
        {
            BatchPrediction.ThrowNonFiniteRow(features, _weights.Length, 0, nameof(features));
        }

        return z;
    }

    /// <summary>P(y = 1 | x) = σ(wᵀx + b) for one row.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The row, <see cref="FeatureCount"/> finite values.</param>
    public double PredictProbability<T>(ReadOnlySpan<T> features)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Kernels.LogisticProbabilities.Of(DecisionFunction(features));

    /// <summary>The predicted class for one row: 1 when P(y = 1 | x) &gt; 0.5 (z &gt; 0), else 0.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The row, <see cref="FeatureCount"/> finite values.</param>
    public int PredictClass<T>(ReadOnlySpan<T> features)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        DecisionFunction(features) > 0 ? 1 : 0;

    /// <summary>Decision values zᵢ = wᵀxᵢ + b for a batch of rows, into <paramref name="destination"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Row-major rows of <see cref="FeatureCount"/> finite values each.</param>
    /// <param name="destination">At least one slot per row; the first <c>rows</c> are written.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most for large batches; null for all cores.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="ArgumentException">The batch is not a whole number of rows, the destination is too short, or a
    /// feature is NaN or ±∞ (the message names row and column).</exception>
    public int DecisionFunction<T>(ReadOnlySpan<T> features, Span<double> destination, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BatchPrediction.DecisionValues(this, features, destination, maxDegreeOfParallelism);

    /// <summary>Probabilities σ(wᵀxᵢ + b) for a batch of rows, into <paramref name="destination"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Row-major rows of <see cref="FeatureCount"/> finite values each.</param>
    /// <param name="destination">At least one slot per row.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most for large batches; null for all cores.</param>
    /// <returns>The number of rows.</returns>
    public int PredictProbabilities<T>(ReadOnlySpan<T> features, Span<double> destination, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = BatchPrediction.DecisionValues(this, features, destination, maxDegreeOfParallelism);
        Kernels.LogisticProbabilities.Apply(destination[..rows]);
        return rows;
    }

    /// <summary>Classes (1 when z &gt; 0, else 0) for a batch of rows, into <paramref name="destination"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Row-major rows of <see cref="FeatureCount"/> finite values each.</param>
    /// <param name="destination">At least one slot per row.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most for large batches; null for all cores.</param>
    /// <returns>The number of rows.</returns>
    public int PredictClasses<T>(ReadOnlySpan<T> features, Span<int> destination, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = BatchPrediction.RowCount(this, features, destination.Length, nameof(destination));
        double[] z = System.Buffers.ArrayPool<double>.Shared.Rent(rows);
        try
        {
            BatchPrediction.DecisionValues(this, features, z, maxDegreeOfParallelism);
            for (int i = 0; i < rows; i++)
            {
                destination[i] = z[i] > 0 ? 1 : 0;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(z);
        }

        return rows;
    }

    /// <summary>Accuracy and mean log-loss of the model on a labelled data set (weighted by its sample weights, if any).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Rows with <see cref="FeatureCount"/> columns.</param>
    public ModelEvaluation Evaluate<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ModelEvaluation.Compute(this, data);

    /// <summary>
    /// The observed information of the data at this model, I = Σᵢ sᵢ·σ(zᵢ)(1 − σ(zᵢ))·x̂ᵢx̂ᵢᵀ with x̂ᵢ = (xᵢ, 1) and sᵢ
    /// the sample weight: the Hessian of the summed (not averaged) cross-entropy in (w, b), on raw features — the
    /// matrix whose inverse is the covariance of the maximum-likelihood estimates (statsmodels' <c>cov_params</c>).
    /// One pass over the data and O(n·d²/2) arithmetic, on all cores (bit-identical for any number): meant for up to a few thousand features.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Rows with <see cref="FeatureCount"/> columns.</param>
    /// <returns>(d + 1) × (d + 1), the intercept last.</returns>
    public double[,] ObservedInformation<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != FeatureCount)
        {
            throw new ArgumentException($"The data set has {data.Columns} columns but the model has {FeatureCount} features.", nameof(data));
        }

        int stride = FeatureCount + 1;
        if ((long)stride * stride > Array.MaxLength)
        {
            throw new ArgumentException($"A {stride} × {stride} information matrix does not fit in an array: too many features for coefficient statistics.", nameof(data));
        }

        var layout = FeatureLayout<T>.For(data);
        double[] c = new double[data.Rows];
        var point = new BinomialPoint(_weights.Span, Bias, 1, 1);
        const int Block = 4096;
        for (int start = 0; start < data.Rows; start += Block)
        {
            int count = Math.Min(Block, data.Rows - start);
            layout.Curvature(start, count, point, c.AsSpan(start, count), default, default);
        }

        double[] gram = new double[stride * stride];
        new GramBuilder<T>(layout, maxDegreeOfParallelism: null).Compute(c, default, default, gram);

        double[,] information = new double[stride, stride];
        for (int i = 0; i < stride; i++)
        {
            for (int j = 0; j < stride; j++)
            {
                information[i, j] = gram[(i * stride) + j];
            }
        }

        return information;
    }

    /// <summary>The decision value z = wᵀx + b for one sparse row.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="indices">Column indices of the row's non-zeros, each in [0, <see cref="FeatureCount"/>).</param>
    /// <param name="values">The non-zero values, one per index, finite.</param>
    /// <exception cref="ArgumentException">The spans differ in length, an index is out of range, or a value is not finite.</exception>
    public double DecisionFunction<T>(ReadOnlySpan<int> indices, ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.ThrowIfUnsupportedElementType<T>();
        if (indices.Length != values.Length)
        {
            throw new ArgumentException($"{indices.Length} indices for {values.Length} values: one index per value.", nameof(indices));
        }

        for (int k = 0; k < indices.Length; k++)
        {
            if ((uint)indices[k] >= (uint)FeatureCount)
            {
                throw new ArgumentException($"Index {k} is {indices[k]}, outside the model's {FeatureCount} features.", nameof(indices));
            }

            if (!T.IsFinite(values[k]))
            {
                throw new ArgumentException($"Value {k} (feature {indices[k]}) is {values[k]}: values must be finite.", nameof(values));
            }
        }

        double z = SparseLossGradient.Dot(ref MemoryMarshal.GetReference(indices), ref MemoryMarshal.GetReference(values), indices.Length, ref MemoryMarshal.GetReference(Weights)) + Bias;
        return double.IsFinite(z) ? z : throw new ArgumentException("The decision value overflowed: the row's values are too large for the model's weights.", nameof(values));
    }

    /// <summary>P(y = 1 | x) = σ(wᵀx + b) for one sparse row (bit-identical to the batch call).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="indices">Column indices of the row's non-zeros.</param>
    /// <param name="values">The non-zero values.</param>
    public double PredictProbability<T>(ReadOnlySpan<int> indices, ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LogisticProbabilities.Of(DecisionFunction(indices, values));

    /// <summary>Decision values for every row of a sparse matrix, into <paramref name="destination"/>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="rows">Sparse rows with <see cref="FeatureCount"/> columns.</param>
    /// <param name="destination">At least one slot per row.</param>
    /// <returns>The number of rows.</returns>
    public int DecisionFunction<T>(CsrMatrix<T> rows, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Columns != FeatureCount)
        {
            throw new ArgumentException($"The matrix has {rows.Columns} columns but the model has {FeatureCount} features.", nameof(rows));
        }

        if (destination.Length < rows.Rows)
        {
            ThrowHelper.ThrowDestinationTooShort(rows.Rows, destination.Length, nameof(destination));
        }

        ReadOnlySpan<long> offsets = rows.RowOffsets.Span;
        ref double w = ref MemoryMarshal.GetReference(Weights);
        for (int i = 0; i < rows.Rows; i++)
        {
            SparseRow<T> row = rows.GetRow(i);
            destination[i] = SparseLossGradient.Dot(ref MemoryMarshal.GetReference(row.Indices), ref MemoryMarshal.GetReference(row.Values), row.Indices.Length, ref w) + Bias;
            if (!double.IsFinite(destination[i]))
            {
                throw new DataValueException(i, null, double.NaN, "the decision value overflowed: the row's values are too large for the model's weights.", nameof(rows));
            }
        }

        return rows.Rows;
    }

    /// <summary>Probabilities for every row of a sparse matrix, into <paramref name="destination"/> (bit-identical to one-row calls).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="rows">Sparse rows with <see cref="FeatureCount"/> columns.</param>
    /// <param name="destination">At least one slot per row.</param>
    /// <returns>The number of rows.</returns>
    public int PredictProbabilities<T>(CsrMatrix<T> rows, Span<double> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = DecisionFunction(rows, destination);
        LogisticProbabilities.Apply(destination[..count]);
        return count;
    }

    /// <inheritdoc/>
    public override string ToString() => $"LogisticModel({FeatureCount} features, bias {Bias:G6})";
}
