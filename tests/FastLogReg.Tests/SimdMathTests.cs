using System.Runtime.Intrinsics;
using FastLogReg.Numerics;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>The inlined exp and log1p are within a few ulps of the runtime's scalar functions, at every width.</summary>
public class SimdMathTests
{
    private static double[] ExpArguments()
    {
        var rng = new Random(12345);
        var xs = new List<double> { 0.0, -0.0, -1e-300, -1e-17, -0.5, -Math.Log(2) / 2, -Math.Log(2), -1, -10, -50, -700, -708.39, -709, -740, -745.1, -745.2, -746, -800, -1e10, -double.MaxValue };
        for (int i = 0; i < 4000; i++)
        {
            xs.Add(-rng.NextDouble() * 760);
            xs.Add(-rng.NextDouble() * 2);
            xs.Add(-Math.Exp((rng.NextDouble() * 80) - 70));
        }

        while (xs.Count % 8 != 0)
        {
            xs.Add(-1.5);
        }

        return xs.ToArray();
    }

    private static double[] Log1PArguments()
    {
        var rng = new Random(54321);
        var es = new List<double> { 0.0, 5e-324, 1e-300, 1e-17, 1.1e-16, 2.3e-16, 1e-10, 0.25, Math.Sqrt(2) - 1, Math.BitDecrement(Math.Sqrt(2) - 1), 0.5, 0.999999, 1.0 };
        for (int i = 0; i < 4000; i++)
        {
            es.Add(rng.NextDouble());
            es.Add(Math.Exp(-rng.NextDouble() * 745));
        }

        while (es.Count % 8 != 0)
        {
            es.Add(0.75);
        }

        return es.ToArray();
    }

    [Fact]
    public void ExpOfNonPositiveArgumentsIsWithinTwoUlps()
    {
        double[] xs = ExpArguments();
        foreach (SimdWidth width in FusedKernelProperties.AllWidths)
        {
            double[] actual = Apply(width, xs, Kind.Exp);
            for (int i = 0; i < xs.Length; i++)
            {
                AssertUlps(Math.Exp(xs[i]), actual[i], 2, $"exp({xs[i]:R}) at {width}");
            }
        }
    }

    [Fact]
    public void Log1POnTheUnitIntervalIsWithinFourUlps()
    {
        double[] es = Log1PArguments();
        foreach (SimdWidth width in FusedKernelProperties.AllWidths)
        {
            double[] actual = Apply(width, es, Kind.Log1P);
            for (int i = 0; i < es.Length; i++)
            {
                // The reference, log(u)·e/(u − 1), is itself within ~2 ulps.
                AssertUlps(StableLogistic.Log1P(es[i]), actual[i], 4, $"log1p({es[i]:R}) at {width}");
            }
        }
    }

    private enum Kind
    {
        Exp,
        Log1P,
    }

    private static void AssertUlps(double expected, double actual, int ulps, string what)
    {
        double allowed = ulps * Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon);
        Assert.True(Math.Abs(actual - expected) <= allowed, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static double[] Apply(SimdWidth width, double[] input, Kind kind) => width switch
    {
        SimdWidth.Vector512 => Apply<Vector512<double>, Simd512>(input, kind),
        SimdWidth.Vector256 => Apply<Vector256<double>, Simd256>(input, kind),
        SimdWidth.Vector128 => Apply<Vector128<double>, Simd128>(input, kind),
        _ => Apply<double, SimdScalar>(input, kind),
    };

    private static double[] Apply<TV, W>(double[] input, Kind kind)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        double[] output = new double[input.Length];
        for (int i = 0; i < input.Length; i += W.Count)
        {
            TV x = W.Load(ref input[i]);
            TV result;
            if (kind == Kind.Exp)
            {
                result = SimdMath.ExpNonPositive<TV, W>(x);
            }
            else
            {
                TV u = W.Add(W.Create(1.0), x);
                result = SimdMath.Log1PUnit<TV, W>(x, u, W.Divide(W.Create(1.0), u));
            }

            W.Store(result, ref output[i]);
        }

        return output;
    }
}
