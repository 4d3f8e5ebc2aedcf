package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// deployResult is what scripts/reference/check_deploy.py measures for one
// export: per tool, the largest float difference from TensorFlow running
// the SavedModel and the largest 8-bit difference from pix2pix infer.
type deployResult struct {
	Images             int      `json:"images"`
	ONNXOps            []string `json:"onnx_ops"`
	TF2ONNXBytes       int64    `json:"tf2onnx_bytes"`
	TF2ONNXVariableOps []string `json:"tf2onnx_variable_ops"`
	ONNX               toolDiff `json:"onnx"`
	TF2ONNX            toolDiff `json:"tf2onnx"`
	OpenVINO           toolDiff `json:"openvino"`
}

type toolDiff struct {
	Raw    float64 `json:"raw"`
	Pixels int     `json:"pixels"`
}

// TestDeployToolsMatchInfer exports a default and a --separable_conv model
// with --onnx and runs them where users deploy: onnxruntime on model.onnx,
// onnxruntime on tf2onnx's conversion of the SavedModel, and OpenVINO on
// the SavedModel directory. Each must match `pix2pix infer
// --no-test-dropout` within 1/255 on every pixel, and TensorFlow's run of
// the SavedModel's serving_default within 1e-4 on the float outputs. A
// --lab_colorization model is refused with a message that names it.
func TestDeployToolsMatchInfer(t *testing.T) {
	py := os.Getenv("PIX2PIX_REF_PYTHON")
	if py == "" {
		t.Skip("PIX2PIX_REF_PYTHON is not set: run with `make test` (the deployment tools live in the reference venv)")
	}
	data := filepath.Join(t.TempDir(), "data")
	writePairs(t, data, 3, 256, 256)
	a := halves(t, data)
	args := []string{}
	exports := map[string]string{}
	for _, variant := range [][]string{nil, {"--separable_conv"}} {
		name := "default"
		if variant != nil {
			name = "separable"
		}
		model := filepath.Join(t.TempDir(), name)
		mustRun(t, small(data, model, append([]string{"--max_steps", "2", "--save_freq", "2"}, variant...)...)...)
		inf := filepath.Join(t.TempDir(), "infer-"+name)
		mustRun(t, "infer", "--model", model, "--output_dir", inf, "--keep-256", "--no-test-dropout", a)
		exp := filepath.Join(t.TempDir(), "export-"+name)
		mustRun(t, "export", "--checkpoint", model, "--output_dir", exp, "--no-test-dropout", "--onnx")
		exports[name] = exp
		args = append(args, exp+":"+inf)
	}
	results := runDeployCheck(t, py, a, args)
	for name, exp := range exports {
		r, ok := results[exp]
		if !ok {
			t.Fatalf("%s: no result from check_deploy.py", name)
		}
		t.Logf("%s: %d images; model.onnx ops %v; tf2onnx model %d bytes", name, r.Images, r.ONNXOps, r.TF2ONNXBytes)
		if len(r.TF2ONNXVariableOps) > 0 {
			t.Errorf("%s: tf2onnx left %v in the model: the variables were not frozen", name, r.TF2ONNXVariableOps)
		}
		for tool, d := range map[string]toolDiff{"onnxruntime on model.onnx": r.ONNX, "onnxruntime on tf2onnx": r.TF2ONNX, "OpenVINO fp32": r.OpenVINO} {
			t.Logf("%s: %s: raw outputs max difference %.3g, pixels %d/255", name, tool, d.Raw, d.Pixels)
			if d.Raw > 1e-4 || d.Pixels > 1 {
				t.Errorf("%s: %s differs: raw %.3g (limit 1e-4), pixels %d/255 (limit 1)", name, tool, d.Raw, d.Pixels)
			}
		}
	}

	lab := filepath.Join(t.TempDir(), "lab")
	mustRun(t, small(data, lab, "--max_steps", "1", "--lab_colorization")...)
	out, err := run(t, "export", "--checkpoint", lab, "--output_dir", filepath.Join(t.TempDir(), "export-lab"), "--onnx")
	if err == nil {
		t.Fatalf("export --onnx of a lab_colorization model succeeded:\n%s", out)
	}
	msg := err.Error() + "\n" + out
	t.Logf("lab_colorization: %s", strings.TrimSpace(msg))
	if !strings.Contains(msg, "lab_colorization") {
		t.Errorf("export --onnx of a lab_colorization model: err %v, output does not name lab_colorization:\n%s", err, out)
	}
}

func runDeployCheck(t *testing.T, py, inputs string, pairs []string) map[string]deployResult {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "reference", "check_deploy.py")
	cmd := exec.Command(py, append([]string{script, inputs, t.TempDir()}, pairs...)...)
	cmd.Env = append(os.Environ(), "TF_CPP_MIN_LOG_LEVEL=3")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check_deploy.py: %v\n%s\n%s", err, out, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	results := map[string]deployResult{}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &results); err != nil {
		t.Fatalf("check_deploy.py output: %v\n%s", err, out)
	}
	return results
}
