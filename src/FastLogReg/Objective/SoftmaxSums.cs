using System.Numerics.Tensors;

namespace FastLogReg.Objective;

/// <summary>
/// Raw K-class sums over some rows at given raw parameters: Σ s·loss, the K residual sums Σ s·(p − onehot) and the K × d
/// gradient sums Σ s·(p − onehot)·xᵀ (class-major) — unnormalized and unpenalized, so that sums over chunks (and over
/// machines) add up, in a fixed order, to a data set's.
/// </summary>
public sealed class SoftmaxSums
{
    /// <summary>Zero sums for <paramref name="classes"/> classes of <paramref name="columns"/> columns.</summary>
    public SoftmaxSums(int classes, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Classes = classes;
        Columns = columns;
        Residuals = new double[classes];
        Gradient = new double[checked(classes * columns)];
    }

    /// <summary>K.</summary>
    public int Classes { get; }

    /// <summary>d.</summary>
    public int Columns { get; }

    /// <summary>Σ s·loss.</summary>
    public double Loss { get; set; }

    /// <summary>Per class, Σ s·(p − onehot).</summary>
    public double[] Residuals { get; }

    /// <summary>Class-major: row c holds Σ s·(p_c − onehot_c)·x.</summary>
    public double[] Gradient { get; }

    /// <summary>Folds sums given in the data set's order into <paramref name="into"/> as a local fit does: the first copied, each next one added.</summary>
    /// <exception cref="ArgumentException">No sums, or sums of another shape.</exception>
    public static void Fold(IEnumerable<SoftmaxSums> inOrder, SoftmaxSums into)
    {
        ArgumentNullException.ThrowIfNull(inOrder);
        ArgumentNullException.ThrowIfNull(into);
        bool first = true;
        foreach (SoftmaxSums part in inOrder)
        {
            if (part.Classes != into.Classes || part.Columns != into.Columns)
            {
                throw new ArgumentException($"Sums of {part.Classes} × {part.Columns} cannot fold into {into.Classes} × {into.Columns}.", nameof(inOrder));
            }

            if (first)
            {
                part.Gradient.CopyTo(into.Gradient, 0);
                part.Residuals.CopyTo(into.Residuals, 0);
                into.Loss = part.Loss;
                first = false;
            }
            else
            {
                TensorPrimitives.Add(into.Gradient, part.Gradient, into.Gradient);
                TensorPrimitives.Add(into.Residuals, part.Residuals, into.Residuals);
                into.Loss += part.Loss;
            }
        }

        if (first)
        {
            throw new ArgumentException("Nothing to fold.", nameof(inOrder));
        }
    }

    /// <summary>Doubles one chunk's sums for the Hessian's diagonal take (<see cref="ISoftmaxCurvatureSource.PrepareCurvature"/>): K + 2·K·d.</summary>
    public static int DiagonalSlotLength(int classes, int columns) => SoftmaxCurvature.SlotLength(classes, columns);

    /// <summary>
    /// Folds per-chunk vectors of <paramref name="length"/> doubles, back to back in the data set's chunk order (each
    /// chunk's sums for the Hessian's diagonal, <see cref="ISoftmaxCurvatureSource.PrepareCurvature"/>), into
    /// <paramref name="into"/> as a local fit does: the first copied, each next one added.
    /// </summary>
    /// <exception cref="ArgumentException">No vectors, or lengths that do not match.</exception>
    public static void FoldSlots(ReadOnlySpan<double> inOrder, int length, Span<double> into)
    {
        if (length <= 0 || inOrder.Length == 0 || inOrder.Length % length != 0 || into.Length != length)
        {
            throw new ArgumentException($"{inOrder.Length} values do not fold as vectors of {length} into {into.Length}.", nameof(inOrder));
        }

        SoftmaxCurvature.Fold(inOrder, length, into);
    }
}

/// <summary>A data set's K-class sums at raw parameters (local, sharded, or on other machines).</summary>
public interface ISoftmaxSumsSource
{
    /// <summary>K.</summary>
    int Classes { get; }

    /// <summary>d.</summary>
    int Columns { get; }

    /// <summary>S = Σ sample weight × class weight over the rows.</summary>
    double TotalWeight { get; }

    /// <summary>The sums at raw class-major weights <paramref name="weights"/> (K·d) and intercepts <paramref name="biases"/> (K).</summary>
    void Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums sums);
}

/// <summary>
/// K-class rows that also give their loss's curvature (for trust-region Newton over shards,
/// <see cref="ShardedMultinomialObjective"/>): each chunk's part taken as the local objective takes it, folded in the
/// data set's chunk order.
/// </summary>
public interface ISoftmaxCurvatureSource : ISoftmaxSumsSource
{
    /// <summary>Whether the rows are sparse (the preconditioner is then LIBLINEAR's mix, as for a local fit).</summary>
    bool SparseRows { get; }

    /// <summary>
    /// Takes the probabilities at raw class-major <paramref name="weights"/> (K·d) and <paramref name="biases"/> (K) for
    /// the following <see cref="HessianVector"/> calls; with a non-empty <paramref name="diagonalSums"/> also writes the
    /// folded sums for the Hessian's diagonal — Σc per class (K), then Σcx and Σcx² class-major (K·d each), cᵢₖ =
    /// sᵢ·cw(yᵢ)·pᵢₖ(1 − pᵢₖ) (sample weight × class weight).
    /// </summary>
    void PrepareCurvature(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> diagonalSums);

    /// <summary>
    /// The Hessian-vector sums at the raw point (<paramref name="atWeights"/>, <paramref name="atBiases"/>) — prepared
    /// before; rows holding another point (a source serving two objectives, a re-activated shard) take the probabilities
    /// at it again — along a raw direction (class-major <paramref name="weights"/>, <paramref name="biases"/>): Σ over
    /// rows, folded in chunk order, into <paramref name="product"/>'s Gradient (class-major) and Residuals (per class).
    /// </summary>
    void HessianVector(ReadOnlySpan<double> atWeights, ReadOnlySpan<double> atBiases, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums product);
}
