package cluster

import (
	"encoding/json"
	"fmt"
	"sort"
)

// EnvVar is the environment variable TensorFlow's distributed programs
// read their cluster from.
const EnvVar = "TF_CONFIG"

// tfConfig is TensorFlow's TF_CONFIG JSON:
// {"cluster": {"worker": [...], "chief": [...]}, "task": {"type": "worker", "index": N}}.
type tfConfig struct {
	Cluster map[string][]string `json:"cluster"`
	Task    *struct {
		Type  string `json:"type"`
		Index *int   `json:"index"`
	} `json:"task"`
}

// ParseTFConfig reads TF_CONFIG. Besides job "worker" it accepts TensorFlow's
// "chief" job (one task): the chief becomes task 0 and worker i task i+1,
// which is what TensorFlow's multi-worker setups mean by a chief. Other
// jobs ("ps", "evaluator") are refused: variables live on the chief here,
// so there are no parameter servers, and there is no evaluator.
func ParseTFConfig(js string) (Config, error) {
	var tc tfConfig
	if err := json.Unmarshal([]byte(js), &tc); err != nil {
		return Config{}, fmt.Errorf("%s: not valid JSON (%v); want {\"cluster\": {\"worker\": [\"h1:2222\", \"h2:2222\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}", EnvVar, err)
	}
	if len(tc.Cluster) == 0 {
		return Config{}, fmt.Errorf("%s: no \"cluster\" (want \"cluster\": {\"worker\": [\"h1:2222\", ...]})", EnvVar)
	}
	for job := range tc.Cluster {
		if job != Job && job != "chief" {
			return Config{}, fmt.Errorf("%s: job %q is not supported: only \"chief\" and \"worker\" (variables live on the chief, so there are no parameter servers)", EnvVar, job)
		}
	}
	chief := tc.Cluster["chief"]
	if len(chief) > 1 {
		return Config{}, fmt.Errorf("%s: job \"chief\" has %d tasks %v: it has one", EnvVar, len(chief), chief)
	}
	tasks := append(append([]string{}, chief...), tc.Cluster[Job]...)
	sp, err := newSpec(tasks)
	if err != nil {
		return Config{}, fmt.Errorf("%s cluster %v: %w", EnvVar, jobs(tc.Cluster), err)
	}
	if tc.Task == nil || tc.Task.Index == nil {
		return Config{}, fmt.Errorf("%s: no \"task\" with \"type\" and \"index\" (want \"task\": {\"type\": \"worker\", \"index\": N})", EnvVar)
	}
	n, ok := len(tc.Cluster[tc.Task.Type]), tc.Task.Type == Job || tc.Task.Type == "chief"
	if !ok || n == 0 {
		return Config{}, fmt.Errorf("%s: task type %q is not a job of the cluster (%v)", EnvVar, tc.Task.Type, jobs(tc.Cluster))
	}
	i := *tc.Task.Index
	if i < 0 || i >= n {
		return Config{}, fmt.Errorf("%s: task index %d: job %q has %d task(s), 0..%d", EnvVar, i, tc.Task.Type, n, n-1)
	}
	if tc.Task.Type == Job {
		i += len(chief)
	}
	return Config{Spec: sp, Task: i}, nil
}

func jobs(c map[string][]string) string {
	names := make([]string, 0, len(c))
	for j, t := range c {
		names = append(names, fmt.Sprintf("%s: %d tasks", j, len(t)))
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}

// Resolve is the cluster a command runs in, or ok false for none. The
// flags win: --cluster (with --task, taskSet telling whether it was given)
// is used as given and TF_CONFIG (tfConfig, the variable's value) is then
// ignored, as an explicit command line should override the environment;
// without --cluster, TF_CONFIG is used if set. --task without --cluster is
// refused rather than combined with TF_CONFIG's cluster, since mixing the
// two sources is more likely a mistake than a wish.
func Resolve(flagCluster string, task int, taskSet bool, tfConfig string) (cfg Config, ok bool, err error) {
	switch {
	case flagCluster != "":
		sp, err := ParseSpec(flagCluster)
		if err != nil {
			return Config{}, false, err
		}
		cfg, err := sp.WithTask(task)
		return cfg, err == nil, err
	case taskSet:
		return Config{}, false, fmt.Errorf("--task %d needs --cluster (with %s, the task comes from %s's \"task\")", task, EnvVar, EnvVar)
	case tfConfig != "":
		cfg, err := ParseTFConfig(tfConfig)
		return cfg, err == nil, err
	}
	return Config{}, false, nil
}
