namespace FastLogReg.Optimization;

/// <summary>
/// The Newton step along the known invariant directions of an <see cref="IShiftInvariant"/> function, solved apart
/// from the rest. Each direction u (a group's members, 1/√K each) is an eigenvector of ∇²f with the known eigenvalue
/// μ (<see cref="IShiftInvariant.ShiftCurvature"/>: the penalty's L2 strength, 0 for the intercepts). Before the
/// factorization, (c − μ)·uuᵀ is added, c the group's mean diagonal entry, so u's eigenvalue is c, on the scale of its
/// own columns (what a shift of the whole diagonal cannot be when one column is 10¹² times the rest); after the solve,
/// the step's component along u is set to the exact Newton step's: along u only the penalty changes f, so for μ &gt; 0
/// the step moves the group's mean to 0, and for μ = 0 it leaves the mean where it is (the minimum-norm step). Both
/// come from the point, not from ∇f, whose component along u is λ·(the group's sum) plus rounding.
/// </summary>
internal sealed class ShiftDeflation
{
    private readonly IShiftInvariant _invariant;
    private readonly bool[] _deflated; // per group, at the last Deflate

    private ShiftDeflation(IShiftInvariant invariant)
    {
        _invariant = invariant;
        _deflated = new bool[invariant.ShiftGroups.Count];
    }

    /// <summary>The deflation for <paramref name="function"/> (or the function it counts), or null when it has no invariant groups.</summary>
    public static ShiftDeflation? For(ITwiceDifferentiableFunction function)
    {
        ITwiceDifferentiableFunction inner = function is CountingTwiceDifferentiable counted ? counted.Inner : function;
        return inner is IShiftInvariant { ShiftGroups.Count: > 0, ShiftGroupSize: > 1 } invariant ? new ShiftDeflation(invariant) : null;
    }

    /// <summary>Adds (c − μ)·uuᵀ to <paramref name="hessian"/> (n × n) for every group whose mean diagonal entry c exceeds μ.</summary>
    public void Deflate(Span<double> hessian, int n)
    {
        int size = _invariant.ShiftGroupSize;
        for (int g = 0; g < _deflated.Length; g++)
        {
            (int first, int stride) = _invariant.ShiftGroups[g];
            double diagonal = 0;
            for (int a = 0; a < size; a++)
            {
                int row = first + (a * stride);
                diagonal += hessian[(row * n) + row];
            }

            double mu = _invariant.ShiftCurvature(g), c = diagonal / size;
            _deflated[g] = c > mu && double.IsFinite(c);
            if (_deflated[g])
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

    /// <summary>
    /// Sets the component of <paramref name="step"/> along each deflated group's u to the exact Newton step's: the
    /// group's mean moves to 0 from <paramref name="point"/> (μ &gt; 0) or stays (μ = 0).
    /// </summary>
    public void Restore(ReadOnlySpan<double> point, Span<double> step)
    {
        int size = _invariant.ShiftGroupSize;
        for (int g = 0; g < _deflated.Length; g++)
        {
            if (!_deflated[g])
            {
                continue;
            }

            (int first, int stride) = _invariant.ShiftGroups[g];
            double sumPoint = 0, sumStep = 0;
            for (int a = 0; a < size; a++)
            {
                int i = first + (a * stride);
                sumPoint += point[i];
                sumStep += step[i];
            }

            // u = 𝟙/√K: a vector's component along u is its group mean on every member.
            double wanted = _invariant.ShiftCurvature(g) > 0 ? -sumPoint / size : 0;
            double move = wanted - (sumStep / size);
            for (int a = 0; a < size; a++)
            {
                step[first + (a * stride)] += move;
            }
        }
    }
}
