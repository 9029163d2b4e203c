namespace FastLogReg.Tests.Cli;

/// <summary>Runs the command-line tool in this process, with its output and errors captured.</summary>
internal static class Tool
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = FastLogReg.Cli.CommandLine.Run(args, output, error, interactive: false);
        return (code, output.ToString(), error.ToString());
    }
}
