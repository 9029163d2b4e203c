namespace FastLogReg.Tests;

/// <summary>
/// The synthetic data set of Fixtures/sklearn_synthetic.json, regenerated from its seed exactly as
/// Fixtures/make_sklearn_fixtures.py does (SplitMix64; features (2u − 1)·(1 + j mod 5); labels from a logistic model
/// with wⱼ = ((j mod 7) − 3)/4, b = 0.3).
/// </summary>
public static class SyntheticData
{
    public static (double[] X, double[] Y) Generate(int rows, int columns, ulong seed)
    {
        var rng = new SplitMix64(seed);
        double[] x = new double[rows * columns];
        double[] y = new double[rows];
        double[] w = Enumerable.Range(0, columns).Select(j => ((j % 7) - 3) / 4.0).ToArray();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                x[(i * columns) + j] = ((2.0 * rng.Uniform()) - 1.0) * (1 + (j % 5));
            }

            double z = 0.3;
            for (int j = 0; j < columns; j++)
            {
                z += w[j] * x[(i * columns) + j];
            }

            double p = 1.0 / (1.0 + Math.Exp(-z));
            y[i] = rng.Uniform() < p ? 1.0 : 0.0;
        }

        return (x, y);
    }

    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            _state += 0x9E3779B97F4A7C15UL;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double Uniform() => (Next() >> 11) * (1.0 / 9007199254740992.0);
    }
}
