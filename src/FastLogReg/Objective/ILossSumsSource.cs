namespace FastLogReg.Objective;

/// <summary>
/// Rows that can report their <see cref="LossSums"/> at raw-feature parameters (w, b): a local data set (its chunks run
/// on this machine's cores), or a cluster of shards. <see cref="RegularizedObjective"/> needs nothing else.
/// </summary>
public interface ILossSumsSource
{
    /// <summary>d, the number of features.</summary>
    int Columns { get; }

    /// <summary>S = Σᵢ sᵢ over all the rows (sample weight × class weight), by which the objective normalizes.</summary>
    double TotalWeight { get; }

    /// <summary>Writes the sums over all the rows at (<paramref name="weights"/>, <paramref name="bias"/>) into <paramref name="sums"/>.</summary>
    /// <param name="weights">w on raw features, d values.</param>
    /// <param name="bias">b on raw features.</param>
    /// <param name="sums">Receives the sums (overwritten).</param>
    void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums);
}
