using System.Globalization;
using System.Reflection;

namespace FastLogReg.GateProbe;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014; the reference constants): a 64-bit state advanced by 0x9E3779B97F4A7C15, each
/// output the state mixed by two xor-shift-multiply steps. Written out here rather than <see cref="Random"/>, whose
/// algorithm the runtime may change, so that every build of the probe — baseline and candidate — sees the same data.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [−1, 1) on a grid of 2⁻²³: the top 24 bits, so every value is exact in float.</summary>
    public float NextSigned() => ((float)(Next() >> 40) * (1.0f / (1 << 23))) - 1.0f;
}

/// <summary>The probe's data: generated deterministically, or the bundled breast-cancer set.</summary>
internal static class ProbeData
{
    /// <summary>
    /// <paramref name="rows"/> × <paramref name="columns"/> float features uniform in [−1, 1), labels 0/1 from one more
    /// draw per row (balanced), and a point (w, b) with every component uniform in [−0.1, 0.1): with 100 columns z = wᵀx + b
    /// has a standard deviation of about 0.33, so σ is far from saturated. All from one SplitMix64 stream seeded with
    /// <paramref name="seed"/>: features row by row, then the labels, then the point.
    /// </summary>
    public static (float[] Features, float[] Labels, double[] Point) Synthetic(int rows, int columns, ulong seed)
    {
        var random = new SplitMix64(seed);
        float[] x = GC.AllocateUninitializedArray<float>(checked(rows * columns));
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextSigned();
        }

        float[] y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            y[i] = (random.Next() >> 63) == 1 ? 1f : 0f;
        }

        double[] point = new double[columns + 1];
        for (int j = 0; j < point.Length; j++)
        {
            point[j] = random.NextSigned() * 0.1;
        }

        return (x, y, point);
    }

    /// <summary>
    /// The bundled breast-cancer data (src/datasets/breast_cancer.csv, embedded at build time): 569 rows, 30 features,
    /// the label in the last column. The file is plain: a header, then comma-separated decimals.
    /// </summary>
    public static (double[] Features, double[] Labels, int Columns) BreastCancer()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("FastLogReg.GateProbe.breast_cancer.csv")
            ?? throw new InvalidOperationException("the breast-cancer data is not embedded in the probe");
        using var reader = new StreamReader(stream);
        string[] lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int columns = lines[0].Split(',').Length - 1;
        var features = new List<double>();
        var labels = new List<double>();
        foreach (string line in lines.Skip(1))
        {
            string[] cells = line.Split(',');
            if (cells.Length != columns + 1)
            {
                throw new InvalidDataException($"breast_cancer.csv: a row has {cells.Length} cells, the header {columns + 1}");
            }

            for (int j = 0; j < columns; j++)
            {
                features.Add(double.Parse(cells[j], CultureInfo.InvariantCulture));
            }

            labels.Add(double.Parse(cells[columns], CultureInfo.InvariantCulture));
        }

        return (features.ToArray(), labels.ToArray(), columns);
    }
}
