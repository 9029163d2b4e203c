using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Reference;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// The K-class pass with float products (<see cref="MultinomialObjective{T}.FloatProducts"/>) against the textbook loop
/// in double, within the error bound the kernel states: a score is off by at most about (products per float partial + 2)
/// · 2⁻²⁴ · Σⱼ |xⱼ wⱼ|, a residual by what that moves the probabilities plus the float softmax's rounding, and a
/// gradient entry by one block's float partial over those residuals.
/// </summary>
public class FloatProductsKernelTests
{
    private const double Unit = 1.0 / (1 << 24);

    public record Case(int Rows, int Columns, int Classes, int Seed, double Margin, bool Weighted, bool OneVsRest);

    public static Arbitrary<Case> Cases() =>
        (from rows in Gen.Choose(1, 300)
         from columns in Gen.Choose(1, 90)
         from classes in Gen.Choose(2, 12)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from margin in Gen.Elements(0.0, 1.0, 10.0, 40.0)
         from weighted in Gen.Elements(false, true)
         from ovr in Gen.Elements(false, true)
         select new Case(rows, columns, classes, seed, margin, weighted, ovr)).ToArbitrary();

    [Property(Arbitrary = [typeof(FloatProductsKernelTests)], MaxTest = 100)]
    public void LossAndGradientAgreeWithTextbookWithinTheStatedBound(Case c) => AssertWithinBound(c);

    [Fact]
    public void EveryColumnTailClassGroupLeftoverRowAndPieceAgreesWithinTheBound()
    {
        // Columns: below one register (the double pass runs), every tail of 8- and 16-float registers, the gradient's
        // strips of one to four registers (the last one the masked tail), and rows longer than one float partial of a
        // score (256 columns: up to seventeen pieces). Classes: the scores' tiles of four rows by four classes with
        // pairs and a single class left over, the gradient's groups of five, four, two and one. Rows: leftovers after
        // the groups of eight and a second block.
        foreach (int d in new[] { 7, 8, 9, 15, 16, 17, 31, 33, 47, 63, 64, 65, 100, 1025, 2049, 4200 })
        {
            foreach (int k in d > 1000 ? new[] { 2, 3, 5, 10 } : new[] { 2, 3, 4, 5, 7, 8, 10, 15, 20 })
            {
                foreach (int n in d > 1000 ? new[] { 9, 130 } : new[] { 1, 7, 8, 9, 127, 128, 129, 300 })
                {
                    AssertWithinBound(new Case(n, d, k, (d * 100) + (k * 10) + n, 5.0, n % 2 == 0, k == 5));
                }
            }
        }
    }

    [Fact]
    public void FloatExpIsWithinTwoUlpsDownToTheSmallestNormalFloat()
    {
        // Every 2⁻¹⁰ from −87 to 0 plus the range reduction's edges (multiples of ln 2 / 2), at both widths the machine has.
        var xs = new List<float>();
        for (int i = 0; i <= 87 * 1024; i++)
        {
            xs.Add(-i / 1024f);
        }

        for (int n = 0; n < 250; n++)
        {
            xs.Add(MathF.BitDecrement((float)(-n * Math.Log(2) / 2)));
            xs.Add(MathF.BitIncrement((float)(-n * Math.Log(2) / 2)));
        }

        xs.RemoveAll(v => v > 0 || v < -87.3f);
        float[] x = xs.ToArray();
        if (Vector512.IsHardwareAccelerated)
        {
            Check<Vector512<float>, Vector512<double>, Single512>(x);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Check<Vector256<float>, Vector256<double>, Single256>(x);
        }

        // Below the clamp the result is e^−87.3, not 0: about 10⁻³⁸.
        float[] tiny = new float[Vector256<float>.Count];
        tiny.AsSpan().Fill(-1000f);
        if (Vector256.IsHardwareAccelerated)
        {
            float e = SingleMath.ExpNonPositive<Vector256<float>, Vector256<double>, Single256>(Vector256.Create(tiny))[0];
            Assert.InRange(e, 1e-38f, 2e-38f);
        }

        static void Check<TF, TV, S>(float[] x)
            where TF : struct
            where TV : struct
            where S : ISimdSingle<TF, TV>
        {
            float[] lane = new float[S.Count], result = new float[S.Count];
            for (int i = 0; i + S.Count <= x.Length; i += S.Count)
            {
                x.AsSpan(i, S.Count).CopyTo(lane);
                S.Store(SingleMath.ExpNonPositive<TF, TV, S>(S.Load(ref lane[0])), ref result[0]);
                for (int l = 0; l < S.Count; l++)
                {
                    double exact = Math.Exp(lane[l]);
                    double ulp = MathF.BitIncrement((float)exact) - (float)exact;
                    Assert.True(Math.Abs(result[l] - exact) <= 2 * ulp, $"e^{lane[l]:R} = {result[l]:R}, exact {exact:R} ({S.Count} lanes)");
                }
            }
        }
    }

