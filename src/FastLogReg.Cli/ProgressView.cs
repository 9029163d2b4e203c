using System.Diagnostics;
using System.Globalization;
using FastLogReg.Optimization;
using Spectre.Console;

namespace FastLogReg.Cli;

/// <summary>
/// Shows training progress (iteration, objective, gradient norm, passes): a live table on a terminal, plain lines when
/// the output is redirected (at most about five a second, plus the first ten iterations), nothing when quiet.
/// </summary>
internal sealed class ProgressView : IProgress<IterationProgress>
{
    private readonly CliContext _context;
    private readonly bool _live;
    private readonly Stopwatch _sinceLastLine = Stopwatch.StartNew();
    private readonly Table _table = new();
    private LiveDisplayContext? _display;

    private ProgressView(CliContext context, bool live)
    {
        _context = context;
        _live = live;
        _table.AddColumns("Iteration", "Objective", "‖∇f‖", "Passes", "Elapsed");
        _table.AddRow("0", string.Empty, string.Empty, string.Empty, string.Empty);
    }

    /// <summary>Runs <paramref name="train"/> with a progress sink suited to the output (null when quiet).</summary>
    public static T Run<T>(CliContext context, bool quiet, Func<IProgress<IterationProgress>?, T> train)
    {
        if (quiet)
        {
            return train(null);
        }

        if (!context.Interactive)
        {
            return train(new ProgressView(context, live: false));
        }

        var view = new ProgressView(context, live: true);
        T result = default!;
        context.Console.Live(view._table).AutoClear(false).Start(display =>
        {
            view._display = display;
            result = train(view);
        });
        return result;
    }

    public void Report(IterationProgress value)
    {
        var c = CultureInfo.InvariantCulture;
        string iteration = value.Iteration.ToString(c);
        string objective = value.Objective.ToString("G10", c);
        string norm = value.GradientNorm.ToString("G3", c);
        string passes = value.DataPasses.ToString("G4", c);
        string elapsed = $"{value.Elapsed.TotalMilliseconds.ToString("F1", c)} ms";
        if (_live)
        {
            _table.UpdateCell(0, 0, iteration).UpdateCell(0, 1, objective).UpdateCell(0, 2, norm).UpdateCell(0, 3, passes).UpdateCell(0, 4, elapsed);
            if (_sinceLastLine.ElapsedMilliseconds >= 50)
            {
                _display?.Refresh();
                _sinceLastLine.Restart();
            }

            return;
        }

        if (value.Iteration < 10 || _sinceLastLine.ElapsedMilliseconds >= 200)
        {
            _context.Output.WriteLine($"  iteration {iteration,5}  objective {objective,-16} ‖∇f‖ {norm,-10} passes {passes,-6} {elapsed}");
            _sinceLastLine.Restart();
        }
    }
}
