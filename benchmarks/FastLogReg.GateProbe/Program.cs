using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FastLogReg.GateProbe;

/// <summary>
/// The CI gate's probe: runs fixed workloads through FastLogReg's public API and prints one JSON line per workload —
/// its name, the median nanoseconds per call, the number of calls timed, the CPU (<see cref="CpuIdentity"/>) and the
/// SIMD switches in effect. The A/B gate (FastLogReg.PerfTool <c>abgate</c>) runs a baseline build and a candidate build
/// of this probe in separate processes and compares their medians.
/// <para>
/// Alone (<c>FastLogReg.GateProbe [--workloads a,b] [--seconds factor] [--list]</c>), per workload: at least 5 calls and
/// 0.3 s of warm-up, then individual calls timed with <see cref="Stopwatch"/> for at least 0.8 s and at least 15 calls
/// (<c>--seconds</c> scales the measuring time, and the warm-up only upwards: shorter warm-ups left the training workload
/// partly in tier-0 code); exit code 2 on bad usage.
/// </para>
/// <para>
/// With <c>--serve</c> the same timing is driven from stdin, one command per line, so that the gate can hand the
/// machine to the baseline's and the candidate's processes in turn, a fraction of a second each, while both stay
/// loaded: <c>list</c> (the workloads, one per line, then <c>end</c>); <c>warmup NAME SECONDS</c> (builds the
/// workload's data on first use, untimed, then at least 5 calls and SECONDS); <c>measure NAME SECONDS</c> (times calls
/// for at least SECONDS, adding to that workload's samples); <c>result NAME</c> (completes 15 timed calls if fewer, then
/// prints the JSON line of all of them); <c>quit</c>. The probe prints <c>ready</c> on start and <c>ok</c> after each
/// warmup and measure; any other input is an error (exit code 2). Between commands it waits on stdin and uses no CPU.
/// </para>
/// </summary>
public static class Program
{
    private const int MinWarmupCalls = 5;
    private const int MinCalls = 15;
    private const double WarmupSeconds = 0.3;
    private const double MeasureSeconds = 0.8;

    /// <summary>
    /// The environment variables that change which SIMD paths run, reported with every result. (On .NET 10.0.12,
    /// DOTNET_EnableAVX512=0 turns Vector512 acceleration off; DOTNET_EnableAVX512F=0 was seen to leave it on.)
    /// </summary>
    private static readonly string[] SimdVariables = ["FASTLOGREG_MAX_SIMD_WIDTH", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX512", "DOTNET_EnableHWIntrinsic"];

    public static int Main(string[] args)
    {
        var selected = Workloads.All.Select(w => w.Name).ToList();
        double seconds = 1;
        bool serve = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--workloads" when value is not null:
                    selected = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                    string[] unknown = selected.Where(s => Find(s) is null).ToArray();
                    if (unknown.Length > 0 || selected.Count == 0)
                    {
                        return Usage($"unknown workload(s): {string.Join(", ", unknown)}");
                    }

                    i++;
                    break;
                case "--seconds" when value is not null:
                    if (!TryParseSeconds(value, out seconds))
                    {
                        return Usage($"--seconds wants a positive number, not '{value}'");
                    }

                    i++;
                    break;
                case "--serve":
                    serve = true;
                    break;
                case "--list":
                    foreach (Workload w in Workloads.All)
                    {
                        Console.WriteLine($"{w.Name}\t{w.Description}");
                    }

                    return 0;
                case "-h" or "--help":
                    Console.WriteLine(Help);
                    return 0;
                default:
                    return Usage($"unexpected argument '{args[i]}'");
            }
        }

        CpuIdentity cpu = CpuIdentity.Current();
        if (serve)
        {
            return Serve(cpu);
        }

        // In the order of Workloads.All whatever the order asked for, so that every build runs them in the same order.
        foreach (Workload workload in Workloads.All.Where(w => selected.Contains(w.Name)))
        {
            var timer = new WorkloadTimer(workload);
            timer.WarmUp(WarmupSeconds * Math.Max(1, seconds));
            timer.Measure(MeasureSeconds * seconds);
            Console.Out.WriteLine(timer.Result(cpu));
            Console.Out.Flush();
        }

