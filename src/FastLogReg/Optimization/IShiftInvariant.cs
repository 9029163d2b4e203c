namespace FastLogReg.Optimization;

/// <summary>
/// A function whose data term does not change when every parameter of a group moves by the same amount — the
/// softmax's equal shifts of every class: per feature, the K weights of that column; and the K intercepts. Along such
/// a direction u (the group's members, 1/√K each) only the penalty changes f: (μ/2)·‖w‖² restricted to the group, μ
/// the penalty's L2 strength (none for the intercepts) — the Hessian is singular there, or nearly, by construction
/// rather than by the data, and f is smallest along u where the group's mean is 0 (for μ &gt; 0).
/// <see cref="NewtonCholesky"/> solves along u by itself (<see cref="ShiftDeflation"/>) instead of shifting the whole
/// diagonal.
/// </summary>
internal interface IShiftInvariant
{
    /// <summary>The members of every group (<see cref="ShiftGroupSize"/> of them).</summary>
    int ShiftGroupSize { get; }

    /// <summary>The groups: member m of a group is <c>First + m·Stride</c>. Empty when there are none.</summary>
    IReadOnlyList<(int First, int Stride)> ShiftGroups { get; }

    /// <summary>μ, f's curvature along group <paramref name="group"/>'s direction: the penalty's L2 strength, or 0.</summary>
    double ShiftCurvature(int group);
}
