using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Numerics;

namespace FastLogReg.Objective;

/// <summary>
/// The K-class loss's curvature, chunk by chunk: the probabilities at a point and the Hessian diagonal's raw sums per
/// chunk (in one pass over a chunk's rows), and the finishing of both — one code for the local <see cref="MultinomialObjective{T}"/> and a shard's
/// <see cref="ShardSoftmaxSums{T}"/>, so that a sharded Newton fit has the local fit's bits. Chunks are the data set's
/// (<see cref="ShardPlan"/>): every per-chunk sum starts from zero, and sums over chunks are folded in chunk order.
/// </summary>
internal static class SoftmaxCurvature
{
    /// <summary>Doubles one chunk's diagonal sums take: Σc per class (K), then Σcx and Σcx² class-major (K·d each).</summary>
    public static int SlotLength(int classes, int columns) => classes + (2 * classes * columns);

    /// <summary>Per-chunk vectors of <paramref name="length"/> doubles, back to back in chunk order, folded into <paramref name="into"/>: the first copied, each next added.</summary>
    public static void Fold(ReadOnlySpan<double> chunks, int length, Span<double> into)
    {
        chunks[..length].CopyTo(into);
        for (int offset = length; offset < chunks.Length; offset += length)
        {
            TensorPrimitives.Add(into[..length], chunks.Slice(offset, length), into[..length]);
        }
    }

    /// <summary>
    /// The Hessian's diagonal (K·d, then K intercepts when fitted) from the folded sums: (1/S)·Σcᵢx̂ᵢⱼ² plus the penalty's
    /// curvature, x̂ standardized when <paramref name="scaling"/> is given; the intercepts' (1/S)·Σcᵢ.
    /// </summary>
    public static void Diagonal(ReadOnlySpan<double> sums, int k, int d, FeatureScaling? scaling, double totalWeight, double curvature, bool fitIntercept, Span<double> diagonal)
    {
        double inverseWeight = 1.0 / totalWeight;
        for (int c = 0; c < k; c++)
        {
            double sumC = sums[c];
            ReadOnlySpan<double> cx = sums.Slice(k + (c * d), d), cx2 = sums.Slice(k + (k * d) + (c * d), d);
            for (int j = 0; j < d; j++)
            {
                double v = scaling is null ? cx2[j] : RegularizedObjective.StandardizedSquareSum(cx2[j], cx[j], sumC, scaling.Means[j], scaling.Scales[j]);
                diagonal[(c * d) + j] = (Math.Max(v, 0) * inverseWeight) + curvature;
            }

            if (fitIntercept)
            {
                diagonal[(k * d) + c] = sumC * inverseWeight;
            }
        }
    }

    /// <summary>
    /// Class-major sums over raw features (K rows of d in <paramref name="weights"/>, the K per-class sums in
    /// <paramref name="sums"/>) to the standardized parameters' (the chain rule, when <paramref name="scaling"/> is given),
    /// times <paramref name="inverse"/> (1/S) — a gradient's and a Hessian-vector product's first steps alike.
    /// </summary>
    public static void ToStandardizedAndNormalized(Span<double> weights, ReadOnlySpan<double> sums, int k, int d, FeatureScaling? scaling, double inverse)
    {
        for (int c = 0; c < k; c++)
        {
            scaling?.GradientToStandardized(weights.Slice(c * d, d), sums[c]);
        }

        TensorPrimitives.Multiply(weights, inverse, weights);
    }

    /// <summary>
    /// ∇²f·v from the folded raw product sums (class-major K·d already in <paramref name="product"/>[..K·d], the K per-class
    /// sums in <paramref name="sums"/>): the standardization's chain rule, normalization by S, the penalty's curvature on W;
    /// the intercepts' component when fitted.
    /// </summary>
    public static void FinishProduct(ReadOnlySpan<double> direction, Span<double> product, ReadOnlySpan<double> sums, int k, int d, FeatureScaling? scaling, Penalty penalty, double totalWeight, bool fitIntercept)
    {
        int kd = k * d;
        Span<double> pw = product[..kd];
        double inverse = 1.0 / totalWeight;
        ToStandardizedAndNormalized(pw, sums, k, d, scaling, inverse);
        penalty.AddHessianVector(direction[..kd], pw);
        if (fitIntercept)
        {
            TensorPrimitives.Multiply(sums, inverse, product.Slice(kd, k));
        }
    }
}
