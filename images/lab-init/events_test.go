package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEventJSON(t *testing.T) {
	cases := []struct {
		event Event
		want  string
	}{
		{Event{TS: 1234, Event: "init", Node: "vm-002"}, `{"ts":1234,"event":"init","node":"vm-002"}`},
		{Event{TS: 1450, Event: "unit", Unit: "net", State: "ready", MS: msField(0)}, `{"ts":1450,"event":"unit","unit":"net","state":"ready","ms":0}`},
		{Event{TS: 1500, Event: "unit", Unit: "x", State: "failed", Detail: "exit status 1", Log: "a\nb"},
			`{"ts":1500,"event":"unit","unit":"x","state":"failed","detail":"exit status 1","log":"a\nb"}`},
		{Event{TS: 2100, Event: "boot", State: "failed", Failed: []string{"x"}, MS: msField(2100 * time.Millisecond)},
			`{"ts":2100,"event":"boot","state":"failed","failed":["x"],"ms":2100}`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.event)
		if err != nil || string(got) != c.want {
			t.Errorf("got %s (%v), want %s", got, err, c.want)
		}
	}
}

func TestFindEventsPort(t *testing.T) {
	root := layout{root: t.TempDir()}
	writeFile(t, root.path("sys/class/virtio-ports/vport1p1/name"), "org.qemu.guest_agent.0\n")
	writeFile(t, root.path("sys/class/virtio-ports/vport2p3/name"), "lab.events\n")
	dev, ok := findEventsPort(root)
	if !ok || dev != root.path("dev/vport2p3") {
		t.Errorf("port %q %v, want %s", dev, ok, root.path("dev/vport2p3"))
	}
	if _, ok := findEventsPort(layout{root: t.TempDir()}); ok {
		t.Error("found a port where there is none")
	}
}

// The port may show up after lab-init starts: events queued before must still arrive,
// in order, and every event is echoed on the console.
func TestEventChannelWritesPortAndConsole(t *testing.T) {
	var echo bytes.Buffer
	console = &echo
	t.Cleanup(func() { console = os.Stderr })

	port := filepath.Join(t.TempDir(), "vport0p1")
	appearAt := time.Now().Add(100 * time.Millisecond)
	find := func() (string, bool) {
		if time.Now().Before(appearAt) {
			return "", false
		}
		writeFile(t, port, "")
		return port, true
	}
	c := openEventChannel(find, time.Second)
	c.Emit(Event{TS: 1, Event: "init", Node: "vm"})
	c.Emit(Event{TS: 2, Event: "boot", State: "ready", MS: msField(2 * time.Millisecond)})
	if !c.Flush(2 * time.Second) {
		t.Fatal("flush timed out")
	}
	want := `{"ts":1,"event":"init","node":"vm"}` + "\n" + `{"ts":2,"event":"boot","state":"ready","ms":2}` + "\n"
	if got := readFile(t, port); got != want {
		t.Errorf("port got %q, want %q", got, want)
	}
	consoleMu.Lock()
	defer consoleMu.Unlock()
	if got := echo.String(); got != "lab-init: "+strings.ReplaceAll(strings.TrimSuffix(want, "\n"), "\n", "\nlab-init: ")+"\n" {
		t.Errorf("console got %q", got)
	}
}

func TestEventChannelWithoutPortStillFlushes(t *testing.T) {
	c := openEventChannel(func() (string, bool) { return "", false }, 50*time.Millisecond)
	c.Emit(Event{TS: 1, Event: "init"})
	if !c.Flush(time.Second) {
		t.Error("events stuck without a port")
	}
}
