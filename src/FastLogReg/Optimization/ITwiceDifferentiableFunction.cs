namespace FastLogReg.Optimization;

/// <summary>
/// A function whose Hessian can be applied to directions: what a Newton solver (<see cref="TrustRegionNewton"/>)
/// needs. The Hessian is the one at the point of the most recent <see cref="IDifferentiableFunction.Evaluate"/>.
/// </summary>
public interface ITwiceDifferentiableFunction : IDifferentiableFunction
{
    /// <summary>∇²f·v at the point most recently evaluated.</summary>
    /// <param name="direction">v, <see cref="IDifferentiableFunction.Dimension"/> values.</param>
    /// <param name="product">Receives ∇²f·v.</param>
    void HessianVector(ReadOnlySpan<double> direction, Span<double> product);

    /// <summary>
    /// The diagonal of ∇²f at the point most recently evaluated (for a diagonal preconditioner), or false when it is not
    /// available cheaply.
    /// </summary>
    /// <param name="diagonal">Receives the diagonal.</param>
    bool TryGetHessianDiagonal(Span<double> diagonal);

    /// <summary>
    /// M, the positive diagonal preconditioner of <see cref="TrustRegionNewton"/>'s conjugate gradients at the point most
    /// recently evaluated, or false for none (M = I). By default LIBLINEAR's mix (1 − α)·I + α·diag(∇²f), α = 0.01, of
    /// <see cref="TryGetHessianDiagonal"/> (<see cref="Preconditioning.Mix"/>); FastLogReg's objectives return the
    /// diagonal itself on dense rows (and average it over the classes of a K-class model) — see
    /// <see cref="Preconditioning"/>.
    /// </summary>
    /// <param name="preconditioner">Receives M's diagonal, <see cref="IDifferentiableFunction.Dimension"/> positive values.</param>
    /// <returns>Whether M was written.</returns>
    bool TryGetPreconditioner(Span<double> preconditioner)
    {
        if (!TryGetHessianDiagonal(preconditioner))
        {
            return false;
        }

        Preconditioning.Mix(preconditioner);
        return true;
    }

    /// <summary>
    /// The whole Hessian ∇²f at the point most recently evaluated, <see cref="IDifferentiableFunction.Dimension"/>²
    /// values row-major (what <see cref="NewtonCholesky"/> needs), or false when it is not available (the default).
    /// </summary>
    /// <param name="hessian">Receives ∇²f (symmetric), Dimension × Dimension.</param>
    /// <returns>Whether the matrix was written.</returns>
    bool TryGetHessian(Span<double> hessian) => false;
}
