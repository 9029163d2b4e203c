using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;

namespace FastLogReg.Reference;

/// <summary>
/// The textbook algorithm as plain scalar loops, kept obviously correct on purpose: the oracle that tests and
/// benchmarks compare the fused kernel against. Everything is computed in double, one row at a time:
/// <code>
/// for each row i:  zᵢ = wᵀxᵢ + b;  aᵢ = σ(zᵢ);  lossᵢ = −[yᵢ log aᵢ + (1−yᵢ) log(1−aᵢ)];  dzᵢ = aᵢ − yᵢ
///                  dw += sᵢ·dzᵢ·xᵢ;  db += sᵢ·dzᵢ;  L += sᵢ·lossᵢ
/// L /= S;  dw /= S;  db /= S;  then L += (λ/2)‖w‖²,  dw += λw
/// step:  w ← w − η·dw,  b ← b − η·db
/// </code>
/// The only departure from the page is the loss: −[y log a + (1−y) log(1−a)] is evaluated as the algebraically equal
/// (max(z,0) − y·z) + log1p(e^(−|z|)), because log(1 − σ(z)) is log(0) = −∞ in floating point once σ(z) rounds to 1.
/// </summary>
internal static class TextbookLogisticRegression
{
    /// <summary>The objective at (w, b); writes ∂f/∂w into <paramref name="gradientWeights"/> and returns ∂f/∂b.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="weights">w.</param>
    /// <param name="bias">b.</param>
    /// <param name="l2">λ.</param>
    /// <param name="gradientWeights">Receives ∂f/∂w.</param>
    /// <param name="gradientBias">Receives ∂f/∂b.</param>
    /// <returns>f(w, b) = mean loss + (λ/2)‖w‖².</returns>
    /// <remarks>Compiled fully optimized from the first call, so that as a benchmark yardstick its speed does not change
    /// with the JIT's tiering partway through a run.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double LossAndGradient<T>(DenseDataset<T> data, ReadOnlySpan<double> weights, double bias, double l2, Span<double> gradientWeights, out double gradientBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = data.Rows, d = data.Columns;
        if (weights.Length != d || gradientWeights.Length != d)
        {
            throw new ArgumentException($"weights and gradientWeights must have {d} elements.");
        }

        ReadOnlySpan<T> x = data.Features.Span;
        ReadOnlySpan<T> y = data.Labels.Span;
        ReadOnlySpan<T> s = data.SampleWeights.Span;
        gradientWeights.Clear();
        double loss = 0, db = 0;
        for (int i = 0; i < n; i++)
        {
            double z = bias;
            for (int j = 0; j < d; j++)
            {
                z += weights[j] * double.CreateTruncating(x[(i * d) + j]);
            }

            double a = StableLogistic.Sigmoid(z);
            double yi = double.CreateTruncating(y[i]);
            double si = data.HasSampleWeights ? double.CreateTruncating(s[i]) : 1.0;
            loss += si * StableLogistic.CrossEntropy(z, yi);
            double dz = a - yi;
            for (int j = 0; j < d; j++)
            {
                gradientWeights[j] += si * dz * double.CreateTruncating(x[(i * d) + j]);
            }

            db += si * dz;
        }

        double total = data.TotalWeight;
        double penalty = 0;
        for (int j = 0; j < d; j++)
        {
            gradientWeights[j] = (gradientWeights[j] / total) + (l2 * weights[j]);
            penalty += 0.5 * l2 * weights[j] * weights[j];
        }

        gradientBias = db / total;
        return (loss / total) + penalty;
    }

    /// <summary>One gradient-descent step: w ← w − η·dw, b ← b − η·db.</summary>
    /// <param name="weights">w, updated in place.</param>
    /// <param name="bias">b, updated in place.</param>
    /// <param name="gradientWeights">dw.</param>
    /// <param name="gradientBias">db.</param>
    /// <param name="learningRate">η.</param>
    public static void Step(Span<double> weights, ref double bias, ReadOnlySpan<double> gradientWeights, double gradientBias, double learningRate)
    {
        for (int j = 0; j < weights.Length; j++)
        {
            weights[j] -= learningRate * gradientWeights[j];
        }

        bias -= learningRate * gradientBias;
    }

    /// <summary>
    /// Runs <paramref name="epochs"/> epochs of textbook gradient descent from w = 0, b = 0 (or the given start).
    /// Returns the final weights and bias and the objective before each step and after the last.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="epochs">Steps to take.</param>
    /// <param name="l2">λ.</param>
    /// <param name="initialWeights">Optional start for w (default zeros).</param>
    /// <param name="initialBias">Start for b.</param>
    public static (double[] Weights, double Bias, double[] Objectives) Train<T>(DenseDataset<T> data, double learningRate, int epochs, double l2 = 0, double[]? initialWeights = null, double initialBias = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] w = initialWeights is null ? new double[data.Columns] : (double[])initialWeights.Clone();
        double b = initialBias;
        double[] dw = new double[data.Columns];
        double[] objectives = new double[epochs + 1];
        for (int epoch = 0; epoch <= epochs; epoch++)
        {
            objectives[epoch] = LossAndGradient(data, w, b, l2, dw, out double db);
            if (epoch < epochs)
            {
                Step(w, ref b, dw, db, learningRate);
            }
        }

        return (w, b, objectives);
    }
}
