using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Features;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Training;
using Spectre.Console;

namespace FastLogReg.Cli;

/// <summary>The arguments of <c>train</c>.</summary>
internal sealed record TrainArguments(
    InputArguments Input,
    string Solver,
    double? L2,
    double? C,
    bool Standardize,
    int? Threads,
    double TestFraction,
    int Seed,
    int? MaxIterations,
    double? Tolerance,
    FileInfo Model,
    FileInfo? Plot,
    bool Quiet,
    bool Json,
    string MultiClass = "auto")
{
    /// <summary>ρ, the L1 share of the penalty (0: L2).</summary>
    public double L1Ratio { get; init; }

    /// <summary>Whether to print the coefficient table.</summary>
    public bool Stats { get; init; }

    /// <summary>The degree of the polynomial expansion, or null for none.</summary>
    public int? Poly { get; init; }

    /// <summary>Whether the expansion forms products of distinct columns only.</summary>
    public bool Interactions { get; init; }

    /// <summary>The CSV columns hashed into sparse features (none: every feature column is numeric).</summary>
    public IReadOnlyList<HashedColumn> Hashed { get; init; } = [];
}

/// <summary><c>fastlogreg train</c>: read, shuffle and split, train with progress, report, evaluate, save.</summary>
internal static class TrainCommand
{
    public static int Run(CliContext context, TrainArguments arguments)
    {
        DistinctPaths.Require(("--data", arguments.Input.Data), ("--model", arguments.Model), ("--plot", arguments.Plot));
        CheckOutputs(arguments);
        var clock = Stopwatch.StartNew();
        LoadedData data = arguments.Hashed.Count > 0 ? DataInput.ReadHashed(arguments.Input, arguments.Hashed) : DataInput.ReadLabeled(arguments.Input);
        TimeSpan loading = clock.Elapsed;
        return Train(context, data, arguments, loading, description: null);
    }

    /// <summary>The training session shared with the main job.</summary>
    public static int Train(CliContext context, LoadedData loaded, TrainArguments a, TimeSpan loading, string? description)
    {
        var c = CultureInfo.InvariantCulture;
        PolynomialFeatures? expansion = null;
        IReadOnlyList<string>? inputNames = null;
        if (a.Poly is { } degree)
        {
            try
            {
                expansion = new PolynomialFeatures(loaded.Data.Columns, degree, a.Interactions);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new UsageException($"--poly {degree}{(a.Interactions ? " --interactions" : string.Empty)}: {Messages.ForUser(e)}");
            }

            inputNames = loaded.Data is SparseDataset<double> ? null : loaded.FeatureNames;
            loaded = Expansion.Apply(loaded, expansion, loaded.Source);
        }

        (Dataset<double> train, Dataset<double>? test, int[] order) = ShuffleAndSplit(loaded, a.TestFraction, a.Seed);
        double l2;
        try
        {
            l2 = a.L2 ?? TrainingOptions.L2FromScikitLearnC(a.C ?? 1.0, train.TotalWeight);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"--C {(a.C ?? 1.0).ToString("G6", c)}: {Messages.ForUser(e)}");
        }

        Solver solver = a.Solver switch
        {
            "backtracking" => Solver.BacktrackingGradientDescent,
            "nesterov" => Solver.Nesterov,
            "gd" => Solver.GradientDescent,
            "sgd" => Solver.MiniBatchSgd,
            "newton" => Solver.Newton,
            "newton-cholesky" => Solver.NewtonCholesky,
            "owlqn" => Solver.OwlQn,
            "cd" => Solver.CoordinateDescent,
            "dual" => Solver.DualCoordinateDescent,
            "lbfgs" => Solver.Lbfgs,
            _ => Solver.Auto,
        };
        var options = new TrainingOptions
        {
            Solver = solver,
            L2 = l2,
            L1Ratio = a.L1Ratio,
            Standardize = a.Standardize,
            MaxDegreeOfParallelism = a.Threads,
            MaxIterations = a.MaxIterations ?? 1000,
            Tolerance = a.Tolerance ?? 1e-6,
            Seed = a.Seed,
            MultiClass = CommandLine.MultiClassOf(a.MultiClass),
        };

        if (loaded.Data.ClassCount > 2 && solver is Solver.DualCoordinateDescent or Solver.MiniBatchSgd)
        {
            throw new UsageException($"--solver {a.Solver} trains binary models; {loaded.Source} has {loaded.Data.ClassCount} classes: use --solver auto (L-BFGS, or OWL-QN for L1), lbfgs, newton, newton-cholesky, cd or owlqn.");
        }

