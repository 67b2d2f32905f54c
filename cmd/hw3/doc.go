// Package main provides hw3, a command that re-runs the experiments of the
// course report (../shared/reference/hw3-report.txt) natively with the
// project's engine, and writes what the report shows: per-epoch lines in its
// style, Markdown tables shaped like its Tables 1-3, CSV of every history and
// PNG figures drawn by package plot (the same code the page draws with).
//
// Subcommands:
//
//	hw3 train       one run with every option the engine has
//	hw3 sweep       batch sizes x learning rates (Task 1a, Tables 1-3)
//	hw3 optimizers  SGD, Momentum, Nesterov, Adam overlaid (Task 1b)
//	hw3 l2          L2 strengths overlaid (Task 2a)
//	hw3 kernels     CNN kernel/stride/padding variants (Task 3.2)
//	hw3 flatness    true vs shuffled labels: train/validation accuracy per
//	                epoch and the loss along theta(alpha), on the validation
//	                set and on each net's own training labels (Task 3.3)
//	hw3 schedules   a constant rate against 1/t decay (Q1.2)
//	hw3 pooling     max, average and min pooling, the ReLU after or before
//	                each (Q1.6)
//	hw3 robustness  the CNN on rotated and shifted test images, per pooling
//	                kind (Q1.5)
//	hw3 report-protocol
//	                Tasks 1a, 1b and 2a under the report's own protocol (raw
//	                pixels, one random batch per epoch, MLP 784-300-100-10)
//	                with several seeds, each report cell beside our range
//	hw3 landscape   the same two runs as flatness: the loss over 2-D planes
//	                through the final weights, with the training path
//	hw3 sharpness   the same two runs: top Hessian eigenvalues and trace
//
// Independent runs of a sweep or comparison train in parallel, one model per
// worker, runtime.NumCPU() workers by default (-workers). Bad flags print the
// engine's own message (an impossible conv shape shows the formula
// n_out = floor((n_in + 2p - k)/s) + 1) and exit with status 2; a failed run
// exits with 1.
//
// Every command writes into a temporary directory next to its -out and
// renames it over -out when done, so a failed run leaves results/ as it was.
//
// The logic lives in this package's testable files: flags.go (options and
// their validation, the -protocol preset), jobs.go (the worker pool and the
// progress bar), report.go (epoch lines, Markdown tables, CSV), figures.go
// (PNGs), commands.go (the subcommands), protocol.go and
// protocol_figures.go (the report protocol and its cells), robustness.go
// (image rotation and shifts, Q1.5) and data.go (MNIST loading).
package main