        return 0;
    }

    private const string Help = """
        FastLogReg.GateProbe: times fixed workloads through FastLogReg's public API; one JSON line per workload.
          --workloads a,b   only these (default: all; see --list)
          --seconds f       scale the measuring time (0.8 s) by f, and the warm-up (0.3 s) when f > 1 (default 1)
          --list            list the workloads
          --serve           take warmup/measure/result commands from stdin (the A/B gate's interleaved mode)
        """;

    private static Workload? Find(string name) => Workloads.All.FirstOrDefault(w => w.Name == name);

    private static bool TryParseSeconds(string text, out double seconds) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && seconds > 0 && !double.IsInfinity(seconds);

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine(Help);
        return 2;
    }

    /// <summary>The <c>--serve</c> loop (see the class summary).</summary>
    private static int Serve(CpuIdentity cpu)
    {
        var timers = new Dictionary<string, WorkloadTimer>(StringComparer.Ordinal);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        while (Console.In.ReadLine() is { } line)
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            WorkloadTimer? Timer()
            {
                if (words.Length < 2 || Find(words[1]) is not { } workload)
                {
                    return null;
                }

                if (!timers.TryGetValue(workload.Name, out WorkloadTimer? timer))
                {
                    timers[workload.Name] = timer = new WorkloadTimer(workload);
                }

                return timer;
            }

            switch (words[0])
            {
                case "quit":
                    return 0;
                case "list":
                    foreach (Workload w in Workloads.All)
                    {
                        Console.Out.WriteLine(w.Name);
                    }

                    Console.Out.WriteLine("end");
                    break;
                case "warmup" when words.Length == 3 && Timer() is { } timer && TryParseSeconds(words[2], out double warmup):
                    timer.WarmUp(warmup);
                    Console.Out.WriteLine("ok");
                    break;
                case "measure" when words.Length == 3 && Timer() is { } timer && TryParseSeconds(words[2], out double measure):
                    timer.Measure(measure);
                    Console.Out.WriteLine("ok");
                    break;
                case "result" when words.Length == 2 && Timer() is { } timer:
                    Console.Out.WriteLine(timer.Result(cpu));
                    timers.Remove(words[1]);
                    break;
                default:
                    Console.Error.WriteLine($"error: not a command: '{line}'");
                    return 2;
            }

            Console.Out.Flush();
        }

        return 0;
    }

    /// <summary>One workload's call, its warm-up and its timed calls.</summary>
    private sealed class WorkloadTimer(Workload workload)
    {
        private readonly List<double> _times = new(1024);
        private Func<double>? _call;
        private int _warmupCalls;
        private double _sink;

        /// <summary>Builds the data on first use (untimed), then calls until at least 5 warm-up calls in all and <paramref name="seconds"/> have passed.</summary>
        public void WarmUp(double seconds)
        {
            Func<double> call = Call();
            long ticks = (long)(seconds * Stopwatch.Frequency);
            long start = Stopwatch.GetTimestamp();
            while (_warmupCalls < MinWarmupCalls || Stopwatch.GetTimestamp() - start < ticks)
            {
                _sink += call();
                _warmupCalls++;
            }
        }

        /// <summary>Times individual calls for at least <paramref name="seconds"/> (and at least <paramref name="minCalls"/> in all).</summary>
        public void Measure(double seconds, int minCalls = 0)
        {
            Func<double> call = Call();
            long ticks = (long)(seconds * Stopwatch.Frequency);
            long start = Stopwatch.GetTimestamp();
            while (_times.Count < minCalls || Stopwatch.GetTimestamp() - start < ticks)
            {
                long before = Stopwatch.GetTimestamp();
                _sink += call();
                long after = Stopwatch.GetTimestamp();
                _times.Add((after - before) * 1e9 / Stopwatch.Frequency);
            }
        }

        /// <summary>Completes 15 timed calls if fewer were made, then the JSON line of the median of all of them.</summary>
        public string Result(CpuIdentity cpu)
        {
            Measure(0, MinCalls);
            double[] sorted = _times.Order().ToArray();
            int n = sorted.Length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            GC.KeepAlive(_sink);
            return ResultLine(workload.Name, median, n, cpu);
        }

        private Func<double> Call()
        {
            if (_call is null)
            {
                _call = workload.Setup();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
            }

            return _call;
        }
    }

    private static string ResultLine(string workload, double median, int calls, CpuIdentity cpu)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("workload", workload);
            json.WriteNumber("medianNs", Math.Round(median, 1));
            json.WriteNumber("calls", calls);
            json.WriteString("api", LibraryCalls.Api);
            json.WriteString("runtime", RuntimeInformation.FrameworkDescription);
            json.WritePropertyName("cpu");
            cpu.Write(json);
            json.WriteStartObject("env");
            foreach (string variable in SimdVariables)
            {
                if (Environment.GetEnvironmentVariable(variable) is { } value)
                {
                    json.WriteString(variable, value);
                }
                else
                {
                    json.WriteNull(variable);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
