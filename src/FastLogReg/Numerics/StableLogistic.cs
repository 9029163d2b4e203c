namespace FastLogReg.Numerics;

/// <summary>
/// Scalar, numerically stable forms of the logistic functions. With e = exp(−|z|) ∈ (0, 1]:
/// σ(z) = 1/(1+e) for z ≥ 0 and e/(1+e) for z &lt; 0; softplus(z) = log(1+eᶻ) = max(z, 0) + log1p(e);
/// the cross-entropy of label y ∈ {0, 1} at margin z is softplus(z) − y·z, evaluated as (max(z,0) − y·z) + log1p(e)
/// so that the large terms cancel exactly before the small one is added. None of these overflow or lose the tail for
/// any finite z.
/// </summary>
internal static class StableLogistic
{
    /// <summary>log(1 + x) for x ≥ 0, accurate to a few ulps even when 1 + x rounds to 1.</summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>Scores → softmax probabilities in place, stably: the largest score is subtracted before exponentiating.</summary>
    public static void Softmax(Span<double> z)
    {
        double max = z[0];
        for (int c = 1; c < z.Length; c++)
        {
            max = Math.Max(max, z[c]);
        }

        double sum = 0;
        for (int c = 0; c < z.Length; c++)
        {
            z[c] = Math.Exp(z[c] - max);
            sum += z[c];
        }

        for (int c = 0; c < z.Length; c++)
        {
            z[c] /= sum;
        }
    }

    /// <summary>σ(z) = 1 / (1 + e^(−z)).</summary>
    public static double Sigmoid(double z)
    {
        double e = Math.Exp(-Math.Abs(z));
        return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    /// <summary>Binary cross-entropy −[y log σ(z) + (1−y) log(1−σ(z))] for y ∈ {0, 1}, in the stable form.</summary>
    public static double CrossEntropy(double z, double y)
    {
        double e = Math.Exp(-Math.Abs(z));
        return (Math.Max(z, 0.0) - (y * z)) + Log1P(e);
    }
}
