using System.Diagnostics;

namespace FastLogReg.Tests.Hostile;

/// <summary>The fastlogreg tool as a separate process, through a shell, for what needs one: environment variables, redirections.</summary>
internal static class ToolProcess
{
    private static string Tool => Path.Combine(AppContext.BaseDirectory, "FastLogReg.Cli.dll");

    /// <summary>
    /// Runs <c>dotnet FastLogReg.Cli.dll {arguments}{redirect}</c> in bash in <paramref name="directory"/>, with the
    /// variables of <paramref name="environment"/> set (or removed, for a null value).
    /// </summary>
    public static (int Code, string Out, string Err) Run(string directory, string arguments, string redirect = "", params (string Name, string? Value)[] environment)
    {
        var start = new ProcessStartInfo("bash", ["-c", $"dotnet '{Tool}' {arguments} {redirect}"])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FASTLOGREG_JIT_PROFILE"] = "off"; // no JIT profile left in the user's home (a test may set one)
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fastlogreg {arguments} did not finish in 2 minutes");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
