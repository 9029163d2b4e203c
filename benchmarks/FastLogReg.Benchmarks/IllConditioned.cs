using System.Globalization;
using FastLogReg.Data;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The ill-conditioned shapes of the Newton benchmarks: breast cancer on raw features (scales 10⁻³ … 10³), digits 3 vs 8
/// on raw pixels (0 … 16, ten constant columns), and synthetic 50,000 × 500 rows whose columns are correlated (20 latent
/// factors plus noise) and scaled from 10⁻² to 10² — data as a user brings it, unstandardized.
/// </summary>
internal static class IllConditioned
{
    public static DenseDataset<float> Load(string name) => name switch
    {
        "breast-cancer-raw" => BreastCancerRaw(),
        "digits" => MulticlassTimeToOptimumBenchmarks.Load("digits"), // 10 classes, pixels / 16
        "digits-3v8-raw" => DigitsThreeVersusEight(),
        "correlated-50000x500" => Correlated(50_000, 500, 20),
        "correlated-200000x30" => Correlated(200_000, 30, 5),
        "correlated-20000x100" => Correlated(20_000, 100, 10),
        "correlated-2000x100" => Correlated(2_000, 100, 10),
        "correlated-5000x30" => Correlated(5_000, 30, 5),
        "correlated-1000x30" => Correlated(1_000, 30, 5),
        "offset-1000x30" => Correlated(1_000, 30, 5, offset: 3),
        "offset-20000x100" => Correlated(20_000, 100, 10, offset: 3),
        "breast-cancer-centred" => Centred(BreastCancerRaw()),
        "digits-3v8-centred" => Centred(DigitsThreeVersusEight()),
        _ when name.StartsWith("correlated-classes-", StringComparison.Ordinal) => CorrelatedClasses(name["correlated-classes-".Length..]),
        "digits-raw" => DigitsRaw(),
        _ when name.Count(c => c == 'x') == 2 => MulticlassTimeToOptimumBenchmarks.Load(name), // rows x columns x classes
        _ => TimeToOptimumBenchmarks.Load(name),
    };

    /// <summary>The columns moved to mean zero, their scales kept (raw scales without the offset).</summary>
    private static DenseDataset<float> Centred(DenseDataset<float> data)
    {
        int n = data.Rows, d = data.Columns;
        float[] x = data.Features.ToArray();
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++)
            {
                mean += x[(i * d) + j];
            }

            mean /= n;
            for (int i = 0; i < n; i++)
            {
                x[(i * d) + j] = (float)(x[(i * d) + j] - mean);
            }
        }

        return DenseDataset.Create(x, data.Labels.ToArray(), d);
    }

    private static DenseDataset<float> BreastCancerRaw()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "breast_cancer.csv"));
        float[][] rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int d = rows[0].Length - 1;
        return DenseDataset.Create(rows.SelectMany(r => r.Take(d)).ToArray(), rows.Select(r => r[d]).ToArray(), d);
    }

    private static DenseDataset<float> DigitsThreeVersusEight()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv"));
        float[][] rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).Where(r => r[^1] is 3 or 8).ToArray();
        int d = rows[0].Length - 1;
        return DenseDataset.Create(rows.SelectMany(r => r.Take(d)).ToArray(), rows.Select(r => r[d] == 8 ? 1f : 0f).ToArray(), d);
    }

    /// <summary>xᵢⱼ = sⱼ·(aⱼᵀfᵢ + 0.3·εᵢⱼ), fᵢ ~ N(0, I₂₀), sⱼ = 10^(−2 + 4j/(d − 1)); labels from a logistic model on the unscaled columns.</summary>
    /// <remarks>With an offset, every column is moved by offset·sⱼ: values that sit away from zero (the labels unchanged).</remarks>
    /// <summary>The bundled digits, 1,797 × 64 raw pixels (0–16), 10 classes.</summary>
    internal static DenseDataset<float> DigitsRaw()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv")).Skip(1).Where(l => l.Length > 0).ToArray();
        float[] x = lines.SelectMany(l => l.Split(',').Take(64).Select(v => float.Parse(v, c))).ToArray();
        float[] y = lines.Select(l => float.Parse(l.Split(',')[64], c)).ToArray();
        return DenseDataset.Create(x, y, 64, 10);
    }

    /// <summary>
    /// <c>RxCxK</c>: the columns of <see cref="Correlated"/> (R rows, C columns driven by C/25 + 2 factors, scales 10⁻²…10²)
    /// with K classes drawn from a softmax of K random linear scores of the unscaled columns (seeded).
    /// </summary>
    internal static DenseDataset<float> CorrelatedClasses(string shape)
    {
        int[] p = shape.Split('x').Select(int.Parse).ToArray();
        int n = p[0], d = p[1], classes = p[2], factors = (d / 25) + 2;
        var rng = new Random(11);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        double[] loadings = new double[d * factors];
        for (int k = 0; k < loadings.Length; k++)
        {
            loadings[k] = Normal() / Math.Sqrt(factors);
        }

        double[] truth = new double[classes * d];
        for (int j = 0; j < truth.Length; j++)
        {
            truth[j] = Normal() * 0.3 / Math.Sqrt(factors);
        }

        float[] x = new float[(long)n * d];
        float[] y = new float[n];
        double[] f = new double[factors], u = new double[d], z = new double[classes];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < factors; k++)
            {
                f[k] = Normal();
            }

            for (int j = 0; j < d; j++)
            {
                u[j] = 0.3 * Normal();
                for (int k = 0; k < factors; k++)
                {
                    u[j] += loadings[(j * factors) + k] * f[k];
                }

                x[((long)i * d) + j] = (float)(u[j] * Math.Pow(10, -2 + (4.0 * j / (d - 1))));
            }

            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                z[c] = 0;
                for (int j = 0; j < d; j++)
                {
                    z[c] += truth[(c * d) + j] * u[j];
                }

                max = Math.Max(max, z[c]);
            }

            double total = 0;
            for (int c = 0; c < classes; c++)
            {
                total += z[c] = Math.Exp(z[c] - max);
            }

            double draw = rng.NextDouble() * total;
            int label = 0;
            while (label < classes - 1 && (draw -= z[label]) > 0)
            {
                label++;
            }

            y[i] = label;
        }

        return DenseDataset.Create(x, y, d, classes);
    }

    internal static DenseDataset<float> Correlated(int n, int d, int factors, double offset = 0)
    {
        var rng = new Random(7);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        double[] loadings = new double[d * factors];
        for (int k = 0; k < loadings.Length; k++)
        {
            loadings[k] = Normal() / Math.Sqrt(factors);
        }

        double[] truth = new double[d];
        for (int j = 0; j < d; j++)
        {
            truth[j] = Normal() * 0.1;
        }

        float[] x = new float[(long)n * d];
        float[] y = new float[n];
        double[] f = new double[factors];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < factors; k++)
            {
                f[k] = Normal();
            }

            double z = 0;
            for (int j = 0; j < d; j++)
            {
                double u = 0.3 * Normal();
                for (int k = 0; k < factors; k++)
                {
                    u += loadings[(j * factors) + k] * f[k];
                }

                z += truth[j] * u;
                x[((long)i * d) + j] = (float)((u + offset) * Math.Pow(10, -2 + (4.0 * j / (d - 1))));
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return DenseDataset.Create(x, y, d);
    }
}
