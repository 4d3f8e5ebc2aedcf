package dataset

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is part K (1-based) of N of a list: every N-th item from the K-th,
// so N processes given 1/N .. N/N cover the list once, with no overlap
// (infer's inputs, a sweep's runs).
type Shard struct{ K, N int }

// ParseShard reads "K/N" with 1 <= K <= N; "" is the whole list.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("--shard %q: want K/N with 1 <= K <= N, e.g. 2/4", s)
	}
	return Shard{ki, ni}, nil
}

// Has reports whether the list's i-th item (0-based) is the shard's.
func (sh Shard) Has(i int) bool { return i%sh.N == sh.K-1 }
