using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FastLogReg.GateProbe;

namespace FastLogReg.PerfTool;

/// <summary>One probe process: which build, when, and its result lines.</summary>
/// <param name="Role">"baseline", "candidate" or "candidate-scalar" (the self-test).</param>
/// <param name="Round">0-based round.</param>
/// <param name="Position">0-based position within the round.</param>
/// <param name="ExitCode">The process's exit code; -1 when the gate killed it (no answer within the time limit, or another failure), -2 when it answered what the gate could not read.</param>
/// <param name="WallSeconds">The process's wall time.</param>
/// <param name="Lines">Its JSON result lines, as printed.</param>
/// <param name="StandardError">What it wrote to stderr.</param>
internal sealed record ProbeRun(string Role, int Round, int Position, int ExitCode, double WallSeconds, IReadOnlyList<string> Lines, string StandardError)
{
    /// <summary>Workload → median ns per call, from the result lines.</summary>
    public IReadOnlyDictionary<string, double> Medians()
    {
        var medians = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in Lines)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            medians[json.RootElement.GetProperty("workload").GetString()!] = json.RootElement.GetProperty("medianNs").GetDouble();
        }

        return medians;
    }
}

/// <summary>Settings of an A/B gate run.</summary>
/// <param name="Baseline">The baseline probe build (FastLogReg.GateProbe.dll of the last landed commit).</param>
/// <param name="Candidate">The candidate probe build (this tree's).</param>
/// <param name="Rounds">Rounds; each starts every role's process once.</param>
/// <param name="Threshold">Fail above a geometric mean of 1 + this.</param>
/// <param name="SelfTest">Also run the candidate with FASTLOGREG_MAX_SIMD_WIDTH=scalar, which must fail.</param>
/// <param name="Seconds">Scales the probes' measuring time per workload (0.8 s), and their warm-up (0.3 s) when above 1.</param>
/// <param name="Workloads">Only these workloads (comma-separated), or null for all.</param>
/// <param name="Out">Directory for abgate.json (every round's raw results and the CPU) and abgate.txt (the report).</param>
/// <param name="Slices">
/// 0: each process runs its workloads alone, one process after the other. Above 0 (default 4): the processes of a
/// round are started together, idle on stdin (<c>--serve</c>), and take turns — each workload's warm-up one process
/// after the other, then its measuring time cut into this many slices, the processes taking one slice each in turn
/// (the order rotated every slice) — so that baseline and candidate are measured within a fraction of a second of
/// each other.
/// </param>
internal sealed record AbGateSettings(string Baseline, string Candidate, int Rounds, double Threshold, bool SelfTest, double Seconds, string? Workloads, string Out, int Slices = AbGateRunner.DefaultSlices);

/// <summary>
/// Runs the A/B gate: <see cref="AbGateSettings.Rounds"/> rounds, each starting, as separate processes, the baseline
/// probe, the candidate probe and (with the self-test) the candidate with its kernels forced scalar, the order rotated
/// by one place every round so that no build always goes first or after the same one; within a round they run one at a
/// time, taking turns slice by slice (<see cref="AbGateSettings.Slices"/>). Then <see cref="AbGate"/> decides.
/// Exit codes: 0 pass, 1 regression (or the self-test not caught, or a candidate probe failing), 2 usage or
/// infrastructure errors (a probe build missing, the baseline probe failing, an output directory that cannot be written).
/// </summary>
internal static class AbGateRunner
{
    public const string ScalarVariable = "FASTLOGREG_MAX_SIMD_WIDTH";
    public const int DefaultSlices = 4;
    private const double WarmupSeconds = 0.3;
    private const double MeasureSeconds = 0.8;

