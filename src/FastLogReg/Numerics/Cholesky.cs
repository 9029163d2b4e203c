using System.Numerics.Tensors;

namespace FastLogReg.Numerics;

/// <summary>
/// The Cholesky factorization A = LLᵀ of a symmetric positive definite matrix and the solve with it, for the exact
/// Newton step (<see cref="Optimization.NewtonCholesky"/>). The core depends on System.Numerics.Tensors alone, so this
/// is the textbook row-oriented algorithm (Golub &amp; Van Loan, Algorithm 4.2.1) with the inner products through
/// <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>; it is tested against Math.NET's.
/// </summary>
internal static class Cholesky
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="matrix"/> (n × n, row-major; only the lower triangle is read)
    /// with L. False when a pivot is not positive and finite: the matrix is not (numerically) positive definite.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool Factor(Span<double> matrix, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Span<double> li = matrix.Slice(i * n, i + 1);
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<double> lj = matrix.Slice(j * n, j);
                li[j] = (li[j] - TensorPrimitives.Dot(li[..j], lj)) / matrix[(j * n) + j];
            }

            double pivot = li[i] - TensorPrimitives.Dot<double>(li[..i], li[..i]);
            if (!(pivot > 0 && double.IsFinite(pivot)))
            {
                return false;
            }

            li[i] = Math.Sqrt(pivot);
        }

        return true;
    }

    /// <summary>Solves LLᵀx = b in place (<paramref name="vector"/> holds b, then x) with the factor of <see cref="Factor"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Solve(ReadOnlySpan<double> factor, int n, Span<double> vector)
    {
        // L y = b, forward, by rows.
        for (int i = 0; i < n; i++)
        {
            vector[i] = (vector[i] - TensorPrimitives.Dot(factor.Slice(i * n, i), vector[..i])) / factor[(i * n) + i];
        }

        // Lᵀ x = y, backward: subtract each solved xᵢ times column i of Lᵀ (row i of L) from the earlier entries.
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = vector[i] / factor[(i * n) + i];
            vector[i] = xi;
            if (i > 0)
            {
                TensorPrimitives.MultiplyAdd(factor.Slice(i * n, i), -xi, vector[..i], vector[..i]);
            }
        }
    }
}
