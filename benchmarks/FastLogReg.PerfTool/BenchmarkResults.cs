using System.Text.Json;

namespace FastLogReg.PerfTool;

/// <summary>One benchmark case of a BenchmarkDotNet full JSON report.</summary>
/// <param name="Type">The benchmark class, e.g. "GateBenchmarks" or "SuiteBenchmarks&lt;Single&gt;".</param>
/// <param name="Method">The method name.</param>
/// <param name="Title">The method's display title.</param>
/// <param name="Parameters">Parameter name → value.</param>
/// <param name="Samples">Nanoseconds per operation of every result iteration.</param>
/// <param name="MeanNanoseconds">The mean BenchmarkDotNet reports.</param>
/// <param name="AllocatedBytes">Bytes allocated per operation, or null.</param>
internal sealed record BenchmarkCase(string Type, string Method, string Title, IReadOnlyDictionary<string, string> Parameters, double[] Samples, double MeanNanoseconds, long? AllocatedBytes)
{
    public string Parameter(string name) => Parameters.TryGetValue(name, out string? value) ? value : string.Empty;
}

/// <summary>A BenchmarkDotNet run: its machine description and its cases.</summary>
internal sealed record BenchmarkRun(string Machine, IReadOnlyList<BenchmarkCase> Cases)
{
    /// <summary>Reads every <c>*-report-full.json</c> in a directory (or one file) as one run.</summary>
    public static BenchmarkRun Load(string path) => Combine(Files(path).Select(LoadFile).ToArray());

    /// <summary>Reads each <c>*-report-full.json</c> in a directory (or one file) as a run of its own.</summary>
    public static IReadOnlyList<BenchmarkRun> LoadEach(string path) => Files(path).Select(LoadFile).ToArray();

    private static string[] Files(string path)
    {
        string[] files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*-report-full.json", SearchOption.AllDirectories)
            : [path];
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"no BenchmarkDotNet '*-report-full.json' under {path}", path);
        }

        return files.OrderBy(f => f, StringComparer.Ordinal).ToArray();
    }

    private static BenchmarkRun Combine(IReadOnlyList<BenchmarkRun> runs) =>
        new(runs[^1].Machine, runs.SelectMany(r => r.Cases).ToArray());

    private static BenchmarkRun LoadFile(string file)
    {
        var cases = new List<BenchmarkCase>();
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
        JsonElement host = json.RootElement.GetProperty("HostEnvironmentInfo");
        string machine = $"{host.GetProperty("ProcessorName").GetString()}, {host.GetProperty("LogicalCoreCount").GetInt32()} logical cores, {host.GetProperty("RuntimeVersion").GetString()}, {host.GetProperty("OsVersion").GetString()}";
        foreach (JsonElement b in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
        {
            double[] samples = b.GetProperty("Measurements").EnumerateArray()
                .Where(m => m.GetProperty("IterationMode").GetString() == "Workload" && m.GetProperty("IterationStage").GetString() == "Result")
                .Select(m => m.GetProperty("Nanoseconds").GetDouble() / m.GetProperty("Operations").GetDouble())
                .ToArray();
            var parameters = new Dictionary<string, string>();
            string p = b.GetProperty("Parameters").GetString() ?? string.Empty;
            foreach (string pair in p.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                parameters[pair[..eq]] = pair[(eq + 1)..];
            }

            long? allocated = b.TryGetProperty("Memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object && memory.TryGetProperty("BytesAllocatedPerOperation", out JsonElement bytes)
                ? bytes.GetInt64()
                : null;
            double mean = b.TryGetProperty("Statistics", out JsonElement stats) && stats.ValueKind == JsonValueKind.Object ? stats.GetProperty("Mean").GetDouble() : double.NaN;
            cases.Add(new BenchmarkCase(b.GetProperty("Type").GetString()!, b.GetProperty("Method").GetString()!, (b.GetProperty("MethodTitle").GetString() ?? string.Empty).Trim('\''), parameters, samples, mean, allocated));
        }

        return new BenchmarkRun(machine, cases);
    }
}
