using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Objective;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--multiclass-bits [float]</c>: the K-class objective's value and a hash of its gradient's bits on eight shapes (every
/// class group and column tail, rows wider than a float partial, multinomial and one-vs-rest, two threads; with
/// <c>float</c>, the float-products pass) — run before and after a kernel change (and under each ISA setting) to see
/// whether it keeps the bits.
/// </summary>
internal static class MulticlassBitsProbe
{
    public static int Run(string[] args)
    {
        foreach ((int n, int d, int k) in new[] { (1000, 100, 10), (517, 37, 7), (300, 9, 5), (260, 16, 4), (131, 3, 3), (999, 64, 2), (77, 130, 12), (203, 300, 6) })
        {
            foreach (bool ovr in new[] { false, true })
            {
                DenseDataset<float> data = MulticlassWorkload.Create(n, d, k, 3);
                var objective = new MultinomialObjective<float>(data, Penalty.L2(0.01), oneVsRest: ovr, maxDegreeOfParallelism: 2) { FloatProducts = args.Contains("float") };
                var rng = new Random(9);
                double[] point = new double[objective.Dimension];
                for (int i = 0; i < point.Length; i++)
                {
                    point[i] = rng.NextDouble() - 0.5;
                }

                double[] gradient = new double[point.Length];
                double value = objective.Evaluate(point, gradient);
                long hash = BitConverter.DoubleToInt64Bits(value);
                foreach (double g in gradient)
                {
                    hash = (hash * 31) ^ BitConverter.DoubleToInt64Bits(g);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n}x{d}x{k} {(ovr ? "one-vs-rest" : "multinomial")}: {value:R} {hash:X16}"));
            }
        }

        return 0;
    }
}
