// Package serve is pix2pix's HTTP inference server: the translate and
// predict routes, dynamic batching of concurrent requests into generator
// runs, limits on what a client may send, Prometheus metrics, and the
// embedded drawing page. It knows nothing of TensorFlow: it drives a
// Model, which the package that owns a trained model implements (today
// pkg/infer's adapter), so the model code can move without touching the
// server.
package serve

// Model is what the server needs of a trained pix2pix generator. Decode
// and Encode are called from many goroutines at once; Generate from one.
type Model interface {
	// Info describes the model for the page and GET /v1/model.
	Info() ModelInfo
	// Decode turns PNG or JPEG bytes (already checked to be one of them,
	// within the pixel limit) into the generator's input.
	Decode(data []byte) (Input, error)
	// Generate runs the generator once on a batch and returns one output
	// per input, in order. Batch-norm statistics are each image's own, so
	// an output does not depend on its batch-mates. Dropout on gives the
	// original's test-time noise; off is deterministic.
	Generate(batch []Input, dropout bool) ([]Output, error)
	// Encode turns an output back into image bytes, at the input's size
	// unless o.Keep256.
	Encode(in Input, out Output, o EncodeOptions) ([]byte, error)
}

// Input is a decoded image, opaque to the server: what Model.Decode
// returned, handed back to Generate and Encode.
type Input any

// Output is one generator output, opaque to the server.
type Output any

// EncodeOptions choose the encoded output.
type EncodeOptions struct {
	// Keep256 leaves the output at the generator's 256x256.
	Keep256 bool
	// JPEG encodes a JPEG (quality 95) instead of a PNG.
	JPEG bool
}

// ModelInfo is what the page shows about the model.
type ModelInfo struct {
	// Path is the --model argument; Kind is "checkpoint" or "SavedModel".
	Path string `json:"path"`
	Kind string `json:"kind"`
	// WhichDirection, NGF and LabColorization come from options.json
	// (empty or zero for a SavedModel, which does not record them).
	WhichDirection  string `json:"which_direction,omitempty"`
	NGF             int    `json:"ngf,omitempty"`
	LabColorization bool   `json:"lab_colorization"`
	// DropoutChoice is false when the model fixes dropout itself (a
	// SavedModel keeps what export chose): ?dropout=1 is refused then.
	DropoutChoice bool `json:"dropout_choice"`
	// Options is the training run's options.json, as written.
	Options map[string]any `json:"options,omitempty"`
}
