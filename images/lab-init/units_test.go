package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadUnitsReadsJSONFilesSorted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sshd.json"), `{"name": "sshd", "type": "service", "exec": ["dropbear"], "future": true}`)
	writeFile(t, filepath.Join(dir, "net.json"), `{"type": "oneshot", "exec": ["ip", "link"]}`)
	writeFile(t, filepath.Join(dir, "README"), `not a unit`)
	writeFile(t, filepath.Join(dir, "broken.json"), `{"name": `)

	units, err := loadUnits(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range units {
		names = append(names, u.Name)
	}
	if strings.Join(names, ",") != "broken,net,sshd" {
		t.Fatalf("units %v, want broken,net,sshd", names)
	}
	if !strings.HasPrefix(units[0].Problem, "invalid unit file: ") {
		t.Errorf("broken.json problem %q", units[0].Problem)
	}
	if units[1].Problem != "" || units[1].Name != "net" {
		t.Errorf("net.json (no name field) gave %+v, want name taken from the file", units[1])
	}
	if units[2].Problem != "" {
		t.Errorf("an unknown field made sshd.json invalid: %s", units[2].Problem)
	}
}

func TestLoadUnitsWithoutDirectory(t *testing.T) {
	units, err := loadUnits(filepath.Join(t.TempDir(), "absent"))
	if err != nil || len(units) != 0 {
		t.Errorf("got %v, %v; want no units and no error", units, err)
	}
}

func TestUnitValidation(t *testing.T) {
	cases := map[string]string{
		`{"name": "other", "type": "oneshot", "exec": ["x"]}`: `name "other" differs from the file name "u.json"`,
		`{"type": "oneshot"}`: "exec is empty",
		`{"exec": ["x"]}`:     `type "" is neither`,
		`{"type": "oneshot", "exec": ["x"], "restart": "always"}`:                        "restart is for services only",
		`{"type": "oneshot", "exec": ["x"], "ready": {"exec": ["y"]}}`:                   "ready is for services only",
		`{"type": "service", "exec": ["x"], "restart": "sometimes"}`:                     `restart "sometimes"`,
		`{"type": "service", "exec": ["x"], "timeoutSec": 3}`:                            "timeoutSec is for oneshot units only",
		`{"type": "service", "exec": ["x"], "ready": {"exec": []}}`:                      "ready.exec is empty",
		`{"type": "oneshot", "exec": ["x"], "env": {"A=B": "c"}}`:                        `env name "A=B"`,
		`{"type": "oneshot", "exec": ["x"], "timeoutSec": "soon"}`:                       "cannot unmarshal",
		`{"type": "service", "exec": ["x"], "ready": {"exec": ["y"], "intervalMs": -1}}`: "must not be negative",
	}
	for text, want := range cases {
		u := parseUnit("u", []byte(text))
		if !strings.Contains(u.Problem, want) || u.Name != "u" {
			t.Errorf("%s: name %q problem %q, want it to mention %q", text, u.Name, u.Problem, want)
		}
	}
}

func TestUnitDefaults(t *testing.T) {
	u := parseUnit("svc", []byte(`{"type": "service", "exec": ["x"], "ready": {"exec": ["y"]}}`))
	if u.Problem != "" {
		t.Fatal(u.Problem)
	}
	if u.Ready.interval() != 500*time.Millisecond || u.Ready.timeoutSec() != 60 {
		t.Errorf("ready defaults %v %ds, want 500ms 60s", u.Ready.interval(), u.Ready.timeoutSec())
	}
	one := parseUnit("one", []byte(`{"type": "oneshot", "exec": ["x"]}`))
	if one.oneshotTimeoutSec() != 120 {
		t.Errorf("oneshot timeout %ds, want 120s", one.oneshotTimeoutSec())
	}
}
