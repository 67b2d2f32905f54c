// Package view provides the playground canvas' state and rendering without
// any browser or GPU dependency: it applies the worker's events (package wire's
// types), keeps the curves, the drawing pad, the model that classifies the pad
// and the filters, handles pointer input, and renders each panel into its own
// *image.RGBA only when that panel's data changed. The thin js&&wasm main
// uploads dirty panels to ebiten images and draws them.
package view
