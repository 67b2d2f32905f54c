package playground

import (
	"errors"

	"mnistplay/engine"
	"mnistplay/wire"
)

// errNoModel answers a classification before any run is configured.
var errNoModel = errors.New("no model yet: configure a run first")

// classifier holds the buffers of Classify, reused between requests.
type classifier struct {
	x     [wire.ImagePixels]float32 // (1, 1, 28, 28) the model's input
	probs [engine.NumClasses]float32
	act   []float32 // (C, H, W) the first layer's output
}

// Classify answers the canvas' request with the current run's model (the
// trainer's newest weights, or the configured or loaded model before the
// data is there). It runs in the worker, never on the page's thread, and
// scales the image as the run's training images are scaled.
func (s *Session) Classify(r wire.ClassifyCmd) (wire.Prediction, error) {
	if err := r.Check(); err != nil {
		return wire.Prediction{}, err
	}
	m := s.currentModel()
	if m == nil {
		return wire.Prediction{}, errNoModel
	}
	c := &s.classify
	var scale engine.InputScale // the standard scaling, before any configure
	if s.cfg != nil {
		scale = s.cfg.Input
	}
	for i, v := range r.Image {
		// To a grey level as in the training images, then scaled as they are.
		c.x[i] = scale.Pixel(uint8(v*255 + 0.5))
	}
	logits := m.Forward(c.x[:], 1, false)
	engine.Softmax(c.probs[:], logits[:engine.NumClasses])
	p := wire.Prediction{ID: r.ID, Step: s.stepNow, Probs: append([]float32(nil), c.probs[:]...)}
	for i, q := range c.probs {
		if q > c.probs[p.Digit] {
			p.Digit = i
		}
	}
	if out := m.Info()[0].Out; r.Filter >= 0 && r.Filter < out.C && out.H > 1 {
		sz := out.H * out.W
		c.act = m.Activation(0, 0, c.act) // (C, H, W) of the one image
		p.Act = append([]float32(nil), c.act[r.Filter*sz:(r.Filter+1)*sz]...)
		p.ActW = out.W
	}
	return p, nil
}
