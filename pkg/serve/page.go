package serve

import (
	_ "embed" // the page
	"net/http"
)

// page is the drawing page: one self-contained HTML file (its script and
// style inline, no CDN), so it works offline and ships in the binary.
//
//go:embed page.html
var page []byte

func servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
	_, _ = w.Write(page) // the client may have gone; nothing to do
}
