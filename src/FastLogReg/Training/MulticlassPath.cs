using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <content>The path of a K-class model (multinomial, or one-vs-rest): L-BFGS or OWL-QN from point to point.</content>
public sealed partial class RegularizationPath
{
    /// <summary>
    /// The K-class path: λ_max the largest |∂/∂Wₖⱼ| at the intercept-only optimum (over max(ρ, 10⁻³)), every point fitted
    /// by OWL-QN (ρ &gt; 0) or L-BFGS (ρ = 0) from the path's predictor, with the last point's curvature pairs (their L2
    /// share shifted to the new λ). Float products are not used along the path.
    /// </summary>
    private static RegularizationPath ComputeMulticlass<T>(Dataset<T> data, TrainingOptions options, PathOptions path, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Solver solver = options.Solver == Solver.Auto ? LogisticRegression.AutomaticSolver(data, options with { Lambda = 1 }) : LogisticRegression.EffectiveSolver(options with { Lambda = 1 }, multiclass: true);
        LogisticRegression.CheckWholeHessianSize(data, options);
        if (solver is not (Solver.Lbfgs or Solver.OwlQn or Solver.CoordinateDescent or Solver.Newton or Solver.NewtonCholesky))
        {
            throw new ArgumentException($"The path of a K-class model is fitted by L-BFGS (OWL-QN for an L1 share), coordinate descent or Newton; {options.Solver} is not supported here.", nameof(options));
        }

        bool oneVsRest = options.MultiClass == MultiClass.OneVsRest;
        int k = data.ClassCount, d = data.Columns, weights = k * d;
        FeatureScaling? scaling = options.Standardize ? FeatureScaling.Compute(data, options.MaxDegreeOfParallelism) : null;
        var smooth = new MultinomialObjective<T>(data, Penalty.None, oneVsRest, options.FitIntercept, options.MaxDegreeOfParallelism, scaling, options.ClassWeights);
        int dimension = smooth.Dimension;

        // ∇ at 0: the reference of the convergence test (as a cold Train has) and the classes' weighted shares, from which
        // the intercept-only optimum; ∇ there gives λ_max.
        double[] g0 = new double[dimension];
        smooth.Evaluate(new double[dimension], g0);
        double[] start = new double[dimension];
        double[] bStar = options.FitIntercept ? InterceptOnly(g0.AsSpan(weights), oneVsRest) : [];
        bStar.CopyTo(start, weights);
        double[] gStar = new double[dimension];
        smooth.Evaluate(start, gStar);
        double lambdaMax = LambdaMaxOf(gStar.AsSpan(0, weights), options.L1Ratio);

        double[] lambdas = Grid(path, lambdaMax, data.Rows > d);
        var pairs = new CurvatureMemory(dimension, options.LbfgsHistory);
        var predictor = new PathPredictor(weights, smooth: options.L1Ratio == 0);
        double[] predicted = new double[dimension], reference = new double[dimension], origin = new double[dimension];
        double previousL2 = 0, solvedLambda = double.NaN;
        var points = new List<PathPoint>(lambdas.Length);
        ClassificationKind kind = oneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial;
        using ColumnCopy<T>? columns = solver == Solver.CoordinateDescent && oneVsRest ? ColumnCopy<T>.From(data) : null;
        OneVsRestCoordinateDescent<T>? classes = columns is null ? null : new OneVsRestCoordinateDescent<T>(columns, data.Labels.Span, k, LogisticRegression.MulticlassRowWeights(data, smooth), scaling, options.FitIntercept, options.MaxDegreeOfParallelism);
        bool proximalNewton = solver == Solver.CoordinateDescent && !oneVsRest;
        bool handOver = LogisticRegression.HandsOverToProximalNewton(solver, data, options with { Lambda = 1 });
        ProximalNewton.HessianMemory? hessian = proximalNewton || handOver ? new ProximalNewton.HessianMemory(dimension) : null;
        bool newtonAfter = LogisticRegression.HandsOverToTrustRegionNewton(solver, data, options with { Lambda = 1 }, LogisticRegression.AutoMulticlassLbfgsPathIterations);
        bool newton = solver == Solver.Newton;
        foreach (double lambda in lambdas)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Penalty penalty = Penalty.ElasticNet(lambda, options.L1Ratio);
            var objective = new MultinomialObjective<T>(data, penalty, oneVsRest, options.FitIntercept, options.MaxDegreeOfParallelism, scaling, options.ClassWeights);
            OwlQn.PseudoGradient(origin, g0, penalty.L1Strength, weights, reference);
            double l2 = lambda * (1 - options.L1Ratio);
            pairs.ShiftL2(l2 - previousL2, weights);
            hessian?.ShiftL2(l2 - previousL2, weights);
            previousL2 = l2;

            double[] from = classes is null ? predictor.StartFor(start, solvedLambda, lambda, predicted) : start;
            solvedLambda = lambda;
            double columnPasses = 0;
            int iterations = handOver && !proximalNewton ? Math.Min(options.MaxIterations, LogisticRegression.AutoMulticlassOwlQnPathIterations(k, d))
                : newtonAfter && !newton ? LogisticRegression.AutoMulticlassLbfgsPathIterations
                : options.MaxIterations;
            var rules = new StoppingRules(iterations, options.Tolerance, TensorPrimitives.Norm<double>(reference), options.Progress, () => objective.DataPasses + columnPasses, cancellationToken);
            OptimizationResult result = proximalNewton
                ? ProximalNewton.Minimize(objective, from, penalty.L1Strength, weights, rules, hessian)
                : classes is not null ? classes.Minimize(penalty.L1Strength, l2, from, rules, passes => columnPasses += passes)
                : newton ? TrustRegionNewton.Minimize(objective, from, rules)
                : solver == Solver.NewtonCholesky ? NewtonCholesky.Minimize(objective, from, rules)
                : penalty.L1Strength > 0
                ? OwlQn.Minimize(objective, from, penalty.L1Strength, weights, options.LbfgsHistory, rules, pairs)
                : Lbfgs.Minimize(objective, from, options.LbfgsHistory, rules, pairs);
            if (handOver && !proximalNewton && penalty.L1Strength > 0 && result.Iterations < options.MaxIterations && result.StopReason is StopReason.MaxIterations or StopReason.NoProgress)
            {
                // Auto's OWL-QN has crawled at this point: proximal Newton goes on from its best point and fits the rest
                // of the path (see AutoMulticlassOwlQnPathIterations).
                result = ProximalNewton.HandOver(result, objective, penalty.L1Strength, weights, rules with { MaxIterations = options.MaxIterations - result.Iterations }, hessian);
                proximalNewton = true;
            }

            if (newtonAfter && !newton && result.StopReason is StopReason.MaxIterations or StopReason.NoProgress)
            {
                // Auto's L-BFGS has crawled at this point: trust-region Newton goes on from its best point and fits the rest
                // of the path (see AutoMulticlassLbfgsPathIterations).
                result = TrustRegionNewton.HandOver(result, objective, rules with { MaxIterations = options.MaxIterations - result.Iterations });
                newton = true;
            }

            result.Point.CopyTo(start, 0);

            double[] rawWeights = new double[weights];
            double[] intercepts = new double[k];
            objective.ToRaw(result.Point, rawWeights, intercepts);
            points.Add(new PathPoint(lambda, new MulticlassModel(kind, rawWeights, intercepts), result.Objective, LogisticRegression.CountNonZeros(result.Point.AsSpan(0, weights)), result.Iterations, objective.DataPasses + columnPasses, result.StopReason));
        }

        return new RegularizationPath(lambdaMax, double.NaN, points) { InterceptOnlyBiases = bStar };
    }

    /// <summary>
    /// The intercept-only optimum from the intercepts' gradient at 0, 1/K − πₖ (multinomial) or ½ − πₖ (one-vs-rest),
    /// πₖ class k's weighted share: log πₖ less their mean (the softmax is unchanged by a common shift), or each class's
    /// log-odds log(πₖ / (1 − πₖ)).
    /// </summary>
    private static double[] InterceptOnly(ReadOnlySpan<double> interceptGradient, bool oneVsRest)
    {
        int k = interceptGradient.Length;
        double[] b = new double[k];
        for (int c = 0; c < k; c++)
        {
            double share = (oneVsRest ? 0.5 : 1.0 / k) - interceptGradient[c];
            if (!(share > 0 && share < 1))
            {
                throw new ArgumentException($"Class {c} has no weight (after weighting): there is no path to fit.");
            }

            b[c] = oneVsRest ? Math.Log(share / (1 - share)) : Math.Log(share);
        }

        if (!oneVsRest)
        {
            double mean = b.Average();
            for (int c = 0; c < k; c++)
            {
                b[c] -= mean;
            }
        }

        return b;
    }
}