    [Fact]
    public void FourByFourSumsGiveEachRegisterTheBitsOfTheEightByTwoSums()
    {
        // The scores' 4 × 4 tiles keep the bits of Dot8's 8 × 2 ones only if both reductions add every register's lanes
        // in the same order wherever it sits: sixteen registers of random floats (products of up to 2⁴⁰ in magnitude, so
        // that the order shows), reduced both ways, at both widths the machine has, with biases and added to sums.
        if (Vector512.IsHardwareAccelerated)
        {
            Check<Vector512<float>, Vector512<double>, Single512, Simd512>();
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Check<Vector256<float>, Vector256<double>, Single256, Simd256>();
        }

        static void Check<TF, TV, S, W>()
            where TF : struct
            where TV : struct
            where S : ISimdSingle<TF, TV>
            where W : ISimdDouble<TV>
        {
            var rng = new Random(17);
            for (int trial = 0; trial < 50; trial++)
            {
                var r = new TF[16];
                float[] lanes = new float[S.Count];
                for (int i = 0; i < 16; i++)
                {
                    for (int l = 0; l < lanes.Length; l++)
                    {
                        lanes[l] = (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-20, 40)));
                    }

                    r[i] = S.Load(ref lanes[0]);
                }

                double biasA = rng.NextDouble() * 100, biasB = -rng.NextDouble() * 1e6;
                foreach (bool add in new[] { false, true })
                {
                    double[] pairs = new double[16], tiles = Enumerable.Repeat(-1.0, 4 * 8).ToArray();
                    for (int i = 0; i < 16; i++)
                    {
                        pairs[i] = i;
                    }

                    for (int c = 0; c < 4; c++)
                    {
                        for (int q = 0; q < 4; q++)
                        {
                            tiles[(c * 8) + q] = (4 * c) + q;
                        }
                    }

                    S.Sum8x2(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], biasA, biasB, true, add, ref pairs[0], ref pairs[8]);
                    S.Sum4x4(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], biasA, biasA, biasB, biasB, add, ref tiles[0], 8);
                    for (int i = 0; i < 16; i++)
                    {
                        double tile = tiles[((i / 4) * 8) + (i % 4)];
                        Assert.True(BitConverter.DoubleToInt64Bits(pairs[i]) == BitConverter.DoubleToInt64Bits(tile), $"register {i} ({S.Count} lanes, add {add}): {pairs[i]:R} vs {tile:R}");
                    }