    public static int Run(AbGateSettings settings, TextWriter log)
    {
        foreach (string dll in new[] { settings.Baseline, settings.Candidate })
        {
            if (!File.Exists(dll))
            {
                log.WriteLine($"error: no probe build at {dll}");
                return 2;
            }
        }

        if (settings.Rounds < 1 || settings.Slices < 0 || !(settings.Threshold > 0) || !(settings.Seconds > 0))
        {
            log.WriteLine("error: --rounds must be ≥ 1, --slices ≥ 0, --max-regression and --seconds > 0");
            return 2;
        }

        Directory.CreateDirectory(settings.Out);
        CpuIdentity cpu = CpuIdentity.Current();
        var c = CultureInfo.InvariantCulture;
        string[] roles = settings.SelfTest ? ["baseline", "candidate", "candidate-scalar"] : ["baseline", "candidate"];
        string how = settings.Slices == 0
            ? "one process after the other, each running its workloads alone"
            : $"processes started together, taking turns: per workload a warm-up each, then {settings.Slices} measuring slices each, the order rotated every slice";
        log.WriteLine($"A/B gate: {settings.Rounds} rounds of {string.Join(", ", roles)} (order rotated each round); {how}");
        log.WriteLine($"  CPU:       {cpu}");
        log.WriteLine($"  baseline:  {settings.Baseline}");
        log.WriteLine($"  candidate: {settings.Candidate}");
        var runs = new List<ProbeRun>();
        var stopwatch = Stopwatch.StartNew();
        string? failure = null;
        int failureExit = 0;
        for (int round = 0; round < settings.Rounds && failure is null; round++)
        {
            string[] order = Rotate(roles, round);
            var roundStart = Stopwatch.StartNew();
            IReadOnlyList<ProbeRun> roundRuns = settings.Slices == 0
                ? RunAlone(order, round, settings)
                : RunInTurns(order, round, settings);
            runs.AddRange(roundRuns);
            if (roundRuns.Where(r => r.ExitCode != 0).Concat(roundRuns.Where(r => r.Lines.Count == 0)).FirstOrDefault() is { } failed)
            {
                failure = $"the {failed.Role} probe failed in round {round + 1} (exit code {failed.ExitCode}):{Environment.NewLine}{Tail(failed.StandardError)}";
                failureExit = failed.Role == "baseline" ? 2 : 1;
            }

            log.WriteLine(string.Format(c, "  round {0}/{1}: {2} — {3:0.0} s{4}", round + 1, settings.Rounds, string.Join(", ", order), roundStart.Elapsed.TotalSeconds, failure is null ? string.Empty : " — FAILED"));
        }

        var report = new StringBuilder();
        report.AppendLine(string.Format(c, "A/B gate: candidate vs baseline, {0} rounds ({1}), ratios of median ns per call (lower is faster); {2:0} s", runs.Select(r => r.Round).Distinct().Count(), settings.Slices == 0 ? "processes one after the other" : $"{settings.Slices} slices in turn", stopwatch.Elapsed.TotalSeconds));
        report.AppendLine($"  CPU: {cpu}");
        AbOutcome? gate = null, selfTest = null;
        AbDecision decision;
        int exit;
        if (failure is not null)
        {
            report.AppendLine(failure);
            decision = new AbDecision(false, failure.Split(Environment.NewLine)[0]);
            exit = failureExit;
        }
        else
        {
            IReadOnlyList<IReadOnlyDictionary<string, double>> Rounds(string role) =>
                runs.Where(r => r.Role == role).OrderBy(r => r.Round).Select(r => r.Medians()).ToArray();
            gate = AbGate.Judge(Rounds("baseline"), Rounds("candidate"), settings.Threshold);
            report.Append(AbGate.Format("The candidate against the baseline:", gate, settings.Threshold));
            if (settings.SelfTest)
            {
                selfTest = AbGate.Judge(Rounds("baseline"), Rounds("candidate-scalar"), settings.Threshold);
                report.Append(AbGate.Format($"Self-test: the candidate with {ScalarVariable}=scalar against the baseline (must fail):", selfTest, settings.Threshold));
            }

            decision = AbGate.Decide(gate, selfTest, settings.Threshold);
            exit = decision.Passed ? 0 : 1;
        }

        report.AppendLine($"{(decision.Passed ? "PASS" : "FAIL")}: {decision.Reason}");
        log.Write(report.ToString());
        try
        {
            File.WriteAllText(Path.Combine(settings.Out, "abgate.txt"), report.ToString());
            File.WriteAllText(Path.Combine(settings.Out, "abgate.json"), Json(settings, cpu, runs, gate, selfTest, decision));
        }
        catch (IOException e)
        {
            log.WriteLine($"error: could not write the results to {settings.Out}: {e.Message}");
            return 2;
        }

        return exit;
    }

