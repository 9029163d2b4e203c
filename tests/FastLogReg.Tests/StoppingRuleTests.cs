using FastLogReg.Optimization;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>The shared stopping rules, fed synthetic iterates.</summary>
public class StoppingRuleTests
{
    private static IterationMonitor Monitor() =>
        new(new double[2], new StoppingRules(MaxIterations: 10_000, Tolerance: 1e-12, ReferenceGradientNorm: null, Progress: null, DataPasses: () => 0, CancellationToken.None));

    [Fact]
    public void ANonMonotoneRunThatStillImprovesItsGradientIsNotStalled()
    {
        // Like Nesterov after a momentum overshoot: one early objective below everything that follows for a long while,
        // while the iterates (and the gradient norm) keep improving steadily.
        IterationMonitor monitor = Monitor();
        Assert.Null(monitor.Check(0, [0, 0], 1.0, [1.0, 0], out _));
        Assert.Null(monitor.Check(1, [0, 0], 0.5, [0.5, 0], out _)); // the overshoot
        for (int k = 2; k < 300; k++)
        {
            OptimizationResult? stop = monitor.Check(k, [k, 0], 0.6 - (1e-5 * k), [0.4 * Math.Pow(0.99, k), 0], out _);
            Assert.True(stop is null, $"stopped at iteration {k} with {stop?.StopReason}");
        }
    }

    [Fact]
    public void AStopHandsOverItsOwnCopyOfThePointAndASecondFinishDoesNotShareIt()
    {
        // The result's point is the monitor's best-point buffer (no fresh copy of a large model); a solver that replaces
        // the result Check gave it (coordinate descent reporting its full pseudo-gradient) gets another array.
        IterationMonitor monitor = Monitor();
        double[] caller = [3, 4];
        Assert.Null(monitor.Check(0, caller, 1.0, [1.0, 0], out _));
        caller[0] = 5;
        OptimizationResult stop = monitor.Check(1, caller, 0.5, [0, 0], out _)!;
        Assert.Equal(StopReason.Converged, stop.StopReason);
        caller[0] = 7; // the caller reuses its buffer
        Assert.Equal([5.0, 4.0], stop.Point);
        OptimizationResult again = monitor.Finish(stop.StopReason, caller, 0.5, 0);
        Assert.Equal([7.0, 4.0], again.Point);
        Assert.NotSame(stop.Point, again.Point);
        Assert.Equal([5.0, 4.0], stop.Point);
    }

    [Fact]
    public void ASecondFinishAfterAStallStillReturnsTheBestPoint()
    {
        IterationMonitor monitor = Monitor();
        OptimizationResult? stop = null;
        monitor.Check(0, [1, 1], 1.0, [1.0, 0], out _);
        monitor.Check(1, [2, 2], 0.5, [0.5, 0], out _);
        for (int k = 2; stop is null && k < 1000; k++)
        {
            stop = monitor.Check(k, [k, k], 0.5 + (1e-3 * (k % 2)), [0.5, 0], out _);
        }

        Assert.Equal(StopReason.NoProgress, stop!.StopReason);
        Assert.Equal([2.0, 2.0], stop.Point);
        OptimizationResult again = monitor.Finish(StopReason.NoProgress, [9, 9], 0.501, 0.5);
        Assert.Equal([2.0, 2.0], again.Point);
        Assert.NotSame(stop.Point, again.Point);
    }

    [Fact]
    public void NeitherObjectiveNorGradientImprovingIsNoProgressAndReturnsTheBestPoint()
    {
        IterationMonitor monitor = Monitor();
        OptimizationResult? stop = null;
        int k = 0;
        monitor.Check(k++, [1, 1], 1.0, [1.0, 0], out _);
        monitor.Check(k++, [2, 2], 0.5, [0.5, 0], out _);
        while (stop is null && k < 1000)
        {
            stop = monitor.Check(k, [k, k], 0.5 + (1e-3 * (k % 2)), [0.5, 0], out _);
            k++;
        }

        Assert.NotNull(stop);
        Assert.Equal(StopReason.NoProgress, stop.StopReason);
        Assert.Equal(IterationMonitor.StallWindow + 1, stop.Iterations);
        Assert.Equal(0.5, stop.Objective);
    }
}
