using System.CommandLine;
using FastLogReg.GateProbe;

namespace FastLogReg.PerfTool;

/// <summary>
/// <c>abgate</c>: the CI gate — the candidate's probe against the last landed commit's, interleaved (exit 1 on a
/// regression or an uncaught self-test, 2 on usage or infrastructure errors); <c>cpu</c>: record this machine's CPU;
/// <c>gate</c>: compare a GateBenchmarks run with the reference stored for this CPU; <c>reference</c>: store runs as
/// this CPU's reference; <c>summarize</c>: Markdown table and SVG chart of a suite run.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Option<string> results = new("--results") { Description = "A BenchmarkDotNet results directory (or one *-report-full.json).", Required = true };
        Option<string> references = new("--references") { Description = $"The folder of per-CPU references (one sub-folder per CPU). Default {CpuReferences.DefaultRoot}.", DefaultValueFactory = _ => CpuReferences.DefaultRoot };
        Option<double> threshold = new("--max-regression") { Description = "Fail when the geometric mean of the ratio changes exceeds 1 + this. Default 0.25.", DefaultValueFactory = _ => 0.25 };
        var gate = new Command("gate", "Compare a GateBenchmarks run with the reference stored for this CPU (not used by CI: see abgate).") { results, references, threshold };
        gate.SetAction(r =>
        {
            CpuIdentity cpu = CpuIdentity.Current();
            (string? path, string message) = CpuReferences.Find(r.GetValue(references)!, cpu);
            if (path is null)
            {
                Console.Error.WriteLine(message);
                return 2;
            }

            Console.WriteLine(message);
            BenchmarkRun run = BenchmarkRun.Load(r.GetValue(results)!);
            GateReference stored = Gate.LoadReference(path);
            GateOutcome outcome = Gate.Compare(stored, Gate.Metrics(run), r.GetValue(threshold));
            Console.Out.Write(Gate.Format(stored, outcome, $"{run.Machine}; {cpu}", r.GetValue(threshold)));
            return outcome.Passed ? 0 : 1;
        });

        Option<string> note = new("--note") { Description = "Why this reference (stored with it).", DefaultValueFactory = _ => "reference run" };
        var store = new Command("reference", "Store GateBenchmarks runs, made on this machine, as this CPU's reference (every *-report-full.json under --results is a run; their samples are pooled).") { results, references, note };
        store.SetAction(r =>
        {
            CpuIdentity cpu = CpuIdentity.Current();
            IReadOnlyList<BenchmarkRun> runs = BenchmarkRun.LoadEach(r.GetValue(results)!);
            var stored = new GateReference($"{runs[^1].Machine}; {runs.Count} run(s) pooled", r.GetValue(note)!, Gate.Metrics(runs));
            string folder = CpuReferences.FolderFor(r.GetValue(references)!, cpu);
            CpuReferences.WriteCpu(folder, cpu);
            string path = Path.Combine(folder, CpuReferences.ReferenceFile);
            Gate.SaveReference(stored, path);
            Console.WriteLine($"Stored {stored.Metrics.Count} metrics in {path} for {cpu}.");
            return 0;
        });

        Option<string> cpuOut = new("--out") { Description = "Folder to write cpu.json into (default: print it)." };
        var cpuCommand = new Command("cpu", "This machine's CPU as stored with every result (cpu.json).") { cpuOut };
        cpuCommand.SetAction(r =>
        {
            CpuIdentity cpu = CpuIdentity.Current();
            if (r.GetValue(cpuOut) is { } folder)
            {
                Console.WriteLine($"{CpuReferences.WriteCpu(folder, cpu)}: {cpu}");
            }
            else
            {
                Console.Write(cpu.ToJson());
            }

            return 0;
        });

        Option<string> baseline = new("--baseline") { Description = "The baseline's probe build (FastLogReg.GateProbe.dll of the last landed commit).", Required = true };
        Option<string> candidate = new("--candidate") { Description = "The candidate's probe build (this tree's FastLogReg.GateProbe.dll).", Required = true };
        Option<int> rounds = new("--rounds") { Description = "Interleaved rounds. Default 7.", DefaultValueFactory = _ => 7 };
        Option<double> abThreshold = new("--max-regression") { Description = "Fail when the geometric mean of the candidate ÷ baseline ratios exceeds 1 + this. Default 0.20.", DefaultValueFactory = _ => AbGate.DefaultThreshold };
        Option<bool> selfTest = new("--self-test") { Description = "Also run the candidate with FASTLOGREG_MAX_SIMD_WIDTH=scalar in every round; the gate fails unless that run fails." };
        Option<double> seconds = new("--seconds") { Description = "Scales the probes' measuring time per workload (0.8 s), and their warm-up (0.3 s) when above 1. Default 1.", DefaultValueFactory = _ => 1.0 };
        Option<string?> workloads = new("--workloads") { Description = "Only these probe workloads (comma-separated). Default all." };
        Option<int> slices = new("--slices") { Description = "0: each probe process runs its workloads alone, one after the other. Above 0: a round's processes take turns, each workload's measuring time cut into this many slices. Default 4.", DefaultValueFactory = _ => AbGateRunner.DefaultSlices };
        Option<string> abOut = new("--out") { Description = "Folder for abgate.json (raw per-round results, CPU, verdict) and abgate.txt (the report).", Required = true };
        var abgate = new Command("abgate", "The CI gate: baseline and candidate probe builds in separate processes taking turns, compared round by round.") { baseline, candidate, rounds, abThreshold, selfTest, seconds, workloads, slices, abOut };
        abgate.SetAction(r =>
        {
            try
            {
                return AbGateRunner.Run(new AbGateSettings(r.GetValue(baseline)!, r.GetValue(candidate)!, r.GetValue(rounds), r.GetValue(abThreshold), r.GetValue(selfTest), r.GetValue(seconds), r.GetValue(workloads), r.GetValue(abOut)!, r.GetValue(slices)), Console.Out);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });

        Option<string> markdown = new("--markdown") { Description = "Markdown table to write.", Required = true };
        Option<string> svg = new("--svg") { Description = "SVG chart to write.", Required = true };
        var summarize = new Command("summarize", "Markdown table and SVG chart (throughput vs data size) of a SuiteBenchmarks run.") { results, markdown, svg };
        summarize.SetAction(r =>
        {
            BenchmarkRun run = BenchmarkRun.Load(r.GetValue(results)!);
            Summary.Write(run, r.GetValue(markdown)!, r.GetValue(svg)!);
            return 0;
        });

        var root = new RootCommand("FastLogReg's performance tool.") { abgate, cpuCommand, gate, store, summarize };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {e.Message}");
            }

            return 2;
        }

        return parsed.Invoke();
    }
}
