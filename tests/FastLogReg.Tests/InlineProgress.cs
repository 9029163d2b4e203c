using FastLogReg.Optimization;

namespace FastLogReg.Tests;

/// <summary>An IProgress that reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class InlineProgress(Action<IterationProgress> report) : IProgress<IterationProgress>
{
    public void Report(IterationProgress value) => report(value);
}
