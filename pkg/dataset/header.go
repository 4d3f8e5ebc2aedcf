package dataset

import (
	"errors"
	"fmt"
	"image"
	"io"
)

// HeaderFault says what is wrong with an image's header.
type HeaderFault int

// The faults ReadHeader finds, in the order it looks for them.
const (
	// Empty: the file or body has no bytes.
	Empty HeaderFault = iota + 1
	// NotImage: the bytes are no format Go's registered decoders know.
	NotImage
	// Unreadable: a known format whose header does not parse.
	Unreadable
	// NoPixels: the header gives a width or height below 1.
	NoPixels
	// TooLarge: more pixels than the limit, refused before decoding.
	TooLarge
)

// HeaderError is an image refused from its header. Error gives a neutral
// message; callers that add a file name or a remedy switch on Fault.
type HeaderError struct {
	Fault         HeaderFault
	Width, Height int
	MaxPixels     int64
	Err           error // the decoder's, for NotImage and Unreadable
}

func (e *HeaderError) Error() string {
	switch e.Fault {
	case Empty:
		return "empty file (0 bytes)"
	case NotImage, Unreadable:
		return fmt.Sprintf("not a readable PNG or JPEG (%v)", e.Err)
	case NoPixels:
		return fmt.Sprintf("the image header says %dx%d", e.Width, e.Height)
	default:
		return fmt.Sprintf("%dx%d is over the limit of %d pixels (--max-pixels)", e.Width, e.Height, e.MaxPixels)
	}
}

func (e *HeaderError) Unwrap() error { return e.Err }

// ReadHeader reads an image's header from r (size bytes long, or -1 if
// unknown) without decoding its pixels, and refuses what no command can
// use: no bytes, an unknown or corrupt format, no pixels, or more than
// maxPixels pixels (0: no limit), so a hostile header claiming a huge
// image costs nothing. The one place every command checks a header:
// training and test inputs (CheckHeader), infer's files, served requests.
func ReadHeader(r io.Reader, size, maxPixels int64) (image.Config, string, error) {
	if size == 0 {
		return image.Config{}, "", &HeaderError{Fault: Empty}
	}
	cfg, format, err := image.DecodeConfig(r)
	switch {
	case errors.Is(err, image.ErrFormat):
		return cfg, format, &HeaderError{Fault: NotImage, Err: err}
	case errors.Is(err, io.EOF) && size < 0:
		return cfg, format, &HeaderError{Fault: Empty}
	case err != nil:
		return cfg, format, &HeaderError{Fault: Unreadable, Err: err}
	case cfg.Width < 1 || cfg.Height < 1:
		return cfg, format, &HeaderError{Fault: NoPixels, Width: cfg.Width, Height: cfg.Height}
	case maxPixels > 0 && int64(cfg.Width)*int64(cfg.Height) > maxPixels:
		return cfg, format, &HeaderError{Fault: TooLarge, Width: cfg.Width, Height: cfg.Height, MaxPixels: maxPixels}
	}
	return cfg, format, nil
}