    private static string[] Rotate(string[] roles, int by) =>
        Enumerable.Range(0, roles.Length).Select(i => roles[(i + by) % roles.Length]).ToArray();

    private static string Dll(string role, AbGateSettings settings) => role == "baseline" ? settings.Baseline : settings.Candidate;

    private static ProcessStartInfo StartInfo(string role, AbGateSettings settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll(role, settings));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (role == "candidate-scalar")
        {
            start.Environment[ScalarVariable] = "scalar";
        }

        return start;
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static TimeSpan Limit(AbGateSettings settings) => TimeSpan.FromSeconds(120 * Math.Max(1, settings.Seconds));

    /// <summary>Slices = 0: each role's process runs all its workloads alone, one process after the other.</summary>
    private static IReadOnlyList<ProbeRun> RunAlone(string[] order, int round, AbGateSettings settings)
    {
        var runs = new List<ProbeRun>();
        for (int position = 0; position < order.Length; position++)
        {
            string role = order[position];
            var arguments = new List<string> { "--seconds", Number(settings.Seconds) };
            if (settings.Workloads is { } workloads)
            {
                arguments.AddRange(["--workloads", workloads]);
            }

            var stopwatch = Stopwatch.StartNew();
            using Process process = Process.Start(StartInfo(role, settings, [.. arguments])) ?? throw new InvalidOperationException("could not start dotnet");
            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            int exitCode = 0;
            if (!process.WaitForExit(Limit(settings)))
            {
                process.Kill(entireProcessTree: true);
                exitCode = -1;
            }

            process.WaitForExit();
            exitCode = exitCode == 0 ? process.ExitCode : exitCode;
            string[] lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToArray();
            string stderr = error.Result + (exitCode == -1 ? $"killed after {Limit(settings).TotalSeconds:0} s" : string.Empty);
            if (exitCode == 0 && lines.FirstOrDefault(l => !IsResult(l)) is { } bad)
            {
                exitCode = -2;
                stderr += $"unreadable result line: {bad}";
            }

            var run = new ProbeRun(role, round, position, exitCode, stopwatch.Elapsed.TotalSeconds, lines, stderr);
            runs.Add(run);
            if (exitCode != 0)
            {
                break;
            }
        }

        return runs;
    }

    /// <summary>A probe process in <c>--serve</c> mode, driven line by line.</summary>
    private sealed class ServedProbe : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _error;
        private readonly Stopwatch _lifetime = Stopwatch.StartNew();
        private readonly TimeSpan _limit;

        public ServedProbe(string role, int position, AbGateSettings settings)
        {
            Role = role;
            Position = position;
            _limit = Limit(settings);
            _process = Process.Start(StartInfo(role, settings, "--serve")) ?? throw new InvalidOperationException("could not start dotnet");
            _error = _process.StandardError.ReadToEndAsync();
        }

        public string Role { get; }

        public int Position { get; }

        public List<string> Workloads { get; } = [];

        public List<string> Lines { get; } = [];

        public string? Failure { get; private set; }

