using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using Spectre.Console;

namespace FastLogReg.Cli;

/// <summary><c>fastlogreg predict</c>: one "probability,class" line per row, the class in the file's own label values.</summary>
internal static class PredictCommand
{
    public static int Run(CliContext context, FileInfo modelFile, InputArguments input, FileInfo? output)
    {
        DistinctPaths.Require(("--model", modelFile), ("--data", input.Data), ("--output", output));
        if (output is not null)
        {
            AtomicFile.CheckWritable(output.FullName);
        }

        SavedModel saved = LoadModel(modelFile);
        double[] probabilities;
        string source = input.Data.FullName;
        try
        {
            if (input.IsLibSvm)
            {
                CsrMatrix<double> rows = DataInput.ReadRows(input, saved.Model.FeatureCount);
                probabilities = new double[rows.Rows];
                saved.Model.PredictProbabilities(rows, probabilities);
            }
            else
            {
                FeatureTable<double> table = DataInput.ReadFeatures(input, saved.Metadata.FeatureNames, saved.Model.FeatureCount);
                probabilities = new double[table.Rows];
                saved.Model.PredictProbabilities<double>(table.Features.Span, probabilities);
            }
        }
        catch (DataValueException e)
        {
            throw new DataFormatException(source, 0, null, $"data row {e.Row + 1}: {e.Problem}", e);
        }

        LabelMapping? labels = saved.Metadata.Labels;
        void Write(TextWriter writer)
        {
            writer.WriteLine("probability,class");
            foreach (double p in probabilities)
            {
                string label = p > 0.5 ? labels?.Positive ?? "1" : labels?.Negative ?? "0";
                writer.Write(p.ToString("R", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.WriteLine(label.AsSpan().ContainsAny(",\"\r\n") ? $"\"{label.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : label);
            }
        }

        if (output is null)
        {
            try
            {
                Write(context.Output);
                context.Output.Flush();
            }
            catch (IOException e)
            {
                throw new IOException($"cannot write the predictions to standard output: {e.Message}", e);
            }

            return ExitCodes.Ok;
        }

        AtomicFile.Write(output.FullName, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            Write(writer);
        });
        context.Console.MarkupLine($"Wrote {probabilities.Length} predictions to {Markup.Escape(output.FullName)}");
        return ExitCodes.Ok;
    }

    internal static SavedModel LoadModel(FileInfo file)
    {
        if (Directory.Exists(file.FullName))
        {
            throw new DataFormatException(file.FullName, 0, null, "this is a directory, not a model file.");
        }

        if (!file.Exists)
        {
            throw new FileNotFoundException($"no such model file: {file.FullName}", file.FullName);
        }

        return ModelFile.Load(file.FullName);
    }
}
