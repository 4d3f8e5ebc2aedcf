package nn

// HostDevice is where a graph pins the ops that have CPU kernels only
// (string handling, image encoding, checkpoint files, summary writes), so
// that on a GPU session they run on the host on purpose rather than by
// soft placement. On a CPU session it is the session's own device, so
// pinning changes nothing there.
const HostDevice = "/device:CPU:0"
