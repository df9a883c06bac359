package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Clock is the scheduler's notion of time: Now stamps events, After drives every delay
// and timeout, so tests can run the same logic with shortened delays.
type Clock interface {
	// Now is the time since the kernel started (the events' ts).
	Now() time.Duration
	After(d time.Duration) <-chan time.Time
}

// bootClock reads /proc/uptime once and then counts on the monotonic clock, which has a
// finer resolution than uptime's hundredths and never goes back.
type bootClock struct {
	atStart time.Duration
	start   time.Time
}

func newBootClock(uptimeFile string) bootClock {
	c := bootClock{start: time.Now()}
	b, err := os.ReadFile(uptimeFile)
	if err != nil {
		logf("read uptime: %v (event times start at 0)", err)
		return c
	}
	if fields := strings.Fields(string(b)); len(fields) > 0 {
		if secs, err := strconv.ParseFloat(fields[0], 64); err == nil {
			c.atStart = time.Duration(secs * float64(time.Second))
		}
	}
	return c
}

func (c bootClock) Now() time.Duration                     { return c.atStart + time.Since(c.start) }
func (c bootClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
