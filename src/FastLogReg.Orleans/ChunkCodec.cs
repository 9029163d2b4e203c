using System.Runtime.InteropServices;
using FastLogReg.Objective;

namespace FastLogReg.Orleans;

/// <summary>
/// Chunk sums as bytes — per chunk the loss sum, the residual sum, then the d gradient sums, as doubles — so that a
/// vector crosses the wire as one byte array, not an array codec's per-element headers.
/// </summary>
internal static class ChunkCodec
{
    public static byte[] Encode(IReadOnlyList<LossSums> chunks)
    {
        int d = chunks.Count == 0 ? 0 : chunks[0].Columns;
        double[] values = new double[chunks.Count * (d + 2)];
        for (int c = 0; c < chunks.Count; c++)
        {
            Span<double> slot = values.AsSpan(c * (d + 2), d + 2);
            slot[0] = chunks[c].Loss;
            slot[1] = chunks[c].Residual;
            chunks[c].Gradient.CopyTo(slot[2..]);
        }

        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    public static void Decode(byte[] bytes, IReadOnlyList<LossSums> into)
    {
        ReadOnlySpan<double> values = MemoryMarshal.Cast<byte, double>(bytes);
        int d = into.Count == 0 ? 0 : into[0].Columns;
        if (values.Length != into.Count * (d + 2))
        {
            throw new InvalidOperationException($"A shard answered {values.Length} values; {into.Count} chunks of {d} columns need {into.Count * (d + 2)}.");
        }

        for (int c = 0; c < into.Count; c++)
        {
            ReadOnlySpan<double> slot = values.Slice(c * (d + 2), d + 2);
            into[c].Loss = slot[0];
            into[c].Residual = slot[1];
            slot[2..].CopyTo(into[c].Gradient);
        }
    }

    public static byte[] Parameters(ReadOnlySpan<double> weights, double bias)
    {
        double[] point = new double[weights.Length + 1];
        weights.CopyTo(point);
        point[^1] = bias;
        return MemoryMarshal.AsBytes(point.AsSpan()).ToArray();
    }
}

/// <summary>K-class chunk sums as bytes: per chunk the loss, the K residuals, the K·d class-major gradient sums (doubles).</summary>
internal static class SoftmaxCodec
{
    public static byte[] Encode(IReadOnlyList<SoftmaxSums> chunks)
    {
        int k = chunks[0].Classes, kd = chunks[0].Gradient.Length, slot = 1 + k + kd;
        double[] values = new double[chunks.Count * slot];
        for (int c = 0; c < chunks.Count; c++)
        {
            Span<double> at = values.AsSpan(c * slot, slot);
            at[0] = chunks[c].Loss;
            chunks[c].Residuals.CopyTo(at.Slice(1, k));
            chunks[c].Gradient.CopyTo(at.Slice(1 + k, kd));
        }

        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    public static void Decode(byte[] bytes, IReadOnlyList<SoftmaxSums> into)
    {
        ReadOnlySpan<double> values = MemoryMarshal.Cast<byte, double>(bytes);
        int k = into[0].Classes, kd = into[0].Gradient.Length, slot = 1 + k + kd;
        if (values.Length != into.Count * slot)
        {
            throw new InvalidOperationException($"A shard answered {values.Length} values; {into.Count} chunks of K = {k} classes need {into.Count * slot}.");
        }

        for (int c = 0; c < into.Count; c++)
        {
            ReadOnlySpan<double> at = values.Slice(c * slot, slot);
            into[c].Loss = at[0];
            at.Slice(1, k).CopyTo(into[c].Residuals);
            at.Slice(1 + k, kd).CopyTo(into[c].Gradient);
        }
    }
}
