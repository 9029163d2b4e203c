using System.CommandLine;
using FastLogReg.Cli;
using Xunit;

namespace FastLogReg.Tests.Cli;

/// <summary>
/// Every option of every command, fed values that do not parse or are out of range: the tool exits with 2 (bad usage)
/// and one error line that names the option and the value — never a stack trace.
/// </summary>
public class OptionGarbageTests
{
    private static readonly string[] Garbage = ["abc", "", "99999999999", "-5", "NaN", "1e999", "1,5", "0x10"];

    /// <summary>
    /// Options that take any text (a column name, a label value), judged against the file: a mismatch is bad input (exit
    /// 1). The cluster's address and id are judged by the cluster (ClusterCliTests).
    /// </summary>
    private static readonly HashSet<string> FreeText = ["--label", "--positive", "--cluster", "--cluster-id"];

    public static TheoryData<string, string> ValueOptions()
    {
        var data = new TheoryData<string, string>();
        RootCommand root = CommandLine.Build(new CliContext(TextWriter.Null, TextWriter.Null, interactive: false));
        foreach (Command command in root.Subcommands)
        {
            foreach (Option option in command.Options)
            {
                bool takesValue = option.ValueType != typeof(bool) && option.ValueType != typeof(FileInfo);
                if (takesValue && !FreeText.Contains(option.Name))
                {
                    data.Add(command.Name, option.Name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValueOptions))]
    public void GarbageValueIsABadUsageNamingTheOption(string command, string option)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        string model = dir.File("m.json");
        Assert.Equal(0, CliRun(["train", "--data", csv, "--model", model, "--quiet", "--test-fraction", "0"]).Code);
        string[] baseline = command switch
        {
            "train" => ["train", "--data", csv, "--model", dir.File("m2.json"), "--quiet"],
            "path" => ["path", "--data", csv],
            "cv" => ["cv", "--data", csv, "--model", dir.File("m3.json")],
            _ => [command, "--data", csv, "--model", model],
        };
        if (option == "--l1-ratio")
        {
            baseline = [.. baseline, "--penalty", "elasticnet"]; // a ratio is only accepted with the elastic net
        }

        foreach (string value in Garbage)
        {
            if (Accepts(option, value))
            {
                continue;
            }

            (int code, _, string error) = CliRun([.. baseline, option, value]);
            Assert.True(code == 2, $"{command} {option} '{value}': exit {code}, {error}");
            string first = error.Split('\n')[0];
            Assert.Contains(option, first);
            Assert.Contains($"'{value}'", first);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Theory]
    [InlineData("--label")]
    [InlineData("--positive")]
    public void FreeTextValueThatTheFileLacksIsBadInputNamingTheOption(string option)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        foreach (string value in new[] { "abc", "", "99999999999", "7" })
        {
            (int code, _, string error) = CliRun(["train", "--data", csv, "--model", dir.File("m.json"), "--quiet", option, value]);
            Assert.True(code == 1, $"{option} '{value}': exit {code}, {error}");
            Assert.Contains(option, error);
            Assert.Contains($"'{value}'", error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    /// <summary>The few garbage values that are valid for an option (a seed of −5, say).</summary>
    private static bool Accepts(string option, string value) =>
        (option, value) is ("--seed", "-5") or ("--l2" or "--C" or "--tolerance", "99999999999");

    private static (int Code, string Out, string Err) CliRun(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLine.Run(args, output, error, interactive: false);
        return (code, output.ToString(), error.ToString());
    }
}
