using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
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
        ClassificationModel model = saved.Classifier;
        int k = model is MulticlassModel ? model.ClassCount : 1; // probabilities per row: P(y = 1), or all K
        double[] probabilities, scores; // scores: the decision function, whose sign / argmax is the class (as PredictClass)
        int rowCount;
        string source = input.Data.FullName;
        (IReadOnlyList<string>? inputNames, int inputColumns) = Expansion.InputsOf(saved);
        try
        {
            if (input.IsLibSvm || saved.Metadata.HashedColumns is not null)
            {
                CsrMatrix<double> rows = saved.Metadata.HashedColumns is { } hashed
                    ? DataInput.ReadHashedRows(input, hashed, saved.Metadata.InputFeatureNames ?? [])
                    : DataInput.ReadRows(input, inputColumns);
                if (saved.Metadata.Expansion is { } expansion)
                {
                    rows = Expansion.Rows(rows, expansion, source);
                }

                rowCount = rows.Rows;
                probabilities = new double[(long)rowCount * k];
                scores = new double[(long)rowCount * k];
                _ = model is MulticlassModel multi ? multi.PredictProbabilities(rows, probabilities) : saved.Model.PredictProbabilities(rows, probabilities);
                _ = model is MulticlassModel scorer ? scorer.DecisionFunction(rows, scores) : saved.Model.DecisionFunction(rows, scores);
            }
            else
            {
                FeatureTable<double> table = DataInput.ReadFeatures(input, inputNames, inputColumns);
                rowCount = table.Rows;
                ReadOnlyMemory<double> features = saved.Metadata.Expansion is { } expansion ? Expansion.Rows(table.Features.Span, expansion, source, inputNames) : table.Features;
                probabilities = new double[(long)rowCount * k];
                scores = new double[(long)rowCount * k];
                _ = model is MulticlassModel multi ? multi.PredictProbabilitiesBatch<double>(features.Span, probabilities) : saved.Model.PredictProbabilities<double>(features.Span, probabilities);
                _ = model is MulticlassModel scorer ? scorer.DecisionFunctionBatch<double>(features.Span, scores) : saved.Model.DecisionFunction<double>(features.Span, scores);
            }
        }
        catch (DataValueException e)
        {
            throw new DataFormatException(source, 0, null, $"data row {e.Row + 1}: {e.Problem}", e);
        }

        LabelMapping? labels = saved.Metadata.Labels;
        string Name(int c) => Quote(labels is not null && c < labels.Count ? labels.Classes[c] : c.ToString(CultureInfo.InvariantCulture));
        void Write(TextWriter writer)
        {
            var c = CultureInfo.InvariantCulture;
            if (k == 1)
            {
                writer.WriteLine("probability,class");
                for (int i = 0; i < rowCount; i++)
                {
                    writer.Write(probabilities[i].ToString("R", c));
                    writer.Write(',');
                    writer.WriteLine(Name(scores[i] > 0 ? 1 : 0)); // the model's class (a probability rounds to 0.5 for |z| < 1.1·10⁻¹⁶)
                }

                return;
            }

            // One line per row: the predicted class, then the probability of every class.
            writer.WriteLine("class," + string.Join(",", Enumerable.Range(0, k).Select(c => Quote("p(" + (labels is not null ? labels.Classes[c] : c.ToString(CultureInfo.InvariantCulture)) + ")"))));
            for (int i = 0; i < rowCount; i++)
            {
                ReadOnlySpan<double> row = probabilities.AsSpan(i * k, k);
                writer.Write(Name(MulticlassModel.ArgMaxOf(scores.AsSpan(i * k, k)))); // the scores' argmax: saturated sigmoids tie
                foreach (double p in row)
                {
                    writer.Write(',');
                    writer.Write(p.ToString("R", c));
                }

                writer.WriteLine();
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
        context.Console.MarkupLine($"Wrote {rowCount} predictions to {Markup.Escape(output.FullName)}");
        return ExitCodes.Ok;
    }

    private static string Quote(string value) =>
        value.AsSpan().ContainsAny(",\"\r\n") ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

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
