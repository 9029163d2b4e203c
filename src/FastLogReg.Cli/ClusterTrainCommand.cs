using System.Diagnostics;
using System.Globalization;
using FastLogReg.IO;
using FastLogReg.Optimization;
using FastLogReg.Orleans;
using FastLogReg.Training;
using Spectre.Console;

namespace FastLogReg.Cli;

/// <summary>How <c>train --cluster</c> spreads the fit: where the cluster is and how the file is cut.</summary>
/// <param name="Address">The cluster.</param>
/// <param name="Shards">Shards to cut the file into.</param>
/// <param name="PerShard">Each shard folds its own chunks (the scalable mode).</param>
/// <param name="FanIn">The aggregation tree's fan-in (with <paramref name="PerShard"/>), 0 for none.</param>
internal sealed record ClusterArguments(ClusterAddress Address, int Shards, bool PerShard, int FanIn);

/// <summary>
/// <c>fastlogreg train --cluster ADDRESS</c>: training a CSV or LIBSVM file (two classes or K) on a cluster of <c>fastlogreg-silo</c>
/// workers. The file is read in place by the silos (a path every silo can read) — no shuffle, no held-out rows — and the
/// model is the one <c>train</c> on this machine gives with <c>--test-fraction 0</c> (bit for bit without
/// <c>--per-shard</c>, when the silos run the same SIMD width as this machine would).
/// </summary>
internal static class ClusterTrainCommand
{
    public static int Run(CliContext context, TrainArguments a, ClusterArguments cluster)
    {
        DistinctPaths.Require(("--data", a.Input.Data), ("--model", a.Model));
        TrainCommand.CheckOutputs(a);
        Check(a);
        var c = CultureInfo.InvariantCulture;
        string path = a.Input.Data.FullName;
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, 0, null, "this is a directory, not a data file.");
        }

        if (!a.Input.Data.Exists)
        {
            throw new FileNotFoundException($"{a.Input.Data.FullName}: no such file (the path is resolved here and must name the same file on every silo).");
        }

        var options = new TrainingOptions
        {
            Solver = a.Solver switch { "newton" => Solver.Newton, "owlqn" => Solver.OwlQn, _ => Solver.Lbfgs },
            L1Ratio = a.L1Ratio,
            L2 = a.L2 ?? 0, // replaced by λ = 1/(C·S) below unless --l2 was given
            Standardize = a.Standardize,
            MaxIterations = a.MaxIterations ?? 1000,
            Tolerance = a.Tolerance ?? 1e-6,
            MultiClass = CommandLine.MultiClassOf(a.MultiClass),
        };
        var shards = new ClusterTrainingOptions
        {
            Shards = cluster.Shards,
            LabelColumn = a.Input.Label,
            Format = a.Input.IsLibSvm ? "libsvm" : "csv",
            ZeroBased = a.Input.ZeroBased,
            MaxClasses = LibSvmDataReader.MostClasses, // more than two label values train a K-class model, as train does
            PerShardSums = cluster.PerShard,
            FanIn = cluster.FanIn,
            ScikitLearnC = a.L2 is null ? a.C ?? 1.0 : null,
        };
        bool text = !a.Quiet && !a.Json;
        IAnsiConsole console = context.Console;
        if (text)
        {
            console.MarkupLine($"[bold]Cluster[/]   {Markup.Escape(cluster.Address.ToString())}: {cluster.Shards} shards{(cluster.PerShard ? ", per-shard sums" : string.Empty)}{(cluster.FanIn > 0 ? $", aggregation tree of fan-in {cluster.FanIn}" : string.Empty)}");
        }

        var clock = Stopwatch.StartNew();
        ClusterTrainingResult result;
        try
        {
            result = Connected(cluster.Address, client => ClusterTraining.TrainAsync(client, path, options, shards));
        }
        catch (NotSupportedException e)
        {
            throw new UsageException($"--cluster: {e.Message}"); // an option the cluster does not shard (--solver cd, say), named by the message
        }
        TimeSpan elapsed = clock.Elapsed;
        OptimizationResult fit = result.Optimization;
        var metadata = new ModelMetadata
        {
            // LIBSVM columns are numbered, not named: the model stores its dimension (as train does).
            FeatureNames = a.Input.IsLibSvm ? null : [.. result.FeatureNames],
            Labels = result.Labels,
            Standardization = result.Standardization,
            LabelColumn = a.Input.IsLibSvm ? null : result.LabelName,
        };
        string modelPath = a.Model.FullName;
        ModelFile.Save(new SavedModel(result.Classifier, metadata), modelPath);
        if (a.Json)
        {
            context.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new ClusterTrainOutput(
                path, result.Rows, result.Classifier.FeatureCount, result.Labels.Count == 2 ? result.Labels.Positive : null, result.Labels.Count == 2 ? result.Labels.Negative : null, result.Shards, result.KernelWidth, result.Retries,
                TrainCommand.SolverName(a.L1Ratio > 0 ? Solver.OwlQn : options.Solver), result.L2, options.Standardize, fit.Iterations, elapsed.TotalMilliseconds, fit.StopReason.ToString(), fit.Converged,
                fit.Objective, fit.GradientNorm, modelPath), CliJsonContext.Readable.ClusterTrainOutput));
        }
        else if (text)
        {
            console.MarkupLine($"[bold]Data[/]      {Markup.Escape(path)}: {result.Rows} rows × {result.Classifier.FeatureCount} features{(a.Input.IsLibSvm ? " (sparse rows)" : string.Empty)}, read by the silos in place (all rows trained on: no shuffle, no held-out rows)");
            console.MarkupLine(result.Labels.Count == 2
                ? $"          label classes: 1 = '{Markup.Escape(result.Labels.Positive)}', 0 = '{Markup.Escape(result.Labels.Negative)}'"
                : $"          {result.Labels.Count} label classes ({result.Classifier.Kind}): {Markup.Escape(string.Join(", ", result.Labels.Classes.Take(12).Select(v => $"'{v}'")))}{(result.Labels.Count > 12 ? ", …" : string.Empty)}");
            string kind = a.L1Ratio switch { 0 => "L2", 1 => "L1", _ => $"elastic net ρ = {a.L1Ratio.ToString("G3", c)}" };
            console.MarkupLine($"[bold]Training[/]  {TrainCommand.SolverName(a.L1Ratio > 0 ? Solver.OwlQn : options.Solver)}, {kind} λ = {result.L2.ToString("G4", c)}{(a.L2 is null ? $" (C = {(a.C ?? 1.0).ToString("G4", c)})" : string.Empty)}{(a.Standardize ? ", standardized" : string.Empty)}, tolerance {options.Tolerance.ToString("G3", c)}; kernels at {result.KernelWidth} on every silo");
            string color = fit.Converged ? "green" : "yellow";
            console.MarkupLine($"[bold]Result[/]    [{color}]{fit.StopReason}[/]: {fit.Iterations} iterations, {elapsed.TotalMilliseconds.ToString("F0", c)} ms, {result.Retries} shard calls retried; objective {fit.Objective.ToString("G10", c)}");
            if (!fit.Converged && !a.Standardize)
            {
                console.MarkupLine("          not converged on raw features: add --standardize, or --solver newton (sharded 'auto' runs L-BFGS).");
            }

            console.MarkupLine($"[bold]Model[/]     saved to {Markup.Escape(modelPath)} (score it with: fastlogreg evaluate --model … --data …)");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Runs <paramref name="work"/> with a client of the cluster, turning "no silo answered" into a message that says what to start.</summary>
    private static TResult Connected<TResult>(ClusterAddress address, Func<IClusterClient, Task<TResult>> work)
    {
        ConnectedCluster connected;
        try
        {
            connected = address.ConnectAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or System.Net.Sockets.SocketException or StackExchange.Redis.RedisException)
        {
            throw new ClusterUnreachableException($"no silo of {address} answered ({e.GetType().Name}: {e.Message}). Start the workers first: fastlogreg-silo silo (see the README's sharded-training section).", e);
        }

        try
        {
            return work(connected.Client).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidOperationException or OrleansException or TimeoutException)
        {
            // Silos of different SIMD widths, a shard that failed every attempt, a cluster that went away.
            throw new ClusterUnreachableException($"the sharded fit stopped: {e.Message}", e);
        }
        finally
        {
            connected.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Options a sharded fit cannot honour are refused by name, never ignored.</summary>
    private static void Check(TrainArguments a)
    {
        a.Input.CheckApplicable(); // --zero-based on a CSV file, --label on a LIBSVM one: refused as train refuses them
        string? refused =
            a.Input.IsParquet ? $"--data {a.Input.Data.Name} (Parquet: sharded training reads CSV and LIBSVM files)"
            : a.Solver is not ("auto" or "lbfgs" or "newton" or "owlqn") ? $"--solver {a.Solver} (sharded training runs lbfgs or newton, and owlqn for --penalty l1/elasticnet; newton-cholesky needs the whole Hessian on one machine)"
            : a.L1Ratio > 0 && a.Solver == "newton" ? "--solver newton with --penalty l1/elasticnet (an L1 penalty is sharded with owlqn)"
            : a.L1Ratio == 0 && a.Solver == "owlqn" ? "--solver owlqn with an L2 penalty (use lbfgs)"
            : a.Hashed.Count > 0 ? "--hash"
            : a.Poly is not null ? "--poly / --interactions"
            : a.Stats ? "--stats"
            : a.Plot is not null ? "--plot"
            : a.Threads is not null ? "--threads (each silo uses its own cores)"
            : a.Input.Separator is not null || a.Input.Positive is not null || a.Input.DecimalComma || a.Input.ByPosition ? "--separator / --positive / --decimal-comma / --by-position"
            : null;
        if (refused is not null)
        {
            throw new UsageException($"--cluster: {refused} is not supported by sharded training.");
        }
    }
}

/// <summary>The cluster cannot be reached, or the fit on it failed (the message says which).</summary>
internal sealed class ClusterUnreachableException(string message, Exception inner) : Exception(message, inner);

/// <summary>What <c>train --cluster --json</c> prints.</summary>
internal sealed record ClusterTrainOutput(
    string Data, int Rows, int Features, string? PositiveLabel, string? NegativeLabel, int Shards, string KernelWidth, int Retries,
    string Solver, double L2, bool Standardize, int Iterations, double ElapsedMs, string StopReason, bool Converged,
    double FinalObjective, double FinalGradientNorm, string Model);
