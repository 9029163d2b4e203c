using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;

namespace FastLogReg.Kernels;

/// <summary>The parameters of a binomial pass on raw features: w, b and the two class weights.</summary>
internal readonly ref struct BinomialPoint(ReadOnlySpan<double> weights, double bias, double classWeight0, double classWeight1)
{
    public ReadOnlySpan<double> Weights { get; } = weights;

    public double Bias { get; } = bias;

    public double ClassWeight0 { get; } = classWeight0;

    public double ClassWeight1 { get; } = classWeight1;
}

/// <summary>
/// The seam between the data layouts and everything that scans data: the fused loss-and-gradient pass, decision values,
/// the standardization moments and the squared norms of the safe learning rate, each over a run of rows. One subclass
/// per layout (<see cref="DenseLayout{T}"/>, <see cref="CsrLayout{T}"/>); callers above see only this, so a new
/// layout adds a subclass and touches nothing else. The chunk partition is the layout's, fixed by the data alone.
/// </summary>
internal abstract class FeatureLayout<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected FeatureLayout(Dataset<T> data, SimdWidth width, RowPartition partition)
    {
        Data = data;
        Width = width;
        Partition = partition;
    }

    /// <summary>The data.</summary>
    public Dataset<T> Data { get; }

    /// <summary>The SIMD width of the kernels.</summary>
    public SimdWidth Width { get; }

    /// <summary>The chunks, fixed by the data alone.</summary>
    public RowPartition Partition { get; }

    /// <summary>Number of columns.</summary>
    public int Columns => Data.Columns;

    /// <summary>
    /// The layout of a data set, at the widest width (no wider than <paramref name="widthCap"/>); with
    /// <paramref name="oneThread"/>, sparse rows are cut for passes that always run on one thread
    /// (<see cref="RowPartition.SparseOneThread"/>).
    /// </summary>
    public static FeatureLayout<T> For(Dataset<T> data, SimdWidth? widthCap = null, bool oneThread = false) => data switch
    {
        DenseDataset<T> dense => new DenseLayout<T>(dense, widthCap),
        SparseDataset<T> sparse when oneThread => new CsrLayout<T>(sparse, widthCap, RowPartition.SparseOneThread(sparse.Matrix.RowOffsets.Span)),
        SparseDataset<T> sparse => new CsrLayout<T>(sparse, widthCap),
        _ => throw new NotSupportedException($"{data.GetType().Name} is not a supported data layout."),
    };

    /// <summary>The fused binomial pass over rows [<paramref name="start"/>, +<paramref name="count"/>): Σ s·ℓ, Σ s·r·x (into <paramref name="gradient"/>, overwritten), Σ s·r.</summary>
    public abstract void Binomial(int start, int count, scoped in BinomialPoint point, Span<double> gradient, out double loss, out double residual);

    /// <summary>The same pass over the rows <paramref name="samples"/> (gathered first; one call at a time per layout).</summary>
    public abstract void BinomialSamples(ReadOnlySpan<int> samples, scoped in BinomialPoint point, Span<double> gradient, out double loss, out double residual);

    /// <summary>zᵢ = wᵀxᵢ + b for rows [<paramref name="start"/>, +<paramref name="count"/>).</summary>
    public abstract void Margins(int start, int count, ReadOnlySpan<double> w, double b, Span<double> z);

    /// <summary>The values moments are taken around (the first row for dense data, zero for sparse).</summary>
    public abstract double[] MomentShift();

    /// <summary>
    /// Σ sᵢ·uᵢⱼ and Σ sᵢ·uᵢⱼ² over rows [<paramref name="start"/>, +<paramref name="count"/>), uᵢⱼ = (xᵢⱼ − shiftⱼ)/unitⱼ
    /// (unit 1 when <paramref name="unit"/> is null), sᵢ the sample weight; added into <paramref name="sum"/> and <paramref name="squares"/>;
    /// with a non-empty <paramref name="largest"/> also max |uᵢⱼ| per column into it (a maximum with what it holds).
    /// </summary>
    public abstract void Moments(int start, int count, ReadOnlySpan<double> shift, double[]? unit, Span<double> sum, Span<double> squares, Span<double> largest = default);

    /// <summary>max |xᵢⱼ − shiftⱼ| per column over all rows (into <paramref name="largest"/>).</summary>
    public abstract void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest);

    /// <summary>
    /// Σᵢ cᵢ·(‖(xᵢ − μ)/σ‖²/unit² + intercept) over rows [<paramref name="start"/>, +<paramref name="count"/>), cᵢ the row's
    /// sample weight times its class weight; μ = 0, σ = 1 when <paramref name="means"/> is empty.
    /// </summary>
    public abstract double WeightedSquaredNorms(int start, int count, ReadOnlySpan<double> means, ReadOnlySpan<double> scales, double unit, double intercept, ReadOnlySpan<double> classWeights);

    /// <summary>
    /// The curvature of the binomial loss per row over rows [<paramref name="start"/>, +<paramref name="count"/>):
    /// cᵢ = sᵢ·cw(yᵢ)·σ(zᵢ)(1 − σ(zᵢ)), zᵢ = wᵀxᵢ + b, into <paramref name="curvature"/>; and, for a diagonal
    /// preconditioner, Σ cᵢxᵢⱼ and Σ cᵢxᵢⱼ² added into <paramref name="sumCx"/> and <paramref name="sumCx2"/> (skipped
    /// when empty); returns Σ cᵢ.
    /// </summary>
    public double Curvature(int start, int count, scoped in BinomialPoint point, Span<double> curvature, Span<double> sumCx, Span<double> sumCx2)
    {
        Margins(start, count, point.Weights, point.Bias, curvature);
        ReadOnlySpan<T> labels = Data.Labels.Span.Slice(start, count);

        // σ(z)(1 − σ(z)) = e/(1 + e)² with e = exp(−|z|): no overflow, exact in both tails; the exp vectorized.
        System.Numerics.Tensors.TensorPrimitives.Abs(curvature, curvature);
        System.Numerics.Tensors.TensorPrimitives.Negate(curvature, curvature);
        System.Numerics.Tensors.TensorPrimitives.Exp(curvature, curvature);
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            double e = curvature[i];
            double u = 1 + e;
            double c = SampleWeight(start + i) * (labels[i] == T.One ? point.ClassWeight1 : point.ClassWeight0) * (e / (u * u));
            curvature[i] = c;
            total += c;
        }

        if (!sumCx.IsEmpty)
        {
            WeightedMoments(start, count, curvature, sumCx, sumCx2);
        }

        return total;
    }

    /// <summary>Row <paramref name="row"/> as doubles into <paramref name="destination"/> (d values; zeros stay as they are).</summary>
    public abstract void DenseRow(int row, Span<double> destination);

    /// <summary>Σ cᵢxᵢⱼ and Σ cᵢxᵢⱼ² over rows [<paramref name="start"/>, +<paramref name="count"/>), added into the two spans.</summary>
    public abstract void WeightedMoments(int start, int count, ReadOnlySpan<double> c, Span<double> sumCx, Span<double> sumCx2);

    /// <summary>
    /// q = Σ tᵢxᵢ (into <paramref name="product"/>, overwritten) and returns Σ tᵢ, tᵢ = cᵢ·(xᵢᵀu + u_b), over rows
    /// [<paramref name="start"/>, +<paramref name="count"/>) with <paramref name="curvature"/> their cᵢ: the Hessian of the
    /// binomial loss times a direction, in one pass.
    /// </summary>
    public abstract double HessianVector(int start, int count, ReadOnlySpan<double> u, double ub, ReadOnlySpan<double> curvature, Span<double> product);

    /// <summary>Whether <see cref="Softmax"/> multiplies in float when asked (dense float rows, registers of ≥ 8 floats, rows of ≥ one register).</summary>
    public virtual bool SupportsFloatProducts => false;

    /// <summary>Whether the K-class pass wants W and G feature-major (d × K: sparse rows) rather than class-major (K × d).</summary>
    public abstract bool FeatureMajorClasses { get; }

    /// <summary>
    /// The fused K-class pass over rows [<paramref name="start"/>, +<paramref name="count"/>): returns Σ s·ℓ; writes
    /// Σ s·(p − onehot)·xᵀ into <paramref name="gradient"/> (in the layout of <see cref="FeatureMajorClasses"/>, overwritten)
    /// and Σ s·(p − onehot) into <paramref name="residualSums"/>. With <paramref name="floatProducts"/>, dense float rows
    /// multiply in float where the registers allow (<see cref="SoftmaxFloatProducts"/>); other layouts ignore it.
    /// </summary>
    public abstract double Softmax(int start, int count, ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> gradient, Span<double> residualSums, bool floatProducts = false);

    /// <summary>
    /// The K-class Hessian times a direction over rows [<paramref name="start"/>, +<paramref name="count"/>), in one pass
    /// shaped as <see cref="Softmax"/>: uᵢ = V xᵢ + v_b, aᵢₖ = sᵢcw(yᵢ)·pᵢₖ(uᵢₖ − Σₗ pᵢₗuᵢₗ) (one-vs-rest: pᵢₖ(1 − pᵢₖ)uᵢₖ),
    /// Σ aᵢₖxᵢ into <paramref name="product"/> (the orientation of <see cref="FeatureMajorClasses"/>, overwritten) and Σ aᵢₖ
    /// into <paramref name="productSums"/>. <paramref name="probabilities"/> starts at row <paramref name="start"/> of class 0;
    /// class k's rows follow at k·<paramref name="probabilityStride"/>.
    /// </summary>
    public abstract void SoftmaxHessianVector(int start, int count, ReadOnlySpan<double> v, ReadOnlySpan<double> vb, ReadOnlySpan<double> probabilities, int probabilityStride, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> product, Span<double> productSums);

    /// <summary>
    /// The K-class curvature at raw class-major (<paramref name="w"/>, <paramref name="b"/>) over rows
    /// [<paramref name="start"/>, +<paramref name="count"/>): each row's probabilities (softmax, or K sigmoids for
    /// one-vs-rest) into <paramref name="probabilities"/> (class k's row i at k·<paramref name="stride"/> + i, rows
    /// absolute); with a non-empty <paramref name="sums"/> also, overwritten, per class k with cᵢₖ = sᵢcw(yᵢ)·pᵢₖ(1 − pᵢₖ):
    /// Σcᵢₖ (K values), then Σcᵢₖxᵢ and Σcᵢₖxᵢ² class-major (K·d each) — the Hessian diagonal's raw sums. This default
    /// takes K margin passes, a softmax per row and K weighted-moment passes; dense rows do it in one fused pass.
    /// </summary>
    public virtual void SoftmaxCurvature(int start, int count, ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> probabilities, int stride, Span<double> sums)
    {
        int k = b.Length, d = Columns;
        for (int c = 0; c < k; c++)
        {
            Margins(start, count, w.Slice(c * d, d), b[c], probabilities.Slice((c * stride) + start, count));
        }

        Span<double> row = k <= 128 ? stackalloc double[k] : new double[k];
        for (int i = start; i < start + count; i++)
        {
            if (oneVsRest)
            {
                for (int c = 0; c < k; c++)
                {
                    probabilities[(c * stride) + i] = StableLogistic.Sigmoid(probabilities[(c * stride) + i]);
                }

                continue;
            }

            // Class-major (one margin pass per class): gather the row, softmax, scatter back.
            for (int c = 0; c < k; c++)
            {
                row[c] = probabilities[(c * stride) + i];
            }

            StableLogistic.Softmax(row);
            for (int c = 0; c < k; c++)
            {
                probabilities[(c * stride) + i] = row[c];
            }
        }

        if (sums.IsEmpty)
        {
            return;
        }

        sums.Clear();
        double[] rented = System.Buffers.ArrayPool<double>.Shared.Rent(count); // once per chunk and point: not allocated each time
        Span<double> weights = rented.AsSpan(0, count);
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> p = probabilities.Slice((c * stride) + start, count);
            double sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += weights[i] = RowWeight(start + i, classWeights) * (p[i] * (1 - p[i]));
            }

            sums[c] = sum;
            WeightedMoments(start, count, weights, sums.Slice(k + (c * d), d), sums.Slice(k + (k * d) + (c * d), d));
        }

        System.Buffers.ArrayPool<double>.Shared.Return(rented);
    }

    /// <summary>sᵢ for row i (1 when unweighted).</summary>
    protected double SampleWeight(int row) => Data.HasSampleWeights ? double.CreateTruncating(Data.SampleWeights.Span[row]) : 1.0;

    /// <summary>sᵢ times the class weight of row i.</summary>
    protected double RowWeight(int row, ReadOnlySpan<double> classWeights) =>
        SampleWeight(row) * classWeights[int.CreateTruncating(Data.Labels.Span[row])];
}
