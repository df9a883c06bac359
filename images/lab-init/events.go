package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// Event is one line on the lab.events channel (docs/guest-protocol.md, "Events").
type Event struct {
	TS     int64    `json:"ts"`
	Event  string   `json:"event"`
	Node   string   `json:"node,omitempty"`
	Unit   string   `json:"unit,omitempty"`
	State  string   `json:"state,omitempty"`
	Detail string   `json:"detail,omitempty"`
	Log    string   `json:"log,omitempty"`
	Failed []string `json:"failed,omitempty"`
	// MS is a pointer so that a real 0 ms is still sent.
	MS *int64 `json:"ms,omitempty"`
}

// EventSink receives events; the scheduler stamps TS before emitting.
type EventSink interface {
	Emit(Event)
}

func millis(d time.Duration) int64 { return d.Milliseconds() }

func msField(d time.Duration) *int64 {
	ms := millis(d)
	return &ms
}

const (
	eventsPortName = "lab.events"
	// The port appears when the host's virtio-serial control message arrives, which can
	// be a little after lab-init starts; events wait in the queue meanwhile.
	eventsPortWait  = 3 * time.Second
	eventsQueueSize = 1024
)

// eventChannel echoes each event to the console at once and writes it to the lab.events
// port from a queue, so that a slow or absent port never holds up the scheduler.
type eventChannel struct {
	queue   chan []byte
	pending atomic.Int64
}

// openEventChannel starts the port writer; findPort is polled for up to wait.
func openEventChannel(findPort func() (string, bool), wait time.Duration) *eventChannel {
	c := &eventChannel{queue: make(chan []byte, eventsQueueSize)}
	go c.pump(findPort, wait)
	return c
}

func (c *eventChannel) Emit(e Event) {
	line, err := json.Marshal(e)
	if err != nil {
		logf("encode event: %v", err)
		return
	}
	consoleLine(string(line))
	c.pending.Add(1)
	select {
	case c.queue <- append(line, '\n'):
	default:
		c.pending.Add(-1)
		logf("event queue full, dropped: %s", line)
	}
}

// Flush waits until every queued event is written (or dropped), at most timeout.
func (c *eventChannel) Flush(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for c.pending.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func (c *eventChannel) pump(findPort func() (string, bool), wait time.Duration) {
	port := openPort(findPort, wait)
	for line := range c.queue {
		if port != nil {
			if _, err := port.Write(line); err != nil {
				logf("write %s: %v (console only from now on)", port.Name(), err)
				port.Close()
				port = nil
			}
		}
		c.pending.Add(-1)
	}
}

// openPort polls for the port and opens it; nil means console only.
func openPort(findPort func() (string, bool), wait time.Duration) *os.File {
	deadline := time.Now().Add(wait)
	for {
		if dev, ok := findPort(); ok {
			f, err := os.OpenFile(dev, os.O_WRONLY, 0)
			if err != nil {
				logf("open %s: %v (events on the console only)", dev, err)
				return nil
			}
			return f
		}
		if time.Now().After(deadline) {
			logf("no virtio port named %s: events on the console only", eventsPortName)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// findEventsPort maps the port named lab.events to its device: the port's directory
// name under /sys/class/virtio-ports is also its name under /dev.
func findEventsPort(l layout) (string, bool) {
	names, _ := filepath.Glob(filepath.Join(l.sysDir(), "class/virtio-ports/*/name"))
	for _, nameFile := range names {
		b, err := os.ReadFile(nameFile)
		if err == nil && strings.TrimSpace(string(b)) == eventsPortName {
			return filepath.Join(l.devDir(), filepath.Base(filepath.Dir(nameFile))), true
		}
	}
	return "", false
}
