using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Training;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Series;

namespace FastLogReg.Cli;

/// <summary>The arguments shared by <c>path</c> and <c>cv</c>: the data, the penalty family and the solver limits.</summary>
internal sealed record PenaltyArguments(InputArguments Input, double L1Ratio, bool Standardize, int? Threads, double? Tolerance, int? MaxIterations, int Count, double? MinRatio, FileInfo? Plot, bool Json, MultiClass MultiClass = MultiClass.Auto)
{
    public TrainingOptions Options => new()
    {
        L1Ratio = L1Ratio,
        MultiClass = MultiClass,
        Standardize = Standardize,
        MaxDegreeOfParallelism = Threads,
        Tolerance = Tolerance ?? 1e-6,
        MaxIterations = MaxIterations ?? 1000,
    };

    public PathOptions Path => new() { Count = Count, MinRatio = MinRatio };

    public static string Describe(double l1Ratio) => l1Ratio switch
    {
        0 => "L2",
        1 => "L1",
        _ => "elastic net ρ = " + l1Ratio.ToString("G3", CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Whether no feature can be correlated with the label: λ_max is not above 0, or every column holds one value over
    /// all rows (then λ_max is rounding noise — ~10⁻¹⁶ with K or unbalanced classes, ~10⁻⁹ for a large constant column
    /// standardized on sparse rows — and a "path" of it a row of intercept-only models; a hostile review).
    /// </summary>
    public static bool NoCorrelation(double lambdaMax, Dataset<double> data) => !(lambdaMax > 0) || EveryColumnConstant(data);

    private static bool EveryColumnConstant(Dataset<double> data)
    {
        int d = data.Columns, n = data.Rows;
        double[] low = new double[d], high = new double[d];
        int[] stored = new int[d];
        low.AsSpan().Fill(double.PositiveInfinity);
        high.AsSpan().Fill(double.NegativeInfinity);
        for (int i = 0; i < n; i++)
        {
            if (data is SparseDataset<double> sparse)
            {
                SparseRow<double> row = sparse.Matrix.GetRow(i);
                for (int k = 0; k < row.Indices.Length; k++)
                {
                    Note(row.Indices[k], row.Values[k]);
                }
            }
            else
            {
                ReadOnlySpan<double> row = ((DenseDataset<double>)data).GetRow(i);
                for (int j = 0; j < d; j++)
                {
                    Note(j, row[j]);
                }
            }
        }

        for (int j = 0; j < d; j++)
        {
            if (stored[j] < n)
            {
                Note(j, 0); // a sparse column's rows without a stored value hold 0
            }

            if (high[j] > low[j])
            {
                return false;
            }
        }

        return true;

        void Note(int j, double v)
        {
            stored[j]++;
            low[j] = Math.Min(low[j], v);
            high[j] = Math.Max(high[j], v);
        }
    }

    /// <summary>", 10 classes (multinomial)" for a K-class model, else nothing.</summary>
    public static string KindSuffix(ClassificationModel model) => model is MulticlassModel
        ? string.Create(CultureInfo.InvariantCulture, $", {model.ClassCount} classes ({(model.Kind == ClassificationKind.OneVsRest ? "one-vs-rest" : "multinomial")})")
        : string.Empty;
}

/// <summary><c>fastlogreg path</c>: the regularization path — per λ the non-zeros, the objective and the work — and a plot of the coefficients against λ.</summary>
internal static class PathCommand
{
    public static int Run(CliContext context, PenaltyArguments a)
    {
        DistinctPaths.Require(("--data", a.Input.Data), ("--plot", a.Plot));
        if (a.Plot is not null)
        {
            AtomicFile.CheckWritable(a.Plot.FullName);
        }

        LoadedData loaded = DataInput.ReadLabeled(a.Input);
        RegularizationPath path = RegularizationPath.Compute(loaded.Data, a.Options, a.Path);
        if (PenaltyArguments.NoCorrelation(path.LambdaMax, loaded.Data))
        {
            throw new DataFormatException(loaded.Source, 0, null, "no feature is correlated with the label at w = 0 (constant columns?): λ_max is 0 (up to rounding): every penalty gives the intercept-only model, so there is no path.");
        }

        var c = CultureInfo.InvariantCulture;
        if (a.Json)
        {
            context.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(
                new PathOutput(loaded.Source, PenaltyArguments.Describe(a.L1Ratio), path.LambdaMax, [.. path.Points.Select(p => PathPointOutput.From(p))])
                {
                    Classes = loaded.Labels.Classes,
                    ModelKind = path.Points[0].Classifier.Kind.ToString(),
                },
                CliJsonContext.Readable.PathOutput));
        }
        else
        {
            var text = new StringBuilder();
            text.AppendLine(string.Format(c, "{0} path on {1}: {2} rows × {3} features{4}, λ_max = {5:G6}", PenaltyArguments.Describe(a.L1Ratio), loaded.Source, loaded.Data.Rows, loaded.Data.Columns, PenaltyArguments.KindSuffix(path.Points[0].Classifier), path.LambdaMax));
            text.AppendLine(string.Format(c, "{0,12} {1,12} {2,10} {3,14} {4,10} {5,10}", "λ", "C", "non-zeros", "objective", "iterations", "passes"));
            int unconverged = 0;
            foreach (PathPoint p in path.Points)
            {
                bool converged = p.StopReason == Optimization.StopReason.Converged;
                unconverged += converged ? 0 : 1;
                text.AppendLine(string.Format(c, "{0,12:G5} {1,12:G5} {2,10} {3,14:G10} {4,10} {5,10:G5}{6}", p.Lambda, 1 / (p.Lambda * loaded.Data.Rows), p.NonZeroWeights, p.Objective, p.Iterations, p.DataPasses, converged ? string.Empty : "  ← " + p.StopReason));
            }

            if (unconverged > 0)
            {
                text.AppendLine(string.Format(c, "{0} of {1} λ values did not converge (marked): raise --max-iterations, or --standardize.", unconverged, path.Points.Count));
            }

            context.Output.Write(text.ToString());
        }

        if (a.Plot is not null)
        {
            DrawCoefficients(a, loaded, path);
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Every coefficient (raw scale) against λ: one panel for a binary model; for K classes a panel per class (class k's
    /// row of W), each on its own coefficient scale (one large raw-scale coefficient would flatten every other panel).
    /// </summary>
    private static void DrawCoefficients(PenaltyArguments a, LoadedData loaded, RegularizationPath path)
    {
        PathPoint[] points = [.. path.Points.Where(p => p.Lambda > 0)];
        int rows = path.Points[0].Classifier.CoefficientRows, d = loaded.Data.Columns;
        var panels = new List<PlotModel>(rows);
        for (int k = 0; k < rows; k++)
        {
            string title = rows > 1
                ? $"class {loaded.Labels.Classes[k]}"
                : $"{PenaltyArguments.Describe(a.L1Ratio)} path: coefficients (raw scale) against λ";
            var plot = new PlotModel { Title = title, Background = OxyColors.White };
            plot.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Bottom, Title = "λ", StartPosition = 1, EndPosition = 0 });
            plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "coefficient" });
            for (int j = 0; j < d; j++)
            {
                var line = new LineSeries { StrokeThickness = 1.5 };
                foreach (PathPoint p in points)
                {
                    line.Points.Add(new DataPoint(p.Lambda, p.Classifier.Coefficients(k)[j]));
                }

                plot.Series.Add(line);
            }

            panels.Add(plot);
        }

        if (rows == 1)
        {
            SvgPlot.WriteSingle(a.Plot!.FullName, panels[0]);
        }
        else
        {
            SvgPlot.WriteGrid(a.Plot!.FullName, panels, columns: Math.Min(rows, 3), $"{PenaltyArguments.Describe(a.L1Ratio)} path of {loaded.Source}{PenaltyArguments.KindSuffix(path.Points[0].Classifier)}: coefficients (raw scale) against λ");
        }
    }
}

