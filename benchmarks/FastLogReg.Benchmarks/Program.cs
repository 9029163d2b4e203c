using BenchmarkDotNet.Running;

namespace FastLogReg.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher (any subset with <c>--filter</c>), or <c>--survey [file]</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--multiclass-bits")
        {
            return MulticlassBitsProbe.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--sparse-probe")
        {
            return SparseProbe.Run(args[1..]);
        }

        if (args.Length > 2 && args[0] == "--multiclass-fit")
        {
            return MulticlassFitProbe.Run(args[1..]);
        }

        if (args.Length > 1 && args[0] == "--row-terms")
        {
            return RowTermsProbe.Run(args[1..]);
        }

        if (args.Length > 3 && args[0] == "--moments")
        {
            return MomentsProbe.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--multiclass-probe")
        {
            return MulticlassProbe.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--l1-survey")
        {
            return L1Survey.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? args[2..] : null);
        }

        if (args.Length > 0 && args[0] == "--multiclass-newton-survey")
        {
            return MulticlassNewtonSurvey.Run(args.Length > 1 ? args[1] : null);
        }

        if (args.Length > 3 && args[0] == "--libsvm-load")
        {
            return SparseSurvey.LoadLibSvm(args[1..]);
        }

        if (args.Length > 1 && args[0] == "--sparse-epoch")
        {
            return SparseSurvey.Epoch(args[1]);
        }

        if (args.Length > 3 && args[0] == "--sparse-fit")
        {
            return SparseSurvey.Fit(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--sparse-survey")
        {
            return SparseSurvey.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? args[2..] : null);
        }

        if (args.Length > 0 && args[0] == "--newton-survey")
        {
            return NewtonSurvey.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? args[2..] : null);
        }

        if (args.Length > 2 && args[0] == "--dual-probe")
        {
            return DualProbe.Run(args[1..]);
        }

        if (args.Length > 1 && args[0] == "--export-libsvm")
        {
            return LibLinearComparison.Export(args[1]);
        }

        if (args.Length > 7 && args[0] == "--fit-loop")
        {
            return LibLinearComparison.FitLoop(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--newton-parts")
        {
            return NewtonPartsProbe.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--cluster-multiclass")
        {
            return ClusterNewtonProbe.Run(args[1..]);
        }

        if (args.Length > 5 && args[0] == "--trace")
        {
            return LibLinearComparison.Trace(args[1..]);
        }

        if (args.Length > 5 && args[0] == "--match-objective")
        {
            return LibLinearComparison.MatchObjective(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--native-demo")
        {
            return NativeDemo.Run(args[1..]);
        }

        if (args.Length > 2 && args[0] == "--path-points")
        {
            return PathCost.Points(args[1], Enum.Parse<FastLogReg.Training.Solver>(args[2]), args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1, args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 1);
        }

        if (args.Length > 0 && args[0] == "--l1-iterations")
        {
            return L1IterationsProbe.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--path-cost")
        {
            return PathCost.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? args[2] : null, args.Length > 3 ? args[3] : null, args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 1);
        }

        if (args.Length > 0 && args[0] == "--survey")
        {
            return SolverSurvey.Run(
                args.Length > 1 ? args[1] : null,
                args.Length > 2 ? args[2].Split(',') : null,
                args.Length > 3 ? args[3].Split(',').Select(Enum.Parse<FastLogReg.Training.Solver>).ToArray() : null);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
        return 0;
    }
}
