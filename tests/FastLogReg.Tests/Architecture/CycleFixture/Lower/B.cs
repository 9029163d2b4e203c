namespace FastLogReg.Tests.Architecture.CycleFixture.Lower;

/// <summary>The other half of the deliberate cycle.</summary>
public sealed class B
{
    public Upper.A? Partner { get; set; }
}
