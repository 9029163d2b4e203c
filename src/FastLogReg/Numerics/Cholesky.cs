using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastLogReg.Numerics;

/// <summary>
/// The Cholesky factorization A = LLᵀ of a symmetric positive definite matrix and the solve with it, for the exact
/// Newton step (<see cref="Optimization.NewtonCholesky"/>) and coordinate descent's face solves. The core depends on
/// System.Numerics.Tensors alone, so these are textbook algorithms: up to <see cref="RightLookingLimit"/> rows the
/// right-looking (outer-product) form, whose updates are contiguous multiply-adds along the rows of the lower
/// triangle (Golub &amp; Van Loan, Algorithm 4.2.2, by rows); above it the row-oriented form (Algorithm 4.2.1) with
/// the inner products through <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>. Tested against
/// Math.NET's.
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

    /// <summary>
    /// The largest n factored right-looking. The row-oriented form's inner products are short for small n (a call, a
    /// reduction and a division in the chain of every entry): measured on AMD family 26, n = 32 took 7.5 µs against
    /// 1.9 µs right-looking, n = 100 83 against 37 µs, n = 300 0.92 against 0.84 ms; at n = 600 the right-looking form,
    /// which streams the trailing triangle once per column, is the slower (7.2 against 6.0 ms).
    /// </summary>
    public const int RightLookingLimit = 256;

    /// <summary><see cref="Factor(Span{double}, int)"/> with another smallest relative pivot.</summary>
    public static bool Factor(Span<double> matrix, int n, double relativePivot)
    {
        return n <= RightLookingLimit ? RightLooking(matrix, n, relativePivot, Vector.IsHardwareAccelerated) : RowOriented(matrix, n, relativePivot);
    }

    /// <summary>
    /// Column k at a time: L[k][k] = √A[k][k], the column below it divided by L[k][k] (times its reciprocal), then
    /// every later row's segment A[i][k+1..i] −= L[i][k]·L[k+1..i][k] — the column copied to a contiguous scratch, one
    /// fused multiply-add per entry. Each entry's updates run in k order, so the result does not depend on the vector
    /// width (the tail takes the same fused operation): <paramref name="vectors"/> false gives the same bits.
    /// </summary>
    internal static bool RightLooking(Span<double> matrix, int n, double relativePivot, bool vectors)
    {
        Span<double> column = stackalloc double[RightLookingLimit];
        Span<double> diagonal = stackalloc double[RightLookingLimit];
        ref double a0 = ref MemoryMarshal.GetReference(matrix[..(n * n)]);
        ref double c0 = ref MemoryMarshal.GetReference(column);
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = Unsafe.Add(ref a0, (i * n) + i);
        }

        for (int k = 0; k < n; k++)
        {
            ref double akk = ref Unsafe.Add(ref a0, (k * n) + k);
            double pivot = akk;
            if (!(pivot > relativePivot * diagonal[k] && pivot > 0 && double.IsFinite(pivot)))
            {
                return false;
            }

            double root = Math.Sqrt(pivot);
            akk = root;
            double inverse = 1 / root;
            for (int i = k + 1; i < n; i++)
            {
                ref double lik = ref Unsafe.Add(ref a0, (i * n) + k);
                lik *= inverse;
                Unsafe.Add(ref c0, i) = lik;
            }

            for (int i = k + 1; i < n; i++)
            {
                double f = -Unsafe.Add(ref c0, i);
                ref double row = ref Unsafe.Add(ref a0, i * n);
                int j = k + 1;
                if (vectors)
                {
                    var scale = new Vector<double>(f);
                    for (; j + Vector<double>.Count <= i + 1; j += Vector<double>.Count)
                    {
                        ref double rj = ref Unsafe.Add(ref row, j);
                        Vector.StoreUnsafe(Vector.FusedMultiplyAdd(scale, Vector.LoadUnsafe(ref Unsafe.Add(ref c0, j)), Vector.LoadUnsafe(ref rj)), ref rj);
                    }
                }

                for (; j <= i; j++)
                {
                    ref double rj = ref Unsafe.Add(ref row, j);
                    rj = Math.FusedMultiplyAdd(f, Unsafe.Add(ref c0, j), rj);
                }
            }
        }

        return true;
    }

    /// <summary>Row i at a time, each entry from the inner product of the rows before it.</summary>
    private static bool RowOriented(Span<double> matrix, int n, double relativePivot)
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
