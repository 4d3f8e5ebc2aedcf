package compare

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"pix2pix/pkg/events"
	"pix2pix/pkg/fsutil"
)

// colours are the runs' colours, in order (repeating past ten runs).
var colours = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

func colour(i int) string { return colours[i%len(colours)] }

// page is what the template renders.
type page struct {
	Runs  []*RunData
	Diffs []OptionDiff
	Plots []template.HTML
	Test  bool
}

// Write renders compare.html at path, atomically.
func Write(path string, runs []*RunData) error {
	uniqueNames(runs)
	p := page{Runs: runs, Diffs: DiffOptions(runs)}
	for _, s := range Signals {
		p.Plots = append(p.Plots, plot(s, runs))
	}
	for _, r := range runs {
		p.Test = p.Test || r.Test != nil
	}
	return fsutil.WriteFileAtomic(path, 0o644, func(w io.Writer) error { return pageTemplate.Execute(w, p) })
}

// bounds are the finite extremes of every run's series of tag.
func bounds(tag string, runs []*RunData) (minS, maxS, minY, maxY float64, n int) {
	minS, minY, maxS, maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range runs {
		for _, p := range r.Scalars[tag] {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				continue
			}
			n++
			minS, maxS = math.Min(minS, float64(p.Step)), math.Max(maxS, float64(p.Step))
			minY, maxY = math.Min(minY, p.Value), math.Max(maxY, p.Value)
		}
	}
	if minY == maxY {
		minY, maxY = minY-1e-3*math.Max(math.Abs(minY), 1), maxY+1e-3*math.Max(math.Abs(maxY), 1)
	}
	return minS, max(maxS, minS+1), minY, maxY, n
}

// plot is one signal as an inline SVG: a polyline per run that logged
// it (non-finite points break the line), axes and a legend.
func plot(s Signal, runs []*RunData) template.HTML {
	id := "plot-" + strings.NewReplacer("/", "-", "_", "-").Replace(s.Tag)
	minS, maxS, minY, maxY, n := bounds(s.Tag, runs)
	if n == 0 {
		return template.HTML(fmt.Sprintf(`<p class="missing" id="%s">%s: no run logged <code>%s</code>.</p>`, id, template.HTMLEscapeString(s.Title), s.Tag))
	}
	const w, h, left, bottom, top, right = 720.0, 260.0, 70.0, 30.0, 10.0, 230.0
	x := func(st int64) float64 { return left + (float64(st)-minS)/(maxS-minS)*(w-left-right) }
	y := func(v float64) float64 { return h - bottom - (v-minY)/(maxY-minY)*(h-bottom-top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<figure><figcaption>%s <code>%s</code></figcaption><svg class="curve" id="%s" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`,
		template.HTMLEscapeString(s.Title), s.Tag, id, w, h, w, h)
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#fafafa" stroke="#999"/>`, left, top, w-left-right, h-top-bottom)
	for i, r := range runs {
		legend := r.Name
		pts := r.Scalars[s.Tag]
		if len(pts) == 0 {
			legend += " (not logged)"
		}
		for _, seg := range segments(pts) {
			var xy []string
			for _, p := range seg {
				xy = append(xy, fmt.Sprintf("%.1f,%.1f", x(p.Step), y(p.Value)))
			}
			fmt.Fprintf(&b, `<polyline class="run-%d" fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, i, colour(i), strings.Join(xy, " "))
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="10" height="10" fill="%s"/><text x="%.0f" y="%.0f" font-size="11">%s</text>`,
			w-right+8, top+4+15*float64(i), colour(i), w-right+22, top+13+15*float64(i), template.HTMLEscapeString(legend))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" text-anchor="middle">step (%d to %d)</text>`, (left+w-right)/2, h-8, int64(minS), int64(maxS))
	fmt.Fprintf(&b, `<text x="4" y="%.0f" font-size="11">%.4g</text><text x="4" y="%.0f" font-size="11">%.4g</text>`, top+10, maxY, h-bottom, minY)
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

// segments splits a series at its non-finite values.
func segments(pts []events.Point) [][]events.Point {
	var out [][]events.Point
	var cur []events.Point
	for _, p := range pts {
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, p)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// Colour is run i's colour, for the template.
func (p page) Colour(i int) string { return colour(i) }

var pageTemplate = template.Must(template.New("compare").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pix2pix: {{len .Runs}} training runs compared</title>
<style>
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; margin-bottom: 1em; }
td, th { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
figure { margin: 0 0 1em 0; } figcaption { font-weight: bold; }
.bad { color: #b00; }
</style></head>
<body>
<h1>{{len .Runs}} training runs compared</h1>
<h2>Runs</h2>
<table id="runs">
<tr><th>run</th><th class="num">steps</th><th>NaN</th><th>discriminator won</th><th>sweep state</th>{{if .Test}}<th class="num">test images</th><th class="num">L1</th><th class="num">PSNR dB</th>{{end}}</tr>
{{range $i, $r := .Runs}}<tr><td><span class="swatch" style="background: {{$.Colour $i}}"></span>{{$r.Name}}<br><small>{{$r.Dir}}</small></td>
<td class="num">{{if $r.Err}}<span class="bad">{{$r.Err}}</span>{{else}}{{$r.LastStep}}{{end}}</td>
<td>{{if $r.NaNStep}}<span class="bad">at step {{$r.NaNStep}}</span>{{else}}no{{end}}</td>
<td>{{if $r.Collapse}}<span class="bad">{{$r.Collapse}}</span>{{else if $r.CanDetect}}no{{else}}n/a (no D(fake) logged){{end}}</td>
<td>{{if $r.HasStatus}}{{$r.Status.State}}{{if $r.Status.Error}}: {{$r.Status.Error}}{{end}}{{else}}-{{end}}</td>
{{if $.Test}}{{with $r.Test}}{{if .Err}}<td colspan="3">{{.Err}}</td>{{else}}<td class="num"><a href="{{.Report}}">{{.Images}}</a></td><td class="num">{{printf "%.4f" .MeanL1}}</td><td class="num">{{printf "%.2f" .MeanPSNR}}</td>{{end}}{{else}}<td colspan="3">-</td>{{end}}{{end}}</tr>
{{end}}</table>
<h2>Options that differ</h2>
{{if .Diffs}}<table id="options"><tr><th>option</th>{{range .Runs}}<th>{{.Name}}</th>{{end}}</tr>
{{range .Diffs}}<tr><td>{{.Key}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{else}}<p>None: every run recorded the same options (or none; the original writes options.json only beside a checkpoint).</p>{{end}}
<h2>Curves</h2>
<p>As logged at each summary (TensorBoard's event files); the losses are the runs' moving averages.</p>
{{range .Plots}}{{.}}
{{end}}
</body></html>
`))
