using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>The <c>fastlogreg</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the tool; with no arguments, the main job on the bundled breast-cancer data.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>0 ok, 1 bad input (data or model files), 2 bad usage (arguments).</returns>
    public static int Main(string[] args)
    {
        JitProfile? profile = ToolJitProfile.Start(Console.Error);
        int code = CommandLine.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
        profile?.Publish();
        return code;
    }
}
