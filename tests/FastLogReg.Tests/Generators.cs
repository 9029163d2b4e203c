using FsCheck;
using FsCheck.Fluent;

namespace FastLogReg.Tests;

/// <summary>FsCheck generators for random problems.</summary>
public static class Generators
{
    /// <summary>Rows 1–600 and columns 1–70 (every SIMD tail), |z| up to 50, optional weights and L2.</summary>
    public static Arbitrary<Problem> Problem() =>
        (from rows in Gen.Choose(1, 600)
         from columns in Gen.Choose(1, 70)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from margin in Gen.Elements(0.0, 0.5, 3.0, 10.0, 30.0, 50.0)
         from weighted in Gen.Elements(false, true)
         from l2 in Gen.Elements(0.0, 1e-3, 0.1, 1.0)
         select new Problem(rows, columns, seed, margin, weighted, l2)).ToArbitrary();
}

/// <summary>Problems big enough to span many chunks (for the thread-count independence property).</summary>
public static class LargeGenerators
{
    public static Arbitrary<Problem> Problem() =>
        (from rows in Gen.Choose(20000, 60000)
         from columns in Gen.Choose(20, 70)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from margin in Gen.Elements(1.0, 10.0, 50.0)
         from weighted in Gen.Elements(false, true)
         select new Problem(rows, columns, seed, margin, weighted, 0.01)).ToArbitrary();
}
