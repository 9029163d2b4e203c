namespace FastLogReg.Optimization;

/// <summary>A user's function with its evaluations counted (the work the progress reports show for it).</summary>
internal sealed class CountingFunction(IDifferentiableFunction inner) : IDifferentiableFunction
{
    public int Dimension => inner.Dimension;

    public long Evaluations { get; private set; }

    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        Evaluations++;
        return inner.Evaluate(point, gradient);
    }

    /// <summary>Checks a starting point against a function, naming what is wrong.</summary>
    public static void CheckStart(IDifferentiableFunction function, ReadOnlySpan<double> start)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (start.Length != function.Dimension)
        {
            throw new ArgumentException($"The start has {start.Length} values but the function has dimension {function.Dimension}.", nameof(start));
        }

        for (int i = 0; i < start.Length; i++)
        {
            if (!double.IsFinite(start[i]))
            {
                throw new ArgumentException($"Start value {i} is {start[i]}: it must be finite.", nameof(start));
            }
        }
    }
}

/// <summary>A user's twice-differentiable function with its evaluations counted; every member forwarded.</summary>
internal sealed class CountingTwiceDifferentiable(ITwiceDifferentiableFunction inner) : ITwiceDifferentiableFunction
{
    public int Dimension => inner.Dimension;

    public long Evaluations { get; private set; }

    /// <summary>The user's function.</summary>
    public ITwiceDifferentiableFunction Inner => inner;

    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        Evaluations++;
        return inner.Evaluate(point, gradient);
    }

    public void HessianVector(ReadOnlySpan<double> direction, Span<double> product) => inner.HessianVector(direction, product);

    public bool TryGetHessianDiagonal(Span<double> diagonal) => inner.TryGetHessianDiagonal(diagonal);

    public bool TryGetPreconditioner(Span<double> preconditioner) => inner.TryGetPreconditioner(preconditioner);

    public bool TryGetHessian(Span<double> hessian) => inner.TryGetHessian(hessian);
}
