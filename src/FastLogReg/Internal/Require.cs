namespace FastLogReg.Internal;

/// <summary>Argument checks shared by the layers (each names the argument it rejects).</summary>
internal static class Require
{
    public static void L2(double value, string name)
    {
        if (!(double.IsFinite(value) && value >= 0))
        {
            throw new ArgumentOutOfRangeException(name, value, "The L2 strength λ must be a finite number ≥ 0.");
        }
    }

    public static void DegreeOfParallelism(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "The degree of parallelism must be at least 1 (or null for all cores).");
        }
    }
}
