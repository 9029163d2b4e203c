namespace FastLogReg.Objective;

/// <summary>
/// A fixed aggregation tree over shards 0 … S − 1, ordered by shard index: a node holding at most <c>fanIn</c> shards
/// folds their sums in order (the first copied, each next added); a larger node cuts its shards into <c>fanIn</c>
/// contiguous groups (as even as possible, the first ones one larger), folds each group as a node, and folds the
/// groups' sums in order. The shape depends on S and the fan-in alone, so the result does not depend on which machine
/// answers first; with S ≤ fan-in it is the flat fold of the shards' sums.
/// </summary>
public static class AggregationTree
{
    /// <summary>The groups a node of <paramref name="count"/> shards from <paramref name="first"/> cuts its shards into; one group (itself) when it holds at most <paramref name="fanIn"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 1 shard, or a fan-in below 2.</exception>
    public static IReadOnlyList<(int First, int Count)> Groups(int first, int count, int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 2);
        if (count <= fanIn)
        {
            return [(first, count)];
        }

        var groups = new (int, int)[fanIn];
        for (int g = 0, at = first; g < fanIn; g++)
        {
            int size = (count / fanIn) + (g < count % fanIn ? 1 : 0);
            groups[g] = (at, size);
            at += size;
        }

        return groups;
    }

    /// <summary>Folds the shards' own sums (each its chunks folded in order) through the tree into <paramref name="sums"/> — what a cluster aggregating by this tree computes.</summary>
    /// <param name="shardSums">Every shard's sums, in shard order.</param>
    /// <param name="fanIn">Children per node, at least 2.</param>
    /// <param name="sums">Receives the total (overwritten).</param>
    public static void Fold(IReadOnlyList<LossSums> shardSums, int fanIn, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        Fold(shardSums, fanIn, sums, () => new LossSums(sums.Columns), ShardedLossSums.Fold);
    }

    /// <summary>The same tree over K-class sums.</summary>
    /// <param name="shardSums">Every shard's sums, in shard order.</param>
    /// <param name="fanIn">Children per node, at least 2.</param>
    /// <param name="sums">Receives the total (overwritten).</param>
    public static void Fold(IReadOnlyList<SoftmaxSums> shardSums, int fanIn, SoftmaxSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        Fold(shardSums, fanIn, sums, () => new SoftmaxSums(sums.Classes, sums.Columns), SoftmaxSums.Fold);
    }

    private static void Fold<TSums>(IReadOnlyList<TSums> shardSums, int fanIn, TSums sums, Func<TSums> make, Action<IEnumerable<TSums>, TSums> fold)
    {
        ArgumentNullException.ThrowIfNull(shardSums);
        Node(0, shardSums.Count, sums);

        void Node(int first, int count, TSums into)
        {
            IReadOnlyList<(int First, int Count)> groups = Groups(first, count, fanIn);
            if (groups.Count == 1)
            {
                fold(Enumerable.Range(first, count).Select(s => shardSums[s]), into);
                return;
            }

            var parts = new TSums[groups.Count];
            for (int g = 0; g < groups.Count; g++)
            {
                parts[g] = make();
                Node(groups[g].First, groups[g].Count, parts[g]);
            }

            fold(parts, into);
        }
    }
}
