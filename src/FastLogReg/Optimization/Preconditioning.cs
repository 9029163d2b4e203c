namespace FastLogReg.Optimization;

/// <summary>
/// The diagonal preconditioners of <see cref="TrustRegionNewton"/>'s conjugate gradients, built from the Hessian's
/// diagonal h (<see cref="ITwiceDifferentiableFunction.TryGetPreconditioner"/>).
/// </summary>
/// <remarks>
/// LIBLINEAR mixes M = 0.99·I + 0.01·diag(h) (Hsia, Chiang &amp; Lin 2018), chosen on sparse text, where the diagonal
/// itself was sometimes much worse — and it was here too (20,000 × 500,000 text-like rows, C = 1: 194 passes against
/// 118). On dense raw features the mix leaves the columns' scales to CG: measured to 10⁻⁸ (docs/performance.md),
/// M = diag(h) took correlated columns of scales 10⁻²…10² from 1,989 to 151 passes (50,000 × 500), 7,413 to 116
/// (20,000 × 100), 5,305 to 168 (the same moved by 3σ), raw 10-class digits one-vs-rest from 4,949 to 1,432. FastLogReg's
/// objectives therefore return <see cref="Jacobi"/> on dense rows and <see cref="Mix"/> on sparse ones.
/// A K-class model's diagonal is first averaged over the classes per column (<see cref="ClassUniform"/>): the softmax is
/// unchanged by a shift common to all classes, so ∇²f has only λ along those directions, and conjugate gradients from a
/// gradient whose class sums vanish stay off them — as long as M scales every class of a column alike. The per-class
/// diagonal sent them there: raw correlated columns with 5 classes took 7,489 passes against the mix's 3,129; averaged,
/// 183.
/// </remarks>
public static class Preconditioning
{
    /// <summary>The weight α of the Hessian's diagonal in LIBLINEAR's mix (1 − α)·I + α·diag(h).</summary>
    public const double MixWeight = 0.01;

    /// <summary>Entries of the diagonal below this (zero, subnormal) are not used: a column that is 0 on every row with weight.</summary>
    public const double Floor = 1e-300;

    /// <summary>LIBLINEAR's (1 − α)·I + α·diag(h), in place.</summary>
    /// <param name="diagonal">h in, M out.</param>
    public static void Mix(Span<double> diagonal)
    {
        for (int i = 0; i < diagonal.Length; i++)
        {
            diagonal[i] = (1 - MixWeight) + (MixWeight * diagonal[i]);
        }
    }

    /// <summary>FastLogReg's objectives' choice, in place: <see cref="Mix"/> on sparse rows, <see cref="Jacobi"/> on dense ones.</summary>
    /// <param name="diagonal">h in, M out.</param>
    /// <param name="sparseRows">Whether the rows are sparse.</param>
    public static void ForRows(Span<double> diagonal, bool sparseRows)
    {
        if (sparseRows)
        {
            Mix(diagonal);
        }
        else
        {
            Jacobi(diagonal);
        }
    }

    /// <summary>
    /// diag(h) itself, in place; an entry that is not a finite number of at least <see cref="Floor"/> (a column that holds
    /// nothing) takes the smallest one that is (1 when none is), so M stays positive and finite. No floor relative to the
    /// largest entry: with one column 10¹⁰ times the others, a floor of 10⁻¹² of it raised every other entry and left
    /// those columns unpreconditioned.
    /// </summary>
    /// <param name="diagonal">h in, M out.</param>
    public static void Jacobi(Span<double> diagonal)
    {
        double smallest = double.PositiveInfinity;
        foreach (double h in diagonal)
        {
            if (Usable(h) && h < smallest)
            {
                smallest = h;
            }
        }

        double stand = double.IsFinite(smallest) ? smallest : 1;
        for (int i = 0; i < diagonal.Length; i++)
        {
            if (!Usable(diagonal[i]))
            {
                diagonal[i] = stand;
            }
        }

        static bool Usable(double h) => h >= Floor && double.IsFinite(h);
    }

    /// <summary>
    /// A K-class diagonal (K rows of <paramref name="columns"/> weights, then K intercepts when <paramref name="intercepts"/>)
    /// with each column's K entries replaced by their mean, and the intercepts' by theirs, in place.
    /// </summary>
    /// <param name="diagonal">The diagonal, K·d (+ K) values.</param>
    /// <param name="classes">K.</param>
    /// <param name="columns">d.</param>
    /// <param name="intercepts">Whether K intercepts follow the weights.</param>
    public static void ClassUniform(Span<double> diagonal, int classes, int columns, bool intercepts)
    {
        for (int j = 0; j < columns; j++)
        {
            AverageStrided(diagonal, j, columns, classes);
        }

        if (intercepts)
        {
            AverageStrided(diagonal, classes * columns, 1, classes);
        }
    }

    private static void AverageStrided(Span<double> values, int first, int stride, int count)
    {
        double sum = 0;
        for (int c = 0; c < count; c++)
        {
            sum += values[first + (c * stride)];
        }

        double mean = sum / count;
        for (int c = 0; c < count; c++)
        {
            values[first + (c * stride)] = mean;
        }
    }
}
