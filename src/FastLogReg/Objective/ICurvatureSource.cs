namespace FastLogReg.Objective;

/// <summary>
/// Rows that also give the curvature of their loss: the Hessian of Σᵢ sᵢℓᵢ at a prepared raw-feature point, applied to
/// directions — what a Newton solver needs (<see cref="RegularizedObjective.HessianVector"/>). For the binomial loss,
/// ∇² = X̂ᵀCX̂ with X̂ = [X 1] and cᵢ = sᵢ·σ(zᵢ)(1 − σ(zᵢ)).
/// </summary>
public interface ICurvatureSource : ILossSumsSource
{
    /// <summary>
    /// Caches the rows' curvature at (<paramref name="weights"/>, <paramref name="bias"/>) for the following
    /// <see cref="HessianVector"/> calls; with non-empty spans also writes Σᵢ cᵢxᵢⱼ and Σᵢ cᵢxᵢⱼ² (the Hessian's
    /// diagonal, for a preconditioner). One pass over the rows.
    /// </summary>
    /// <param name="weights">w on raw features.</param>
    /// <param name="bias">b on raw features.</param>
    /// <param name="sumCx">Receives Σᵢ cᵢxᵢⱼ (d values), or empty to skip.</param>
    /// <param name="sumCx2">Receives Σᵢ cᵢxᵢⱼ² (d values), or empty to skip.</param>
    /// <returns>Σᵢ cᵢ.</returns>
    double PrepareCurvature(ReadOnlySpan<double> weights, double bias, Span<double> sumCx, Span<double> sumCx2);

    /// <summary>(X̂ᵀCX̂)·(u, u_b) at the prepared point: one pass over the rows.</summary>
    /// <param name="direction">u on raw features (d values).</param>
    /// <param name="directionBias">u_b.</param>
    /// <param name="product">Receives the first d components.</param>
    /// <param name="productBias">Receives the intercept component.</param>
    void HessianVector(ReadOnlySpan<double> direction, double directionBias, Span<double> product, out double productBias);

    /// <summary>
    /// The whole matrix X̂ᵀCX̂ at the prepared point, x̂ᵢ = ((xᵢ − μ)/σ, 1) with the scaling's μ and σ (or (xᵢ, 1)
    /// without one): (d + 1) × (d + 1) row-major into <paramref name="gram"/>, the intercept last; one pass over the rows
    /// and O(n·d²) arithmetic. False when the rows cannot give it (the default), and then nothing is written.
    /// </summary>
    /// <param name="scaling">The standardization the matrix is taken in, or null for raw features.</param>
    /// <param name="gram">Receives the matrix, (d + 1)² values.</param>
    /// <returns>Whether the matrix was written.</returns>
    bool TryWeightedGram(FeatureScaling? scaling, Span<double> gram) => false;

    /// <summary>
    /// Whether the rows are sparse (text-like): trust-region Newton then preconditions with LIBLINEAR's mix of the
    /// Hessian's diagonal rather than the diagonal itself (<see cref="Optimization.Preconditioning"/>). False by default.
    /// </summary>
    bool SparseRows => false;
}
