using FastLogReg.Numerics;

namespace FastLogReg.Optimization;

/// <summary>
/// The curvature pairs of L-BFGS and OWL-QN: the last m steps sₖ = xₖ₊₁ − xₖ and changes of the smooth gradient
/// yₖ = ∇fₖ₊₁ − ∇fₖ, with ρₖ = 1/sₖᵀyₖ and the initial scaling γ = sᵀy/yᵀy of the newest pair, in a ring. A
/// regularization path hands one memory from each λ to the next (<see cref="ShiftL2"/>): the loss does not depend on λ,
/// so the pairs still describe its curvature, and only the L2 term's share of each y changes. A warm start then takes
/// quasi-Newton steps from its first iteration, where a memory started empty takes a steepest-descent step of unit length
/// that the line search has to halve down to the small move a warm start needs.
/// </summary>
internal sealed class CurvatureMemory
{
    /// <summary>An empty memory of <paramref name="capacity"/> pairs of <paramref name="dimension"/> values.</summary>
    public CurvatureMemory(int dimension, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Dimension = dimension;
        S = new double[capacity][];
        Y = new double[capacity][];
        Rho = new double[capacity];
        Alpha = new double[capacity];
        for (int i = 0; i < capacity; i++)
        {
            S[i] = new double[dimension];
            Y[i] = new double[dimension];
        }

        CandidateS = new double[dimension];
        CandidateY = new double[dimension];
    }

    /// <summary>
    /// <paramref name="carried"/> after checking it holds <paramref name="capacity"/> pairs of <paramref name="dimension"/>
    /// values, or an empty memory of that shape when null.
    /// </summary>
    /// <exception cref="ArgumentException">The carried memory has another shape.</exception>
    public static CurvatureMemory For(CurvatureMemory? carried, int dimension, int capacity)
    {
        if (carried is null)
        {
            return new CurvatureMemory(dimension, capacity);
        }

        return carried.Dimension == dimension && carried.Capacity == capacity
            ? carried
            : throw new ArgumentException($"The carried curvature memory holds {carried.Capacity} pairs of {carried.Dimension} values; this fit needs {capacity} of {dimension}.", nameof(carried));
    }

    /// <summary>The length of each vector.</summary>
    public int Dimension { get; }

    /// <summary>m, the most pairs kept.</summary>
    public int Capacity => S.Length;

    /// <summary>The steps sₖ (ring slots).</summary>
    public double[][] S { get; }

    /// <summary>The gradient changes yₖ (ring slots).</summary>
    public double[][] Y { get; }

    /// <summary>ρₖ = 1/sₖᵀyₖ per slot.</summary>
    public double[] Rho { get; }

    /// <summary>The two-loop recursion's per-slot scratch.</summary>
    public double[] Alpha { get; }

    /// <summary>How many pairs are stored (0 … m).</summary>
    public int Stored { get; set; }

    /// <summary>The slot of the newest pair (−1 before the first).</summary>
    public int Newest { get; private set; } = -1;

    /// <summary>γ = sᵀy/yᵀy of the newest pair: the initial Hessian approximation's scale (1 before the first pair).</summary>
    public double Gamma { get; private set; } = 1;

    /// <summary>The next step s, written here by the solver before <see cref="Accept"/> decides on it.</summary>
    public double[] CandidateS { get; private set; }

    /// <summary>The next gradient change y, written here by the solver before <see cref="Accept"/> decides on it.</summary>
    public double[] CandidateY { get; private set; }

    /// <summary>The slot an accepted pair goes to: the oldest one's when the memory is full.</summary>
    public int NextSlot => (Newest + 1) % Capacity;

    /// <summary>The slot of the k-th newest pair (k = 0 the newest).</summary>
    public int Slot(int k) => ((Newest - k) % Capacity + Capacity) % Capacity;

    /// <summary>
    /// Keeps the candidate pair (<see cref="CandidateS"/>, <see cref="CandidateY"/>) in <see cref="NextSlot"/> if its
    /// curvature is positive beyond rounding (sᵀy &gt; 10⁻¹⁰‖s‖‖y‖, so the approximation stays positive definite); a
    /// rejected candidate leaves every stored pair as it was (it used to be written over the oldest one first).
    /// </summary>
    public void Accept(double sy, double yy, double ss)
    {
        if (sy > 1e-10 * Math.Sqrt(ss * yy))
        {
            int slot = NextSlot;
            (S[slot], CandidateS) = (CandidateS, S[slot]);
            (Y[slot], CandidateY) = (CandidateY, Y[slot]);
            Rho[slot] = 1 / sy;
            Gamma = sy / yy;
            Newest = slot;
            Stored = Math.Min(Stored + 1, Capacity);
        }
    }

    /// <summary>
    /// The smooth function's L2 term changed by <paramref name="delta"/> (λ₂ → λ₂ + δ on the first
    /// <paramref name="penalizedCount"/> coordinates): every yₖ gains δ·sₖ there — exactly what its gradient change
    /// would have been under the new term — and ρ and γ follow. If a pair's curvature is no longer positive beyond rounding
    /// the memory is emptied (a convex loss keeps sᵀy ≥ 0, so only rounding can do this).
    /// </summary>
    public void ShiftL2(double delta, int penalizedCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(penalizedCount, Dimension);
        if (delta == 0 || Stored == 0)
        {
            return;
        }

        for (int k = 0; k < Stored; k++)
        {
            int slot = Slot(k);
            double[] s = S[slot], y = Y[slot];
            SmallVectors.MultiplyAdd(s.AsSpan(0, penalizedCount), delta, y.AsSpan(0, penalizedCount), y.AsSpan(0, penalizedCount));
            double sy = SmallVectors.Dot(s, y), yy = SmallVectors.Dot(y, y), ss = SmallVectors.Dot(s, s);
            if (!(sy > 1e-10 * Math.Sqrt(ss * yy)))
            {
                Stored = 0;
                return;
            }

            Rho[slot] = 1 / sy;
            if (k == 0)
            {
                Gamma = sy / yy;
            }
        }
    }
}
