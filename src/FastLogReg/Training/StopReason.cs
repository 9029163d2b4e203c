namespace FastLogReg;

/// <summary>Why training stopped.</summary>
public enum StopReason
{
    /// <summary>The gradient's norm fell to the tolerance or below: the returned model is (near) the optimum.</summary>
    Converged,

    /// <summary>The epoch limit was reached before convergence; the returned model is the last iterate.</summary>
    MaxEpochs,

    /// <summary>
    /// The objective became NaN or ±∞, or rose far above its starting value (the learning rate is too large); the
    /// returned model is the best one seen, never one with NaN weights.
    /// </summary>
    Diverged,

    /// <summary>The cancellation token was signalled; the returned model is the best one seen so far.</summary>
    Cancelled,
}
