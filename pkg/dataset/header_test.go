package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"testing"
)

// pngHeader is the signature and IHDR chunk of a w x h RGB PNG: enough
// for DecodeConfig, no pixels (a header that lies about its size).
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, truecolour
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// TestReadHeader: each fault is found from the header alone, with its
// figures, and a good image passes with its size.
func TestReadHeader(t *testing.T) {
	var good bytes.Buffer
	if err := png.Encode(&good, image.NewRGBA(image.Rect(0, 0, 6, 4))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		data  []byte
		max   int64
		fault HeaderFault
		msg   string
	}{
		{"empty", nil, 0, Empty, "empty file (0 bytes)"},
		{"not an image", []byte("hello, world: no image here"), 0, NotImage, "not a readable PNG or JPEG"},
		{"truncated header", good.Bytes()[:20], 0, Unreadable, "not a readable PNG or JPEG"},
		{"huge claim", pngHeader(100000, 100000), 100_000_000, TooLarge, "100000x100000 is over the limit of 100000000 pixels"},
		{"huge claim, no limit", pngHeader(100000, 100000), 0, 0, ""},
		{"good", good.Bytes(), 24, 0, ""},
		{"one pixel over", good.Bytes(), 23, TooLarge, "6x4 is over the limit of 23 pixels"},
	}
	for _, c := range cases {
		cfg, _, err := ReadHeader(bytes.NewReader(c.data), int64(len(c.data)), c.max)
		var he *HeaderError
		switch {
		case c.fault == 0 && err != nil:
			t.Errorf("%s: %v, want no error", c.name, err)
		case c.fault == 0 && c.name == "good" && (cfg.Width != 6 || cfg.Height != 4):
			t.Errorf("%s: size %dx%d, want 6x4", c.name, cfg.Width, cfg.Height)
		case c.fault != 0 && !errors.As(err, &he):
			t.Errorf("%s: error %v, want a HeaderError", c.name, err)
		case c.fault != 0 && (he.Fault != c.fault || !bytes.Contains([]byte(err.Error()), []byte(c.msg))):
			t.Errorf("%s: fault %d %q, want fault %d with %q", c.name, he.Fault, err, c.fault, c.msg)
		}
	}
}
