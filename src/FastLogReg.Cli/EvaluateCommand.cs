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
    public static int Run(CliContext context, FileInfo modelFile, InputArguments input, bool json)
    {
        SavedModel saved = PredictCommand.LoadModel(modelFile);
        LoadedData data = DataInput.ReadLabeled(input, saved.Metadata.Labels, saved.Metadata.FeatureNames, saved.Model.FeatureCount, saved.Metadata.LabelColumn);
        if (data.Data.Columns != saved.Model.FeatureCount)
        {
            throw new DataFormatException(data.Source, 0, null, $"the file has {data.Data.Columns} feature columns but the model needs {saved.Model.FeatureCount}.");
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
}
