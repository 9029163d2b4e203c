using System.Globalization;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// A reader's new feature array is mapped before it is filled: on Linux the memory inside it is advised to use 2 MB
/// pages and populated (<see cref="FreshPages"/>), which the kernel shows in /proc/self/smaps.
/// </summary>
public class FreshPagesTests
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
            long inside = ((long)data + (4 << 20)) & ~((2L << 20) - 1); // an address in a whole 2 MB page of the array
            (long size, long resident, string flags) = Mapping(inside);
            Assert.Contains(" hg", " " + flags); // MADV_HUGEPAGE
            Assert.True(resident >= size * 9 / 10, $"only {resident} of {size} kB mapped");
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

    /// <summary>The size and resident size (kB) and the flags of the mapping that holds <paramref name="address"/>.</summary>
    private static (long Size, long Resident, string Flags) Mapping(long address)
    {
        bool inside = false;
        long size = 0, resident = 0;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long start)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long end))
            {
                inside = start <= address && address < end;
            }
            else if (inside && line.StartsWith("Size:", StringComparison.Ordinal))
            {
                size = Kilobytes(line);
            }
            else if (inside && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                resident = Kilobytes(line);
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return (size, resident, line["VmFlags:".Length..].Trim());
            }
        }

        throw new InvalidOperationException($"no mapping holds 0x{address:x}");
    }

    private static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
