package landscape

import (
	"gonum.org/v1/gonum/mat"
)

// PCA is the plane of the top two principal components of a weight
// trajectory, centred at the final weights (Li et al. 2018, section 7).
type PCA struct {
	Dirs      [2][]float32 // orthonormal directions (NumWeights each)
	Explained [2]float64   // fraction of the trajectory's variance along each
	Path      [][2]float64 // each snapshot's coordinates (θ_i - θ_final)·Dirs, in order
}

// TrajectoryPCA computes the top two principal components of the matrix
// whose rows are snapshots[i] - final (the trajectory centred at its end,
// not at its mean, so the plane passes through the final weights) by a thin
// SVD, and projects every snapshot on them. Signs are chosen so that the
// first snapshot has coordinates <= 0: the path arrives at the origin from
// the lower left.
//
// It needs at least two snapshots that are not all equal to final.
func TrajectoryPCA(snapshots [][]float32, final []float32) (*PCA, error) {
	k, n := len(snapshots), len(final)
	if k < 2 {
		return nil, errorf("pca", ErrNoSnapshots, "%d snapshot(s) of the weights during training; the trajectory's plane needs at least 2", k)
	}
	if n == 0 {
		return nil, errorf("pca", ErrLength, "the final weights are empty")
	}
	if !finite32(final) {
		return nil, errorf("pca", ErrNonFinite, "the final weights have a NaN or infinite value")
	}
	a := mat.NewDense(k, n, nil) // (snapshots, weights)
	moved := false
	for i, s := range snapshots {
		if len(s) != n {
			return nil, errorf("pca", ErrLength, "snapshot %d has %d values, the final weights %d", i, len(s), n)
		}
		if !finite32(s) {
			return nil, errorf("pca", ErrNonFinite, "snapshot %d has a NaN or infinite value", i)
		}
		row := a.RawRowView(i)
		for j := range row {
			row[j] = float64(s[j]) - float64(final[j])
			moved = moved || row[j] != 0
		}
	}
	if !moved {
		return nil, errorf("pca", ErrNoSnapshots, "every snapshot equals the final weights: the run did not move")
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, errorf("pca", ErrNonFinite, "the SVD of the trajectory did not converge")
	}
	sv := svd.Values(nil)
	var v mat.Dense // (weights, min(k, n))
	svd.VTo(&v)
	var total float64
	for _, s := range sv {
		total += s * s
	}
	p := &PCA{Path: make([][2]float64, k)}
	for c := 0; c < 2; c++ {
		d := make([]float32, n)
		if c < len(sv) {
			p.Explained[c] = sv[c] * sv[c] / total
			// The first snapshot's coordinate on this axis decides its sign.
			var proj float64
			for j := 0; j < n; j++ {
				proj += a.At(0, j) * v.At(j, c)
			}
			sign := 1.0
			if proj > 0 {
				sign = -1
			}
			for j := range d {
				d[j] = float32(sign * v.At(j, c))
			}
		}
		p.Dirs[c] = d
	}
	for i := 0; i < k; i++ {
		row := a.RawRowView(i)
		for c := 0; c < 2; c++ {
			var s float64
			for j, dj := range p.Dirs[c] {
				s += row[j] * float64(dj)
			}
			p.Path[i][c] = s
		}
	}
	return p, nil
}

// Grid returns n coordinates along each axis of the plane that cover the
// path with margin times its larger extent on every side. An axis along
// which the path hardly moves still covers at least a quarter of the larger
// extent, so its shape is seen.
func (p *PCA) Grid(n int, margin float64) (xs, ys []float64) {
	lo, hi := [2]float64{}, [2]float64{}
	for _, q := range p.Path {
		for c := range 2 {
			lo[c], hi[c] = min(lo[c], q[c]), max(hi[c], q[c])
		}
	}
	ext := max(hi[0]-lo[0], hi[1]-lo[1])
	var g [2][]float64
	for c := range 2 {
		pad := margin*ext + max(0, ext/4-(hi[c]-lo[c]))/2
		g[c] = Linspace(lo[c]-pad, hi[c]+pad, n)
	}
	return g[0], g[1]
}
