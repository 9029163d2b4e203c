using System.Numerics;
using FastLogReg.Kernels;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>
/// The column moments' vector loop against the scalar loop it replaced (per row: v = (x − shift)/unit; sum += v·s;
/// squares += v·v·s), bit for bit: each column's sums take the rows in order with the same roundings at every SIMD width
/// (CI runs this at 512, 256 bits and with every intrinsic off); the largest |v| per column, taken in the same loop when asked.
/// </summary>
public class ColumnMomentsTests
{
    [Fact]
    public void EveryColumnTailMatchesTheScalarLoopBitForBit()
    {
        for (int d = 1; d <= 40; d++)
        {
            foreach (int n in new[] { 1, 3, 17 })
            {
                foreach (bool weighted in new[] { false, true })
                {
                    foreach (bool units in new[] { false, true })
                    {
                        Check<double>(n, d, weighted, units);
                        Check<float>(n, d, weighted, units);
                    }
                }
            }
        }
    }

    private static void Check<T>(int n, int d, bool weighted, bool units)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random((d * 100) + n);
        T[] x = [.. Enumerable.Range(0, n * d).Select(_ => T.CreateTruncating((random.NextDouble() - 0.3) * 1e3))];
        T[] s = weighted ? [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating(random.NextDouble() * 3))] : [];
        double[] shift = [.. Enumerable.Range(0, d).Select(_ => random.NextDouble() * 100)];
        double[]? unit = units ? [.. Enumerable.Range(0, d).Select(j => Math.Pow(2, (j % 5) - 2))] : null;
        double[] sum = [.. Enumerable.Range(0, d).Select(_ => random.NextDouble())], squares = [.. sum.Select(v => v * v)];
        double[] expectedSum = (double[])sum.Clone(), expectedSquares = (double[])squares.Clone();
        double[] largest = [.. Enumerable.Range(0, d).Select(j => j % 3 == 0 ? 1e9 : 0)], expectedLargest = (double[])largest.Clone();
        double[] sumAgain = (double[])sum.Clone(), squaresAgain = (double[])squares.Clone();

        ColumnMoments.Accumulate<T>(x, d, s, shift, unit, sum, squares);
        ColumnMoments.Accumulate<T>(x, d, s, shift, unit, sumAgain, squaresAgain, largest);

        for (int i = 0; i < n; i++)
        {
            double weight = weighted ? double.CreateTruncating(s[i]) : 1.0;
            for (int j = 0; j < d; j++)
            {
                double v = double.CreateTruncating(x[(i * d) + j]) - shift[j];
                v = unit is null ? v : v / unit[j];
                expectedSum[j] = (v * weight) + expectedSum[j];
                expectedSquares[j] = (v * v * weight) + expectedSquares[j];
                expectedLargest[j] = Math.Max(expectedLargest[j], Math.Abs(v));
            }
        }

        Assert.Equal(expectedSum, sum);
        Assert.Equal(expectedSquares, squares);
        Assert.Equal(expectedSum, sumAgain); // tracking the largest |v| changes no sum
        Assert.Equal(expectedSquares, squaresAgain);
        Assert.Equal(expectedLargest, largest);
        double[] alone = [.. Enumerable.Range(0, d).Select(j => j % 3 == 0 ? 1e9 : 0)];
        ColumnMoments.LargestDeviations<T>(x, d, shift, alone);
        double[] unscaled = [.. Enumerable.Range(0, d).Select(j => j % 3 == 0 ? 1e9 : 0)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                unscaled[j] = Math.Max(unscaled[j], Math.Abs(double.CreateTruncating(x[(i * d) + j]) - shift[j]));
            }
        }

        Assert.Equal(unscaled, alone); // the deviations alone (no units), as shards and extreme data sets take them
    }
}
