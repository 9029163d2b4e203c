using System.Globalization;
using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using Spectre.Console;

namespace FastLogReg.Cli;

/// <summary><c>fastlogreg evaluate</c>: accuracy, log-loss, confusion matrix and ROC AUC on a labelled file.</summary>
internal static class EvaluateCommand
{
    public static int Run(CliContext context, FileInfo modelFile, InputArguments input, bool json, FileInfo? rocPlot = null, FileInfo? calibrationPlot = null)
    {
        DistinctPaths.Require(("--model", modelFile), ("--data", input.Data), ("--plot", rocPlot), ("--calibration", calibrationPlot));
        foreach (FileInfo? plot in new[] { rocPlot, calibrationPlot })
        {
            if (plot is not null)
            {
                AtomicFile.CheckWritable(plot.FullName);
            }
        }

        SavedModel saved = PredictCommand.LoadModel(modelFile);
        ClassificationModel model = saved.Classifier;
        (IReadOnlyList<string>? inputNames, int inputColumns) = Expansion.InputsOf(saved);
        // A K-class model saved without its labels: its classes are the labels 0 … K − 1 (a mapping inferred from a file
        // that lacks a class would shift the classes after it).
        LabelMapping? labels = saved.Metadata.Labels
            ?? (model is MulticlassModel ? new LabelMapping([.. Enumerable.Range(0, model.ClassCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]) : null);
        LoadedData data = saved.Metadata.HashedColumns is { } hashed
            ? DataInput.ReadHashed(input, hashed, labels, saved.Metadata.InputFeatureNames ?? [], saved.Metadata.LabelColumn, model.ClassCount)
            : DataInput.ReadLabeled(input, labels, inputNames, inputColumns, saved.Metadata.LabelColumn, model.ClassCount);
        if (saved.Metadata.Expansion is { } expansion)
        {
            data = Expansion.Apply(data, expansion, data.Source);
        }

        if (data.Data.Columns != model.FeatureCount)
        {
            throw new DataFormatException(data.Source, 0, null, $"the file has {data.Data.Columns} feature columns but the model needs {model.FeatureCount}.");
        }

        if (rocPlot is not null)
        {
            SvgPlot.WriteSingle(rocPlot.FullName, EvaluationPlots.Roc(model, data.Data, data.Labels.Classes));
        }

        if (calibrationPlot is not null)
        {
            SvgPlot.WriteSingle(calibrationPlot.FullName, EvaluationPlots.Calibration(model, data.Data));
        }

        if (model is MulticlassModel multi)
        {
            return Multiclass(context, multi, data, json);
        }

        ModelEvaluation e;
        try
        {
            e = saved.Model.Evaluate(data.Data);
        }
        catch (DataValueException bad)
        {
            throw new DataFormatException(data.Source, 0, null, $"data row {bad.Row + 1}: {bad.Problem}", bad);
        }

        if (json)
        {
            context.Output.WriteLine(JsonSerializer.Serialize(new EvaluateOutput(data.Source, data.Labels.Positive, data.Labels.Negative, Scores.From(e)), CliJsonContext.Readable.EvaluateOutput));
            return ExitCodes.Ok;
        }

        var c = CultureInfo.InvariantCulture;
        IAnsiConsole console = context.Console;
        console.MarkupLine($"[bold]Data[/]      {Markup.Escape(data.Source)}: {e.Rows} rows");
        console.MarkupLine($"[bold]Accuracy[/]  {TrainCommand.Percent(e.Accuracy)}");
        console.MarkupLine($"[bold]Log-loss[/]  {e.LogLoss.ToString("F4", c)}");
        console.MarkupLine($"[bold]ROC AUC[/]   {(double.IsNaN(e.RocAuc) ? "undefined (one class only)" : e.RocAuc.ToString("F4", c))}");
        var matrix = new Table().Title("Confusion matrix (rows: actual, columns: predicted)");
        matrix.AddColumns(string.Empty, Markup.Escape($"predicted {data.Labels.Negative}"), Markup.Escape($"predicted {data.Labels.Positive}"));
        matrix.AddRow(Markup.Escape($"actual {data.Labels.Negative}"), e.TrueNegatives.ToString("G", c), e.FalsePositives.ToString("G", c));
        matrix.AddRow(Markup.Escape($"actual {data.Labels.Positive}"), e.FalseNegatives.ToString("G", c), e.TruePositives.ToString("G", c));
        console.Write(matrix);
        return ExitCodes.Ok;
    }

    private static int Multiclass(CliContext context, MulticlassModel model, LoadedData data, bool json)
    {
        MulticlassEvaluation e;
        try
        {
            e = model.Evaluate(data.Data);
        }
        catch (DataValueException bad)
        {
            throw new DataFormatException(data.Source, 0, null, $"data row {bad.Row + 1}: {bad.Problem}", bad);
        }

        int k = model.ClassCount;
        IReadOnlyList<string> names = data.Labels.Classes;
        if (json)
        {
            double[][] confusion = Enumerable.Range(0, k).Select(a => Enumerable.Range(0, k).Select(p => e.ConfusionMatrix[a, p]).ToArray()).ToArray();
            var output = new EvaluateOutput(data.Source, null, null, Scores.From(e)) { Classes = names, ConfusionMatrix = confusion };
            context.Output.WriteLine(JsonSerializer.Serialize(output, CliJsonContext.Readable.EvaluateOutput));
            return ExitCodes.Ok;
        }

        var c = CultureInfo.InvariantCulture;
        IAnsiConsole console = context.Console;
        console.MarkupLine($"[bold]Data[/]      {Markup.Escape(data.Source)}: {e.Rows} rows, {k} classes ({model.Kind})");
        console.MarkupLine($"[bold]Accuracy[/]  {TrainCommand.Percent(e.Accuracy)}");
        console.MarkupLine($"[bold]Log-loss[/]  {e.LogLoss.ToString("F4", c)}");
        console.MarkupLine($"[bold]F1[/]        macro {e.MacroF1.ToString("F4", c)}, weighted {e.WeightedF1.ToString("F4", c)} (precision macro {e.MacroPrecision.ToString("F4", c)}, recall macro {e.MacroRecall.ToString("F4", c)})");
        var matrix = new Table().Title("Confusion matrix (rows: actual, columns: predicted)");
        matrix.AddColumn(string.Empty);
        foreach (string name in names)
        {
            matrix.AddColumn(Markup.Escape(name));
        }

        for (int a = 0; a < k; a++)
        {
            matrix.AddRow([Markup.Escape(names[a]), .. Enumerable.Range(0, k).Select(p => e.ConfusionMatrix[a, p].ToString("G", c))]);
        }

        console.Write(matrix);
        var scores = new Table().Title("Per class");
        scores.AddColumns("class", "precision", "recall", "F1", "support");
        for (int a = 0; a < k; a++)
        {
            ClassScores s = e.PerClass[a];
            scores.AddRow(Markup.Escape(names[a]), Show(s.Precision), Show(s.Recall), Show(s.F1), s.Support.ToString("G", c));
        }

        console.Write(scores);
        return ExitCodes.Ok;

        string Show(double v) => double.IsNaN(v) ? "—" : v.ToString("F4", c);
    }
}
