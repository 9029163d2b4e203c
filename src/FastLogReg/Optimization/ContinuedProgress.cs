namespace FastLogReg.Optimization;

/// <summary>
/// The progress of a solver that went on from another's point (a hand-over): its iteration k is reported as iteration
/// k + <c>before</c>, and its iteration 0 — the point the first solver already reported — is dropped.
/// </summary>
internal sealed class ContinuedProgress(IProgress<IterationProgress> inner, int before) : IProgress<IterationProgress>
{
    /// <summary>Continues <paramref name="rules"/>' progress after <paramref name="before"/> iterations (unchanged without one).</summary>
    public static StoppingRules After(StoppingRules rules, int before) =>
        rules.Progress is { } progress ? rules with { Progress = new ContinuedProgress(progress, before) } : rules;

    public void Report(IterationProgress value)
    {
        if (value.Iteration > 0)
        {
            inner.Report(value with { Iteration = value.Iteration + before });
        }
    }
}
