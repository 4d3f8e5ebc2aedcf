package session

// Some TensorFlow code logs through its own copy of absl, which ignores
// TF_CPP_MIN_LOG_LEVEL (the "MLIR V1 optimization pass is not enabled"
// notice on the first run, with absl's "All log messages before
// absl::InitializeLog()" warning). FilterStderr makes TF_CPP_MIN_LOG_LEVEL
// apply to those lines too: file descriptor 2 becomes a pipe read by a C
// thread (not a goroutine, so it keeps forwarding while the Go runtime
// prints a crash), which drops absl-format lines below the level and
// forwards everything else, unchanged and in order, to the real stderr.
// os.Stderr is pointed at the real stderr, so the program's own messages
// never wait on the pipe.

/*
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

static int pix2pix_stderr_real = -1;
static int pix2pix_stderr_min = 0;
static pthread_t pix2pix_stderr_thread;

// severity of an absl-format line ("I1202 02:35:10.270157   12 file.cc:1] ..."
// or, before absl knows the time zone, "I0000 00:00:1796179195.846774 ..."),
// or -1 when the line is not one.
static int pix2pix_absl_severity(const char *s, size_t n) {
	static const char kinds[] = "IWEF";
	if (n < 20 || s[0] == 0 || strchr(kinds, s[0]) == NULL) return -1;
	for (int i = 1; i <= 4; i++) if (s[i] < '0' || s[i] > '9') return -1;
	if (s[5] != ' ' || s[8] != ':' || s[11] != ':') return -1;
	size_t i = 12;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) i++;
	if (i == 12 || i >= n || s[i] != ' ') return -1;
	while (i < n && s[i] == ' ') i++;
	size_t d = i;
	while (i < n && s[i] >= '0' && s[i] <= '9') i++;
	if (i == d || i >= n || s[i] != ' ') return -1;
	for (; i + 1 < n; i++) if (s[i] == ']' && s[i + 1] == ' ') return (int)(strchr(kinds, s[0]) - kinds);
	return -1;
}

static int pix2pix_noise(const char *s, size_t n) {
	static const char before[] = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR";
	if (n >= sizeof(before) - 1 && memcmp(s, before, sizeof(before) - 1) == 0) return pix2pix_stderr_min >= 2;
	int sev = pix2pix_absl_severity(s, n);
	return sev >= 0 && sev < pix2pix_stderr_min;
}

static void pix2pix_write_all(int fd, const char *p, size_t n) {
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0) return;
		p += w; n -= (size_t)w;
	}
}

static void *pix2pix_forward(void *arg) {
	int fd = (int)(intptr_t)arg;
	char buf[1 << 16];
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof buf - len);
		if (r <= 0) break;
		len += (size_t)r;
		size_t start = 0;
		for (size_t i = 0; i < len; i++) {
			if (buf[i] != '\n') continue;
			if (!pix2pix_noise(buf + start, i + 1 - start)) pix2pix_write_all(pix2pix_stderr_real, buf + start, i + 1 - start);
			start = i + 1;
		}
		if (start == 0 && len == sizeof buf) { // a line longer than the buffer
			pix2pix_write_all(pix2pix_stderr_real, buf, len);
			start = len;
		}
		memmove(buf, buf + start, len - start);
		len -= start;
	}
	if (len > 0 && !pix2pix_noise(buf, len)) pix2pix_write_all(pix2pix_stderr_real, buf, len);
	close(fd);
	return NULL;
}

// Returns the real stderr's new descriptor, or -1 (stderr left alone).
static int pix2pix_filter_stderr(int min_level) {
	int p[2];
	if (pipe(p) != 0) return -1;
	int real = dup(2);
	if (real < 0) { close(p[0]); close(p[1]); return -1; }
	fcntl(real, F_SETFD, FD_CLOEXEC);
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	pix2pix_stderr_real = real;
	pix2pix_stderr_min = min_level;
	if (pthread_create(&pix2pix_stderr_thread, NULL, pix2pix_forward, (void *)(intptr_t)p[0]) != 0) {
		close(p[0]); close(p[1]); close(real); pix2pix_stderr_real = -1;
		return -1;
	}
	dup2(p[1], 2);
	close(p[1]);
	return real;
}

// Puts the real stderr back on descriptor 2 and waits for the thread to
// forward what is still in the pipe (its only writer was descriptor 2,
// unless a child process still holds it).
static void pix2pix_restore_stderr(void) {
	if (pix2pix_stderr_real < 0) return;
	dup2(pix2pix_stderr_real, 2);
	pthread_join(pix2pix_stderr_thread, NULL);
	pix2pix_stderr_real = -1;
}
*/
import "C"

import (
	"log"
	"os"
	"strconv"
	"sync"
)

var stderrMu sync.Mutex

// FilterStderr starts the filter when TF_CPP_MIN_LOG_LEVEL is at least 1
// (as the user set it, or as pkg/session/quiet.go set it). Call it once,
// early in main, and RestoreStderr before the process exits or execs.
func FilterStderr() {
	level, err := strconv.Atoi(os.Getenv("TF_CPP_MIN_LOG_LEVEL"))
	if err != nil || level < 1 {
		return
	}
	stderrMu.Lock()
	defer stderrMu.Unlock()
	fd := C.pix2pix_filter_stderr(C.int(level))
	if fd < 0 {
		return
	}
	os.Stderr = os.NewFile(uintptr(fd), "/dev/stderr")
	log.SetOutput(os.Stderr)
}

// RestoreStderr undoes FilterStderr, after forwarding what the pipe holds.
func RestoreStderr() {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	C.pix2pix_restore_stderr()
}
