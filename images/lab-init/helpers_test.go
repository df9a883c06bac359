package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// One reaper for the whole test binary: two would steal each other's children.
var (
	testReaperOnce sync.Once
	testReaper     *reaper
)

func realRunner() Runner {
	testReaperOnce.Do(func() { testReaper = startReaper() })
	return processRunner{reaper: testReaper}
}

// fastClock runs every scheduler delay (timeouts, intervals, restart delay, stop grace)
// timeScale times faster, so a "1 s" timeout takes 50 ms.
type fastClock struct{ start time.Time }

const timeScale = 20

func (c fastClock) Now() time.Duration                     { return time.Since(c.start) }
func (c fastClock) After(d time.Duration) <-chan time.Time { return time.After(d / timeScale) }

// recorder collects events and lets a test wait for one.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Emit(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) snapshot() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// waitFor polls until some event matches, failing the test after timeout.
func (r *recorder) waitFor(t *testing.T, what string, timeout time.Duration, match func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, e := range r.snapshot() {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event within %v; events:\n%s", what, timeout, r.dump())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *recorder) waitBoot(t *testing.T) Event {
	t.Helper()
	return r.waitFor(t, "boot", 10*time.Second, func(e Event) bool { return e.Event == "boot" })
}

// states lists one unit's states in order, with the detail after a colon when there is one.
func (r *recorder) states(unit string) []string {
	var out []string
	for _, e := range r.snapshot() {
		if e.Unit != unit {
			continue
		}
		if e.Detail != "" {
			out = append(out, e.State+": "+e.Detail)
		} else {
			out = append(out, e.State)
		}
	}
	return out
}

// index is the position of the first event of unit in state, or -1.
func (r *recorder) index(unit, state string) int {
	for i, e := range r.snapshot() {
		if e.Unit == unit && e.State == state {
			return i
		}
	}
	return -1
}

func (r *recorder) count(event string) int {
	n := 0
	for _, e := range r.snapshot() {
		if e.Event == event {
			n++
		}
	}
	return n
}

func (r *recorder) dump() string {
	var b strings.Builder
	for _, e := range r.snapshot() {
		line, _ := json.Marshal(e)
		fmt.Fprintf(&b, "  %s\n", line)
	}
	return b.String()
}

// bench is one scheduler run over real processes in a temp dir.
type bench struct {
	t      *testing.T
	dir    string
	rec    *recorder
	sched  *Scheduler
	layout layout
}

// startUnits parses each unit from JSON (as loadUnits would) and starts a scheduler.
func startUnits(t *testing.T, nodeEnv map[string]string, unitJSON ...string) *bench {
	t.Helper()
	dir := t.TempDir()
	b := &bench{t: t, dir: dir, rec: &recorder{}, layout: layout{root: dir}}
	var units []*Unit
	for _, text := range unitJSON {
		var head struct{ Name string }
		if err := json.Unmarshal([]byte(text), &head); err != nil {
			t.Fatalf("test unit %s: %v", text, err)
		}
		units = append(units, parseUnit(head.Name, []byte(b.expand(text))))
	}
	b.sched = NewScheduler(Config{
		Units:   units,
		Runner:  realRunner(),
		Clock:   fastClock{start: time.Now()},
		Events:  b.rec,
		LogDir:  b.layout.logDir(),
		NodeEnv: nodeEnv,
	})
	b.sched.Start()
	t.Cleanup(b.sched.Stop)
	return b
}

// expand replaces $DIR with the bench's temp dir, for files the units share with the test.
func (b *bench) expand(s string) string { return strings.ReplaceAll(s, "$DIR", b.dir) }

func (b *bench) read(name string) string {
	data, err := os.ReadFile(filepath.Join(b.dir, name))
	if err != nil {
		b.t.Fatalf("read %s: %v", name, err)
	}
	return string(data)
}

func assertStates(t *testing.T, r *recorder, unit string, want ...string) {
	t.Helper()
	if got := r.states(unit); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: states %q, want %q\nevents:\n%s", unit, got, want, r.dump())
	}
}

func assertBoot(t *testing.T, r *recorder, wantFailed ...string) {
	t.Helper()
	boot := r.waitBoot(t)
	wantState := "ready"
	if len(wantFailed) > 0 {
		wantState = "failed"
	}
	events := r.snapshot()
	for i := 1; i < len(events); i++ {
		if events[i].TS < events[i-1].TS {
			t.Errorf("ts goes backwards at event %d:\n%s", i, r.dump())
			break
		}
	}
	if boot.State != wantState || !reflect.DeepEqual(boot.Failed, wantFailed) {
		t.Errorf("boot %s failed=%q, want %s failed=%q\nevents:\n%s", boot.State, boot.Failed, wantState, wantFailed, r.dump())
	}
}
