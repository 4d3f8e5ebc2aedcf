package main

import (
	"fmt"
	"os"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"pix2pix/pkg/session"
)

// TestMain opens one TensorFlow session with the default options before
// any test runs. The tests run most commands in this process
// (newApp().Run), and TensorFlow sizes its process-wide thread pools by
// the first session it opens: were that an infer, which on the CPU asks
// for the cores divided between its runs, every later command here (a
// training run compared bit for bit with the reference's) would get that
// pool too, depending on which tests ran first. Pinned at TensorFlow's
// default, each in-process command runs on the pools it always had;
// infer's own split is tested in its own process (the built binary).
func TestMain(m *testing.M) {
	s, err := session.New(tf.NewGraph(), session.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open the first TensorFlow session:", err)
		os.Exit(1)
	}
	s.Close()
	os.Exit(m.Run())
}
