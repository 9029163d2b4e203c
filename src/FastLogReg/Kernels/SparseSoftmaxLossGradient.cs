using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// The K-class pass of <see cref="SoftmaxLossGradient"/> over sparse rows: zᵢₖ = Σ over the row's non-zeros of
/// vₘ·W[jₘ, k] + bₖ, the same softmax (or one-vs-rest) residuals across the block's rows, and G[jₘ, k] += rᵢₖ·vₘ.
/// W and G are feature-major here (d rows of K values), so that each non-zero reads and writes one contiguous run of
/// K values — one non-zero serves all classes. Given the point's probabilities, the same pass computes the Hessian times
/// a direction instead (W the direction; see <see cref="SoftmaxLossGradient.CurvatureProducts"/>).
/// </summary>
internal static class SparseSoftmaxLossGradient
{
    private const int BlockRows = SoftmaxLossGradient.BlockRows;

    [ThreadStatic]
    private static double[]? t_scratch;

    /// <summary>Runs the pass over the rows of <paramref name="labels"/>, whose non-zeros are <paramref name="block"/>.</summary>
    /// <param name="block">The rows' column indices and values, row after row.</param>
    /// <param name="rowOffsets">rows + 1 offsets of the rows, relative to any origin.</param>
    /// <param name="labels">The rows' class ids.</param>
    /// <param name="weights">The rows' sample weights, or empty.</param>
    /// <param name="classWeights">One weight per class.</param>
    /// <param name="transposedW">W feature-major: d × K.</param>
    /// <param name="b">b, K intercepts.</param>
    /// <param name="oneVsRest">K binary losses instead of the softmax.</param>
    /// <param name="transposedGradient">Receives G feature-major, d × K (overwritten).</param>
    /// <param name="residualSums">Receives gb, K sums (overwritten).</param>
    /// <param name="probabilities">Empty for the loss pass; for the Hessian-vector pass (W and b then the direction's), the
    /// point's probabilities of the range's rows, class k's at k·<paramref name="probabilityStride"/>.</param>
    /// <param name="probabilityStride">0 for the loss pass; the distance between two classes' probabilities.</param>
    /// <returns>ℓ (0 for the Hessian-vector pass).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T, TV, W>(
        scoped SparseBlock<T> block,
        ReadOnlySpan<long> rowOffsets,
        ReadOnlySpan<T> labels,
        ReadOnlySpan<T> weights,
        ReadOnlySpan<double> classWeights,
        ReadOnlySpan<double> transposedW,
        ReadOnlySpan<double> b,
        bool oneVsRest,
        Span<double> transposedGradient,
        Span<double> residualSums,
        ReadOnlySpan<double> probabilities = default,
        int probabilityStride = 0)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int classes = b.Length;
        int rows = labels.Length;
        transposedGradient.Clear();
        residualSums.Clear();
        int needed = (classes + 5) * BlockRows;
        if (t_scratch is null || t_scratch.Length < needed)
        {
            t_scratch = new double[needed];
        }

        Span<double> z = t_scratch.AsSpan(0, classes * BlockRows);
        Span<double> rowWeight = t_scratch.AsSpan(classes * BlockRows, BlockRows);
        Span<double> work = t_scratch.AsSpan((classes + 1) * BlockRows, 3 * BlockRows);
        Span<int> label = MemoryMarshal.Cast<double, int>(t_scratch.AsSpan((classes + 4) * BlockRows, BlockRows / 2));
        Span<double> scores = stackalloc double[classes];
        ref int j0 = ref MemoryMarshal.GetReference(block.Indices);
        ref T v0 = ref MemoryMarshal.GetReference(block.Values);
        ref double w0 = ref MemoryMarshal.GetReference(transposedW);
        ref double g0 = ref MemoryMarshal.GetReference(transposedGradient);
        long origin = rowOffsets[0];
        bool sampleWeighted = !weights.IsEmpty;
        double loss = 0;

        for (int start = 0; start < rows; start += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - start);
            for (int r = 0; r < count; r++)
            {
                int first = (int)(rowOffsets[start + r] - origin);
                int end = (int)(rowOffsets[start + r + 1] - origin);
                b.CopyTo(scores);
                for (int m = first; m < end; m++)
                {
                    double v = FusedLossGradient.ToDouble(Unsafe.Add(ref v0, m));
                    ref double wj = ref Unsafe.Add(ref w0, (nint)Unsafe.Add(ref j0, m) * classes);
                    for (int k = 0; k < classes; k++)
                    {
                        scores[k] += v * Unsafe.Add(ref wj, k);
                    }
                }

                for (int k = 0; k < classes; k++)
                {
                    z[(k * BlockRows) + r] = scores[k];
                }

                int y = (int)FusedLossGradient.ToDouble(labels[start + r]);
                label[r] = y;
                double s = sampleWeighted ? FusedLossGradient.ToDouble(weights[start + r]) : 1.0;
                rowWeight[r] = s * classWeights[y];
            }

            if (probabilityStride > 0)
            {
                // The Hessian-vector pass: the direction's scores times the point's curvature (SoftmaxLossGradient.CurvatureProducts).
                SoftmaxLossGradient.CurvatureTimesScores<TV, W>(z, rowWeight, probabilities[start..], probabilityStride, classes, count, oneVsRest);
            }
            else
            {
                loss += oneVsRest
                    ? SoftmaxLossGradient.BinaryResiduals<TV, W>(z, rowWeight, label, classes, count, work)
                    : SoftmaxLossGradient.SoftmaxResiduals<TV, W>(z, rowWeight, label, classes, count, work);
            }

            for (int k = 0; k < classes; k++)
            {
                residualSums[k] += System.Numerics.Tensors.TensorPrimitives.Sum<double>(z.Slice(k * BlockRows, count));
            }

            for (int r = 0; r < count; r++)
            {
                for (int k = 0; k < classes; k++)
                {
                    scores[k] = z[(k * BlockRows) + r];
                }

                int first = (int)(rowOffsets[start + r] - origin);
                int end = (int)(rowOffsets[start + r + 1] - origin);
                for (int m = first; m < end; m++)
                {
                    double v = FusedLossGradient.ToDouble(Unsafe.Add(ref v0, m));
                    ref double gj = ref Unsafe.Add(ref g0, (nint)Unsafe.Add(ref j0, m) * classes);
                    for (int k = 0; k < classes; k++)
                    {
                        Unsafe.Add(ref gj, k) += scores[k] * v;
                    }
                }
            }
        }

        return loss;
    }
}
