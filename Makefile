# pix2pix: build, test, benchmark and demo. Every target installs what it
# needs first (libtensorflow into a cache outside the repo, the Python
# reference into a virtualenv), so a fresh clone needs only `make test` or
# `make demo`.
#
#   make GPU=1 build     build against the GPU libtensorflow (tensorflow wheel)
#   LIBTENSORFLOW_DIR=/opt/libtensorflow make build    use an existing install

SHELL := /bin/bash
GO ?= go
GPU ?=
TF_FLAGS := $(if $(GPU),--gpu,)
TF_PREFIX := $(shell bash scripts/install-libtensorflow.sh --prefix $(TF_FLAGS))
TF_RPATH := $(TF_PREFIX)/lib$(if $(GPU),:$(TF_PREFIX)/lib/cuda,)

# graft links with -ltensorflow; the rpath lets bin/pix2pix and the test
# binaries find the library without LD_LIBRARY_PATH.
export CGO_ENABLED := 1
export CGO_CFLAGS := -I$(TF_PREFIX)/include
export CGO_LDFLAGS := -L$(TF_PREFIX)/lib -Wl,-rpath,$(TF_RPATH)
# Keep TensorFlow's C++ start-up chatter (CPU feature notices) out of output.
export TF_CPP_MIN_LOG_LEVEL ?= 2

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
GOTESTFLAGS ?=

.PHONY: all setup setup-tf setup-reference setup-chromium build test bench demo check-gpu-build clean

all: build

## setup: install libtensorflow, the Python reference environment and
## headless Chromium (for the report test)
setup: setup-tf setup-reference setup-chromium

setup-chromium:
	@bash scripts/setup-chromium.sh

setup-tf:
	@bash scripts/install-libtensorflow.sh $(TF_FLAGS)

setup-reference:
	@bash scripts/setup-reference.sh

## build: bin/pix2pix
build: setup-tf
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/pix2pix ./cmd/pix2pix

## test: every Go test, including the parity checks against the reference
test: setup build
	PIX2PIX_REF_PYTHON=$$(bash scripts/setup-reference.sh --python) \
	PIX2PIX_BIN=$(CURDIR)/bin/pix2pix \
	$(GO) test $(GOTESTFLAGS) -timeout 60m ./...

## bench: training and inference speed, memory and FLOPs against the Python
## reference, in one run (see README); BENCH_FLAGS="--variants" also times
## the opt-in settings. About 10 minutes on 2 cores (20 with --variants).
BENCH_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/pix2pix/bench
BENCH_FLAGS ?=
bench: setup-tf setup-reference build
	@TF_CPP_MIN_LOG_LEVEL=3 $$(bash scripts/setup-reference.sh --python) scripts/bench/bench.py \
		$(CURDIR)/bin/pix2pix $(CURDIR)/scripts/reference/pix2pix_ref.py $(BENCH_DIR) $(BENCH_FLAGS)

## check-gpu-build: install TensorFlow's CUDA build (about 2.3 GB, once),
## build bin/gpu/pix2pix against it and run it on tiny data, on the GPU too
## when there is one; check that every op without a GPU kernel is pinned to
## the CPU. UPDATE=1 rewrites cmd/pix2pix/testdata/gpu-kernels.txt. Not
## part of `make test`.
check-gpu-build: build
	@bash scripts/check-gpu-build.sh $(CURDIR)/bin/pix2pix

## demo: train a short run on the built-in example data and write a report
demo: setup-tf build
	@bash scripts/demo.sh $(CURDIR)/bin/pix2pix $(CURDIR)/out/demo

clean:
	rm -rf bin
