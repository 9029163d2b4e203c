using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;

namespace FastLogReg.GateProbe;

/// <summary>
/// The CPU a performance result was measured on, recorded with every stored result and used as its key: vendor, family,
/// model and model name; which of the instruction-set extensions FastLogReg's kernels and readers use the hardware
/// has (<see cref="KnownFeatures"/>); and whether .NET accelerates Vector512, Vector256 and Vector128 in this process
/// (which the runtime's <c>DOTNET_Enable…</c> switches change). Read from /proc/cpuinfo on Linux; elsewhere from CPUID
/// on x86, or, failing that, from <see cref="RuntimeInformation"/>. Also compiled into FastLogReg.PerfTool.
/// </summary>
/// <param name="Vendor">e.g. "AuthenticAMD".</param>
/// <param name="Family">The CPU family as Linux reports it (base + extended), e.g. 26 for Zen 5, 25 for Zen 3 and 4.</param>
/// <param name="Model">The model number (extended model included).</param>
/// <param name="ModelName">The brand string, e.g. "AMD EPYC".</param>
/// <param name="Features">The extensions of <see cref="KnownFeatures"/> the CPU reports, in that order.</param>
/// <param name="Vector512">Vector512.IsHardwareAccelerated in the process that measured.</param>
/// <param name="Vector256">Vector256.IsHardwareAccelerated.</param>
/// <param name="Vector128">Vector128.IsHardwareAccelerated.</param>
/// <param name="Source">Where it was read: "/proc/cpuinfo", "cpuid" or "runtime".</param>
internal sealed record CpuIdentity(string Vendor, int Family, int Model, string ModelName, IReadOnlyList<string> Features, bool Vector512, bool Vector256, bool Vector128, string Source)
{
    /// <summary>The extensions recorded: what the kernels (AVX2/FMA, AVX-512) and the CSV reader (VBMI, VBMI2) use.</summary>
    public static readonly IReadOnlyList<string> KnownFeatures = ["avx2", "fma", "avx512f", "avx512vl", "avx512dq", "avx512bw", "avx512vbmi", "avx512vbmi2"];

    /// <summary>The folder name results of this CPU are stored under, e.g. "amd-family26-model2".</summary>
    public string Key => FormattableString.Invariant($"{ShortVendor}-family{Family}-model{Model}");

    private string ShortVendor => Vendor switch
    {
        "AuthenticAMD" => "amd",
        "GenuineIntel" => "intel",
        _ => new string(Vendor.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray()) is { Length: > 0 } v ? v : "unknown",
    };

    /// <summary>Whether two identities describe the same CPU and the same .NET acceleration (the source does not count).</summary>
    public bool SameAs(CpuIdentity other) =>
        Vendor == other.Vendor && Family == other.Family && Model == other.Model && ModelName == other.ModelName
        && Features.SequenceEqual(other.Features) && Vector512 == other.Vector512 && Vector256 == other.Vector256 && Vector128 == other.Vector128;

    /// <summary>One line for logs, e.g. "AMD EPYC (AuthenticAMD family 26 model 2; avx2 fma …; .NET Vector512/256/128 accelerated: yes/yes/yes)".</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{ModelName} ({Vendor} family {Family} model {Model}; {(Features.Count == 0 ? "none of the recorded extensions" : string.Join(' ', Features))}; .NET Vector512/256/128 accelerated: {YesNo(Vector512)}/{YesNo(Vector256)}/{YesNo(Vector128)})");

    /// <summary>This machine, as this process sees it.</summary>
    public static CpuIdentity Current() =>
        (OperatingSystem.IsLinux() ? FromProcCpuInfo() : null) ?? FromCpuId() ?? FromRuntime();

    /// <summary>Writes the identity as a JSON object (the <c>cpu</c> object of the probe's lines and of cpu.json).</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("key", Key);
        json.WriteString("vendor", Vendor);
        json.WriteNumber("family", Family);
        json.WriteNumber("model", Model);
        json.WriteString("modelName", ModelName);
        json.WriteStartObject("features");
        foreach (string feature in KnownFeatures)
        {
            json.WriteBoolean(feature, Features.Contains(feature));
        }

