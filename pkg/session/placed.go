package session

import (
	"fmt"
	"sync"

	tf "github.com/wamuir/graft/tensorflow"
	npb "github.com/wamuir/graft/tensorflow/core/framework/node_def_go_proto"
	"google.golang.org/protobuf/proto"
)

// NewPlaced opens a session that runs a copy of built with each node's
// device set by place (given the node, it returns the device to request).
// Callers keep using built's endpoints: Run translates them by name.
//
// Why a copy: graft's op.Gradients refuses a scope with a device, and the
// C API gives gradient ops none, so ops cannot be put on another task of
// a cluster while the graph is built. Setting the devices in the GraphDef
// and importing it reaches every op, gradients included. built itself is
// left as it is (device-free), so meta graphs and event files written from
// it read as a single-process run's.
func NewPlaced(built *tf.Graph, place func(n *npb.NodeDef, producer func(input string) *npb.NodeDef) string, o Options) (*Session, error) {
	gd, err := GraphDef(built)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*npb.NodeDef, len(gd.Node))
	for _, n := range gd.Node {
		byName[n.Name] = n
	}
	producer := func(input string) *npb.NodeDef { return byName[nodeName(input)] }
	for _, n := range gd.Node {
		n.Device = place(n, producer)
	}
	def, err := proto.Marshal(gd)
	if err != nil {
		return nil, fmt.Errorf("placed graph: %w", err)
	}
	g := tf.NewGraph()
	if err := g.Import(def, ""); err != nil {
		return nil, fmt.Errorf("import placed graph: %w", err)
	}
	s, err := New(g, o)
	if err != nil {
		return nil, err
	}
	s.names = &names{g: g, ops: map[*tf.Operation]*tf.Operation{}}
	return s, nil
}

// nodeName is the node an input names ("^ctrl", "node:1" or "node").
func nodeName(input string) string {
	if len(input) > 0 && input[0] == '^' {
		input = input[1:]
	}
	for i := len(input) - 1; i >= 0; i-- {
		if input[i] == ':' {
			return input[:i]
		}
	}
	return input
}

// names maps a built graph's operations to the placed copy's, by name.
type names struct {
	g   *tf.Graph
	mu  sync.Mutex
	ops map[*tf.Operation]*tf.Operation
}

func (n *names) op(o *tf.Operation) (*tf.Operation, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if p, ok := n.ops[o]; ok {
		return p, nil
	}
	p := n.g.Operation(o.Name())
	if p == nil {
		return nil, fmt.Errorf("operation %q is not in the placed graph", o.Name())
	}
	n.ops[o] = p
	return p, nil
}

// run translates feeds, fetches and targets to the placed graph.
func (n *names) run(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) (map[tf.Output]*tf.Tensor, []tf.Output, []*tf.Operation, error) {
	out := func(x tf.Output) (tf.Output, error) {
		p, err := n.op(x.Op)
		return tf.Output{Op: p, Index: x.Index}, err
	}
	pf := make(map[tf.Output]*tf.Tensor, len(feeds))
	for k, v := range feeds {
		p, err := out(k)
		if err != nil {
			return nil, nil, nil, err
		}
		pf[p] = v
	}
	pfe := make([]tf.Output, len(fetches))
	for i, x := range fetches {
		p, err := out(x)
		if err != nil {
			return nil, nil, nil, err
		}
		pfe[i] = p
	}
	pt := make([]*tf.Operation, len(targets))
	for i, x := range targets {
		p, err := n.op(x)
		if err != nil {
			return nil, nil, nil, err
		}
		pt[i] = p
	}
	return pf, pfe, pt, nil
}

// Run is tf.Session.Run, on the placed graph when the session has one.
func (s *Session) Run(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) ([]*tf.Tensor, error) {
	if s.names == nil {
		return s.Session.Run(feeds, fetches, targets)
	}
	f, fe, t, err := s.names.run(feeds, fetches, targets)
	if err != nil {
		return nil, err
	}
	return s.Session.Run(f, fe, t)
}

// RunTraced is RunTraced on this session, on the placed graph when the
// session has one.
func (s *Session) RunTraced(feeds map[tf.Output]*tf.Tensor, fetches []tf.Output, targets []*tf.Operation) ([]*tf.Tensor, []byte, error) {
	if s.names == nil {
		return RunTraced(s.Session, feeds, fetches, targets)
	}
	f, fe, t, err := s.names.run(feeds, fetches, targets)
	if err != nil {
		return nil, nil, err
	}
	return RunTraced(s.Session, f, fe, t)
}

// Abandon makes Close a no-op. A session whose cluster lost a task cannot
// be closed: TensorFlow's CloseSession waits for the lost task for ever.
// Call it only when the process is about to exit, which frees the session.
func (s *Session) Abandon() { s.abandoned = true }

// Close closes the session, unless it was abandoned.
func (s *Session) Close() error {
	if s.abandoned {
		return nil
	}
	return s.Session.Close()
}
