using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;

namespace FastLogReg.Reference;

/// <summary>
/// The K-class objective as plain scalar loops, the oracle for the fused multinomial and one-vs-rest kernels:
/// <code>
/// for each row i:  zᵢₖ = wₖᵀxᵢ + bₖ;  multinomial: pᵢ = softmax(zᵢ), ℓᵢ = −log pᵢ,yᵢ;  one-vs-rest: ℓᵢ = Σₖ BCE(zᵢₖ, [yᵢ = k])
///                  Gₖ += sᵢ·(pᵢₖ − [yᵢ = k])·xᵢ;  gbₖ += sᵢ·(pᵢₖ − [yᵢ = k]);  L += sᵢ·ℓᵢ
/// L /= S;  G /= S;  gb /= S;  then L += (λ/2)‖W‖²,  G += λW
/// </code>
/// </summary>
internal static class TextbookSoftmax
{
    /// <summary>The objective at (W, b); writes ∂f/∂W (K × d) and ∂f/∂b (K).</summary>
    public static double LossAndGradient<T>(Dataset<T> data, ReadOnlySpan<double> w, ReadOnlySpan<double> b, double l2, bool oneVsRest, Span<double> gradientW, Span<double> gradientB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = data.Rows, d = data.Columns, k = b.Length;
        gradientW.Clear();
        gradientB.Clear();
        double[] x = new double[d];
        double[] z = new double[k];
        double loss = 0, total = 0;
        for (int i = 0; i < n; i++)
        {
            Row(data, i, x);
            int y = int.CreateTruncating(data.Labels.Span[i]);
            double s = data.HasSampleWeights ? double.CreateTruncating(data.SampleWeights.Span[i]) : 1.0;
            for (int c = 0; c < k; c++)
            {
                z[c] = b[c];
                for (int j = 0; j < d; j++)
                {
                    z[c] += w[(c * d) + j] * x[j];
                }
            }

            double[] residual = new double[k];
            if (oneVsRest)
            {
                for (int c = 0; c < k; c++)
                {
                    double t = c == y ? 1 : 0;
                    loss += s * StableLogistic.CrossEntropy(z[c], t);
                    residual[c] = StableLogistic.Sigmoid(z[c]) - t;
                }
            }
            else
            {
                double max = z.Max();
                double sum = z.Sum(v => Math.Exp(v - max));
                loss += s * (max + Math.Log(sum) - z[y]);
                for (int c = 0; c < k; c++)
                {
                    residual[c] = (Math.Exp(z[c] - max) / sum) - (c == y ? 1 : 0);
                }
            }

            for (int c = 0; c < k; c++)
            {
                gradientB[c] += s * residual[c];
                for (int j = 0; j < d; j++)
                {
                    gradientW[(c * d) + j] += s * residual[c] * x[j];
                }
            }

            total += s;
        }

        double penalty = 0;
        for (int c = 0; c < k * d; c++)
        {
            gradientW[c] = (gradientW[c] / total) + (l2 * w[c]);
            penalty += 0.5 * l2 * w[c] * w[c];
        }

        for (int c = 0; c < k; c++)
        {
            gradientB[c] /= total;
        }

        return (loss / total) + penalty;
    }

    private static void Row<T>(Dataset<T> data, int i, double[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Array.Clear(x);
        if (data is DenseDataset<T> dense)
        {
            ReadOnlySpan<T> row = dense.GetRow(i);
            for (int j = 0; j < x.Length; j++)
            {
                x[j] = double.CreateTruncating(row[j]);
            }
        }
        else
        {
            SparseRow<T> row = ((SparseDataset<T>)data).Matrix.GetRow(i);
            for (int m = 0; m < row.Indices.Length; m++)
            {
                x[row.Indices[m]] = double.CreateTruncating(row.Values[m]);
            }
        }
    }
}
