package dataset

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand"
)

// Transform is the random choice shared by an example's input and target:
// a left-right flip, then the crop's top-left corner after scaling.
type Transform struct {
	Flip    bool
	OffsetY int
	OffsetX int
}

// stream returns a generator seeded by (seed, parts...): every random
// choice of a run is a pure function of the run's seed and where it is
// made, never of how many draws came before.
func stream(seed int64, parts ...int64) *rand.Rand {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	for _, p := range parts {
		binary.LittleEndian.PutUint64(b[:], uint64(p))
		h.Write(b[:])
	}
	return rand.New(rand.NewSource(int64(h.Sum64())))
}

// Order is the order of n examples in epoch (0-based): a permutation
// drawn from (seed, epoch) when shuffling, the listed order otherwise.
func Order(n int, seed int64, epoch int64, shuffle bool) []int {
	if !shuffle {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return stream(seed, 1, epoch).Perm(n)
}

// RandomTransform draws the transform of the example at position pos of
// epoch: flip with probability 1/2 if flip is on, and crop offsets
// uniform in [0, scaleSize-crop] on each axis, as the original's
// floor(uniform[0, scale_size - 256 + 1)).
func RandomTransform(seed, epoch int64, pos int, flip bool, scaleSize, crop int) Transform {
	r := stream(seed, 2, epoch, int64(pos))
	var t Transform
	if flip {
		t.Flip = r.Intn(2) == 1
	}
	if span := scaleSize - crop + 1; span > 1 {
		t.OffsetY = r.Intn(span)
		t.OffsetX = r.Intn(span)
	}
	return t
}