        /// <summary>Sends a command (unless null) and reads the next line; null (and <see cref="Failure"/> set) on a timeout or the end of the output.</summary>
        public string? Ask(string? command)
        {
            if (Failure is not null)
            {
                return null;
            }

            try
            {
                if (command is not null)
                {
                    _process.StandardInput.WriteLine(command);
                    _process.StandardInput.Flush();
                }

                Task<string?> read = _process.StandardOutput.ReadLineAsync();
                if (!read.Wait(_limit))
                {
                    Failure = $"no answer to '{command}' within {_limit.TotalSeconds:0} s";
                    return null;
                }

                if (read.Result is null)
                {
                    Failure = $"the process ended (after '{command}')";
                }

                return read.Result;
            }
            catch (IOException e)
            {
                Failure = $"the process ended ({e.Message}, after '{command}')";
                return null;
            }
        }

        /// <summary>Records why this probe failed.</summary>
        public void Fail(string message) => Failure ??= message;

        /// <summary>Sends a command that must be answered with <paramref name="expected"/>.</summary>
        public bool Expect(string? command, string expected)
        {
            string? answer = Ask(command);
            if (answer is not null && answer != expected)
            {
                Failure = $"answered '{answer}' to '{command}', not '{expected}'";
            }

            return Failure is null;
        }

        /// <summary>Quits (or, after a failure, kills) the process and returns the run.</summary>
        public ProbeRun Finish(int round)
        {
            if (Failure is null)
            {
                try
                {
                    _process.StandardInput.WriteLine("quit");
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                }
            }

            bool killed = false;
            if (Failure is not null || !_process.WaitForExit(_limit))
            {
                try
                {
                    if (!_process.HasExited)
                    {
                        _process.Kill(entireProcessTree: true);
                        killed = true;
                    }
                }
                catch (InvalidOperationException)
                {
                }

                _process.WaitForExit();
                Failure ??= $"no exit within {_limit.TotalSeconds:0} s of 'quit'";
            }

            int exitCode = killed ? -1 : _process.ExitCode != 0 ? _process.ExitCode : Failure is null ? 0 : -2;
            string stderr = _error.Wait(TimeSpan.FromSeconds(10)) ? _error.Result : string.Empty;
            return new ProbeRun(Role, round, Position, exitCode, _lifetime.Elapsed.TotalSeconds, Lines, stderr + (Failure ?? string.Empty));
        }

