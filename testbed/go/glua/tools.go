//go:build tools

// Package tools pins the upstream command this module builds; it holds no code of ours.
package tools

import _ "github.com/yuin/gopher-lua/cmd/glua"