        json.WriteEndObject();
        json.WriteBoolean("vector512", Vector512);
        json.WriteBoolean("vector256", Vector256);
        json.WriteBoolean("vector128", Vector128);
        json.WriteString("source", Source);
        json.WriteEndObject();
    }

    /// <summary>The identity as an indented JSON document (cpu.json).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    /// <summary>Reads an object written by <see cref="Write"/>.</summary>
    public static CpuIdentity Read(JsonElement json)
    {
        string Text(string name) => json.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : string.Empty;
        bool Flag(JsonElement parent, string name) => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.True;
        JsonElement features = json.TryGetProperty("features", out JsonElement f) ? f : default;
        return new CpuIdentity(
            Text("vendor"),
            json.GetProperty("family").GetInt32(),
            json.GetProperty("model").GetInt32(),
            Text("modelName"),
            KnownFeatures.Where(k => Flag(features, k)).ToArray(),
            Flag(json, "vector512"),
            Flag(json, "vector256"),
            Flag(json, "vector128"),
            Text("source"));
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static CpuIdentity Make(string vendor, int family, int model, string modelName, IEnumerable<string> features, string source) =>
        new(vendor, family, model, modelName, KnownFeatures.Intersect(features).ToArray(),
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated, System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated, source);

    /// <summary>The first processor's block of /proc/cpuinfo (x86 Linux); null where it lacks vendor and family.</summary>
    private static CpuIdentity? FromProcCpuInfo()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/cpuinfo");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            if (line.Length == 0 && fields.Count > 0)
            {
                break; // the end of the first processor's block
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }

        if (!fields.TryGetValue("vendor_id", out string? vendor)
            || !fields.TryGetValue("cpu family", out string? family) || !int.TryParse(family, NumberStyles.Integer, CultureInfo.InvariantCulture, out int familyNumber)
            || !fields.TryGetValue("model", out string? model) || !int.TryParse(model, NumberStyles.Integer, CultureInfo.InvariantCulture, out int modelNumber))
        {
            return null;
        }

        // Linux spells the two VBMI flags "avx512vbmi" and "avx512_vbmi2".
        IEnumerable<string> flags = (fields.GetValueOrDefault("flags") ?? string.Empty)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(flag => flag.Replace("_", string.Empty, StringComparison.Ordinal));
        return Make(vendor, familyNumber, modelNumber, fields.GetValueOrDefault("model name") ?? string.Empty, flags, "/proc/cpuinfo");
    }

    /// <summary>CPUID on x86 (what the hardware reports, not what the OS or runtime enables); null elsewhere.</summary>
    private static CpuIdentity? FromCpuId()
    {
        if (!X86Base.IsSupported)
        {
            return null;
        }

        static string Ascii(params int[] registers) =>
            new string(registers.SelectMany(BitConverter.GetBytes).Select(b => (char)b).ToArray()).TrimEnd('\0').Trim();

        (int _, int ebx0, int ecx0, int edx0) = X86Base.CpuId(0, 0);
        string vendor = Ascii(ebx0, edx0, ecx0);
        (int eax1, int _, int ecx1, int _) = X86Base.CpuId(1, 0);
        int baseFamily = (eax1 >> 8) & 0xF, baseModel = (eax1 >> 4) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((eax1 >> 20) & 0xFF) : baseFamily;
        int model = baseFamily is 0x6 or 0xF ? baseModel + (((eax1 >> 16) & 0xF) << 4) : baseModel;
        (int _, int ebx7, int ecx7, int _) = X86Base.CpuId(7, 0);
        var features = new List<string>();
        void Add(string name, int register, int bit)
        {
            if (((register >> bit) & 1) == 1)
            {
                features.Add(name);
            }
        }

        Add("fma", ecx1, 12);
        Add("avx2", ebx7, 5);
        Add("avx512f", ebx7, 16);
        Add("avx512dq", ebx7, 17);
        Add("avx512bw", ebx7, 30);
        Add("avx512vl", ebx7, 31);
        Add("avx512vbmi", ecx7, 1);
        Add("avx512vbmi2", ecx7, 6);
        string brand = string.Empty;
        if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax >= 0x80000004)
        {
            int[] words = Enumerable.Range(2, 3).SelectMany(i =>
            {
                (int a, int b, int c, int d) = X86Base.CpuId(unchecked((int)0x80000000) + i, 0);
                return new[] { a, b, c, d };
            }).ToArray();
            brand = Ascii(words);
        }

        return Make(vendor, family, model, brand, features, "cpuid");
    }

    /// <summary>The last resort: the architecture and OS, no family or model.</summary>
    private static CpuIdentity FromRuntime() =>
        Make("unknown-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), 0, 0, RuntimeInformation.OSDescription, [], "runtime");
}
