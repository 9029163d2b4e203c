using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>Input that would need more memory than the machine has is refused up front, with a reason, not by the OOM killer.</summary>
public class ResourceLimitTests
{
    [Fact]
    public void StrayHugeLibSvmIndexIsRefusedNamingItsLineBeforeDensifying()
    {
        const string Text = "1 1:1 2:3\n0 2:1\n1 3:1 100000000:2\n0 1:2\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => LibSvmDataReader.Read<double>(new StringReader(Text), "big.libsvm"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(3, e.Line);
        Assert.Equal(3, e.Column);
        Assert.Contains("100000000", e.Message);
        Assert.Contains("densifying would take", e.Message);
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated before the refusal");
    }

    [Fact]
    public void DenseLibSvmWithinLimitsIsStillDensified()
    {
        // 2,000 columns × 3 rows: small enough to densify however sparse.
        var data = LibSvmDataReader.Read<float>(new StringReader("1 1:1 2000:2\n0 2:1\n1 3:1\n"), "ok.libsvm");
        Assert.Equal(2000, data.Data.Columns);
    }

    [Fact]
    public void TrainingWhoseSolverStateCannotFitIsRefusedUpFront()
    {
        // An L-BFGS history of 1,000 keeps 2,000 vectors of d doubles: with d chosen so that they exceed the memory.
        int columns = (int)Math.Max(2_000_000, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (8 * 1000));
        float[] x = new float[2 * columns];
        x[0] = 1;
        var data = DenseDataset.Create(x, [0f, 1f], columns);
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, new TrainingOptions { LbfgsHistory = 1000 }));
        Assert.Contains("more than the", e.Message);
        Assert.Contains("LbfgsHistory", e.Message);
    }
}
