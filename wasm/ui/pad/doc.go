// Package pad provides the drawing pad's model: strokes from pointer events
// (down, move, up) in pad coordinates, rasterised as a thick, smooth,
// anti-aliased pen with round caps into a CPU-side grey buffer, and the
// conversion of that drawing into a 28x28 input the way the MNIST digits were
// made: the ink's bounding box scaled to fit 20x20 keeping its aspect ratio
// (area-averaged, so the grey levels are anti-aliased) and placed in 28x28 so
// that its centre of mass is at the centre.
//
// It never reads pixels back from a GPU: the buffer is the truth, and the UI
// uploads it when Version changes.
package pad