/// <summary><c>fastlogreg cv</c>: k-fold cross-validation over the path; prints the table, saves the refitted model.</summary>
internal static class CrossValidationCommand
{
    public static int Run(CliContext context, PenaltyArguments a, int folds, int seed, FileInfo model)
    {
        DistinctPaths.Require(("--data", a.Input.Data), ("--model", model), ("--plot", a.Plot));
        AtomicFile.CheckWritable(model.FullName);
        if (a.Plot is not null)
        {
            AtomicFile.CheckWritable(a.Plot.FullName);
        }

        LoadedData loaded = DataInput.ReadLabeled(a.Input);
        if (loaded.Data.Rows < folds)
        {
            throw new UsageException($"--folds {folds}: {loaded.Source} has only {loaded.Data.Rows} rows.");
        }

        CrossValidationResult cv;
        try
        {
            cv = CrossValidation.Run(loaded.Data, a.Options, new CrossValidationOptions { Folds = folds, Seed = seed, Path = a.Path });
        }
        catch (ArgumentException e) when (e.ParamName == "cv" && e.Message.StartsWith("Fold ", StringComparison.Ordinal))
        {
            throw new UsageException($"--folds {folds}: {e.Message}");
        }

        if (PenaltyArguments.NoCorrelation(cv.Points.Max(p => p.Lambda), loaded.Data))
        {
            throw new DataFormatException(loaded.Source, 0, null, "no feature is correlated with the label at w = 0 (constant columns?): λ_max is 0 (up to rounding): every penalty gives the intercept-only model, so there is nothing to cross-validate.");
        }

        TrainingResult refit = cv.Refit;
        var metadata = new ModelMetadata
        {
            FeatureNames = loaded.Data is SparseDataset<double> ? null : loaded.FeatureNames,
            Labels = loaded.Labels,
            Standardization = refit.Standardization,
            Training = TrainingSummary.From(a.Options with { Lambda = cv.Best.Lambda }, refit.Report, loaded.Data.Rows),
            LabelColumn = loaded.LabelColumn,
        };
        ModelFile.Save(new SavedModel(refit.Classifier, metadata), model.FullName);

        var c = CultureInfo.InvariantCulture;
        if (a.Json)
        {
            context.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(
                new CrossValidationOutput(loaded.Source, PenaltyArguments.Describe(a.L1Ratio), folds, seed, [.. cv.Points.Select(p => new CrossValidationPointOutput(p.Lambda, p.MeanLogLoss, p.SdLogLoss, p.StandardError, p.MeanAccuracy, double.IsNaN(p.MeanRocAuc) ? null : p.MeanRocAuc, p.MeanNonZeroWeights))], cv.Best.Lambda, cv.OneStandardError.Lambda, model.FullName),
                CliJsonContext.Readable.CrossValidationOutput));
        }
        else
        {
            var text = new StringBuilder();
            text.AppendLine(string.Format(c, "{0}-fold cross-validation ({1}, seed {2}) on {3}: {4} rows × {5} features{6}", folds, PenaltyArguments.Describe(a.L1Ratio), seed, loaded.Source, loaded.Data.Rows, loaded.Data.Columns, PenaltyArguments.KindSuffix(refit.Classifier)));
            text.AppendLine(string.Format(c, "{0,12} {1,12} {2,10} {3,10} {4,10} {5,10}  ", "λ", "log-loss", "± sd", "accuracy", "ROC AUC", "non-zeros"));
            foreach (CrossValidationPoint p in cv.Points)
            {
                string mark = p == cv.Best ? "  ← best" : p == cv.OneStandardError ? "  ← 1 s.e." : string.Empty;
                string auc = double.IsNaN(p.MeanRocAuc) ? "–" : p.MeanRocAuc.ToString("F4", c); // a binary score: none for K classes
                text.AppendLine(string.Format(c, "{0,12:G5} {1,12:F5} {2,10:F5} {3,10:F4} {4,10} {5,10:F1}{6}", p.Lambda, p.MeanLogLoss, p.SdLogLoss, p.MeanAccuracy, auc, p.MeanNonZeroWeights, mark));
            }

            text.AppendLine(string.Format(c, "best λ = {0:G6} (held-out log-loss {1:F5}); within one standard error: λ = {2:G6}", cv.Best.Lambda, cv.Best.MeanLogLoss, cv.OneStandardError.Lambda));
            text.AppendLine(string.Format(c, "refitted on all {0} rows at the best λ: {1}; {2} non-zero weights; saved to {3}", loaded.Data.Rows, refit.Report.StopReason, refit.Report.NonZeroWeights, model.FullName));
            context.Output.Write(text.ToString());
        }

