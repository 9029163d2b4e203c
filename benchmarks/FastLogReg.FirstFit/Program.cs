using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Training;

namespace FastLogReg.FirstFit;

/// <summary>
/// Times the first L-BFGS fit of a process on a CSV of numbers with the label last (default: the bundled breast-cancer
/// data, standardized, C = 1), then a second one; with <c>--jit</c>, also what the JIT compiled during the first fit,
/// per method and per type (from the runtime's own JIT events). Run it as a fresh process each time, e.g.
/// <c>for i in 1 2 3; do dotnet benchmarks/FastLogReg.FirstFit/bin/Release/net10.0/FastLogReg.FirstFit.dll; done</c>.
/// The file is parsed with the BCL only, so that nothing of FastLogReg is compiled before the fit but the data set.
/// With <c>--multicore-jit DIR</c>, the process starts the runtime's multicore JIT (<see cref="JitProfile"/>) with its
/// profile in DIR first, as the <c>fastlogreg</c> tool does: the first such run records which methods were
/// compiled, later runs compile them on a background thread from the start. <c>--multicore-jit-direct DIR</c> calls the
/// runtime's <see cref="System.Runtime.ProfileOptimization"/> itself instead, without <see cref="JitProfile"/>'s protections
/// (what they cost at start-up).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var sinceMain = Stopwatch.StartNew();
        JitProfile? profile = null;
        int directAt = Array.IndexOf(args, "--multicore-jit-direct");
        if (directAt >= 0)
        {
            System.Runtime.ProfileOptimization.SetProfileRoot(args[directAt + 1]);
            System.Runtime.ProfileOptimization.StartProfile("direct.jitprofile");
            args = [.. args[..directAt], .. args[(directAt + 2)..]];
        }

        int profileAt = Array.IndexOf(args, "--multicore-jit");
        if (profileAt >= 0)
        {
            profile = JitProfile.Start(args[profileAt + 1], "firstfit");
            if (profile.Problem is { } problem)
            {
                Console.Error.WriteLine($"multicore JIT not started: {problem}");
            }

            args = [.. args[..profileAt], .. args[(profileAt + 2)..]];
        }

        string path = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
            ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "datasets", "breast_cancer.csv");
        using JitEvents? jit = args.Contains("--jit") ? new JitEvents() : null;
        double[][] rows = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int d = rows[0].Length - 1;
        var data = DenseDataset.Create(rows.SelectMany(r => r.Take(d)).ToArray(), rows.Select(r => r[d]).ToArray(), d);
        var options = new TrainingOptions { Standardize = true, L2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows) };

        jit?.Start();
        var clock = Stopwatch.StartNew();
        TrainingResult first = LogisticRegression.Train(data, options);
        double firstMs = clock.Elapsed.TotalMilliseconds;
        double mainMs = sinceMain.Elapsed.TotalMilliseconds;
        jit?.Stop();
        clock.Restart();
        LogisticRegression.Train(data, options);
        double secondMs = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first fit {firstMs:F1} ms ({mainMs:F1} ms from the start of Main), second {secondMs:F2} ms, {first.Report.DataPasses} passes, {data.Rows} x {d}"));
        jit?.Report(Console.Out);
        profile?.Publish();

        return 0;
    }
}

/// <summary>Each method the JIT compiles while on: its time from the runtime's MethodJittingStarted to MethodLoadVerbose event.</summary>
internal sealed class JitEvents : EventListener
{
    private readonly Dictionary<long, (string Name, DateTime Start, long Thread)> _open = [];
    private readonly List<(string Name, double Ms, long Thread)> _done = [];
    private volatile bool _on;

    public void Start() => _on = true;

    public void Stop() => _on = false;

    public void Report(TextWriter output)
    {
        lock (_open)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"JIT during the first fit: {_done.Count} methods, {_done.Sum(x => x.Ms):F1} ms"));
            foreach (var thread in _done.GroupBy(x => x.Thread).OrderByDescending(g => g.Sum(x => x.Ms)))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  on thread {thread.Key}: {thread.Count()} methods, {thread.Sum(x => x.Ms):F1} ms"));
            }

            foreach (var group in _done.GroupBy(x => Owner(x.Name)).OrderByDescending(g => g.Sum(x => x.Ms)).Take(12))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Sum(x => x.Ms),6:F1} ms  {group.Count(),3} methods  {group.Key}"));
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); // JitKeyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.Payload is null)
        {
            return;
        }

        long id = Convert.ToInt64(e.Payload[0], CultureInfo.InvariantCulture);
        lock (_open)
        {
            if (e.EventName == "MethodJittingStarted_V1")
            {
                _open[id] = ($"{e.Payload[4]}::{e.Payload[5]}", e.TimeStamp, e.OSThreadId);
            }
            else if (e.EventName?.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) == true && _open.Remove(id, out var started))
            {
                _done.Add((started.Name, (e.TimeStamp - started.Start).TotalMilliseconds, started.Thread));
            }
        }
    }

    private static string Owner(string name)
    {
        string type = name.Split("::")[0];
        return type.StartsWith("System.Numerics.Tensors", StringComparison.Ordinal) ? "System.Numerics.Tensors (TensorPrimitives)" : type.Split('`')[0];
    }
}
