using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Tests.Multiclass;

namespace FastLogReg.Tests.L1;

/// <summary>The L1 / elastic-net fixtures (<c>Fixtures/sklearn_l1.json</c>) and their data, standardized as the fixture says.</summary>
internal static class L1Fixtures
{
    public static JsonElement Root { get; } =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_l1.json"))).RootElement;

    public static JsonElement DataSet(string name) => Root.GetProperty("datasets").EnumerateArray().First(d => d.GetProperty("name").GetString() == name);

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>"breast_cancer_standardized" or "digits_3_vs_8_standardized", scaled with the fixture's mean and scale.</summary>
    public static DenseDataset<double> Load(string name)
    {
        JsonElement standardization = DataSet(name).GetProperty("data").GetProperty("standardization");
        double[] mean = Doubles(standardization.GetProperty("mean")), scale = Doubles(standardization.GetProperty("scale"));
        double[] x, y;
        if (name.StartsWith("breast", StringComparison.Ordinal))
        {
            (x, y, _) = TestData.BreastCancer;
        }
        else
        {
            (double[] all, double[] digit) = MulticlassData.Digits();
            var rows = Enumerable.Range(0, digit.Length).Where(i => digit[i] is 3 or 8).ToArray();
            x = rows.SelectMany(i => all.Skip(i * 64).Take(64)).ToArray();
            y = rows.Select(i => digit[i] == 8 ? 1.0 : 0.0).ToArray();
        }

        int d = mean.Length;
        double[] z = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            z[i] = (x[i] - mean[i % d]) / scale[i % d];
        }

        return DenseDataset.Create(z, y, d);
    }
}