        // What --stats cannot report for K classes is refused before training, not after it.
        if (a.Stats && loaded.Data.ClassCount > 2)
        {
            if (options.MultiClass == MultiClass.OneVsRest)
            {
                throw new UsageException("--stats with --multiclass ovr: each class is a separate binary model; use --multiclass multinomial (with --l2 0), or train one class against the rest.");
            }

            if (l2 > 0)
            {
                throw new UsageException("--stats for " + loaded.Data.ClassCount.ToString(c) + " classes reports the unpenalized multinomial fit (as statsmodels' MNLogit does): add --l2 0.");
            }
        }

        bool text = !a.Quiet && !a.Json;
        IAnsiConsole console = context.Console;
        if (text)
        {
            console.MarkupLine($"[bold]Data[/]      {Markup.Escape(description ?? loaded.Source)}: {loaded.Data.Rows} rows × {loaded.Data.Columns} features ({Markup.Escape(loaded.Layout)}), read in {loading.TotalMilliseconds.ToString("F0", c)} ms");
            if (expansion is not null)
            {
                console.MarkupLine($"          expanded from {expansion.InputColumns} columns: {(expansion.InteractionOnly ? "interactions" : "polynomial features")} up to degree {expansion.Degree}");
            }

            if (a.Hashed.Count > 0)
            {
                int numeric = loaded.Data.Columns - (int)HashedColumn.CountFeatures(0, a.Hashed);
                console.MarkupLine($"          {numeric} numeric columns, then hashed: {Markup.Escape(string.Join(", ", a.Hashed.Select(h => $"'{h.Column}' into 2^{h.Bits} ({(h.Tokens == HashedTokens.Words ? "words" : "categories")})")))}");
            }

            foreach (string note in loaded.Notes)
            {
                console.MarkupLine($"          note: {Markup.Escape(note)}");
            }

            console.MarkupLine(loaded.Labels.Count == 2
                ? $"          label classes: 1 = '{Markup.Escape(loaded.Labels.Positive)}', 0 = '{Markup.Escape(loaded.Labels.Negative)}'"
                : $"          {loaded.Labels.Count} label classes: {Markup.Escape(string.Join(", ", loaded.Labels.Classes.Take(12).Select(v => $"'{v}'")))}{(loaded.Labels.Count > 12 ? ", …" : string.Empty)}");
            console.MarkupLine(test is null
                ? $"[bold]Split[/]     all {train.Rows} rows used for training (no held-out rows)"
                : $"[bold]Split[/]     {train.Rows} training rows, {test.Rows} held out (shuffled with seed {a.Seed})");
            string regularization = a.L2 is not null ? $"λ = {l2.ToString("G4", c)}" : $"λ = {l2.ToString("G4", c)} (C = {(a.C ?? 1.0).ToString("G4", c)})";
            string kind = a.L1Ratio switch { 0 => "L2", 1 => "L1", _ => $"elastic net ρ = {a.L1Ratio.ToString("G3", c)}" };
            // The solver training starts with (Auto may measure the column scales for it: one pass). Training keeps
            // Auto, not this choice: naming the solver would switch off Auto's hand-overs (OWL-QN to coordinate descent,
            // L-BFGS or dual coordinate descent to Newton), and the result line names the solver that finished.
            Solver starting = LogisticRegression.EffectiveSolverOf(train, options);
            string automatic = options.Solver == Solver.Auto ? "auto → " : string.Empty;
            console.MarkupLine($"[bold]Training[/]  {automatic}{SolverName(starting)}, {kind} {regularization}{(a.Standardize ? ", standardized" : string.Empty)}, tolerance {options.Tolerance.ToString("G3", c)}");
        }

        TrainingResult result;
        try
        {
            result = ProgressView.Run(context, quiet: !text, progress => LogisticRegression.Train(train, options with { Progress = progress }));
        }
        catch (DataValueException e)
        {
            // The library counts rows after the shuffle; the user counts them in the file.
            int row = order[e.Row];
            string column = e.Column is { } j ? $", column '{loaded.FeatureNames[j]}'" : string.Empty;
            throw new DataFormatException(loaded.Source, 0, null, $"data row {row + 1}{column}: the value {e.Value.ToString("G6", c)} {Messages.Translate(e.Problem)}", e);
        }

