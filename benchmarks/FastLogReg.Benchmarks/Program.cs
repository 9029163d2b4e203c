using BenchmarkDotNet.Running;

namespace FastLogReg.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher, so any subset runs with <c>--filter</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchmarkConfig());
}
