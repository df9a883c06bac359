package main

import (
	"os"
	"strings"
)

// kernelCmdline reads /proc/cmdline; an unreadable one reads as empty (no flags set).
func kernelCmdline(l layout) string {
	b, err := os.ReadFile(l.path("proc/cmdline"))
	if err != nil {
		logf("read kernel command line: %v", err)
		return ""
	}
	return string(b)
}

// hasKernelFlag reports whether cmdline has flag as a bare word or as flag=value.
func hasKernelFlag(cmdline, flag string) bool {
	for _, word := range strings.Fields(cmdline) {
		if word == flag || strings.HasPrefix(word, flag+"=") {
			return true
		}
	}
	return false
}
