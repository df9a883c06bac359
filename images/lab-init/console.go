package main

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// console is where lab-init's own messages and the echo of every event go. main points
// it at /dev/console; tests leave it on stderr.
var (
	console   io.Writer = os.Stderr
	consoleMu sync.Mutex
)

// consoleLine writes one "lab-init: "-prefixed line in a single write, so lines from
// concurrent goroutines do not interleave.
func consoleLine(text string) {
	consoleMu.Lock()
	defer consoleMu.Unlock()
	_, _ = io.WriteString(console, "lab-init: "+text+"\n")
}

func logf(format string, args ...any) { consoleLine(fmt.Sprintf(format, args...)) }

// openConsole points console at /dev/console; PID 1's inherited stdio may be anything.
func openConsole(l layout) {
	f, err := os.OpenFile(l.path("dev/console"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		logf("open /dev/console: %v (using stderr)", err)
		return
	}
	console = f
}
