using System.Buffers;

namespace FastLogReg.IO;

/// <summary>Opening text files strictly, and finding where a file that failed to parse went wrong.</summary>
internal static class TextChecks
{
    /// <summary>
    /// What a line with U+FFFD means: .NET's UTF-8 decoder puts that character where bytes are not valid UTF-8, so a file
    /// in Latin-1 or Windows-1252 shows it (a UTF-8 file may hold U+FFFD itself, but data files do not).
    /// </summary>
    public const string NotUtf8 = "the line holds bytes that are not valid UTF-8 (text in Latin-1 or Windows-1252?): save the file as UTF-8.";

    /// <summary>The 1-based line where a quoted field opens that is never closed, or 0 (quotes as RFC 4180 reads them).</summary>
    public static long UnclosedQuoteLine(string path)
    {
        using FileStream file = File.OpenRead(path);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long line = 1, opened = 0;
            bool inQuotes = false;
            bool justClosed = false;
            bool fieldStart = true;
            int read;
            while ((read = file.Read(buffer, 0, 1 << 16)) > 0)
            {
                for (int k = 0; k < read; k++)
                {
                    byte b = buffer[k];
                    if (b == (byte)'"')
                    {
                        if (inQuotes)
                        {
                            (inQuotes, justClosed) = (false, true);
                        }
                        else if (justClosed)
                        {
                            (inQuotes, justClosed) = (true, false); // a doubled quote inside a quoted field
                        }
                        else if (fieldStart)
                        {
                            inQuotes = true;
                            opened = line;
                        }
                    }
                    else
                    {
                        justClosed = false;
                    }

                    if (b == (byte)'\n')
                    {
                        line++;
                    }

                    fieldStart = !inQuotes && (b is (byte)',' or (byte)';' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)' ');
                }
            }

            return inQuotes ? opened : 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
