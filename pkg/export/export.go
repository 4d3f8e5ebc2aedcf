// Package export writes a trained generator in forms other programs load:
// the original's export (export.meta plus the export checkpoint, for
// tf.compat.v1.train.import_meta_graph) and a SavedModel (for
// tf.saved_model.load, graft's LoadSavedModel or TensorFlow Serving).
package export

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"github.com/wamuir/graft/tensorflow/op"
	"google.golang.org/protobuf/proto"

	"pix2pix/graphs/pix2pix"
	"pix2pix/graphs/serving"
	"pix2pix/pkg/checkpoint"
	"pix2pix/pkg/fsutil"
	"pix2pix/pkg/session"
	"pix2pix/pkg/trained"
)

// Options of an export.
type Options struct {
	// Checkpoint is the training output directory to export from.
	Checkpoint string
	// Setup, if set, is the setup of a Checkpoint without options.json
	// (see trained.OpenCheckpointSetup).
	Setup     string
	OutputDir string
	// JPEG makes the original-format export encode JPEG (quality 80).
	JPEG bool
	// Dropout stays in the exported generator (the original's export
	// keeps it); off gives deterministic outputs.
	Dropout bool
	// TestBN is batch norm's statistics (--test-bn; "" is batch).
	TestBN string
}

// modelConfig reads the exported model's checkpoint and options.
func modelConfig(dir, setup string, dropout bool, testBN string) (*trained.Checkpoint, pix2pix.Config, error) {
	ck, err := trained.OpenCheckpointSetup(dir, setup)
	if err != nil {
		return nil, pix2pix.Config{}, err
	}
	if ck.Options.LabColorization {
		return nil, pix2pix.Config{}, fmt.Errorf("export not supported for lab_colorization (%s)", dir)
	}
	cfg, err := ck.WithTestBN(ck.Config, testBN)
	if err != nil {
		return nil, pix2pix.Config{}, err
	}
	cfg.Dropout = dropout
	return ck, cfg, nil
}

func name(o tf.Output) string { return fmt.Sprintf("%s:%d", o.Op.Name(), o.Index) }

func writeProto(path string, m proto.Message) error {
	data, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteOriginal writes OutputDir/export.meta and the export checkpoint
// (plus its state file), as the original's export mode.
func WriteOriginal(o Options) error {
	ck, cfg, err := modelConfig(o.Checkpoint, o.Setup, o.Dropout, o.TestBN)
	if err != nil {
		return err
	}
	var e *serving.Original
	v, err := ck.LoadGenerator("export", func(s *op.Scope) (*pix2pix.Generator, error) {
		var err error
		if e, err = serving.BuildOriginal(s, cfg, o.JPEG); err != nil {
			return nil, err
		}
		return e.Gen, nil
	}, session.Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	g, sv := v.Graph, v.Saver
	if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
		return err
	}
	gd, err := session.GraphDef(g)
	if err != nil {
		return err
	}
	ins, _ := json.Marshal(map[string]string{"key": name(e.Key), "input": name(e.Input)})
	outs, _ := json.Marshal(map[string]string{"key": name(e.KeyOut), "output": name(e.Output)})
	bytesList := func(b []byte) *cpb.CollectionDef {
		return &cpb.CollectionDef{Kind: &cpb.CollectionDef_BytesList_{BytesList: &cpb.CollectionDef_BytesList{Value: [][]byte{b}}}}
	}
	meta := &cpb.MetaGraphDef{
		MetaInfoDef:   &cpb.MetaGraphDef_MetaInfoDef{TensorflowVersion: session.TFVersion()},
		GraphDef:      gd,
		SaverDef:      sv.Def(1),
		CollectionDef: map[string]*cpb.CollectionDef{"inputs": bytesList(ins), "outputs": bytesList(outs)},
	}
	if _, err := checkpoint.Write(v, o.OutputDir, "export"); err != nil {
		return err
	}
	if err := writeProto(filepath.Join(o.OutputDir, "export.meta"), meta); err != nil {
		return err
	}
	return checkpoint.WriteState(o.OutputDir, checkpoint.State{ModelCheckpointPath: "export", AllModelCheckpointPaths: []string{"export"}})
}

// Signature names of the SavedModel. serving_default is the one
// converters and servers take when none is named (OpenVINO reads no
// other), so it is the deterministic one.
const (
	// SignatureDeterministic: float images [batch, 256, 256, 3] in [0, 1]
	// -> outputs, dropout off.
	SignatureDeterministic = "serving_default"
	// SignatureTensors: the same with dropout as exported (on unless
	// --no-test-dropout, as the original's test mode).
	SignatureTensors = trained.SignatureTranslate
	// SignatureBytes: PNG or JPEG bytes in, PNG bytes out, dropout as
	// exported.
	SignatureBytes = "translate_image"
)

// WriteSavedModel writes OutputDir/saved_model: saved_model.pb (tag
// "serve") and variables/. The directory appears only when complete.
func WriteSavedModel(o Options) (string, error) {
	v, vars, err := loadServing(o)
	if err != nil {
		return "", err
	}
	defer vars.Close()
	g, sv := vars.Graph, vars.Saver
	final := filepath.Join(o.OutputDir, "saved_model")
	if err := os.MkdirAll(o.OutputDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(o.OutputDir, ".saved_model_tmp_")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "variables"), 0o755); err != nil {
		return "", err
	}
	if _, err := checkpoint.Write(vars, filepath.Join(tmp, "variables"), "variables"); err != nil {
		return "", err
	}
	meta, err := servingMeta(g, v, sv)
	if err != nil {
		return "", err
	}
	sm := &cpb.SavedModel{SavedModelSchemaVersion: 1, MetaGraphs: []*cpb.MetaGraphDef{meta}}
	if err := writeProto(filepath.Join(tmp, "saved_model.pb"), sm); err != nil {
		return "", err
	}
	if err := publish(tmp, final); err != nil {
		return "", err
	}
	return final, nil
}

