package cluster

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseSpec reads good --cluster values and refuses bad ones with an
// error naming the bad part.
func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in    string
		tasks []string
		err   string // a part of the error, or "" for none
	}{
		{"worker=h1:2222,h2:2222", []string{"h1:2222", "h2:2222"}, ""},
		{" worker = 127.0.0.1:1 , [::1]:65535 ,h3:3", []string{"127.0.0.1:1", "[::1]:65535", "h3:3"}, ""},
		{"h1:2222,h2:2222", nil, "want worker=host:port"},
		{"ps=h1:2222,h2:2222", nil, `job "ps"`},
		{"worker=", nil, "0 task(s)"},
		{"worker=h1:2222", nil, "1 task(s): a cluster needs the chief (task 0) and at least one worker"},
		{"worker=h1:2222,h2", nil, `task 1: address "h2": want host:port`},
		{"worker=h1:2222,:2222", nil, `task 1: address ":2222": no host`},
		{"worker=h1:2222,h2:http", nil, `port "http" is not a number`},
		{"worker=h1:2222,h2:0", nil, `port "0"`},
		{"worker=h1:2222,h2:70000", nil, `port "70000"`},
		{"worker=h1:2222,h1:2222", nil, "tasks 0 and 1 both have address h1:2222"},
	} {
		sp, err := ParseSpec(tc.in)
		if tc.err == "" {
			if err != nil || !reflect.DeepEqual(sp.Tasks, tc.tasks) {
				t.Errorf("ParseSpec(%q) = %v, %v; want %v", tc.in, sp.Tasks, err, tc.tasks)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
			t.Errorf("ParseSpec(%q): error %v; want one quoting the value and saying %q", tc.in, err, tc.err)
		}
	}
}

// TestParseTFConfig reads TensorFlow's TF_CONFIG, with and without a
// chief job, and refuses bad ones by what is wrong.
func TestParseTFConfig(t *testing.T) {
	for _, tc := range []struct {
		in    string
		tasks []string
		task  int
		err   string
	}{
		{`{"cluster": {"worker": ["h1:2222", "h2:2222"]}, "task": {"type": "worker", "index": 1}}`, []string{"h1:2222", "h2:2222"}, 1, ""},
		{`{"cluster": {"worker": ["h1:2222", "h2:2222"]}, "task": {"type": "worker", "index": 0}}`, []string{"h1:2222", "h2:2222"}, 0, ""},
		// The chief is task 0, worker i task i+1.
		{`{"cluster": {"chief": ["c:1"], "worker": ["w0:1", "w1:1"]}, "task": {"type": "worker", "index": 1}}`, []string{"c:1", "w0:1", "w1:1"}, 2, ""},
		{`{"cluster": {"chief": ["c:1"], "worker": ["w0:1"]}, "task": {"type": "chief", "index": 0}}`, []string{"c:1", "w0:1"}, 0, ""},
		{`{"cluster": {"worker": ["h1:2222"`, nil, 0, "not valid JSON"},
		{`{"task": {"type": "worker", "index": 0}}`, nil, 0, `no "cluster"`},
		{`{"cluster": {"worker": ["h1:1", "h2:1"], "ps": ["p:1"]}, "task": {"type": "worker", "index": 0}}`, nil, 0, `job "ps" is not supported`},
		{`{"cluster": {"chief": ["c:1", "d:1"], "worker": ["w:1"]}, "task": {"type": "chief", "index": 0}}`, nil, 0, `"chief" has 2 tasks`},
		{`{"cluster": {"worker": ["h1:1", "h2"]}, "task": {"type": "worker", "index": 0}}`, nil, 0, `task 1: address "h2"`},
		{`{"cluster": {"worker": ["h1:1", "h2:1"]}}`, nil, 0, `no "task"`},
		{`{"cluster": {"worker": ["h1:1", "h2:1"]}, "task": {"type": "worker"}}`, nil, 0, `no "task" with "type" and "index"`},
		{`{"cluster": {"worker": ["h1:1", "h2:1"]}, "task": {"type": "chief", "index": 0}}`, nil, 0, `task type "chief" is not a job of the cluster`},
		{`{"cluster": {"worker": ["h1:1", "h2:1"]}, "task": {"type": "worker", "index": 2}}`, nil, 0, `task index 2: job "worker" has 2 task(s), 0..1`},
		{`{"cluster": {"worker": ["h1:1", "h2:1"]}, "task": {"type": "worker", "index": -1}}`, nil, 0, `task index -1`},
	} {
		cfg, err := ParseTFConfig(tc.in)
		if tc.err == "" {
			if err != nil || !reflect.DeepEqual(cfg.Tasks, tc.tasks) || cfg.Task != tc.task {
				t.Errorf("ParseTFConfig(%s) = %v task %d, %v; want %v task %d", tc.in, cfg.Tasks, cfg.Task, err, tc.tasks, tc.task)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "TF_CONFIG") {
			t.Errorf("ParseTFConfig(%s): error %v; want a TF_CONFIG error saying %q", tc.in, err, tc.err)
		}
	}
}

// TestResolve: the flags win over TF_CONFIG, --task needs --cluster, and a
// task outside the cluster is refused.
func TestResolve(t *testing.T) {
	env := `{"cluster": {"worker": ["e1:1", "e2:1"]}, "task": {"type": "worker", "index": 1}}`
	for _, tc := range []struct {
		name, flag string
		task       int
		taskSet    bool
		env        string
		ok         bool
		want       Config
		err        string
	}{
		{"none", "", 0, false, "", false, Config{}, ""},
		{"flags", "worker=f1:1,f2:1", 1, true, "", true, Config{Spec{[]string{"f1:1", "f2:1"}}, 1}, ""},
		{"flags default task", "worker=f1:1,f2:1", 0, false, "", true, Config{Spec{[]string{"f1:1", "f2:1"}}, 0}, ""},
		{"flags win", "worker=f1:1,f2:1", 0, true, env, true, Config{Spec{[]string{"f1:1", "f2:1"}}, 0}, ""},
		{"env", "", 0, false, env, true, Config{Spec{[]string{"e1:1", "e2:1"}}, 1}, ""},
		{"task without cluster", "", 1, true, env, false, Config{}, "--task 1 needs --cluster"},
		{"task out of range", "worker=f1:1,f2:1", 2, true, "", false, Config{}, "--task 2: the cluster has 2 tasks, 0..1"},
		{"bad env", "", 0, false, "{", false, Config{}, "TF_CONFIG: not valid JSON"},
		{"bad env, good flags", "worker=f1:1,f2:1", 0, false, "{", true, Config{Spec{[]string{"f1:1", "f2:1"}}, 0}, ""},
	} {
		cfg, ok, err := Resolve(tc.flag, tc.task, tc.taskSet, tc.env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || ok != tc.ok || !reflect.DeepEqual(cfg, tc.want) {
			t.Errorf("%s: %+v %v %v, want %+v %v", tc.name, cfg, ok, err, tc.want, tc.ok)
		}
	}
	if d := Device(3); d != "/job:worker/replica:0/task:3/device:CPU:0" {
		t.Errorf("Device(3) = %s", d)
	}
}
