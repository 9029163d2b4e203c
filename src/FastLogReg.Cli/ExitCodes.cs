namespace FastLogReg.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A data or model file is malformed, missing or does not fit.</summary>
    public const int BadInput = 1;

    /// <summary>The command line itself is wrong.</summary>
    public const int BadUsage = 2;
}

/// <summary>A command-line mistake found after parsing (two options that exclude each other, say): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
