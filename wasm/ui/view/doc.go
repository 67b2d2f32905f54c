// Package view provides the playground canvas' state and rendering without
// any browser or GPU dependency: it applies the worker's events (package wire's
// types), keeps the curves, the drawing pad, the model that classifies the pad
// and the filters, handles pointer input, and renders each panel into its own
// *image.RGBA only when that panel's data changed. Resize lays the panels
// out for any screen width (two columns, or one on a phone) in device
// pixels. The thin js&&wasm main puts the redrawn panels on the screen.
package view