        public void Dispose() => _process.Dispose();
    }

    /// <summary>Slices &gt; 0: the round's processes are started together and take turns, slice by slice.</summary>
    private static IReadOnlyList<ProbeRun> RunInTurns(string[] order, int round, AbGateSettings settings)
    {
        var probes = new List<ServedProbe>();
        try
        {
            for (int position = 0; position < order.Length; position++)
            {
                probes.Add(new ServedProbe(order[position], position, settings));
            }

            bool ok = probes.All(p => p.Expect(null, "ready"));
            foreach (ServedProbe probe in probes.Where(_ => ok))
            {
                for (string? name = probe.Ask("list"); name is not null && name != "end"; name = probe.Ask(null))
                {
                    probe.Workloads.Add(name);
                }

                ok = ok && probe.Failure is null;
            }

            string[]? selected = settings.Workloads?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            // In the order the candidate lists them (then any only the baseline has), each process only those it knows.
            IEnumerable<string> workloads = probes.OrderBy(p => p.Role == "baseline" ? 1 : 0).SelectMany(p => p.Workloads).Distinct()
                .Where(w => selected is null || selected.Contains(w));
            string warmup = Number(WarmupSeconds * Math.Max(1, settings.Seconds)), slice = Number(MeasureSeconds * settings.Seconds / settings.Slices);
            foreach (string workload in workloads.Where(_ => ok))
            {
                ServedProbe[] here = probes.Where(p => p.Workloads.Contains(workload)).ToArray();
                ok = here.All(p => p.Expect($"warmup {workload} {warmup}", "ok"));
                for (int k = 0; k < settings.Slices && ok; k++)
                {
                    ok = Enumerable.Range(0, here.Length).Select(i => here[(i + k) % here.Length]).All(p => p.Expect($"measure {workload} {slice}", "ok"));
                }

                foreach (ServedProbe probe in here.Where(_ => ok))
                {
                    string? line = probe.Ask($"result {workload}");
                    if (line is not null && !IsResult(line))
                    {
                        probe.Fail($"unreadable result line: {line}");
                    }
                    else if (line is not null)
                    {
                        probe.Lines.Add(line);
                    }

                    ok = ok && probe.Failure is null;
                }
            }

            return probes.Select(p => p.Finish(round)).ToArray();
        }
        finally
        {
            foreach (ServedProbe probe in probes)
            {
                probe.Dispose();
            }
        }
    }

    /// <summary>Whether a line is a probe result: a JSON object with a workload name and a median.</summary>
    private static bool IsResult(string line)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(line);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("workload", out JsonElement name) && name.ValueKind == JsonValueKind.String
                && json.RootElement.TryGetProperty("medianNs", out JsonElement median) && median.ValueKind == JsonValueKind.Number;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Tail(string text) =>
        string.Join(Environment.NewLine, text.Split('\n').TakeLast(20).Select(l => "    " + l.TrimEnd()));

    private static string Json(AbGateSettings settings, CpuIdentity cpu, IReadOnlyList<ProbeRun> runs, AbOutcome? gate, AbOutcome? selfTest, AbDecision decision)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WritePropertyName("cpu");
            cpu.Write(json);
            json.WriteStartObject("settings");
            json.WriteString("baseline", settings.Baseline);
            json.WriteString("candidate", settings.Candidate);
            json.WriteNumber("rounds", settings.Rounds);
            json.WriteNumber("maxRegression", settings.Threshold);
            json.WriteBoolean("selfTest", settings.SelfTest);
            json.WriteNumber("seconds", settings.Seconds);
            json.WriteNumber("slices", settings.Slices);
            json.WriteString("workloads", settings.Workloads);
            json.WriteString("finished", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteStartArray("runs");
            foreach (ProbeRun run in runs)
            {
                json.WriteStartObject();
                json.WriteString("role", run.Role);
                json.WriteNumber("round", run.Round);
                json.WriteNumber("position", run.Position);
                json.WriteNumber("exitCode", run.ExitCode);
                json.WriteNumber("wallSeconds", Math.Round(run.WallSeconds, 3));
                json.WriteStartArray("results");
                foreach (string line in run.Lines)
                {
                    using JsonDocument result = JsonDocument.Parse(line);
                    result.RootElement.WriteTo(json);
                }

                json.WriteEndArray();
                if (run.ExitCode != 0)
                {
                    json.WriteString("stderr", run.StandardError);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteOutcome(json, "gate", gate);
            WriteOutcome(json, "selfTest", selfTest);
            json.WriteBoolean("passed", decision.Passed);
            json.WriteString("reason", decision.Reason);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static void WriteOutcome(Utf8JsonWriter json, string name, AbOutcome? outcome)
    {
        if (outcome is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteBoolean("passed", outcome.Passed);
        if (double.IsFinite(outcome.GeometricMean))
        {
            json.WriteNumber("geometricMean", outcome.GeometricMean);
        }
        else
        {
            json.WriteNull("geometricMean");
        }

        json.WriteStartArray("workloads");
        foreach (AbComparison x in outcome.Comparisons)
        {
            json.WriteStartObject();
            json.WriteString("workload", x.Workload);
            json.WriteNumber("baselineMedianNs", x.BaselineMedian);
            json.WriteNumber("candidateMedianNs", x.CandidateMedian);
            json.WriteNumber("ratio", x.Ratio);
            json.WriteNumber("minRatio", x.MinRatio);
            json.WriteNumber("maxRatio", x.MaxRatio);
            if (double.IsFinite(x.PSlower))
            {
                json.WriteNumber("pSlower", x.PSlower);
            }

            json.WriteString("verdict", x.Verdict);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("problems");
        foreach (string problem in outcome.Problems)
        {
            json.WriteStringValue(problem);
        }

        json.WriteEndArray();
        json.WriteStartArray("notJudged");
        foreach (string workload in outcome.NotJudged)
        {
            json.WriteStringValue(workload);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
