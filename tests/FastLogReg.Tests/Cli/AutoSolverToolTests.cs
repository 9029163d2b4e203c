using System.Text.Json;
using Xunit;

namespace FastLogReg.Tests.Cli;

/// <summary>
/// The tool's default solver is the library's <c>Auto</c> whole — the starting choice and its hand-overs: it resolved
/// Auto to its starting solver before training, which named that solver explicitly and so switched the hand-overs off.
/// </summary>
public class AutoSolverToolTests
{
    private static string Copy(TempDirectory dir, string name) =>
        dir.Write(name, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", name)));

    private static JsonElement Train(params string[] args)
    {
        (int code, string output, string error) = Tool.Run(["train", .. args, "--json"]);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public void TenClassRawDigits_AutoHandsOverToNewtonAndConverges_LbfgsByNameDoesNot()
    {
        using var dir = new TempDirectory();
        string csv = Copy(dir, "digits.csv");
        JsonElement auto = Train("--data", csv, "--model", dir.File("auto.json"));
        Assert.Equal("trust-region Newton", auto.GetProperty("solver").GetString());
        Assert.True(auto.GetProperty("converged").GetBoolean(), auto.GetProperty("message").GetString());
        Assert.Contains("L-BFGS had not converged after 500 iterations", auto.GetProperty("message").GetString());

        JsonElement lbfgs = Train("--data", csv, "--model", dir.File("lbfgs.json"), "--solver", "lbfgs");
        Assert.Equal("L-BFGS", lbfgs.GetProperty("solver").GetString());
        Assert.False(lbfgs.GetProperty("converged").GetBoolean());
    }

    [Fact]
    public void StandardizedBreastCancerLasso_AutosOwlQnHandsOverToCoordinateDescent()
    {
        // Correlated columns at a small λ: OWL-QN needs hundreds of iterations, Auto's allowance is 30.
        using var dir = new TempDirectory();
        string csv = Copy(dir, "breast_cancer.csv");
        JsonElement auto = Train("--data", csv, "--model", dir.File("auto.json"), "--penalty", "l1", "--C", "100", "--standardize", "--test-fraction", "0");
        Assert.StartsWith("coordinate descent", auto.GetProperty("solver").GetString());
        Assert.Contains("OWL-QN had not converged", auto.GetProperty("message").GetString());
        Assert.True(auto.GetProperty("converged").GetBoolean(), auto.GetProperty("message").GetString());
    }
}