                    // Each class's four rows and nothing past them (the stride's other rows keep their values).
                    Assert.All(Enumerable.Range(0, 4).SelectMany(c => tiles.Skip((c * 8) + 4).Take(4)), v => Assert.Equal(-1.0, v));
                }
            }
        }
    }

    [Fact]
    public void FloatProductsAreUsedWhereTheRegistersAllowAndOnlyForFloatRows()
    {
        (DenseDataset<float> data, double[] point) = MulticlassData.Build<float>(500, 40, 5, 3, 5.0, weighted: false);
        double exact = Evaluate(data, point, floatProducts: false, out double[] g0);
        double fast = Evaluate(data, point, floatProducts: true, out double[] g1);
        if (Vector256.IsHardwareAccelerated)
        {
            // The float products round differently from the double kernel: the switch reaches the kernel.
            Assert.NotEqual(exact, fast);
            Assert.NotEqual(g0, g1);
        }
        else
        {
            // Without 256-bit registers the double pass runs either way.
            Assert.Equal(exact, fast);
            Assert.Equal(g0, g1);
        }

        // Double rows and sparse rows ignore the switch.
        (DenseDataset<double> doubles, double[] p2) = MulticlassData.Build<double>(500, 40, 5, 3, 5.0, weighted: false);
        var a = new MultinomialObjective<double>(doubles, Penalty.L2(0.01), maxDegreeOfParallelism: 1);
        var b = new MultinomialObjective<double>(doubles, Penalty.L2(0.01), maxDegreeOfParallelism: 1) { FloatProducts = true };
        double[] ga = new double[p2.Length], gb = new double[p2.Length];
        Assert.Equal(a.Evaluate(p2, ga), b.Evaluate(p2, gb));
        Assert.Equal(ga, gb);
        SparseDataset<float> sparse = MulticlassData.Sparsify(data, 0.5, 4).Sparse;
        var sa = new MultinomialObjective<float>(sparse, Penalty.L2(0.01), maxDegreeOfParallelism: 1);
        var sb = new MultinomialObjective<float>(sparse, Penalty.L2(0.01), maxDegreeOfParallelism: 1) { FloatProducts = true };
        Assert.Equal(sa.Evaluate(point, new double[point.Length]), sb.Evaluate(point, new double[point.Length]));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(8, false)]
    public void ResultIsBitIdenticalForAnyDegreeOfParallelism(int threads, bool oneVsRest)
    {
        (DenseDataset<float> data, double[] point) = MulticlassData.Build<float>(30000, 37, 7, 5, 5.0, weighted: true);
        var one = new MultinomialObjective<float>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: 1) { FloatProducts = true };
        Assert.True(one.ChunkCount > 3, $"only {one.ChunkCount} chunks");
        double[] g1 = new double[point.Length], gn = new double[point.Length];
        double f1 = one.Evaluate(point, g1);
        var many = new MultinomialObjective<float>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: threads) { FloatProducts = true };
        Assert.Equal(f1, many.Evaluate(point, gn));
        Assert.Equal(g1, gn);
    }

    [Fact]
    public void SwitchingBetweenEvaluationsGivesEachPassItsOwnResult()
    {
        (DenseDataset<float> data, double[] point) = MulticlassData.Build<float>(400, 20, 4, 9, 3.0, weighted: false);
        var objective = new MultinomialObjective<float>(data, Penalty.L2(0.01), maxDegreeOfParallelism: 1);
        double[] g = new double[point.Length];
        double exact = objective.Evaluate(point, g);
        objective.FloatProducts = true;
        double fast = objective.Evaluate(point, g);
        objective.FloatProducts = false;
        Assert.Equal(exact, objective.Evaluate(point, g));
        Assert.Equal(fast, Evaluate(data, point, floatProducts: true, out _));
    }

    [Fact]
    public void AFitStartedWithFloatProductsAndFinishedInDoubleReachesTheDoubleOptimum()
    {
        // Digits as float (pixels / 16), C = 1 (λ = 1/n): L-BFGS with float products to a loose tolerance, then the same
        // objective in double from where it stopped, against L-BFGS in double throughout.
        (double[] x, double[] y) = MulticlassData.Digits();
        var data = DenseDataset.Create(x.Select(v => (float)(v / 16)).ToArray(), y.Select(v => (float)v).ToArray(), 64, 10);
        var penalty = Penalty.L2(1.0 / data.Rows);
        var objective = new MultinomialObjective<float>(data, penalty, maxDegreeOfParallelism: 2) { FloatProducts = true };
        double[] start = new double[objective.Dimension];
        OptimizationResult fast = Lbfgs.Minimize(objective, start, new SolverOptions { Tolerance = 1e-5, MaxIterations = 2000 });
        objective.FloatProducts = false;
        OptimizationResult finish = Lbfgs.Minimize(objective, fast.Point, new SolverOptions { Tolerance = 1e-9, MaxIterations = 2000 });
        var exact = new MultinomialObjective<float>(data, penalty, maxDegreeOfParallelism: 2);
        OptimizationResult reference = Lbfgs.Minimize(exact, start, new SolverOptions { Tolerance = 1e-9, MaxIterations = 4000 });
        Assert.True(fast.Iterations > 10, $"the float phase took only {fast.Iterations} iterations");
        Assert.True(finish.Converged && reference.Converged, $"{finish.StopReason}, {reference.StopReason}");
        Close.Equal(reference.Objective, finish.Objective, 1e-10, 0, "objective after the double finish");
    }

    private static double Evaluate(DenseDataset<float> data, double[] point, bool floatProducts, out double[] gradient)
    {
        var objective = new MultinomialObjective<float>(data, Penalty.L2(0.01), maxDegreeOfParallelism: 1) { FloatProducts = floatProducts };
        gradient = new double[point.Length];
        return objective.Evaluate(point, gradient);
    }

    private static void AssertWithinBound(Case c)
    {
        const double l2 = 0.01;
        (DenseDataset<float> data, double[] point) = MulticlassData.Build<float>(c.Rows, c.Columns, c.Classes, c.Seed, c.Margin, c.Weighted);
        int k = c.Classes, d = c.Columns, n = c.Rows;
        double[] gw = new double[k * d], gb = new double[k];
        double expected = TextbookSoftmax.LossAndGradient(data, point.AsSpan(0, k * d), point.AsSpan(k * d), l2, c.OneVsRest, gw, gb);

        // The bound, from the data: Δzᵢ = (products per 8-float lane + 2)·2⁻²⁴·maxₖ Σⱼ |xᵢⱼ wₖⱼ| over one piece of
        // ≤ 256 columns (16-float lanes put half as many products in a lane and add four levels of their reduction),
        // doubled for the reduction across lanes and the rounding of W.
        ReadOnlySpan<float> x = data.Features.Span;
        double perLane = Math.Min(d, SoftmaxFloatProducts.MaxPartialTerms) / 8.0;
        double gamma = 2 * (Math.Ceiling(perLane) + 2) * Unit;
        // The multinomial softmax runs in float: e^(z − m) with z − m rounded to float and a one-ulp exp, log Σe in
        // float: Fᵢ = 4·2⁻²⁴·(2 + ln K + 2·maxₖ |zₖ|) for the loss and each residual (one-vs-rest stays in double).
        double[] dz = new double[n], fz = new double[n];
        double total = 0, lossBound = 0;
        for (int i = 0; i < n; i++)
        {
            double s = c.Weighted ? data.SampleWeights.Span[i] : 1.0;
            total += s;
            double worst = 0, largest = 0;
            for (int kk = 0; kk < k; kk++)
            {
                double m = 0, zk = point[(k * d) + kk];
                for (int j = 0; j < d; j++)
                {
                    m += Math.Abs(x[(i * d) + j] * point[(kk * d) + j]);
                    zk += x[(i * d) + j] * point[(kk * d) + j];
                }

                worst = Math.Max(worst, m);
                largest = Math.Max(largest, Math.Abs(zk));
            }

            dz[i] = gamma * worst;
            fz[i] = c.OneVsRest ? 0 : 4 * Unit * (2 + Math.Log(k) + (2 * largest));
            lossBound += s * (((c.OneVsRest ? k : 2) * dz[i]) + fz[i]);
        }

        var objective = new MultinomialObjective<float>(data, Penalty.L2(l2), c.OneVsRest, maxDegreeOfParallelism: 1) { FloatProducts = true };
        double[] gradient = new double[point.Length];
        double actual = objective.Evaluate(point, gradient);
        Assert.True(Math.Abs(actual - expected) <= (lossBound / total) + 1e-12, $"objective {actual} vs {expected}: off by {Math.Abs(actual - expected):E3}, bound {lossBound / total:E3} ({c})");

        // ∂f/∂W: |δGₖⱼ| ≤ (1/S) Σᵢ sᵢ |xᵢⱼ| (2Δzᵢ + (rows per block + 2)·2⁻²⁴ · 2), the residual at most 1 in magnitude times s.
        double blockTerms = (SoftmaxLossGradient.BlockRows + 2) * 2 * Unit;
        for (int j = 0; j < d; j++)
        {
            double bound = 0;
            for (int i = 0; i < n; i++)
            {
                double s = c.Weighted ? data.SampleWeights.Span[i] : 1.0;
                bound += s * Math.Abs(x[(i * d) + j]) * ((2 * dz[i]) + fz[i] + blockTerms);
            }

            bound = (bound / total) + 1e-14;
            for (int kk = 0; kk < k; kk++)
            {
                double off = Math.Abs(gradient[(kk * d) + j] - gw[(kk * d) + j]);
                Assert.True(off <= bound, $"∂f/∂W[{kk},{j}] {gradient[(kk * d) + j]} vs {gw[(kk * d) + j]}: off by {off:E3}, bound {bound:E3} ({c})");
            }
        }

        // ∂f/∂b: residuals moved by at most 2Δzᵢ + Fᵢ each; with the float softmax their sums are float partials over a
        // block's rows (each |residual| ≤ 2s).
        double moved = dz.Select((v, i) => ((2 * v) + fz[i]) * (c.Weighted ? data.SampleWeights.Span[i] : 1.0)).Sum();
        double biasBound = ((moved + (c.OneVsRest ? 0 : blockTerms * 2 * total)) / total) + 1e-13;
        for (int kk = 0; kk < k; kk++)
        {
            double off = Math.Abs(gradient[(k * d) + kk] - gb[kk]);
            Assert.True(off <= biasBound, $"∂f/∂b[{kk}] off by {off:E3}, bound {biasBound:E3} ({c})");
        }
    }
}
