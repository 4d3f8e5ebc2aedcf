package trained

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/session"
)

// SignatureTranslate is the SavedModel signature that maps float images
// in [0, 1], [batch, 256, 256, 3], to the generator's outputs in [0, 1]
// (pix2pix export writes it; inference runs it).
const SignatureTranslate = "translate"

// SavedModel is an exported generator loaded for inference.
type SavedModel struct {
	Sess *tf.Session
	// Images and Outputs are the translate signature's tensors.
	Images, Outputs tf.Output
}

// Close releases the session.
func (m *SavedModel) Close() error { return m.Sess.Close() }

// SavedModelDir reports whether dir is (or holds, as saved_model/) an
// exported SavedModel.
func SavedModelDir(dir string) (string, bool) {
	for _, d := range []string{dir, filepath.Join(dir, "saved_model")} {
		if _, err := os.Stat(filepath.Join(d, "saved_model.pb")); err == nil {
			return d, true
		}
	}
	return "", false
}

// OpenSavedModel loads the SavedModel in dir (tag "serve") and finds its
// translate signature.
func OpenSavedModel(dir string, o session.Options) (*SavedModel, error) {
	cfg, err := o.Proto()
	if err != nil {
		return nil, err
	}
	session.TuneMemory()
	m, err := tf.LoadSavedModel(dir, []string{"serve"}, &tf.SessionOptions{Config: cfg})
	if err != nil {
		return nil, fmt.Errorf("load SavedModel %s: %w", dir, err)
	}
	sig, ok := m.Signatures[SignatureTranslate]
	if !ok {
		m.Session.Close()
		return nil, fmt.Errorf("SavedModel %s has no %q signature: export it with pix2pix export", dir, SignatureTranslate)
	}
	in, out := m.Graph.Operation(opName(sig.Inputs["images"].Name)), m.Graph.Operation(opName(sig.Outputs["outputs"].Name))
	if in == nil || out == nil {
		m.Session.Close()
		return nil, fmt.Errorf("SavedModel %s: the %s signature's tensors are missing", dir, SignatureTranslate)
	}
	return &SavedModel{Sess: m.Session, Images: in.Output(0), Outputs: out.Output(0)}, nil
}

// opName is the op of a tensor name "op:index".
func opName(tensor string) string {
	if i := strings.LastIndexByte(tensor, ':'); i >= 0 {
		return tensor[:i]
	}
	return tensor
}
