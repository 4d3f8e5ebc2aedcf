#!/usr/bin/env bash
# generate.sh: regenerates onnx.pb.go from ONNX's schema.
# Needs protoc (apt-get install protobuf-compiler) and protoc-gen-go
# (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.34.2) on PATH.
# usage: generate.sh ONNX_CHECKOUT   (a clone of github.com/onnx/onnx)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tag=v1.17.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/onnx" "$tmp/out"
git -C "$1" show "$tag:onnx/onnx.proto3" >"$tmp/onnx/onnx.proto"
commit=$(git -C "$1" rev-parse "$tag^{commit}")
(cd "$tmp" && protoc --go_out=out --go_opt=paths=source_relative \
  --go_opt=Monnx/onnx.proto=pix2pix/pkg/onnx/onnxpb onnx/onnx.proto)
{
  cat <<HDR
// Package onnxpb is Go code generated from ONNX's protobuf schema, the
// format of .onnx files.
//
// Schema: onnx/onnx.proto3 of https://github.com/onnx/onnx at tag $tag
// (commit $commit), copied unchanged as
// onnx/onnx.proto. Generated with protoc $(protoc --version | cut -d' ' -f2) (Debian 12's
// protobuf-compiler) and protoc-gen-go $(protoc-gen-go --version | cut -d' ' -f2) (the
// google.golang.org/protobuf version of go.mod) by generate.sh; do not
// edit by hand.
HDR
  cat "$tmp/out/onnx/onnx.pb.go"
} >"$here/onnx.pb.go"
