// Package plot provides a small CPU renderer of the playground's figures into
// *image.RGBA: line charts with axes, nice ticks, a legend and vertical
// markers (optionally a log scale and a second y axis), heat maps with a
// colour scale, contour maps of a sampled field (marching squares) with paths
// over them, filter grids with a diverging colour map, probability bars and
// scaled greyscale images.
//
// The same code draws the live canvas in the browser (the image is uploaded
// with ebiten's WritePixels only when its data changed), the PNGs a user
// downloads and the figures a native command writes with image/png. It is
// built for per-frame cost: drawing reuses scratch buffers and does not
// allocate per point.
//
// Non-finite values (NaN, ±Inf, and values <= 0 on a log axis) are never
// drawn: a line series is broken at them and automatic ranges ignore them.
package plot
