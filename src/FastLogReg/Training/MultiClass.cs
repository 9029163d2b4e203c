namespace FastLogReg.Training;

/// <summary>How a model of K classes is trained.</summary>
public enum MultiClass
{
    /// <summary>Binary logistic regression for two classes, multinomial for more.</summary>
    Auto,

    /// <summary>Softmax (multinomial) regression: P(y = k | x) = softmax(Wx + b)ₖ, one cross-entropy over all classes.</summary>
    Multinomial,

    /// <summary>One-vs-rest: K binary models "class k or not", trained together in one pass over the data per evaluation.</summary>
    OneVsRest,
}
