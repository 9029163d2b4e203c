namespace FastLogReg.Optimization;

/// <summary>
/// When a solver stops and whom it tells about its progress: an immutable record, validated as each property is set.
/// Every solver shares these rules (see <see cref="StopReason"/>).
/// </summary>
public sealed record SolverOptions
{
    /// <summary>The most iterations, ≥ 0 (0 only evaluates the start). Default 1000.</summary>
    public int MaxIterations
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "MaxIterations must be 0 or more.");
    }

        = 1000;

    /// <summary>
    /// Converged when ‖∇f‖ ≤ Tolerance · max(1, ‖∇f(x_ref)‖), x_ref the start unless <see cref="ReferenceGradientNorm"/>
    /// is given. Finite, ≥ 0. Default 1e-6.
    /// </summary>
    public double Tolerance
    {
        get;
        init => field = double.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "Tolerance must be a finite number ≥ 0.");
    }

        = 1e-6;

    /// <summary>The gradient norm the tolerance is relative to; null for the norm at the start. Finite and ≥ 0.</summary>
    public double? ReferenceGradientNorm
    {
        get;
        init => field = value is null || (double.IsFinite(value.Value) && value.Value >= 0) ? value : throw new ArgumentOutOfRangeException(nameof(ReferenceGradientNorm), value, "ReferenceGradientNorm must be a finite number ≥ 0 (or null).");
    }

    /// <summary>Receives iteration, objective, gradient norm, work done and elapsed time after every iteration. Default null.</summary>
    public IProgress<IterationProgress>? Progress { get; init; }

    /// <summary>The stopping rules for one run: <paramref name="work"/> counts the work for the progress reports.</summary>
    internal StoppingRules Rules(Func<double> work, CancellationToken cancellationToken) =>
        new(MaxIterations, Tolerance, ReferenceGradientNorm, Progress, work, cancellationToken);
}
