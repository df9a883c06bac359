package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Unit is one /etc/lab/units/<name>.json (docs/guest-protocol.md, "Units").
type Unit struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	After       []string          `json:"after"`
	Type        string            `json:"type"`
	Exec        []string          `json:"exec"`
	If          string            `json:"if"`
	Env         map[string]string `json:"env"`
	Ready       *ReadyCheck       `json:"ready"`
	Restart     string            `json:"restart"`
	TimeoutSec  int               `json:"timeoutSec"`

	// Problem says why the file is unusable; the scheduler reports such a unit failed
	// (and so its dependents) instead of refusing to boot.
	Problem string `json:"-"`
}

// ReadyCheck is a service's readiness probe.
type ReadyCheck struct {
	Exec       []string `json:"exec"`
	IntervalMs int      `json:"intervalMs"`
	TimeoutSec int      `json:"timeoutSec"`
}

const (
	typeOneshot   = "oneshot"
	typeService   = "service"
	restartNo     = "no"
	restartAlways = "always"

	defaultOneshotTimeoutSec = 120
	defaultReadyIntervalMs   = 500
	defaultReadyTimeoutSec   = 60
)

// loadUnits reads every *.json in dir, sorted by name. Overlayfs already hides a lower
// layer's file behind an upper one of the same name, which is how overlays override.
// A missing directory means no units.
func loadUnits(dir string) ([]*Unit, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var units []*Unit
	for _, entry := range entries {
		name, isUnit := strings.CutSuffix(entry.Name(), ".json")
		if !isUnit || entry.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, entry.Name()))
		if err != nil {
			units = append(units, &Unit{Name: name, Problem: err.Error()})
			continue
		}
		units = append(units, parseUnit(name, data))
	}
	return units, nil
}

// parseUnit decodes and validates one unit file named name.json; a bad file still yields
// a unit (with Problem set) so that it is reported.
func parseUnit(name string, data []byte) *Unit {
	u := &Unit{}
	if err := json.Unmarshal(data, u); err != nil {
		return &Unit{Name: name, Problem: "invalid unit file: " + err.Error()}
	}
	if u.Name == "" {
		u.Name = name
	}
	if err := u.validate(name); err != nil {
		return &Unit{Name: name, Problem: "invalid unit file: " + err.Error()}
	}
	return u
}

func (u *Unit) validate(fileName string) error {
	switch {
	case u.Name != fileName:
		return fmt.Errorf("name %q differs from the file name %q", u.Name, fileName+".json")
	case u.Type != typeOneshot && u.Type != typeService:
		return fmt.Errorf("type %q is neither %q nor %q", u.Type, typeOneshot, typeService)
	case len(u.Exec) == 0 || u.Exec[0] == "":
		return errors.New("exec is empty")
	case u.Restart != "" && u.Restart != restartNo && u.Restart != restartAlways:
		return fmt.Errorf("restart %q is neither %q nor %q", u.Restart, restartNo, restartAlways)
	case u.TimeoutSec < 0:
		return errors.New("timeoutSec is negative")
	}
	if u.Type == typeOneshot {
		switch {
		case u.Restart == restartAlways:
			return errors.New("restart is for services only")
		case u.Ready != nil:
			return errors.New("ready is for services only")
		}
	} else if u.TimeoutSec != 0 {
		return errors.New("timeoutSec is for oneshot units only (services time out through ready)")
	}
	if r := u.Ready; r != nil {
		switch {
		case len(r.Exec) == 0 || r.Exec[0] == "":
			return errors.New("ready.exec is empty")
		case r.IntervalMs < 0 || r.TimeoutSec < 0:
			return errors.New("ready.intervalMs and ready.timeoutSec must not be negative")
		}
	}
	for k := range u.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return fmt.Errorf("env name %q is not a variable name", k)
		}
	}
	return nil
}

// oneshotTimeoutSec is the effective timeoutSec of a oneshot unit.
func (u *Unit) oneshotTimeoutSec() int { return orDefault(u.TimeoutSec, defaultOneshotTimeoutSec) }

func (r *ReadyCheck) interval() time.Duration {
	return time.Duration(orDefault(r.IntervalMs, defaultReadyIntervalMs)) * time.Millisecond
}

func (r *ReadyCheck) timeoutSec() int { return orDefault(r.TimeoutSec, defaultReadyTimeoutSec) }

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }
