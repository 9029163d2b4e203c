using BenchmarkDotNet.Attributes;

namespace FastLogReg.Benchmarks;

/// <summary>
/// One K-class epoch — loss and the full K × d gradient at a fixed point — on 100,000 × 100 float rows with K = 10,
/// two threads: the fused multinomial kernel, the fused one-vs-rest kernel (K sigmoids per row in the same pass), K
/// passes of the fused binary kernel (one-vs-rest as K separate binary problems), the scalar textbook loop, and the
/// streaming read of the features (the baseline: an epoch cannot beat reading X once) and the arithmetic floor (the
/// epoch's fused multiply-adds in double at the machine's peak, on registers alone); the multinomial kernel with float
/// products and double sums (<c>MultinomialObjective.FloatProducts</c>); the same on 4,096 rows that stay in cache.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 12)]
public class MulticlassEpochBenchmarks
{
    private MulticlassWorkload _work = null!;

    /// <summary>
    /// "rows x columns x classes": the shape, and 4,096 rows (1.6 MB, in cache) for the kernels' cost per row
    /// without the memory.
    /// </summary>
    [Params("100000x100x10", "4096x100x10")]
    public string Shape { get; set; } = "100000x100x10";

    [Params(2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        int[] parts = Shape.Split('x').Select(int.Parse).ToArray();
        _work = new MulticlassWorkload(parts[0], parts[1], parts[2], Threads);
    }

    [Benchmark(Baseline = true, Description = "Streaming read (Σ X)")]
    public double StreamingRead() => _work.StreamingRead();

    [Benchmark(Description = "Arithmetic floor (2·K·⌈d/w⌉ FMAs per row)")]
    public double ArithmeticFloor() => _work.ArithmeticFloor();

    [Benchmark(Description = "Fused multinomial")]
    public double Multinomial() => _work.MultinomialEpoch();

    [Benchmark(Description = "Fused multinomial, float products")]
    public double MultinomialFloatProducts() => _work.MultinomialFloatEpoch();

    [Benchmark(Description = "Fused one-vs-rest")]
    public double OneVsRest() => _work.OneVsRestEpoch();

    [Benchmark(Description = "K binary passes")]
    public double BinaryPasses() => _work.BinaryPasses();

    [Benchmark(Description = "Textbook loop (1 thread)")]
    public double Textbook() => _work.Textbook();
}
