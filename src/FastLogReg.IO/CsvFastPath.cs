namespace FastLogReg.IO;

/// <summary>
/// Whether the hand-written fast path for plain rows runs, for measuring what it earns end to end:
/// <c>FASTLOGREG_CSV_FAST_PATH=off</c> has Sep parse every piece. Read once. Results are bit-identical either way (the
/// tests check the fast path against Sep). Measured (`fastlogreg train` on 1,000,000 × 100, farm-bench, five pairs):
/// 2.84 s with it, 11.3 s without (4.0×); the eight-field AVX-512 batches that were on top of it gave 0.98× end to end
/// and were removed.
/// </summary>
internal static class CsvFastPath
{
    private static readonly string? Setting = Environment.GetEnvironmentVariable("FASTLOGREG_CSV_FAST_PATH");

    /// <summary>Whether plain rows are parsed from their bytes (otherwise Sep parses every piece).</summary>
    public static bool PlainRows { get; } = Setting is not "off";
}
