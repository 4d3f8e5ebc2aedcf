// Package dataprep prepares pix2pix datasets, as the original's
// process.py and split.py do: greyscale, resize, blank (inpainting), combine
// A and B side by side, edge maps, a train/val/test split, and a
// procedural paired dataset (synth). Pure Go image code: no TensorFlow.
package dataprep

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	xdraw "golang.org/x/image/draw"
)

// toRGBA copies img into an RGBA image with bounds at the origin, dropping
// alpha onto white (the original composites nothing: it drops alpha; a
// white background keeps transparent regions from turning black).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Over)
	return out
}

// Grayscale converts to grey, stored as RGB (three equal channels), as the
// original's grayscale operation.
func Grayscale(img image.Image) image.Image {
	src := toRGBA(img)
	out := image.NewRGBA(src.Bounds())
	for i := 0; i < len(src.Pix); i += 4 {
		// ITU-R 601 luma, as image/color.GrayModel.
		y := color.GrayModel.Convert(color.RGBA{src.Pix[i], src.Pix[i+1], src.Pix[i+2], 255}).(color.Gray).Y
		out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = y, y, y, 255
	}
	return out
}

// Resize makes the image square, by cropping its centre or (pad) by
// padding it with black, then scales it to size x size.
func Resize(img image.Image, size int, pad bool) (image.Image, error) {
	if size < 1 {
		return nil, fmt.Errorf("size %d: want >= 1", size)
	}
	src := toRGBA(img)
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	side := min(w, h)
	if pad {
		side = max(w, h)
	}
	square := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(square, square.Bounds(), image.Black, image.Point{}, draw.Src)
	// Centre the source on the square (negative offsets crop).
	off := image.Pt((side-w)/2, (side-h)/2)
	draw.Draw(square, src.Bounds().Add(off), src, image.Point{}, draw.Src)
	out := image.NewRGBA(image.Rect(0, 0, size, size))
	xdraw.CatmullRom.Scale(out, out.Bounds(), square, square.Bounds(), draw.Src, nil)
	return out, nil
}

// Blank paints a white square of 30% of the side over the centre, for
// inpainting datasets.
func Blank(img image.Image) image.Image {
	out := toRGBA(img)
	w, h := out.Bounds().Dx(), out.Bounds().Dy()
	side := int(math.Round(0.3 * float64(min(w, h))))
	r := image.Rect((w-side)/2, (h-side)/2, (w-side)/2+side, (h-side)/2+side)
	draw.Draw(out, r, image.White, image.Point{}, draw.Src)
	return out
}

// Combine puts a (left) and b (right) side by side; they must have the
// same size. Grey becomes RGB and alpha is dropped.
func Combine(a, b image.Image) (image.Image, error) {
	if a.Bounds().Size() != b.Bounds().Size() {
		return nil, fmt.Errorf("A is %dx%d but B is %dx%d: combine needs equal sizes (resize both first)",
			a.Bounds().Dx(), a.Bounds().Dy(), b.Bounds().Dx(), b.Bounds().Dy())
	}
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	out := image.NewRGBA(image.Rect(0, 0, 2*w, h))
	draw.Draw(out, image.Rect(0, 0, w, h), toRGBA(a), image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(w, 0, 2*w, h), toRGBA(b), image.Point{}, draw.Src)
	return out, nil
}

// Edges draws the image's edges as dark lines on white: a Sobel gradient
// of the luma, smoothed first, thresholded at a fraction of its strongest
// response, then thinned to one pixel by non-maximum suppression. This
// is not the original's HED network (which needs Caffe and learned
// weights): its lines are thinner and follow every strong intensity
// change, not the object contours HED learned to prefer.
func Edges(img image.Image) image.Image {
	src := toRGBA(img)
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	lum := make([]float64, w*h)
	for i := range lum {
		p := src.Pix[4*i:]
		lum[i] = 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
	}
	lum = blur(lum, w, h)
	at := func(x, y int) float64 {
		x, y = min(max(x, 0), w-1), min(max(y, 0), h-1)
		return lum[y*w+x]
	}
	mag := make([]float64, w*h)
	dir := make([]float64, w*h)
	peak := 0.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			gx := at(x+1, y-1) + 2*at(x+1, y) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x-1, y) - at(x-1, y+1)
			gy := at(x-1, y+1) + 2*at(x, y+1) + at(x+1, y+1) - at(x-1, y-1) - 2*at(x, y-1) - at(x+1, y-1)
			m := math.Hypot(gx, gy)
			mag[y*w+x], dir[y*w+x] = m, math.Atan2(gy, gx)
			peak = math.Max(peak, m)
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	if peak == 0 {
		return out
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m := mag[y*w+x]
			if m < 0.2*peak {
				continue
			}
			// Keep only local maxima across the edge.
			dx, dy := int(math.Round(math.Cos(dir[y*w+x]))), int(math.Round(math.Sin(dir[y*w+x])))
			get := func(x, y int) float64 {
				if x < 0 || y < 0 || x >= w || y >= h {
					return 0
				}
				return mag[y*w+x]
			}
			if m >= get(x+dx, y+dy) && m >= get(x-dx, y-dy) {
				out.Set(x, y, color.Black)
			}
		}
	}
	return out
}

// blur is a 3x3 binomial smoothing.
func blur(v []float64, w, h int) []float64 {
	out := make([]float64, len(v))
	k := [3]float64{1, 2, 1}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s, n float64
			for j := -1; j <= 1; j++ {
				for i := -1; i <= 1; i++ {
					xx, yy := x+i, y+j
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					c := k[i+1] * k[j+1]
					s += c * v[yy*w+xx]
					n += c
				}
			}
			out[y*w+x] = s / n
		}
	}
	return out
}