        TrainingReport report = result.Report;
        ClassificationModel model = result.Classifier;
        Scores trainScore = Scores.Of(model, train);
        Scores? testScore = test is null ? null : Scores.Of(model, test);

        var metadata = new ModelMetadata
        {
            // LIBSVM columns are numbered, not named: a model of them stores its dimension, not "f1" … "fd".
            FeatureNames = loaded.Data is SparseDataset<double> ? null : loaded.FeatureNames,
            Labels = loaded.Labels,
            Standardization = result.Standardization,
            Training = TrainingSummary.From(options, report, train.Rows),
            LabelColumn = loaded.LabelColumn,
            Expansion = expansion,
            InputFeatureNames = a.Hashed.Count > 0 ? loaded.FeatureNames.Take(loaded.Data.Columns - (int)HashedColumn.CountFeatures(0, a.Hashed)).ToArray() : inputNames,
            HashedColumns = a.Hashed.Count > 0 ? a.Hashed : null,
        };
        Statistics.CoefficientTable? table = null;
        Statistics.MultinomialCoefficientTable? classTable = null;
        if (a.Stats)
        {
            if (model is LogisticModel binary)
            {
                table = Statistics.CoefficientStatistics.Compute(binary, train, l2, result.Standardization, loaded.FeatureNames);
            }
            else if (model is MulticlassModel { Kind: ClassificationKind.Multinomial } multinomial)
            {
                if (l2 > 0)
                {
                    throw new UsageException("--stats for " + model.ClassCount.ToString(c) + " classes reports the unpenalized multinomial fit (as statsmodels' MNLogit does): add --l2 0.");
                }

                classTable = Statistics.MultinomialStatistics.Compute(multinomial, train, loaded.FeatureNames);
            }
            else
            {
                throw new UsageException("--stats with --multiclass ovr: each class is a separate binary model; use --multiclass multinomial (with --l2 0), or train one class against the rest.");
            }
        }

        string modelPath = a.Model.FullName;
        ModelFile.Save(new SavedModel(model, metadata), modelPath);
        if (a.Plot is not null)
        {
            SvgPlot.Write(a.Plot.FullName, report, model as LogisticModel, loaded with { Data = train });
        }

        if (a.Json)
        {
            var output = new TrainOutput(
                loaded.Source,
                loaded.Data.Rows,
                loaded.Data.Columns,
                loaded.Labels.Count == 2 ? loaded.Labels.Positive : null,
                loaded.Labels.Count == 2 ? loaded.Labels.Negative : null,
                train.Rows,
                test?.Rows ?? 0,
                SolverName(report.Solver),
                l2,
                a.Standardize,
                report.Iterations,
                report.DataPasses,
                report.Elapsed.TotalMilliseconds,
                report.StopReason.ToString(),
                report.Converged,
                Messages.Translate(report.Message),
                report.FinalObjective,
                report.FinalGradientNorm,
                trainScore,
                testScore,
                modelPath,
                a.Plot?.FullName)
            {
                Classes = loaded.Labels.Classes,
                ModelKind = model.Kind.ToString(),
                L1Ratio = a.L1Ratio,
                NonZeroWeights = report.NonZeroWeights,
                Coefficients = (table?.Rows ?? classTable?.Classes.SelectMany((rows, k) => rows.Select(r => r with { Name = $"{r.Name} (class {loaded.Labels.Classes[k]} vs {loaded.Labels.Classes[classTable.ReferenceClass]})" })))?.Select(r => new CoefficientOutput(r.Name, r.Estimate, r.StandardError, r.Z, r.PValue, r.Lower, r.Upper, r.OddsRatio)).ToArray(),
            };
            context.Output.WriteLine(JsonSerializer.Serialize(output, CliJsonContext.Readable.TrainOutput));
        }
        else if (text)
        {
            string color = report.Converged ? "green" : "yellow";
            console.MarkupLine($"[bold]Result[/]    [{color}]{Markup.Escape(report.StopReason.ToString())}[/]: {report.Iterations} iterations, {report.DataPasses.ToString("G4", c)} passes over the data, {report.Elapsed.TotalMilliseconds.ToString("F1", c)} ms, {SolverName(report.Solver)}");
            console.MarkupLine($"          {Markup.Escape(Messages.Translate(report.Message))}");
            string f1(Scores s) => s.MacroF1 is { } f ? $", macro F1 {f.ToString("F4", c)}" : string.Empty;
            console.MarkupLine($"[bold]Accuracy[/]  train {Percent(trainScore.Accuracy)}, log-loss {trainScore.LogLoss.ToString("F4", c)}{f1(trainScore)} ({train.Rows} rows)");
            if (testScore is not null)
            {
                console.MarkupLine($"          held-out {Percent(testScore.Accuracy)}, log-loss {testScore.LogLoss.ToString("F4", c)}{f1(testScore)} ({test!.Rows} rows)");
            }

            if (a.L1Ratio > 0)
            {
                console.MarkupLine($"[bold]Sparsity[/]  {report.NonZeroWeights} of {model.FeatureCount * model.CoefficientRows} weights are non-zero");
            }

            if (table is not null)
            {
                console.MarkupLine("[bold]Coefficients[/] (raw feature scale; standard errors from the inverse Hessian)");
                console.WriteLine(table.ToString());
            }

            if (classTable is not null)
            {
                console.MarkupLine($"[bold]Coefficients[/] (raw feature scale, against class {Markup.Escape(loaded.Labels.Classes[classTable.ReferenceClass])}: log(P(k)/P(ref)); RRR = relative-risk ratio; class k is label {Markup.Escape(string.Join(", ", loaded.Labels.Classes.Select((l, i) => $"{i} = {l}")))})");
                console.WriteLine(classTable.ToString());
            }

            console.MarkupLine($"[bold]Model[/]     saved to {Markup.Escape(modelPath)}");
            if (a.Plot is not null)
            {
                console.MarkupLine($"[bold]Plot[/]      {Markup.Escape(a.Plot.FullName)}");
            }
        }

