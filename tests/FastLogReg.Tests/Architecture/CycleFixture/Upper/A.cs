namespace FastLogReg.Tests.Architecture.CycleFixture.Upper;

/// <summary>Half of a deliberate namespace cycle: the architecture rule must report it.</summary>
public sealed class A
{
    public Lower.B? Partner { get; set; }
}
