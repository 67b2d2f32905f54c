package wire

import "fmt"

// Message types and keys as the JavaScript objects on the channel carry
// them: {cmd:'classify', id, image, filter} and {type:'prediction', id,
// step, probs, digit, act, actW}, or {type:'predictionError', id, message}.
const (
	CmdClassify         = "classify"
	TypePrediction      = "prediction"
	TypePredictionError = "predictionError"

	KeyCmd     = "cmd"
	KeyType    = "type"
	KeyID      = "id"
	KeyImage   = "image"
	KeyFilter  = "filter"
	KeyStep    = "step"
	KeyProbs   = "probs"
	KeyDigit   = "digit"
	KeyAct     = "act"
	KeyActW    = "actW"
	KeyMessage = "message"
)

// ImagePixels is the length of a ClassifyRequest's image: 28x28.
const ImagePixels = 28 * 28

// ClassifyRequest asks the trainer for its current model's answer for one
// image, the drawing pad as the model sees it.
type ClassifyRequest struct {
	ID     int       // echoed in the answer; the canvas keeps only its newest
	Image  []float32 // (28, 28) ink from 0 to 1, MNIST-style
	Filter int       // first-layer channel whose output map to send back; -1: none
}

// Check reports a request the trainer cannot answer.
func (r ClassifyRequest) Check() error {
	if len(r.Image) != ImagePixels {
		return fmt.Errorf("classify: an image of %d values, want %d", len(r.Image), ImagePixels)
	}
	for i, v := range r.Image {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("classify: pixel %d is %v, outside 0..1", i, v)
		}
	}
	return nil
}

// Prediction answers a ClassifyRequest.
type Prediction struct {
	ID    int
	Step  int       // the training step of the weights that answered
	Probs []float32 // (10) softmax probabilities
	Digit int       // the most probable class
	// Act is the requested first-layer channel's output map, (ActW, ActW)
	// row-major; empty without a filter or for a model without conv1.
	Act  []float32
	ActW int
}

// PredictionError says why a request got no prediction (no model yet, a bad
// request); the canvas shows Message.
type PredictionError struct {
	ID      int
	Message string
}
