package main

import (
	"io"
	"os"
	"strings"
)

// failedLogLines is how much of a unit's log a failed event carries.
const failedLogLines = 10

// tailLines returns the last n lines of a file, reading only its end: logs of long-lived
// services can be large.
func tailLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 8192
	if size, err := f.Seek(0, io.SeekEnd); err == nil && size > window {
		_, _ = f.Seek(size-window, io.SeekStart)
	} else {
		_, _ = f.Seek(0, io.SeekStart)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