// servingMeta is the SavedModel's meta graph: the graph with its string
// constants and variable collections as TensorFlow writes them (see
// loadable.go), the saver, and the three signatures.
func servingMeta(g *tf.Graph, v *serving.Serving, sv *pix2pix.Saver) (*cpb.MetaGraphDef, error) {
	gd, err := session.GraphDef(g)
	if err != nil {
		return nil, err
	}
	if err := unpackStringConsts(gd); err != nil {
		return nil, err
	}
	cols, err := trained.VariableCollections(v.Gen.Vars.All(), sv)
	if err != nil {
		return nil, err
	}
	side := v.Images.Shape().Size(1)
	info := func(o tf.Output, dt tf.DataType, dims ...int64) *cpb.TensorInfo {
		return &cpb.TensorInfo{Encoding: &cpb.TensorInfo_Name{Name: name(o)}, Dtype: dataType(dt), TensorShape: shape(dims)}
	}
	tensors := func(in, out tf.Output) *cpb.SignatureDef {
		return &cpb.SignatureDef{
			Inputs:     map[string]*cpb.TensorInfo{"images": info(in, tf.Float, -1, side, side, 3)},
			Outputs:    map[string]*cpb.TensorInfo{"outputs": info(out, tf.Float, -1, side, side, 3)},
			MethodName: "tensorflow/serving/predict",
		}
	}
	return &cpb.MetaGraphDef{
		MetaInfoDef:   &cpb.MetaGraphDef_MetaInfoDef{TensorflowVersion: session.TFVersion(), Tags: []string{"serve"}},
		GraphDef:      gd,
		SaverDef:      sv.Def(1),
		CollectionDef: cols,
		SignatureDef: map[string]*cpb.SignatureDef{
			SignatureDeterministic: tensors(v.DetImages, v.DetOutputs),
			SignatureTensors:       tensors(v.Images, v.Outputs),
			SignatureBytes: {
				Inputs:     map[string]*cpb.TensorInfo{"image": info(v.Image, tf.String)},
				Outputs:    map[string]*cpb.TensorInfo{"image": info(v.Translated, tf.String)},
				MethodName: "tensorflow/serving/predict",
			},
		},
	}, nil
}

// loadServing builds the SavedModel graph and restores its generator from
// the checkpoint.
func loadServing(o Options) (*serving.Serving, *trained.Generator, error) {
	ck, cfg, err := modelConfig(o.Checkpoint, o.Setup, o.Dropout, o.TestBN)
	if err != nil {
		return nil, nil, err
	}
	var v *serving.Serving
	vars, err := ck.LoadGenerator("serving", func(s *op.Scope) (*pix2pix.Generator, error) {
		var err error
		if v, err = serving.BuildServing(s, cfg); err != nil {
			return nil, err
		}
		return v.Gen, nil
	}, session.Options{})
	return v, vars, err
}

// publish replaces final with the complete directory tmp.
func publish(tmp, final string) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.RemoveAll(final); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}
