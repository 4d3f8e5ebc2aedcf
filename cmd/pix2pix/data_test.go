package main

import (
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// writePairs writes n paired images (A|B side by side, w x h each half)
// named 1.png .. n.png into dir: A is smooth noise, B a colour map of it,
// so a model has something to learn.
func writePairs(t *testing.T, dir string, n, w, h int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(int64(n*1000 + w)))
	for i := 1; i <= n; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 2*w, h))
		fx, fy := rng.Float64()*0.1, rng.Float64()*0.1
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := uint8(127 + 120*sinApprox(fx*float64(x)+fy*float64(y)))
				img.Set(x, y, color.RGBA{v, v, v, 255})
				img.Set(w+x, y, color.RGBA{v, 255 - v, v / 2, 255})
			}
		}
		writePNG(t, filepath.Join(dir, itoa(i)+".png"), img)
	}
}

func sinApprox(x float64) float64 {
	// a triangle wave in [-1, 1]; smooth enough for test images
	x = x - 2*float64(int(x/2))
	if x < 0 {
		x += 2
	}
	if x < 1 {
		return 2*x - 1
	}
	return 3 - 2*x
}

func itoa(i int) string { return string(rune('0'+i/10%10)) + string(rune('0'+i%10)) }

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
