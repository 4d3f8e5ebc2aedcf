//go:build !(linux && cgo)

package session

// keepFreedMemory is glibc-specific; elsewhere the defaults stay.
func keepFreedMemory() {}
