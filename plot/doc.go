// Package plot provides a small CPU renderer of the playground's figures into
// *image.RGBA: line charts with axes, nice ticks, a legend and vertical
// markers (optionally a log scale and a second y axis), heat maps with a
// colour scale, contour maps of a sampled field (marching squares) with paths
// over them, filter grids with a diverging colour map, probability bars and
// scaled greyscale images.
//
// The same code draws the live canvas in the browser (each panel's image is
// uploaded only when its data changed), the PNGs a user downloads and the
// figures a native command writes with image/png. It is built for per-frame
// cost: drawing reuses scratch buffers and does not allocate per point.
//
// Labels are anti-aliased Go Regular (golang.org/x/image/font/gofont).
// SetScale draws for a screen of another pixel density: text, margins and
// line widths are given in layout pixels and multiplied by the scale.
//
// Non-finite values (NaN, ±Inf, and values <= 0 on a log axis) are never
// drawn: a line series is broken at them and automatic ranges ignore them.
package plot
