// Package landscape looks at the loss of a trained model around its final
// weights beyond the report's one line theta(alpha): the loss over a 2-D
// plane of weight space, the training path projected on it, and the
// sharpness of the minimum as Hessian eigenvalues. It knows no browser; it
// builds on package engine (flat weight vectors in Model.Weights order,
// SetWeights, Forward/Backward) and gonum.
//
// # Pieces
//
//   - objective.go: Objective, the mean cross-entropy of a model on a
//     dataset (pixels scaled as its run's, NewObjectiveInput) as a function
//     of the flat weights, and its gradient, in batches of 256 weighted
//     into one mean; the loss through engine.Evaluator, the engine's own
//     evaluation.
//   - directions.go: FilterNormalized, the random directions of Li et al.
//     2018 (every filter scaled to the norm of the weights' filter, biases
//     left at 0), and Plane, theta(x, y) = Origin + x·D1 + y·D2.
//   - pca.go: TrajectoryPCA, the top two principal components of weight
//     snapshots centred at the final weights (gonum's thin SVD), the
//     explained variance of each and the path's coordinates on them;
//     PCA.Grid, the grid around the path.
//   - surface.go: Surface, the loss on a grid of a plane, one point per
//     Next call.
//   - hessian.go: Operator and Hessian, the Hessian-vector product by a
//     central difference of two gradients.
//   - lanczos.go: Lanczos, the top eigenvalues of an Operator, one
//     operator application per Step, with full re-orthogonalisation; the
//     tridiagonal eigenproblem is solved by gonum's mat.EigenSym, and each
//     Ritz value comes with a residual bound.
//   - hutchinson.go: Hutchinson, the trace estimate mean(z·Hz) over random
//     ±1 vectors, one sample per Step.
//
// # Driving it
//
// Everything long is a stepper: Surface.Next computes one grid point,
// Lanczos.Step and Hutchinson.Step one Hessian-vector product. A caller
// that must return to an event loop (a Web Worker) calls one step per turn
// and shows the partial result (Surface.Loss holds NaN for points not yet
// computed, Lanczos.Ritz works after any step); cancelling is not calling
// again. A caller that cannot afford even one pass over the dataset per
// turn sets Objective.Yield, called after every batch, and runs the loops
// as a coroutine (iter.Pull), as the playground's worker does; Yield
// returning false stops the pass with ErrCancelled. Nothing here starts a
// goroutine. An Objective sets its model's
// weights on every call, so one model serves one goroutine; after the
// first call no step allocates.
//
// # Errors
//
// Wrong input (no snapshots, an empty grid or one of more than MaxPoints
// points, vectors of the wrong length, NaN weights) is an *Error whose
// Cause is one of the Err... sentinels (errors.Is) and whose message says
// what was wrong. A grid point whose loss is NaN or infinite (the weights
// there overflow) is a *PointError: the point is recorded as NaN and the
// next Next goes on. A Hessian-vector product through a non-finite
// gradient is an *Error rather than NaN eigenvalues.
package landscape
