package dataset

import (
	"errors"
	"fmt"
	"image/color"
	_ "image/jpeg" // register decoders for header and full checks
	_ "image/png"
	"io"
	"os"
)

// CheckOptions say what a usable image looks like.
type CheckOptions struct {
	// Paired: the image is A|B side by side, so it needs an even width of
	// at least 2 (unless AllowOddWidth, which splits at width // 2 as the
	// original does, leaving B a pixel wider).
	Paired        bool
	AllowOddWidth bool
	// MaxPixels refuses images larger than this before decoding (0: no
	// limit).
	MaxPixels int64
	// Decode decodes every image in full after its header passed, so a
	// truncated or damaged file is found before the first step, not when
	// the pipeline reaches it.
	Decode bool
	// Workers check files in parallel (0: one per core).
	Workers int
	// Progress, if set, receives a progress line every few seconds and a
	// last one when the check is done.
	Progress io.Writer
}

// CheckHeader reads the image's header (not its pixels) and returns a
// clear error, naming the file, for what the original would trip over
// later or silently mishandle: an empty or unreadable file, an unknown or
// corrupt format, a channel count other than 3, a size the pipeline
// cannot split, more than MaxPixels pixels. With Decode it then decodes
// the pixels too (see CheckFile).
func CheckHeader(path string, o CheckOptions) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("image %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("image %s: %w", path, err)
	}
	cfg, format, err := ReadHeader(f, st.Size(), o.MaxPixels)
	var he *HeaderError
	if errors.As(err, &he) {
		switch he.Fault {
		case Empty:
			return fmt.Errorf("image %s is empty (0 bytes): remove it or replace it with a valid image", path)
		case NoPixels:
			return fmt.Errorf("image %s has no pixels (%dx%d)", path, he.Width, he.Height)
		case TooLarge:
			return fmt.Errorf("image %s is %dx%d, over the limit of %d pixels (--max-pixels): resize it first (pix2pix data resize)", path, he.Width, he.Height, he.MaxPixels)
		default:
			return fmt.Errorf("image %s is not a readable PNG or JPEG (%v): remove or re-encode it", path, he.Err)
		}
	}
	if err != nil {
		return fmt.Errorf("image %s: %w", path, err)
	}
	if ch := channels(cfg.ColorModel); ch != 3 && ch != 0 {
		return fmt.Errorf("image %s (%s) has %s, want 3 (RGB): convert it (pix2pix data combine drops alpha and turns grey into RGB)", path, format, ChannelWord(int64(ch)))
	}
	if o.Paired {
		if cfg.Width < 2 {
			return fmt.Errorf("image %s is %dx%d: a paired image holds A and B side by side, so it must be at least 2 pixels wide", path, cfg.Width, cfg.Height)
		}
		if cfg.Width%2 == 1 && !o.AllowOddWidth {
			return fmt.Errorf("image %s has an odd width (%d): A and B halves would differ by a pixel; fix the pair (pix2pix data combine), or pass --allow_odd_width to split at width // 2 as the original does", path, cfg.Width)
		}
	}
	return nil
}

// channels is the channel count TensorFlow's decoders give for the color
// model Go reports. Go reads a truecolor PNG as RGBA and one with an alpha
// channel as NRGBA; a paletted PNG decodes to RGBA only if its palette has
// transparency.
func channels(m color.Model) int {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return 1
	case color.RGBAModel, color.RGBA64Model, color.YCbCrModel:
		return 3
	case color.NRGBAModel, color.NRGBA64Model, color.NYCbCrAModel, color.CMYKModel:
		return 4
	}
	if p, ok := m.(color.Palette); ok {
		for _, c := range p {
			if _, _, _, a := c.RGBA(); a != 0xffff {
				return 4
			}
		}
		return 3
	}
	return 0
}

// ChannelWord spells a channel count: "1 channel (greyscale)", "4
// channels (RGBA)".
func ChannelWord(n int64) string {
	switch n {
	case 1:
		return "1 channel (greyscale)"
	case 2:
		return "2 channels (greyscale with alpha)"
	case 4:
		return "4 channels (with alpha)"
	}
	return fmt.Sprintf("%d channels", n)
}
