//go:build tools

// Package tools names the program this helper module builds, so that `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/argoproj/argo-cd/v3/cmd"
