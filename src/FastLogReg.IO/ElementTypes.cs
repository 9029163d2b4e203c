namespace FastLogReg.IO;

/// <summary>The element types the readers produce.</summary>
internal static class ElementTypes
{
    /// <summary>Throws unless <typeparamref name="T"/> is float or double.</summary>
    public static void Require<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"FastLogReg reads float or double features, not {typeof(T).Name}.");
        }
    }
}
