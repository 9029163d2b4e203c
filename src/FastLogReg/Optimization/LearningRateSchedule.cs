namespace FastLogReg.Optimization;

/// <summary>How mini-batch SGD's learning rate changes over time.</summary>
public enum LearningRateSchedule
{
    /// <summary>ηₜ = η₀.</summary>
    Constant,

    /// <summary>
    /// ηₜ = η₀ / (1 + η₀·μ·t), t counting mini-batch steps and μ = max(λ, 1/S): the "1/t" schedule of Bottou's SGD for
    /// strongly convex objectives (λ is the L2 strength; the floor 1/S keeps the rate decaying when λ = 0).
    /// </summary>
    InverseTime,
}
