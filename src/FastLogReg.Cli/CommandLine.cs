using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FastLogReg.IO;
using FastLogReg.Training;
using FastLogReg.Orleans;

namespace FastLogReg.Cli;

/// <summary>
/// The command tree (System.CommandLine): the root runs the main job; <c>train</c>, <c>predict</c> and
/// <c>evaluate</c> work on files. Argument mistakes exit with 2, bad files with 1 — always a message, never a stack trace.
/// </summary>
internal static class CommandLine
{
    /// <summary>The environment variable that caps FastLogReg's SIMD width (the library reads it; the tool checks it first).</summary>
    private const string SimdCapVariable = "FASTLOGREG_MAX_SIMD_WIDTH";

    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive)
    {
        var context = new CliContext(output, error, interactive);
        if (Environment.GetEnvironmentVariable(SimdCapVariable) is { } cap && cap.Trim().ToLowerInvariant() is not ("" or "512" or "256" or "128" or "scalar" or "1" or "0"))
        {
            error.WriteLine($"error: {SimdCapVariable}='{cap}' is not one of 512, 256, 128 or scalar (unset it to use the widest SIMD width).");
            return ExitCodes.BadUsage;
        }

        RootCommand root = Build(context);

        // No response files: "@name" is an ordinary argument (a file may start with '@').
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            foreach (ParseError e in parsed.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }

            error.WriteLine("Run 'fastlogreg --help' for usage.");
            return ExitCodes.BadUsage;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    internal static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "FastLogReg: fast, trustworthy logistic regression. With no command, trains on the bundled breast-cancer data (the main job).");
        Option<FileInfo?> rootModel = new("--model") { Description = "Where the main job saves its model (default: breast-cancer.model.json in the current directory)." };
        Option<FileInfo?> rootPlot = PlotOption();
        Option<bool> rootQuiet = QuietOption();
        Option<bool> rootJson = JsonOption();
        root.Options.Add(rootModel);
        root.Options.Add(rootPlot);
        root.Options.Add(rootQuiet);
        root.Options.Add(rootJson);
        root.SetAction(r => Guard(context, () => DefaultJob.Run(context, r.GetValue(rootModel), r.GetValue(rootPlot), r.GetValue(rootQuiet), r.GetValue(rootJson))));

        root.Subcommands.Add(TrainCommandLine(context));
        root.Subcommands.Add(PredictCommandLine(context));
        root.Subcommands.Add(EvaluateCommandLine(context));
        root.Subcommands.Add(ExportCommandLine(context));
        root.Subcommands.Add(PathCommandLine(context));
        root.Subcommands.Add(CrossValidationCommandLine(context));
        return root;
    }

    private static Command TrainCommandLine(CliContext context)
    {
        var input = new InputOptions(required: true);
        Option<string> solver = OptionParsers.Choice("--solver", "auto (default: L-BFGS; Newton for raw features whose scales span more than 10³; dual coordinate descent for wide sparse rows; OWL-QN for an L1 penalty), lbfgs, newton (trust-region Newton: Hessian-vector products in one pass each, binary or K classes), newton-cholesky (exact Newton, binary or K classes, up to 4,097 parameters: fastest on ill-conditioned data with few features), cd (coordinate descent for L1: newGLMNET for binary and one-vs-rest models, for raw, ill-conditioned features; proximal Newton on the whole Hessian for multinomial ones, up to 4,097 parameters), dual (dual coordinate descent for L2, binary: fastest on wide sparse rows such as text), owlqn, backtracking, nesterov, gd (fixed step) or sgd (mini-batch).", "auto", "auto", "lbfgs", "newton", "newton-cholesky", "cd", "dual", "owlqn", "backtracking", "nesterov", "gd", "sgd");
        Option<string> penalty = OptionParsers.Choice("--penalty", "l2 (default), l1 or elasticnet: λ(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²) with ρ = 0, 1 or --l1-ratio.", "l2", "l2", "l1", "elasticnet");
        Option<double?> l1Ratio = OptionParsers.Number("--l1-ratio", "ρ in (0, 1) for --penalty elasticnet (default 0.5).", v => v > 0 && v < 1, "a number in (0, 1)");
        Option<bool> stats = new("--stats") { Description = "Print the coefficient table: standard errors, z, p-values, 95% intervals, odds ratios (binary models with L2 or no penalty; multinomial models with --l2 0: each class against the first, relative-risk ratios)." };
        Option<int?> poly = OptionParsers.IntegerInRange("--poly", "Add polynomial features up to this degree (2 or 3): products of the columns, for curved boundaries; predict expands new data the same way.", minimum: 2, maximum: 3);
        Option<bool> interactions = new("--interactions") { Description = "Products of distinct columns only (no squares or cubes); degree 2 unless --poly says 3." };
        Option<Features.HashedColumn[]> hash = OptionParsers.HashedColumns("--hash");
        Option<double?> l2 = OptionParsers.Number("--l2", "Regularization strength λ ≥ 0 (the objective is mean cross-entropy + the penalty, (λ/2)‖w‖² by default).", v => double.IsFinite(v) && v >= 0, "a finite number ≥ 0");
        Option<double?> c = OptionParsers.Number("--C", "scikit-learn's C > 0: λ = 1/(C·n). Default: C = 1 (when --l2 is not given).", v => double.IsFinite(v) && v > 0, "a finite number > 0");
        Option<bool> standardize = new("--standardize") { Description = "Standardize features inside the kernel; the saved model works on raw features." };
        Option<int?> threads = OptionParsers.Integer("--threads", "Threads to use (default: all cores). Results do not depend on it.", minimum: 1);
        Option<double> testFraction = OptionParsers.Number("--test-fraction", "Fraction of the (shuffled) rows held out for evaluation, in [0, 1). Default 0.2.", 0.2, v => v >= 0 && v < 1, "a number in [0, 1)");
        Option<int> seed = OptionParsers.Integer("--seed", "Seed of the shuffle before the split (and of SGD). Default 42.", minimum: int.MinValue, defaultValue: 42);
        Option<int?> maxIterations = OptionParsers.Integer("--max-iterations", "Iteration limit (default 1000).", minimum: 0);
        Option<double?> tolerance = OptionParsers.Number("--tolerance", "Stop when ‖∇f‖ ≤ tolerance · max(1, ‖∇f(0)‖). Default 1e-6.", v => double.IsFinite(v) && v >= 0, "a finite number ≥ 0");
        Option<string> multiClass = MultiClassOption();
        Option<FileInfo> model = new("--model") { Description = "Where to save the model (JSON).", Required = true };
        Option<FileInfo?> plot = PlotOption();
        Option<bool> quiet = QuietOption();
        Option<bool> json = JsonOption();
        Option<string?> cluster = new("--cluster") { Description = "Train on a cluster of fastlogreg-silo workers: 'localhost' or 'localhost:PORT' (silos on this machine, the gateway on PORT, default 30000), or 'redis:CONNECTION' (Redis membership, e.g. redis:redis-host:6379). The CSV or LIBSVM file must be at the same path on every silo; all its rows are trained on (two classes or K; L2 by lbfgs or newton, L1 and elastic net by owlqn)." };
        Option<string?> clusterId = new("--cluster-id") { Description = "The cluster id the silos were started with (default $FASTLOGREG_CLUSTER_ID, else 'fastlogreg')." };
        Option<int?> shards = OptionParsers.IntegerInRange("--shards", "With --cluster: shards to cut the file into (default 4; fewer when the file has fewer chunks).", minimum: 1, maximum: 100_000);
        Option<bool> perShard = new("--per-shard") { Description = "With --cluster: each shard folds its own chunks and sends one vector (scalable; the model then differs from one machine's in the last bits)." };
        Option<int?> fanIn = OptionParsers.IntegerInRange("--fan-in", "With --cluster --per-shard: fold the shards' sums through a fixed tree of this fan-in (≥ 2) on the silos.", minimum: 2, maximum: 1024);

        var command = new Command("train", "Train a model on a CSV or LIBSVM file, report it, save it.");
        input.AddTo(command);
        foreach (Option o in new Option[] { solver, penalty, l1Ratio, l2, c, standardize, poly, interactions, hash, threads, testFraction, seed, maxIterations, tolerance, multiClass, stats, model, plot, quiet, json, cluster, clusterId, shards, perShard, fanIn })
        {
            command.Options.Add(o);
        }

        command.Validators.Add(r =>
        {
            if (r.GetResult(l2) is not null && r.GetResult(c) is not null)
            {
                r.AddError("give --l2 or --C, not both.");
            }

            if (r.GetResult(l1Ratio) is not null && r.GetValue(penalty) != "elasticnet")
            {
                r.AddError("--l1-ratio applies to --penalty elasticnet only.");
            }

            if (r.GetResult(hash) is not null && (r.GetResult(poly) is not null || r.GetValue(interactions)))
            {
                r.AddError("--hash with --poly or --interactions: polynomial features of hashed columns would square millions of columns; use one or the other.");
            }

            if (r.GetValue(stats) && r.GetValue(penalty) is "l1" or "elasticnet")
            {
                r.AddError("--stats needs an L2 (or no) penalty: an L1 fit has no standard errors.");
            }
        });
        command.SetAction(r => Guard(context, () =>
        {
            // Checked here, after parsing, so that a value that does not parse is reported as such first.
            string? where = r.GetValue(cluster);
            if (where is null)
            {
                string? stray = r.GetResult(shards) is not null ? "--shards" : r.GetValue(perShard) ? "--per-shard" : r.GetResult(fanIn) is not null ? "--fan-in" : r.GetResult(clusterId) is not null ? "--cluster-id" : null;
                return stray is null
                    ? TrainCommand.Run(context, Arguments(r))
                    : throw new UsageException($"{stray}{(stray == "--per-shard" ? string.Empty : $" '{r.GetResult(stray == "--shards" ? shards : stray == "--fan-in" ? fanIn : clusterId)!.Tokens[0].Value}'")} applies to training on a cluster: add --cluster.");
            }

            if (r.GetResult(fanIn) is not null && !r.GetValue(perShard))
            {
                throw new UsageException("--fan-in folds per-shard sums: add --per-shard (per-chunk sums must all reach this machine to keep its bits).");
            }

            if (r.GetResult(testFraction) is { Implicit: false })
            {
                throw new UsageException("--test-fraction with --cluster: sharded training reads the file in place and trains on all of its rows; hold rows out in a file of their own and score them with evaluate.");
            }

            string id = r.GetValue(clusterId) ?? Environment.GetEnvironmentVariable("FASTLOGREG_CLUSTER_ID") ?? "fastlogreg";
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new UsageException($"--cluster-id '{id}': the cluster id is empty.");
            }

            return ClusterTrainCommand.Run(context, Arguments(r), new ClusterArguments(ClusterAddressOf(where, id), r.GetValue(shards) ?? 4, r.GetValue(perShard), r.GetValue(fanIn) ?? 0));
        }));
        return command;

        TrainArguments Arguments(ParseResult r) => new TrainArguments(
            input.Read(r),
            r.GetValue(solver)!,
            r.GetValue(l2),
            r.GetValue(c),
            r.GetValue(standardize),
            r.GetValue(threads),
            r.GetValue(testFraction),
            r.GetValue(seed),
            r.GetValue(maxIterations),
            r.GetValue(tolerance),
            r.GetValue(model)!,
            r.GetValue(plot),
            r.GetValue(quiet),
            r.GetValue(json),
            r.GetValue(multiClass)!)
        {
            L1Ratio = r.GetValue(penalty) switch { "l1" => 1.0, "elasticnet" => r.GetValue(l1Ratio) ?? 0.5, _ => 0.0 },
            Stats = r.GetValue(stats),
            Poly = r.GetValue(poly) ?? (r.GetValue(interactions) ? 2 : null),
            Interactions = r.GetValue(interactions),
            Hashed = r.GetValue(hash) ?? [],
        };
    }

    private static ClusterAddress ClusterAddressOf(string text, string clusterId)
    {
        try
        {
            return ClusterAddress.Parse(text, clusterId);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--cluster '{text}': {e.Message}");
        }
    }

    /// <summary>The options <c>path</c> and <c>cv</c> share.</summary>
    private sealed class PenaltyOptions
    {
        private readonly Option<string> _penalty = OptionParsers.Choice("--penalty", "l1 (default), elasticnet or l2.", "l1", "l1", "elasticnet", "l2");
        private readonly Option<double?> _l1Ratio = OptionParsers.Number("--l1-ratio", "ρ in (0, 1) for --penalty elasticnet (default 0.5).", v => v > 0 && v < 1, "a number in (0, 1)");
        private readonly Option<bool> _standardize = new("--standardize") { Description = "Standardize features (the penalty is on standardized weights; coefficients are reported on the raw scale)." };
        private readonly Option<int?> _threads = OptionParsers.Integer("--threads", "Threads to use (default: all cores). Results do not depend on it.", minimum: 1);
        private readonly Option<double?> _tolerance = OptionParsers.Number("--tolerance", "Per-λ stopping tolerance (default 1e-6).", v => double.IsFinite(v) && v >= 0, "a finite number ≥ 0");
        private readonly Option<int?> _maxIterations = OptionParsers.Integer("--max-iterations", "Per-λ iteration limit (default 1000).", minimum: 0);
        private readonly Option<int> _count = OptionParsers.Integer("--count", "Number of λ values from λ_max down (default 100).", minimum: 1, defaultValue: 100);
        private readonly Option<double?> _minRatio = OptionParsers.Number("--min-ratio", "λ_min / λ_max in (0, 1] (default 1e-4 when rows > features, else 1e-2).", v => v > 0 && v <= 1, "a number in (0, 1]");
        private readonly Option<string> _multiClass = MultiClassOption();
        private readonly Option<FileInfo?> _plot;
        private readonly Option<bool> _json = JsonOption();

        public PenaltyOptions(string plotDescription) => _plot = new("--plot") { Description = plotDescription };

        public void AddTo(Command command)
        {
            foreach (Option o in new Option[] { _penalty, _l1Ratio, _standardize, _threads, _tolerance, _maxIterations, _count, _minRatio, _multiClass, _plot, _json })
            {
                command.Options.Add(o);
            }

            command.Validators.Add(r =>
            {
                // Not "is l1 or l2": in a validator the option's default is not applied, so a missing --penalty reads null.
                if (r.GetResult(_l1Ratio) is not null && r.GetValue(_penalty) is not "elasticnet")
                {
                    r.AddError("--l1-ratio applies to --penalty elasticnet only.");
                }
            });
        }

        public PenaltyArguments Read(ParseResult r, InputArguments input) => new(
            input,
            r.GetValue(_penalty) switch { "l2" => 0.0, "elasticnet" => r.GetValue(_l1Ratio) ?? 0.5, _ => 1.0 },
            r.GetValue(_standardize),
            r.GetValue(_threads),
            r.GetValue(_tolerance),
            r.GetValue(_maxIterations),
            r.GetValue(_count),
            r.GetValue(_minRatio),
            r.GetValue(_plot),
            r.GetValue(_json),
            MultiClassOf(r.GetValue(_multiClass)!));
    }

    /// <summary>The <c>--multiclass</c> choice as the library's option.</summary>
    internal static MultiClass MultiClassOf(string choice) => choice switch
    {
        "multinomial" => MultiClass.Multinomial,
        "ovr" => MultiClass.OneVsRest,
        _ => MultiClass.Auto,
    };

    private static Command PathCommandLine(CliContext context)
    {
        var input = new InputOptions(required: true);
        var penalty = new PenaltyOptions("Draw every coefficient against λ (log scale) to this SVG file.");
        var command = new Command("path", "The regularization path: models from λ_max (all weights zero) down, warm-started; per λ the non-zeros and the objective; --plot draws the coefficients against λ.");
        input.AddTo(command);
        penalty.AddTo(command);
        command.SetAction(r => Guard(context, () => PathCommand.Run(context, penalty.Read(r, input.Read(r)))));
        return command;
    }

    private static Command CrossValidationCommandLine(CliContext context)
    {
        var input = new InputOptions(required: true);
        var penalty = new PenaltyOptions("Draw the held-out log-loss (mean ± sd over the folds) against λ, the best and the one-standard-error choice marked, to this SVG file.");
        Option<int> folds = OptionParsers.Integer("--folds", "Number of folds, ≥ 2 (default 5).", minimum: 2, defaultValue: 5);
        Option<int> seed = OptionParsers.Integer("--seed", "Seed of the stratified fold assignment (default 0).", minimum: int.MinValue, defaultValue: 0);
        Option<FileInfo> model = new("--model") { Description = "Where to save the model refitted on all rows at the best λ.", Required = true };
        var command = new Command("cv", "k-fold cross-validation over the regularization path: held-out log-loss, accuracy and ROC AUC per λ, the best λ and the largest within one standard error; saves the refit at the best; --plot draws the curve.");
        input.AddTo(command);
        penalty.AddTo(command);
        command.Options.Add(folds);
        command.Options.Add(seed);
        command.Options.Add(model);
        command.SetAction(r => Guard(context, () => CrossValidationCommand.Run(context, penalty.Read(r, input.Read(r)), r.GetValue(folds), r.GetValue(seed), r.GetValue(model)!)));
        return command;
    }

    private static Command PredictCommandLine(CliContext context)
    {
        Option<FileInfo> model = new("--model") { Description = "A model saved by 'train'.", Required = true };
        var input = new InputOptions(required: true, withLabelOptions: false, forModel: true);
        Option<FileInfo?> outputFile = new("--output") { Description = "Where to write 'probability,class' rows (CSV; default: standard output)." };
        var command = new Command("predict", "Write the probability and class of every row of a file.");
        command.Options.Add(model);
        input.AddTo(command);
        command.Options.Add(outputFile);
        command.SetAction(r => Guard(context, () => PredictCommand.Run(context, r.GetValue(model)!, input.Read(r), r.GetValue(outputFile))));
        return command;
    }

    private static Command ExportCommandLine(CliContext context)
    {
        Option<FileInfo> model = new("--model") { Description = "A model saved by 'train' or 'cv'.", Required = true };
        Option<FileInfo> onnx = new("--onnx") { Description = "Where to write the ONNX model (opset 13: input 'features' float32 [N, d]; outputs 'label', 'probabilities' and, with known labels, 'class').", Required = true };
        var command = new Command("export", "Export a model as ONNX for ONNX Runtime and the serving stacks built on it (standardization folded in).");
        command.Options.Add(model);
        command.Options.Add(onnx);
        command.SetAction(r => Guard(context, () => ExportCommand.Run(context, r.GetValue(model)!, r.GetValue(onnx)!)));
        return command;
    }

    private static Command EvaluateCommandLine(CliContext context)
    {
        Option<FileInfo> model = new("--model") { Description = "A model saved by 'train'.", Required = true };
        var input = new InputOptions(required: true, forModel: true, withPositive: false);
        Option<bool> json = JsonOption();
        Option<FileInfo?> roc = new("--plot") { Description = "Draw the ROC curve (one per class, one-vs-rest, for K classes) to this SVG file." };
        Option<FileInfo?> calibration = new("--calibration") { Description = "Draw the reliability diagram (observed frequency against predicted probability, ten bins) to this SVG file." };
        var command = new Command("evaluate", "Accuracy, log-loss, confusion matrix and ROC AUC of a model on a labelled file.");
        command.Options.Add(model);
        input.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(roc);
        command.Options.Add(calibration);
        command.SetAction(r => Guard(context, () => EvaluateCommand.Run(context, r.GetValue(model)!, input.Read(r), r.GetValue(json), r.GetValue(roc), r.GetValue(calibration))));
        return command;
    }

    private static Option<FileInfo?> PlotOption() => new("--plot") { Description = "Draw the loss curve (and, for two features, the decision boundary over the points) to this SVG file." };

    private static Option<bool> QuietOption() => new("--quiet") { Description = "Print nothing but errors." };

    private static Option<string> MultiClassOption() => OptionParsers.Choice("--multiclass", "With more than two classes: multinomial (softmax, the default) or ovr (one-vs-rest); 'multinomial' also for two classes.", "auto", "auto", "multinomial", "ovr");

    private static Option<bool> JsonOption() => new("--json") { Description = "Print a machine-readable JSON report instead of text." };

    /// <summary>Runs a command, turning the exceptions a user can cause into a one-line message and an exit code.</summary>
    private static int Guard(CliContext context, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadUsage;
        }
        catch (DataFormatException e) when (e.Option == nameof(CsvReadOptions.FeatureColumns))
        {
            context.Error.WriteLine($"error: {e.Message} The model selects its features by name; to take the file's columns in order instead, add --by-position.");
            return ExitCodes.BadInput;
        }
        catch (DataFormatException e) when (e.Option is { } option)
        {
            // The file contradicts an option's value (a label column it lacks, say): bad input, with the option named.
            string name = option switch
            {
                nameof(CsvReadOptions.LabelColumn) => "--label",
                nameof(CsvReadOptions.PositiveLabel) => "--positive",
                _ => option,
            };
            context.Error.WriteLine($"error: {name}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (DataFormatException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ClusterUnreachableException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (FileNotFoundException e)
        {
            context.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            context.Error.WriteLine($"error: {Messages.ForUser(e)}");
            return ExitCodes.BadInput;
        }
    }
}
