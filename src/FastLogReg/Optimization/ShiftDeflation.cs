namespace FastLogReg.Optimization;

/// <summary>
/// The Newton step along the known invariant directions of an <see cref="IShiftInvariant"/> function, solved apart
/// from the rest. Each direction u (a group's members, 1/√K each) is an eigenvector of ∇²f with the eigenvalue
/// μ = uᵀ∇²f·u (the penalty's curvature; 0 for the intercepts). Before the factorization, (c − μ)·uuᵀ is added, c the
/// group's mean diagonal entry, so u's eigenvalue is c, on the scale of its own columns (what a shift of the whole
/// diagonal cannot be when one column is 10¹² times the rest); after the solve, the step's component along u is set to
/// −uᵀ∇f/μ, the exact Newton step's — or to 0 where μ is within 10⁻¹⁰·c of nothing (the minimum-norm step; ∇f has no
/// component there but rounding).
/// </summary>
internal sealed class ShiftDeflation
{
    private const double Singular = 1e-10;

    private readonly IShiftInvariant _invariant;
    private readonly double[] _eigenvalues; // μ per group, at the last Deflate
    private readonly double[] _means;       // c per group

    private ShiftDeflation(IShiftInvariant invariant)
    {
        _invariant = invariant;
        _eigenvalues = new double[invariant.ShiftGroups.Count];
        _means = new double[invariant.ShiftGroups.Count];
    }

    /// <summary>The deflation for <paramref name="function"/> (or the function it counts), or null when it has no invariant groups.</summary>
    public static ShiftDeflation? For(ITwiceDifferentiableFunction function)
    {
        ITwiceDifferentiableFunction inner = function is CountingTwiceDifferentiable counted ? counted.Inner : function;
        return inner is IShiftInvariant { ShiftGroups.Count: > 0, ShiftGroupSize: > 1 } invariant ? new ShiftDeflation(invariant) : null;
    }

    /// <summary>Measures μ and c of every group in <paramref name="hessian"/> (n × n) and adds (c − μ)·uuᵀ where c &gt; μ.</summary>
    public void Deflate(Span<double> hessian, int n)
    {
        int size = _invariant.ShiftGroupSize;
        for (int g = 0; g < _eigenvalues.Length; g++)
        {
            (int first, int stride) = _invariant.ShiftGroups[g];
            double sum = 0, diagonal = 0;
            for (int a = 0; a < size; a++)
            {
                int row = first + (a * stride);
                diagonal += hessian[(row * n) + row];
                for (int b = 0; b < size; b++)
                {
                    sum += hessian[(row * n) + first + (b * stride)];
                }
            }

            double mu = sum / size, c = diagonal / size;
            _eigenvalues[g] = mu;
            _means[g] = c;
            if (c > mu && double.IsFinite(c))
            {
                double add = (c - mu) / size;
                for (int a = 0; a < size; a++)
                {
                    int row = first + (a * stride);
                    for (int b = 0; b < size; b++)
                    {
                        hessian[(row * n) + first + (b * stride)] += add;
                    }
                }
            }
        }
    }

    /// <summary>Sets the component of <paramref name="step"/> along each group's u to −uᵀg/μ, or 0 where μ is (nearly) 0.</summary>
    public void Restore(ReadOnlySpan<double> gradient, Span<double> step)
    {
        int size = _invariant.ShiftGroupSize;
        for (int g = 0; g < _eigenvalues.Length; g++)
        {
            (int first, int stride) = _invariant.ShiftGroups[g];
            double mu = _eigenvalues[g], c = _means[g];
            if (!(c > mu && double.IsFinite(c)))
            {
                continue;
            }

            double ug = 0, us = 0;
            for (int a = 0; a < size; a++)
            {
                int i = first + (a * stride);
                ug += gradient[i];
                us += step[i];
            }

            // u = 𝟙/√K: s's component along u, (uᵀs)·u, is the group's mean Σs/K added to every member; the wanted
            // one, −(uᵀg/μ)·u, is −Σg/(K·μ) on every member.
            double wanted = mu > Singular * c ? -ug / (size * mu) : 0;
            double move = wanted - (us / size);
            for (int a = 0; a < size; a++)
            {
                step[first + (a * stride)] += move;
            }
        }
    }
}