        return ExitCodes.Ok;
    }

    internal static string SolverName(Solver solver) => solver switch
    {
        Solver.Lbfgs => "L-BFGS",
        Solver.BacktrackingGradientDescent => "gradient descent with backtracking",
        Solver.Nesterov => "Nesterov accelerated gradient",
        Solver.GradientDescent => "fixed-step gradient descent",
        Solver.Newton => "trust-region Newton",
        Solver.NewtonCholesky => "Newton (Cholesky)",
        Solver.OwlQn => "OWL-QN",
        Solver.CoordinateDescent => "coordinate descent",
        Solver.DualCoordinateDescent => "dual coordinate descent",
        _ => "mini-batch SGD",
    };

    internal static string Percent(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>Refuses outputs that cannot be written before any work is done (a failed plot must not follow a replaced model).</summary>
    internal static void CheckOutputs(TrainArguments a)
    {
        AtomicFile.CheckWritable(a.Model.FullName);
        if (a.Plot is not null)
        {
            AtomicFile.CheckWritable(a.Plot.FullName);
        }
    }

    /// <summary>
    /// Shuffles the loaded rows (dense ones in place: the arrays belong to this process) and splits off the held-out
    /// tail; also returns the file row of each shuffled row.
    /// </summary>
    private static (Dataset<double> Train, Dataset<double>? Test, int[] Order) ShuffleAndSplit(LoadedData loaded, double testFraction, int seed)
    {
        Dataset<double> data = loaded.Data;
        int n = data.Rows;
        int held = (int)Math.Round(n * testFraction);
        if (held == 0)
        {
            // Nothing to hold out: train on the rows as given (so the result equals a library call on the same file).
            return (data, null, Enumerable.Range(0, n).ToArray());
        }

        if (n - held < 2)
        {
            throw new ArgumentException($"--test-fraction {testFraction.ToString(CultureInfo.InvariantCulture)} leaves {n - held} of {n} rows for training.");
        }

        int[] order = Shuffle.Permutation(n, seed);
        Dataset<double> shuffled = Shuffle.Apply(data, order, seed);
        Dataset<double> train = Shuffle.Slice(shuffled, 0, n - held);
        ReadOnlySpan<double> trainLabels = train.Labels.Span;
        for (int k = 0; k < data.ClassCount; k++)
        {
            if (!trainLabels.Contains(k))
            {
                throw new ArgumentException($"after the split, no training row has class '{loaded.Labels.Classes[k]}'; use more data or a smaller --test-fraction.");
            }
        }

        return (train, Shuffle.Slice(shuffled, n - held, held), order);
    }
}
