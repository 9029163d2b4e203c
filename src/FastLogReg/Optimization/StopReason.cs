namespace FastLogReg.Optimization;

/// <summary>Why training stopped.</summary>
public enum StopReason
{
    /// <summary>‖∇f‖ ≤ Tolerance · max(1, ‖∇f(0)‖): the returned model is at the optimum to that tolerance.</summary>
    Converged,

    /// <summary>The iteration limit was reached before convergence; the returned model is the last iterate.</summary>
    MaxIterations,

    /// <summary>
    /// The objective stopped improving (in 50 iterations neither it improved by an ulp nor the gradient norm by 0.1%, or
    /// no step along the search direction decreases it) before the gradient met the tolerance — it is as small as this
    /// precision allows, or the problem is badly scaled. The returned model is the best iterate.
    /// </summary>
    NoProgress,

    /// <summary>
    /// The objective became NaN or ±∞, or rose above f₀ + max(|f₀|, 1), f₀ at the starting point (the learning rate is too large); the returned
    /// model is the best one seen, never one with NaN weights.
    /// </summary>
    Diverged,

    /// <summary>The cancellation token was signalled; the returned model is the best one seen so far.</summary>
    Cancelled,

    /// <summary>
    /// L2 = 0 and the returned model classifies every (positively weighted) training row correctly: the classes are
    /// linearly separable, so the loss has no minimum — it only approaches 0 as ‖w‖ → ∞. Training stopped once the
    /// gradient or the progress was negligible. Set L2 &gt; 0 for a unique, finite optimum.
    /// </summary>
    Separable,
}
