package cluster

/*
#cgo LDFLAGS: -ltensorflow
#include <stdlib.h>
#include "tensorflow/c/c_api.h"
*/
import "C"

import (
	"errors"
	"fmt"

	pb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// Server is this process's TensorFlow gRPC server: the task's devices,
// served to the other tasks, and a master that sessions connect to
// (Target). graft wraps no part of TF_Server, so this file calls the C API.
//
// A started server lives as long as the process (see Stop).
type Server struct {
	c      *C.TF_Server
	target string
	addr   string
}

// ServerDef is the serialized tensorflow.ServerDef of cfg: the cluster as
// one job "worker", this task, protocol grpc. The task's server listens
// on the port of its address, on every interface (TensorFlow's choice).
func ServerDef(cfg Config) ([]byte, error) {
	tasks := make(map[int32]string, len(cfg.Tasks))
	for i, a := range cfg.Tasks {
		tasks[int32(i)] = a
	}
	def := &pb.ServerDef{
		Cluster:   &pb.ClusterDef{Job: []*pb.JobDef{{Name: Job, Tasks: tasks}}},
		JobName:   Job,
		TaskIndex: int32(cfg.Task),
		Protocol:  "grpc",
	}
	return proto.Marshal(def)
}

// NewServer creates and starts the server of task cfg.Task. A port already
// in use is reported here, by TensorFlow, naming the address.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Task < 0 || cfg.Task >= len(cfg.Tasks) {
		return nil, fmt.Errorf("task %d: the cluster has %d tasks", cfg.Task, len(cfg.Tasks))
	}
	def, err := ServerDef(cfg)
	if err != nil {
		return nil, fmt.Errorf("server def: %w", err)
	}
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	cdef := C.CBytes(def)
	defer C.free(cdef)
	c := C.TF_NewServer(cdef, C.size_t(len(def)), status)
	if err := statusErr(status); err != nil {
		return nil, fmt.Errorf("TensorFlow server for task %d (%s): %w", cfg.Task, cfg.Address(), err)
	}
	s := &Server{c: c, addr: cfg.Address()}
	C.TF_ServerStart(c, status)
	if err := statusErr(status); err != nil {
		// Not started, so deleting it stops nothing and cannot abort.
		C.TF_DeleteServer(c)
		return nil, fmt.Errorf("start TensorFlow server for task %d on %s: %w", cfg.Task, s.addr, err)
	}
	// The C string belongs to the server until TF_DeleteServer.
	s.target = C.GoString(C.TF_ServerTarget(c))
	return s, nil
}

// Target is what a session connects to ("grpc://host:port") to run
// graphs through this server's master.
func (s *Server) Target() string { return s.target }

// Address is the host:port of the cluster spec this server listens on.
func (s *Server) Address() string { return s.addr }

// Join blocks until the server stops, which in TensorFlow 2.18 is never
// (see Stop): a process that only serves can wait on it.
func (s *Server) Join() error {
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.TF_ServerJoin(s.c, status)
	return statusErr(status)
}

// Stop asks the server to stop. TensorFlow 2.18's gRPC server does not
// implement a clean shutdown: it returns that error (Unimplemented), and
// the server keeps serving until the process exits, which is how
// TensorFlow's own servers end. For the same reason there is no Close:
// TF_DeleteServer on a started server stops it first and aborts the whole
// process when that fails, so a started server is never deleted.
func (s *Server) Stop() error {
	status := C.TF_NewStatus()
	defer C.TF_DeleteStatus(status)
	C.TF_ServerStop(s.c, status)
	return statusErr(status)
}

func statusErr(s *C.TF_Status) error {
	if C.TF_GetCode(s) == C.TF_OK {
		return nil
	}
	return errors.New(C.GoString(C.TF_Message(s)))
}
