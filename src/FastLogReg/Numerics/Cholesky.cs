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
    /// <summary>The smallest pivot accepted, relative to its diagonal entry.</summary>
    public const double RelativePivot = 1e-10;

    /// <summary>
    /// Overwrites the lower triangle of <paramref name="matrix"/> (n × n, row-major; only the lower triangle is read)
    /// with L. False when a pivot is not positive and finite, or below <see cref="RelativePivot"/> times its diagonal
    /// entry (the column is a combination of the earlier ones to within 1 − r² &lt; 10⁻¹⁰): the matrix is not
    /// numerically positive definite — a pivot made of rounding error would send the solution along a (near) null
    /// direction by an arbitrary amount (a column 10⁻⁹ times another got a weight of 2.6·10⁹).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool Factor(Span<double> matrix, int n) => Factor(matrix, n, RelativePivot);

    /// <summary><see cref="Factor(Span{double}, int)"/> with another smallest relative pivot.</summary>
    public static bool Factor(Span<double> matrix, int n, double relativePivot)
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
            if (!(pivot > relativePivot * li[i] && pivot > 0 && double.IsFinite(pivot)))
            {
                return false;
            }

            li[i] = Math.Sqrt(pivot);
        }

        return true;
    }

    /// <summary>Solves LLᵀx = b in place (<paramref name="vector"/> holds b, then x) with the factor of <see cref="Factor(Span{double}, int)"/>.</summary>
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
