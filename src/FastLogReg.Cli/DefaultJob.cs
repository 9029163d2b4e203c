using System.Diagnostics;
using System.Reflection;
using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>
/// The main job (no arguments): train on the bundled breast-cancer data (standardized, L-BFGS, scikit-learn's default
/// C = 1) with a 20% held-out split, print the report and both accuracies, save the model in the current directory.
/// </summary>
internal static class DefaultJob
{
    public const string DataDescription = "bundled breast-cancer data (Breast Cancer Wisconsin (Diagnostic), Wolberg, Street & Mangasarian, UCI ML Repository, CC BY 4.0)";

    public static int Run(CliContext context, FileInfo? model, FileInfo? plot, bool quiet, bool json)
    {
        DistinctPaths.Require(("--model", model ?? new FileInfo("breast-cancer.model.json")), ("--plot", plot));
        var clock = Stopwatch.StartNew();
        LoadedData data = LoadedData.From(LoadBundled());
        TimeSpan loading = clock.Elapsed;
        var arguments = new TrainArguments(
            new InputArguments(new FileInfo("breast_cancer.csv"), "csv", null, ',', null),
            Solver: "auto",
            L2: null,
            C: 1.0,
            Standardize: true,
            Threads: null,
            TestFraction: 0.2,
            Seed: 42,
            MaxIterations: null,
            Tolerance: null,
            Model: model ?? new FileInfo("breast-cancer.model.json"),
            Plot: plot,
            Quiet: quiet,
            Json: json);
        TrainCommand.CheckOutputs(arguments);
        return TrainCommand.Train(context, data, arguments, loading, DataDescription);
    }

    /// <summary>The breast-cancer CSV embedded in the tool.</summary>
    public static LabeledData<double> LoadBundled()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("FastLogReg.Cli.breast_cancer.csv")
            ?? throw new InvalidOperationException("The bundled data set is missing from the tool.");
        using var text = new StreamReader(stream);
        return CsvDataReader.Read<double>(text, "breast_cancer.csv (bundled)");
    }
}