        if (a.Plot is not null)
        {
            var plot = new PlotModel { Title = $"{folds}-fold cross-validation: held-out log-loss against λ", Background = OxyColors.White };
            plot.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Bottom, Title = "λ", StartPosition = 1, EndPosition = 0 });
            plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "mean log-loss ± sd" });
            var mean = new LineSeries { Color = OxyColors.SteelBlue, StrokeThickness = 2, MarkerType = MarkerType.Circle, MarkerSize = 2 };
            var band = new AreaSeries { Color = OxyColors.LightSteelBlue };
            foreach (CrossValidationPoint p in cv.Points.Where(p => p.Lambda > 0 && p.L1Ratio == cv.Best.L1Ratio))
            {
                mean.Points.Add(new DataPoint(p.Lambda, p.MeanLogLoss));
                band.Points.Add(new DataPoint(p.Lambda, p.MeanLogLoss + p.SdLogLoss));
                band.Points2.Add(new DataPoint(p.Lambda, p.MeanLogLoss - p.SdLogLoss));
            }

            plot.Series.Add(band);
            plot.Series.Add(mean);
            if (cv.Best.Lambda > 0)
            {
                plot.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = cv.Best.Lambda, Color = OxyColors.Firebrick, Text = "best" });
            }

            if (cv.OneStandardError.Lambda > 0 && cv.OneStandardError.Lambda != cv.Best.Lambda)
            {
                plot.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = cv.OneStandardError.Lambda, Color = OxyColors.DarkOrange, LineStyle = LineStyle.Dash, Text = "1 SE" });
            }

            SvgPlot.WriteSingle(a.Plot.FullName, plot);
        }

        return ExitCodes.Ok;
    }
}
