using System.Text.Json;
using FastLogReg.GateProbe;

namespace FastLogReg.PerfTool;

/// <summary>
/// Stored gate references, one folder per CPU (<see cref="CpuIdentity.Key"/>, e.g.
/// <c>perf-results/gate/reference/amd-family26-model2/</c>) holding <c>reference.json</c>, the <c>cpu.json</c> it was
/// recorded on and the runs it pools. The ratios the BenchmarkDotNet gate compares differ between microarchitectures (on
/// Zen 4 the 1,000,000 × 100 epoch is compute-bound, on Zen 5 memory-bound), so a reference is only used on the CPU it
/// was recorded on.
/// </summary>
internal static class CpuReferences
{
    public const string DefaultRoot = "perf-results/gate/reference";
    public const string CpuFile = "cpu.json";
    public const string ReferenceFile = "reference.json";

    /// <summary>The folder for a CPU under <paramref name="root"/>.</summary>
    public static string FolderFor(string root, CpuIdentity cpu) => Path.Combine(root, cpu.Key);

    /// <summary>The reference recorded on this CPU, or null and a message saying why there is none.</summary>
    public static (string? Path, string Message) Find(string root, CpuIdentity cpu)
    {
        string folder = FolderFor(root, cpu);
        string reference = Path.Combine(folder, ReferenceFile);
        string stored = Directory.Exists(root)
            ? string.Join(", ", Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal)) is { Length: > 0 } list ? list : "none"
            : "none";
        const string Advice = "References are kept per CPU because the gate's ratios differ between microarchitectures. CI uses the A/B gate (abgate), which needs no stored reference; record one for this CPU with the 'reference' command.";
        if (!File.Exists(reference))
        {
            return (null, $"No stored reference for this CPU: {cpu}. Looked for {reference}; references exist for: {stored}. {Advice}");
        }

        string cpuFile = Path.Combine(folder, CpuFile);
        if (!File.Exists(cpuFile))
        {
            return (null, $"{reference} has no {CpuFile} beside it, so the CPU it was recorded on is unknown. {Advice}");
        }

        CpuIdentity recorded = ReadCpu(cpuFile);
        return recorded.SameAs(cpu)
            ? (reference, $"reference for {cpu.Key}: {reference}")
            : (null, $"The reference in {folder} was recorded on {recorded}; this process runs on {cpu} (a different model name, instruction set or .NET acceleration). {Advice}");
    }

    /// <summary>Reads a cpu.json.</summary>
    public static CpuIdentity ReadCpu(string path)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        return CpuIdentity.Read(json.RootElement);
    }

    /// <summary>Writes <c>cpu.json</c> for this machine into <paramref name="folder"/>.</summary>
    public static string WriteCpu(string folder, CpuIdentity cpu)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, CpuFile);
        File.WriteAllText(path, cpu.ToJson());
        return path;
    }
}
