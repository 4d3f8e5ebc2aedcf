// Package checkpoint reads and writes TensorFlow V2 checkpoints: it lists a
// checkpoint's tensors from its .index file (so a mismatched checkpoint is
// reported by name before anything is restored), reads and writes named
// tensors through TensorFlow's own SaveV2/RestoreV2 kernels, and keeps the
// `checkpoint` state file.
package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"

	tf "github.com/wamuir/graft/tensorflow"
	cpb "github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// Entry is one tensor of a checkpoint.
type Entry struct {
	Name  string
	DType tf.DataType
	Shape []int64
}

// tableMagic ends every LevelDB-format table, which is what a V2
// checkpoint's .index file is.
const tableMagic = 0xdb4775248b80fb57

// List returns the tensors of the checkpoint at prefix (reading
// prefix.index), sorted by name.
func List(prefix string) ([]Entry, error) {
	path := prefix + ".index"
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", prefix, err)
	}
	entries, err := parseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("checkpoint index %s: %w (the file is damaged or not a TensorFlow V2 checkpoint)", path, err)
	}
	return entries, nil
}

func parseIndex(data []byte) ([]Entry, error) {
	if len(data) < 48 {
		return nil, errors.New("too short")
	}
	footer := data[len(data)-48:]
	if binary.LittleEndian.Uint64(footer[40:]) != tableMagic {
		return nil, errors.New("bad magic number")
	}
	_, n := blockHandle(footer) // metaindex, unused
	if n <= 0 {
		return nil, errors.New("bad footer")
	}
	idx, m := blockHandle(footer[n:])
	if m <= 0 {
		return nil, errors.New("bad footer")
	}
	indexBlock, err := block(data, idx)
	if err != nil {
		return nil, err
	}
	var out []Entry
	err = eachEntry(indexBlock, func(_ string, value []byte) error {
		h, k := blockHandle(value)
		if k <= 0 {
			return errors.New("bad index entry")
		}
		b, err := block(data, h)
		if err != nil {
			return err
		}
		return eachEntry(b, func(key string, value []byte) error {
			e, err := parseEntry(key, value)
			if e != nil {
				out = append(out, *e)
			}
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// parseEntry reads one entry of the index: the bundle header (key "",
// checked and skipped: nil) or a tensor's name, dtype and shape.
func parseEntry(key string, value []byte) (*Entry, error) {
	if key == "" { // the BundleHeaderProto
		var hdr cpb.BundleHeaderProto
		if err := proto.Unmarshal(value, &hdr); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		if hdr.Endianness != cpb.BundleHeaderProto_LITTLE {
			return nil, errors.New("big-endian checkpoints are not supported")
		}
		return nil, nil
	}
	var e cpb.BundleEntryProto
	if err := proto.Unmarshal(value, &e); err != nil {
		return nil, fmt.Errorf("entry %q: %w", key, err)
	}
	shape := []int64{}
	for _, d := range e.GetShape().GetDim() {
		shape = append(shape, d.Size)
	}
	return &Entry{Name: key, DType: tf.DataType(e.Dtype), Shape: shape}, nil
}

type handle struct{ offset, size uint64 }

func blockHandle(b []byte) (handle, int) {
	off, n := binary.Uvarint(b)
	if n <= 0 {
		return handle{}, n
	}
	size, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return handle{}, m
	}
	return handle{off, size}, n + m
}

// block returns a block's contents; the 5-byte trailer (compression type,
// checksum) follows it. TensorFlow writes checkpoint indexes uncompressed.
func block(data []byte, h handle) ([]byte, error) {
	end := h.offset + h.size
	if end+5 > uint64(len(data)) || end < h.offset {
		return nil, errors.New("block out of range")
	}
	if t := data[end]; t != 0 {
		return nil, fmt.Errorf("compressed block (type %d) not supported", t)
	}
	return data[h.offset:end], nil
}

// eachEntry walks a block's prefix-compressed key/value entries.
func eachEntry(b []byte, fn func(key string, value []byte) error) error {
	if len(b) < 4 {
		return errors.New("short block")
	}
	nRestarts := binary.LittleEndian.Uint32(b[len(b)-4:])
	limit := len(b) - 4 - 4*int(nRestarts)
	if limit < 0 {
		return errors.New("bad restart count")
	}
	var key []byte
	for p := 0; p < limit; {
		shared, n1 := binary.Uvarint(b[p:])
		if n1 <= 0 {
			return errors.New("bad entry")
		}
		unshared, n2 := binary.Uvarint(b[p+n1:])
		if n2 <= 0 {
			return errors.New("bad entry")
		}
		vlen, n3 := binary.Uvarint(b[p+n1+n2:])
		if n3 <= 0 {
			return errors.New("bad entry")
		}
		p += n1 + n2 + n3
		if shared > uint64(len(key)) || uint64(p)+unshared+vlen > uint64(limit) {
			return errors.New("entry out of range")
		}
		key = append(key[:shared], b[p:p+int(unshared)]...)
		p += int(unshared)
		if err := fn(string(key), b[p:p+int(vlen)]); err != nil {
			return err
		}
		p += int(vlen)
	}
	return nil
}
