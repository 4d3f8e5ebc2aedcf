package session

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseDeviceList reads --devices: a comma-separated list of cpu:N,
// gpu:N (this program's short names) or full TensorFlow device names
// (anything starting with "/", e.g. /job:worker/replica:0/task:1/device:CPU:0,
// kept as given). It returns full names, e.g. "/device:GPU:1", in order;
// a device named twice is refused (two towers on one device would only
// share it).
func ParseDeviceList(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		name, err := towerDevice(item)
		if err != nil {
			return nil, fmt.Errorf("--devices %q: %w", list, err)
		}
		if seen[strings.ToLower(name)] {
			return nil, fmt.Errorf("--devices %q: %s is named twice; name each device once", list, name)
		}
		seen[strings.ToLower(name)] = true
		out = append(out, name)
	}
	return out, nil
}

func towerDevice(s string) (string, error) {
	if strings.HasPrefix(s, "/") {
		if !strings.Contains(strings.ToLower(s), "device:") {
			return "", fmt.Errorf("%q: a full device name must end in device:TYPE:N, e.g. /job:worker/replica:0/task:1/device:CPU:0", s)
		}
		return s, nil
	}
	kind, index, ok := strings.Cut(strings.ToLower(s), ":")
	n, err := strconv.Atoi(index)
	if !ok || err != nil || n < 0 || (kind != "cpu" && kind != "gpu") {
		return "", fmt.Errorf("%q: want cpu:N or gpu:N (N >= 0), or a full TensorFlow device name", s)
	}
	return fmt.Sprintf("/device:%s:%d", strings.ToUpper(kind), n), nil
}

// HasGPU says whether any of the full device names is a GPU.
func HasGPU(names []string) bool {
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), "device:gpu:") {
			return true
		}
	}
	return false
}

// CheckDevices fails, naming what the session has, when one of names
// (full device names) is not among the session's devices: with soft
// placement TensorFlow would otherwise put that tower's ops elsewhere
// without a word. A name matches a device whose full name ends with it,
// so "/device:CPU:1" matches "/job:localhost/replica:0/task:0/device:CPU:1".
func (s *Session) CheckDevices(names []string) error {
	devs, err := s.ListDevices()
	if err != nil {
		return fmt.Errorf("list the session's devices: %w", err)
	}
	for _, want := range names {
		w := strings.ToLower(want)
		found := false
		for _, d := range devs {
			if strings.HasSuffix(strings.ToLower(d.Name), w) {
				found = true
				break
			}
		}
		if !found {
			hint := "for CPU towers give --virtual-cpus N (N CPU devices on this machine)"
			if strings.Contains(w, "gpu") {
				hint = "check nvidia-smi and that this is TensorFlow's CUDA build (make GPU=1 build)"
			}
			return fmt.Errorf("device %s: the session has no such device (%s); %s", want, listNames(devs), hint)
		}
	}
	return nil
}
