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
