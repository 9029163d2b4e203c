using System.Runtime.InteropServices;

namespace FastLogReg.IO;

/// <summary>
/// Maps a large new array's memory before it is written: on Linux, asks for 2 MB pages and for all of them to be
/// mapped in one call, instead of a page fault every 4 KB while the array is filled.
/// </summary>
/// <remarks>
/// A reader fills its feature array once, so every page of it is new, and page faults are a large part of a first
/// read: 102,400 of them for a 400 MB array. On this project's test machine, a virtual machine where a fault costs
/// ~11 µs, touching 400 MB of new memory page by page took 1.1–1.3 s on one thread, 0.4–0.75 s in 2 MB pages, and
/// 25–70 ms advised (<c>MADV_HUGEPAGE</c>) and populated in one call (<c>MADV_POPULATE_WRITE</c>, Linux 5.14 and later;
/// a C program, fresh processes; 12 ms to 0.6 s here, as the virtual machine's host had the memory ready or not).
/// Reading the 1,000,000 × 100 CSV file in a fresh process on two threads took 1.71–1.89 s with this and 1.92–2.55 s
/// without (four interleaved pairs). Both are hints: on other systems, older kernels, or any failure nothing happens,
/// and the pages fault in as they are written.
/// </remarks>
internal static partial class FreshPages
{
    /// <summary>Smaller arrays are left alone: they have few pages, and fewer whole 2 MB pages.</summary>
    internal const long MinBytes = 8 << 20;

    private const long HugePageBytes = 2 << 20;

    private const int AdviseHugePages = 14; // MADV_HUGEPAGE

    private const int AdvisePopulateWrite = 23; // MADV_POPULATE_WRITE

    /// <summary>Prepares the memory of <paramref name="array"/>, a new array about to be written in full, on up to <paramref name="threads"/> threads.</summary>
    public static unsafe void Prepare<T>(T[] array, int threads)
        where T : unmanaged
    {
        long bytes = (long)array.Length * sizeof(T);
        if (!OperatingSystem.IsLinux() || bytes < MinBytes)
        {
            return;
        }

        fixed (T* data = array)
        {
            // Whole 2 MB pages inside the array only: the memory around it is the garbage collector's.
            long start = ((long)data + HugePageBytes - 1) & ~(HugePageBytes - 1);
            long end = ((long)data + bytes) & ~(HugePageBytes - 1);
            try
            {
                if (end > start)
                {
                    // Populated on every thread the reader uses, a share each (the kernel zeroes the pages).
                    _ = Advise((nint)start, (nuint)(end - start), AdviseHugePages);
                    long pages = (end - start) / HugePageBytes;
                    int parts = (int)Math.Min(threads, pages);
                    Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, k =>
                    {
                        long from = start + (pages * k / parts * HugePageBytes);
                        long to = start + (pages * (k + 1) / parts * HugePageBytes);
                        _ = Advise((nint)from, (nuint)(to - from), AdvisePopulateWrite);
                    });
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // No C library to call: the pages fault in as usual.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(nint address, nuint length, int advice);
}
