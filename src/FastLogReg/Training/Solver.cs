namespace FastLogReg.Training;

/// <summary>The optimization method. Every solver minimizes the same objective and shares the options and the report.</summary>
public enum Solver
{
    /// <summary>
    /// Limited-memory BFGS (what <see cref="Auto"/> runs on most data): two-loop recursion over the last <see cref="TrainingOptions.LbfgsHistory"/>
    /// steps and a line search satisfying the strong Wolfe conditions. Typically a few dozen passes over the data.
    /// </summary>
    Lbfgs,

    /// <summary>Fixed-step gradient descent, the textbook method: w ← w − η∇f. Needs a learning rate (default: the safe bound).</summary>
    GradientDescent,

    /// <summary>Gradient descent whose step is chosen by backtracking until the Armijo condition holds: monotone, no rate to tune.</summary>
    BacktrackingGradientDescent,

    /// <summary>Nesterov-accelerated gradient descent with a fixed step and gradient-based adaptive restart.</summary>
    Nesterov,

    /// <summary>
    /// Mini-batch stochastic gradient descent over shuffled rows (seeded), with a constant or 1/t learning-rate schedule.
    /// Converges sublinearly: good for a rough model of huge data, not for a tight optimum.
    /// </summary>
    MiniBatchSgd,

    /// <summary>
    /// Trust-region Newton with preconditioned conjugate gradients (LIBLINEAR's method): each CG step is one fused
    /// Hessian-vector pass over the data. Quadratic convergence: far fewer passes than L-BFGS on ill-conditioned data
    /// (raw, unstandardized features). Binary models keep one curvature value per row (n doubles); K-class models take
    /// each product in one pass shaped as an evaluation, without the Hessian matrix (any K·d; the probabilities at the
    /// iterate, K × n doubles, kept for its products).
    /// </summary>
    Newton,

    /// <summary>
    /// Orthant-wise L-BFGS (Andrew &amp; Gao 2007) for L1 and elastic-net penalties (<see cref="TrainingOptions.L1Ratio"/>
    /// &gt; 0): weights that belong at zero are exactly zero. Chosen automatically for an L1 penalty when the solver is
    /// left at L-BFGS; for an L2 penalty it is plain L-BFGS with a backtracking search.
    /// </summary>
    OwlQn,

    /// <summary>
    /// newGLMNET (LIBLINEAR's <c>-s 6</c>) for L1 and elastic-net penalties: coordinate descent on each Newton quadratic
    /// model, then a line search. Second-order, so it needs far fewer passes than OWL-QN on ill-conditioned data; copies
    /// the data by column (in double) and runs on one thread — so on large well-conditioned data OWL-QN (the default for
    /// L1) is much faster; use this one for raw, ill-conditioned features. One-vs-rest models: newGLMNET per class,
    /// the classes stepped in rounds. Multinomial models: proximal Newton — the coordinate descent on the model runs on the whole K-class Hessian,
    /// built in one fused pass (up to 4,097 parameters, as <see cref="NewtonCholesky"/>): on 10-class digits 3× faster
    /// than OWL-QN at C = 100 and 9× on the lasso path, slower on well-conditioned data with many classes × features.
    /// </summary>
    CoordinateDescent,

    /// <summary>
    /// The default: chosen from the penalty and the data. L-BFGS, except Newton for binary L2 training on
    /// unstandardized features whose column standard deviations span more than a factor of 10³ — <see cref="NewtonCholesky"/>
    /// up to 100 features, trust-region <see cref="Newton"/> beyond (measured: raw breast cancer, L-BFGS 10× slower to
    /// 10⁻⁸; correlated columns of scales 10⁻² … 10², exact Newton 1.3–1.4× faster than trust-region Newton up to
    /// d = 100 and both 100–400× faster than L-BFGS; well-conditioned data, L-BFGS 3–20× faster than either Newton);
    /// for K classes with an L2 (or no) penalty L-BFGS, handing over to trust-region <see cref="Newton"/> after 500
    /// iterations (at a path point after 100, Newton then fitting the rest of the path);
    /// <see cref="DualCoordinateDescent"/> for binary L2 training (λ &gt; 0) on sparse rows of at least 65,536 columns and
    /// more columns than rows (text: 2.2–4.5× faster than trust-region Newton to 10⁻⁶, measured); and <see cref="OwlQn"/> for an L1 or elastic-net penalty — on
    /// a multinomial model handing over to proximal Newton (<see cref="CoordinateDescent"/>) after (K + 1)(d + 1) iterations
    /// (a fifth of that at each point of a path, and then for the rest of it) when its Hessian fits. The check costs one pass over the data (the column moments),
    /// and only when Newton is possible. The report names the solver that ran.
    /// </summary>
    Auto,

    /// <summary>
    /// Exact Newton (scikit-learn's <c>newton-cholesky</c>): each iteration builds the whole Hessian X̂ᵀCX̂ in one
    /// blocked pass over the data (O(n·d²/2) multiply-adds, split among the threads by rows of the matrix, bit-identical
    /// for any thread count), solves for the Newton step by Cholesky and takes it with a backtracking line search.
    /// A handful of iterations whatever the conditioning: on ill-conditioned data the fastest solver for few features
    /// (measured up to 500), on well-conditioned data slower than L-BFGS (its pass costs about 0.2·d + 10 gradient
    /// passes). Binary and K-class models (the K-class matrix has K(K + 1)/2 blocks: for small K·d), L2 or no penalty, at
    /// most 4,097 parameters.
    /// </summary>
    NewtonCholesky,

    /// <summary>
    /// Dual coordinate descent (LIBLINEAR's <c>-s 7</c>, Yu, Huang &amp; Lin 2011) for binary L2 training (λ &gt; 0): one
    /// row at a time, each dual variable solved exactly and w updated along that row — a gather and a scatter over the
    /// row's non-zeros. The unpenalized intercept is kept by the method of multipliers on the dual's constraint. Fastest
    /// on wide sparse data (text): on the synthetic text shapes it reaches 10⁻⁶ of the optimum in a dozen sweeps (see
    /// docs/performance.md). The sweeps run on one thread (the objective, evaluated after each for the stopping rules,
    /// on all), so the result is the same for any thread count; the row order is drawn from <see cref="TrainingOptions.Seed"/>.
    /// Standardized fits need an intercept (the centring goes into it).
    /// </summary>
    DualCoordinateDescent,
}
