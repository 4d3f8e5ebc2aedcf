package session

import (
	"bufio"
	"os"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
)

// TFVersion is the version string the loaded libtensorflow reports.
func TFVersion() string { return tf.Version() }

// LibraryPath is the file the TensorFlow C API was loaded from, read from
// the process's memory map, so that users can see which install a binary
// picked up (rpath, LD_LIBRARY_PATH or the system). Empty if unknown.
func LibraryPath() string {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return ""
	}
	defer f.Close()
	var framework string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		p := fields[len(fields)-1]
		base := p[strings.LastIndex(p, "/")+1:]
		switch {
		case strings.HasPrefix(base, "libtensorflow_cc.so"), strings.HasPrefix(base, "libtensorflow.so"):
			return p
		case strings.HasPrefix(base, "libtensorflow_framework.so") && framework == "":
			framework = p
		}
	}
	return framework
}

// ListDevices opens a throw-away session with TensorFlow's default
// configuration (GPUs allowed) and returns the devices it sees.
func ListDevices() ([]tf.Device, error) {
	s, err := tf.NewSession(tf.NewGraph(), nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.ListDevices()
}
