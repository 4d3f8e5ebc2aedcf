//go:build linux && cgo

package session

// #include <malloc.h>
// #include <limits.h>
import "C"

// keepFreedMemory: see TuneMemory. mallopt returns 0 if glibc refuses a
// value; then the defaults simply stay.
func keepFreedMemory() {
	C.mallopt(C.M_MMAP_THRESHOLD, 1<<30)
	C.mallopt(C.M_TRIM_THRESHOLD, C.INT_MAX)
}
