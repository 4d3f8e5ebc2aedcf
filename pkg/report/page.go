package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"pix2pix/pkg/fsutil"
)

// ImageRow is one test example with its quality against the target.
type ImageRow struct {
	Row
	// L1 is the mean absolute difference of output and target in [0, 1]
	// pixel values; PSNR is 10 log10(1 / mean squared difference), in dB.
	L1, PSNR float64
}

// Page is the content of report.html.
type Page struct {
	Title   string
	Rows    []ImageRow
	Losses  []LossPoint
	Options map[string]interface{}
}

// MeanL1 and MeanPSNR summarise the rows.
func (p Page) MeanL1() float64   { return mean(p.Rows, func(r ImageRow) float64 { return r.L1 }) }
func (p Page) MeanPSNR() float64 { return mean(p.Rows, func(r ImageRow) float64 { return r.PSNR }) }

func mean(rows []ImageRow, f func(ImageRow) float64) float64 {
	if len(rows) == 0 {
		return 0
	}
	s := 0.0
	for _, r := range rows {
		s += f(r)
	}
	return s / float64(len(rows))
}

// PSNR from a mean squared error of [0, 1] values (capped at 100 dB for
// identical images).
func PSNR(mse float64) float64 {
	if mse <= 0 {
		return 100
	}
	return math.Min(100, 10*math.Log10(1/mse))
}

// ReadOptions reads a run's options.json as a map (nil if absent).
func ReadOptions(dir string) map[string]interface{} {
	data, err := os.ReadFile(filepath.Join(dir, "options.json"))
	if err != nil {
		return nil
	}
	var m map[string]interface{}
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}

// Write writes dir/report.html atomically and returns its path.
func Write(dir string, p Page) (string, error) {
	path := filepath.Join(dir, "report.html")
	return path, fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		return pageTemplate.Execute(w, p)
	})
}

type optionRow struct{ Key, Value string }

// SortedOptions lists the options by name.
func (p Page) SortedOptions() []optionRow {
	var out []optionRow
	for k, v := range p.Options {
		s := fmt.Sprint(v)
		if v == nil {
			s = "null"
		}
		out = append(out, optionRow{k, s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Plot is the loss curves as an inline SVG (no scripts, no network).
func (p Page) Plot() template.HTML {
	if len(p.Losses) < 2 {
		return template.HTML(`<p class="plot-missing">No loss log (losses.csv) in the checkpoint directory.</p>`)
	}
	const w, h, left, bottom, top, right = 680.0, 300.0, 50.0, 30.0, 10.0, 190.0
	minS, maxS := float64(p.Losses[0].Step), float64(p.Losses[len(p.Losses)-1].Step)
	maxY := 0.0
	for _, l := range p.Losses {
		maxY = math.Max(maxY, math.Max(l.Discrim, math.Max(l.GenGAN, l.GenL1)))
	}
	if maxY == 0 {
		maxY = 1
	}
	x := func(s int64) float64 { return left + (float64(s)-minS)/math.Max(maxS-minS, 1)*(w-left-right) }
	y := func(v float64) float64 { return h - bottom - v/maxY*(h-bottom-top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="loss-plot" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, w, h, w, h)
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#fafafa" stroke="#999"/>`, left, top, w-left-right, h-top-bottom)
	series := []struct {
		name, color string
		v           func(LossPoint) float64
	}{
		{"discrim_loss", "#d62728", func(l LossPoint) float64 { return l.Discrim }},
		{"gen_loss_GAN", "#1f77b4", func(l LossPoint) float64 { return l.GenGAN }},
		{"gen_loss_L1", "#2ca02c", func(l LossPoint) float64 { return l.GenL1 }},
	}
	for i, s := range series {
		var pts []string
		for _, l := range p.Losses {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(l.Step), y(s.v(l))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, s.color, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s" font-size="12">%s (last %.4f)</text>`, w-right+8, top+16+16*float64(i), s.color, s.name, s.v(p.Losses[len(p.Losses)-1]))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" text-anchor="middle">step (%d to %d)</text>`, (left+w-right)/2, h-8, int64(minS), int64(maxS))
	fmt.Fprintf(&b, `<text x="4" y="%.0f" font-size="11">%.3g</text><text x="4" y="%.0f" font-size="11">0</text>`, top+10, maxY, h-bottom)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
td, th { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 256px; }
</style></head>
<body>
<h1>{{.Title}}</h1>
<p><b>{{len .Rows}} images</b>: mean L1 <b>{{printf "%.4f" .MeanL1}}</b>,
mean PSNR <b>{{printf "%.2f" .MeanPSNR}} dB</b> (outputs against targets, pixel values in [0, 1]).</p>
<h2>Training losses (averaged, as the run printed them)</h2>
{{.Plot}}
<h2>Images</h2>
<table>
<tr><th>name</th><th>input</th><th>output</th><th>target</th><th class="num">L1</th><th class="num">PSNR dB</th></tr>
{{range .Rows}}<tr><td>{{.Name}}</td><td><img src="{{.Inputs}}" alt="input"></td><td><img src="{{.Outputs}}" alt="output"></td><td><img src="{{.Targets}}" alt="target"></td><td class="num">{{printf "%.4f" .L1}}</td><td class="num">{{printf "%.2f" .PSNR}}</td></tr>
{{end}}</table>
<h2>Options of the run</h2>
<table>{{range .SortedOptions}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>
</body></html>
`))
