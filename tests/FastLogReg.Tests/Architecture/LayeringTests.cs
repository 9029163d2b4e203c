using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Xunit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace FastLogReg.Tests.Architecture;

/// <summary>
/// The layers of the core and how data flows through them: data → kernels → chunk sums → objective → solver → model →
/// training. Namespaces are the layers; no two of them may depend on each other in a cycle, and the named directions
/// hold. The rules are also run on a deliberate cycle, to show that they can fail.
/// </summary>
public class LayeringTests
{
    private static readonly ArchUnitNET.Domain.Architecture Core = new ArchLoader()
        .LoadAssemblies(typeof(Training.LogisticRegression).Assembly, typeof(FastLogReg.IO.ModelFile).Assembly)
        .Build();

    private static readonly ArchUnitNET.Domain.Architecture WithCycle = new ArchLoader()
        .LoadAssemblies(typeof(CycleFixture.Upper.A).Assembly)
        .Build();

    private static IArchRule NoNamespaceCycles(string root) =>
        ArchUnitNET.Fluent.Slices.SliceRuleDefinition.Slices().Matching(root + ".(*)").Should().BeFreeOfCycles();

    [Fact]
    public void NamespacesOfTheCoreAndItsReadersFormNoCycle() => NoNamespaceCycles("FastLogReg").Check(Core);

    [Fact]
    public void TheCycleRuleCatchesACycle() =>
        Assert.False(NoNamespaceCycles("FastLogReg.Tests.Architecture.CycleFixture").HasNoViolations(WithCycle));

    [Theory]
    [InlineData("FastLogReg.Optimization", "FastLogReg.Training")]
    [InlineData("FastLogReg.Optimization", "FastLogReg.Models")]
    [InlineData("FastLogReg.Optimization", "FastLogReg.Data")]
    [InlineData("FastLogReg.Models", "FastLogReg.Training")]
    [InlineData("FastLogReg.Models", "FastLogReg.Optimization")]
    [InlineData("FastLogReg.Objective", "FastLogReg.Training")]
    [InlineData("FastLogReg.Objective", "FastLogReg.Models")]
    [InlineData("FastLogReg.Kernels", "FastLogReg.Objective")]
    [InlineData("FastLogReg.Kernels", "FastLogReg.Training")]
    [InlineData("FastLogReg.Data", "FastLogReg.Kernels")]
    [InlineData("FastLogReg.Data", "FastLogReg.Objective")]
    [InlineData("FastLogReg.Numerics", "FastLogReg.Data")]
    [InlineData("FastLogReg.Parallelism", "FastLogReg.Data")]
    public void LowerLayersDoNotDependOnHigherOnes(string lower, string higher) =>
        Types().That().ResideInNamespace(lower)
            .Should().NotDependOnAny(Types().That().ResideInNamespace(higher))
            .Check(Core);

    [Fact]
    public void TheCoreDoesNotDependOnItsReaders() =>
        Types().That().ResideInAssembly(typeof(Training.LogisticRegression).Assembly)
            .Should().NotDependOnAny(Types().That().ResideInNamespace("FastLogReg.IO"))
            .Check(Core);
}
