using System.Globalization;
using System.Text;
using FastLogReg.Data;

namespace FastLogReg.Benchmarks;

/// <summary>Files the load benchmarks share: sparse rows written as LIBSVM text, and the yardstick of reading a file's bytes.</summary>
internal static class BenchmarkFiles
{
    /// <summary>Writes rows as LIBSVM text ("+1"/"-1", 1-based index:value pairs), atomically.</summary>
    public static void WriteLibSvm(string path, CsrMatrix<float> rows, ReadOnlySpan<float> labels)
    {
        using (var writer = new StreamWriter(path + ".partial", false, new UTF8Encoding(false), 1 << 20))
        {
            for (int i = 0; i < rows.Rows; i++)
            {
                SparseRow<float> row = rows.GetRow(i);
                writer.Write(labels[i] == 1 ? "+1" : "-1");
                for (int k = 0; k < row.Indices.Length; k++)
                {
                    writer.Write(' ');
                    writer.Write((row.Indices[k] + 1).ToString(CultureInfo.InvariantCulture));
                    writer.Write(':');
                    writer.Write(row.Values[k].ToString("R", CultureInfo.InvariantCulture));
                }

                writer.Write('\n');
            }
        }

        File.Move(path + ".partial", path, overwrite: true);
    }

    /// <summary>Reads a file's bytes once, sequentially, in 1 MB reads: the floor of any loader of it.</summary>
    public static long ReadAll(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}
