package dataprep

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand"
	"path/filepath"
)

// The classes of the synthetic scenes and their label colours (A side).
var synthLabels = []color.RGBA{
	{70, 130, 230, 255}, // sky
	{120, 60, 20, 255},  // ground
	{230, 60, 60, 255},  // building
	{250, 220, 50, 255}, // window
	{40, 200, 80, 255},  // tree
	{200, 80, 220, 255}, // door
}

const (
	clsSky = iota
	clsGround
	clsBuilding
	clsWindow
	clsTree
	clsDoor
)

// SynthPair draws one synthetic pair (size x size each half): A, a label
// map of flat coloured regions (sky, ground, buildings with windows and a
// door, trees), and B, the scene rendered from it with a texture per
// class (gradient sky, earth noise, bricks with mortar lines, glassy
// windows, leafy trees, wooden doors) and a global light direction. The
// mapping from labels to textures is local and consistent, so pix2pix
// learns it in a few hundred steps. rng decides the layout and colours.
func SynthPair(rng *rand.Rand, size int) image.Image {
	labels := drawLabels(rng, size)
	brick := color.RGBA{uint8(150 + rng.Intn(60)), uint8(60 + rng.Intn(40)), uint8(40 + rng.Intn(30)), 255}
	light := rng.Float64()*0.6 - 0.3 // left-right light gradient
	out := image.NewRGBA(image.Rect(0, 0, 2*size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c := labels[y*size+x]
			out.SetRGBA(x, y, synthLabels[c])
			fx := float64(x) / float64(size)
			r, g, b := texel(c, x, y, size, brick)
			shade := 1 + light*(fx-0.5)
			out.SetRGBA(size+x, y, color.RGBA{clamp8(r * shade), clamp8(g * shade), clamp8(b * shade), 255})
		}
	}
	return out
}

// drawLabels lays out a scene's label map (size x size, row-major): the
// ground below a random horizon, 1 to 3 buildings with windows and a
// door, up to 3 round trees on the horizon.
func drawLabels(rng *rand.Rand, size int) []uint8 {
	labels := make([]uint8, size*size)
	fill := func(x0, y0, x1, y1 int, c uint8) {
		for y := max(y0, 0); y < min(y1, size); y++ {
			for x := max(x0, 0); x < min(x1, size); x++ {
				labels[y*size+x] = c
			}
		}
	}
	horizon := size/2 + rng.Intn(size/4)
	fill(0, horizon, size, size, clsGround)
	for i, n := 0, 1+rng.Intn(3); i < n; i++ {
		w := size/6 + rng.Intn(size/3)
		x0 := rng.Intn(size - w/2)
		y0 := size/8 + rng.Intn(horizon-size/4)
		fill(x0, y0, x0+w, horizon, clsBuilding)
		// Windows on a grid, a door at the bottom.
		ww := max(size/32, 3)
		for wy := y0 + ww; wy+2*ww < horizon-ww; wy += 3 * ww {
			for wx := x0 + ww; wx+ww < x0+w-ww; wx += 3 * ww {
				fill(wx, wy, wx+ww+ww/2, wy+ww*2, clsWindow)
			}
		}
		dx := x0 + w/2 - ww
		fill(dx, horizon-3*ww, dx+2*ww, horizon, clsDoor)
	}
	for i, n := 0, rng.Intn(4); i < n; i++ {
		cx, cy := rng.Intn(size), horizon-rng.Intn(size/8)
		r := size/16 + rng.Intn(size/10)
		for y := cy - r; y < cy+r; y++ {
			for x := cx - r; x < cx+r; x++ {
				if x >= 0 && y >= 0 && x < size && y < size && (x-cx)*(x-cx)+(y-cy)*(y-cy) < r*r {
					labels[y*size+x] = clsTree
				}
			}
		}
	}
	return labels
}

// noise is a cheap hash noise in [-1, 1].
func noise(x, y int) float64 {
	h := uint32(x*374761393 + y*668265263)
	h = (h ^ (h >> 13)) * 1274126177
	return float64(h&0xffff)/32767.5 - 1
}

// texel is the unshaded colour of class c's texture at (x, y).
func texel(c uint8, x, y, size int, brick color.RGBA) (r, g, b float64) {
	fy, fx := float64(y)/float64(size), float64(x)/float64(size)
	switch c {
	case clsSky:
		r, g, b = 120+80*fy, 170+60*fy, 250
	case clsGround:
		n := noise(x/2, y/2)
		r, g, b = 110+20*n, 85+15*n, 50+10*n
	case clsBuilding:
		mortar := y%8 == 0 || (x+4*((y/8)%2))%16 == 0
		r, g, b = float64(brick.R), float64(brick.G), float64(brick.B)
		if mortar {
			r, g, b = 200, 195, 185
		}
	case clsWindow:
		r, g, b = 40+60*fx, 70+60*fx, 120+80*(1-fy)
	case clsTree:
		n := noise(x/3, y/3)
		r, g, b = 30+15*n, 110+40*n, 40+15*n
	case clsDoor:
		stripe := math.Sin(float64(x) * 1.3)
		r, g, b = 100+20*stripe, 60+12*stripe, 30
	}
	return r, g, b
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

// Synth writes n pairs as outDir/1.png .. n.png, deterministically from
// seed (pair i draws from its own stream, so any subset is reproducible).
func Synth(outDir string, n, size int, seed int64, o Options) (*Report, error) {
	if n < 1 || size < 16 {
		return nil, fmt.Errorf("synth needs n >= 1 and size >= 16 (got %d, %d)", n, size)
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("%d", i+1)
	}
	return Each(paths, outDir, o, func(p string) (image.Image, error) {
		var i int64
		fmt.Sscan(filepath.Base(p), &i)
		return SynthPair(rand.New(rand.NewSource(seed*1_000_003+i)), size), nil
	})
}
