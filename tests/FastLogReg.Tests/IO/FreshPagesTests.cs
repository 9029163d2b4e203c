using System.Globalization;
using System.Runtime.InteropServices;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// A reader's new feature array is mapped before it is filled: on Linux the memory inside it is advised to use 2 MB
/// pages and populated (<see cref="FreshPages"/>), which the kernel shows in /proc/self/smaps and mincore(2).
/// </summary>
public partial class FreshPagesTests
{
    [Fact]
    public unsafe void ALargeArrayIsAdvisedHugePagesAndMappedBeforeItIsWritten()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the hint is Linux only; elsewhere Prepare does nothing
        }

        float[] array = GC.AllocateUninitializedArray<float>(24 << 20); // 96 MB
        FreshPages.Prepare(array, threads: 2);

        fixed (float* data = array)
        {
            // The whole 2 MB pages inside the array: advised (their mapping is flagged) and every page mapped.
            long start = ((long)data + (2L << 20) - 1) & ~((2L << 20) - 1);
            long end = ((long)data + ((long)array.Length * sizeof(float))) & ~((2L << 20) - 1);
            Assert.Contains(" hg", " " + Flags(start)); // MADV_HUGEPAGE
            byte[] resident = new byte[(end - start) / Environment.SystemPageSize];
            Assert.Equal(0, Resident((nint)start, (nuint)(end - start), resident));
            int mapped = resident.Count(b => (b & 1) != 0);
            Assert.True(mapped == resident.Length, $"only {mapped} of {resident.Length} pages mapped");
        }

        array.AsSpan().Fill(1.5f);
        Assert.Equal(24 << 20, array.AsSpan().Count(1.5f));
    }

    [Fact]
    public void SmallArraysAreLeftAlone()
    {
        float[] small = new float[1000];
        FreshPages.Prepare(small, threads: 2);
        FreshPages.Prepare(Array.Empty<double>(), threads: 2);
        Assert.All(small, v => Assert.Equal(0f, v));
    }

    /// <summary>The flags (VmFlags in /proc/self/smaps) of the mapping that holds <paramref name="address"/>.</summary>
    private static string Flags(long address)
    {
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long start)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long end))
            {
                inside = start <= address && address < end;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Trim();
            }
        }

        throw new InvalidOperationException($"no mapping holds 0x{address:x}");
    }

    /// <summary>mincore(2): a byte per page of [address, address + length), bit 0 set where the page is mapped in memory.</summary>
    [LibraryImport("libc", EntryPoint = "mincore")]
    private static partial int Resident(nint address, nuint length, [Out] byte[] pages);
}
