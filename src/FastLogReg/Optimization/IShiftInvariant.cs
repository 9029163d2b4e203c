namespace FastLogReg.Optimization;

/// <summary>
/// A function whose data term does not change when every parameter of a group moves by the same amount — the
/// softmax's equal shifts of every class: per feature, the K weights of that column; and the K intercepts. Along such
/// a direction u (the group's members, 1/√K each) the Hessian has only the penalty's curvature (none for the
/// intercepts): it is singular there, or nearly, by construction rather than by the data. <see cref="NewtonCholesky"/>
/// solves along u by itself (<see cref="ShiftDeflation"/>) instead of shifting the whole diagonal.
/// </summary>
internal interface IShiftInvariant
{
    /// <summary>The members of every group (<see cref="ShiftGroupSize"/> of them).</summary>
    int ShiftGroupSize { get; }

    /// <summary>The groups: member m of a group is <c>First + m·Stride</c>. Empty when there are none.</summary>
    IReadOnlyList<(int First, int Stride)> ShiftGroups { get; }
}
