using FastLogReg.Internal;
using FastLogReg.Models;
using Xunit;

namespace FastLogReg.Tests.Internal;

/// <summary>The kernels' w, g and per-block buffers start on a 64-byte boundary, whatever the allocator hands out.</summary>
public class CacheLineAlignedTests
{
    [Fact]
    public unsafe void EveryBufferStartsOnACacheLineAndIsZeroed()
    {
        // Many small allocations in a row land at every 8-byte offset of a line; each must be realigned.
        var keep = new List<CacheLineAligned>();
        for (int length = 1; length <= 200; length++)
        {
            var buffer = new CacheLineAligned(length);
            keep.Add(buffer);
            Assert.Equal(length, buffer.Length);
            Assert.Equal(length, buffer.Span.Length);
            fixed (double* first = buffer.Span)
            {
                Assert.Equal(0, (long)first % 64);
            }

            Assert.All(buffer.Span.ToArray(), value => Assert.Equal(0.0, value));
            buffer[length - 1] = length;
            Assert.Equal(length, buffer.Slice(length - 1, 1)[0]);
        }
    }

    [Fact]
    public unsafe void WithinFindsTheFirstAlignedRunOfAStackBuffer()
    {
        Span<double> stack = stackalloc double[32 + 7 + 8];
        for (int shift = 0; shift < 8; shift++)
        {
            Span<double> aligned = CacheLineAligned.Within(stack[shift..], 32);
            Assert.Equal(32, aligned.Length);
            fixed (double* first = aligned)
            fixed (double* start = stack[shift..])
            {
                Assert.Equal(0, (long)first % 64);
                Assert.InRange((long)(first - start), 0, 7);
            }
        }
    }

    [Fact]
    public unsafe void AModelsWeightsStartOnACacheLine()
    {
        var keep = new List<LogisticModel>();
        for (int features = 1; features <= 64; features++)
        {
            double[] weights = Enumerable.Range(0, features).Select(j => j * 0.5 - 3).ToArray();
            var model = new LogisticModel(weights, 0.25);
            keep.Add(model);
            Assert.Equal(weights, model.Weights.ToArray());
            fixed (double* first = model.Weights)
            {
                Assert.Equal(0, (long)first % 64);
            }
        }
    }

    [Fact]
    public void NegativeLengthIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheLineAligned(-1));
}
