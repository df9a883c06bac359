package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAfterOrdersUnits(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "second", "type": "oneshot", "after": ["first"], "exec": ["sh", "-c", "echo second >> $DIR/order"]}`,
		`{"name": "first", "type": "oneshot", "exec": ["sh", "-c", "sleep 0.2; echo first >> $DIR/order"]}`,
	)
	assertBoot(t, b.rec)
	if got := b.read("order"); got != "first\nsecond\n" {
		t.Errorf("order file %q, want first then second", got)
	}
	assertStates(t, b.rec, "first", "starting", "ready")
	assertStates(t, b.rec, "second", "starting", "ready")
	if b.rec.index("second", "starting") < b.rec.index("first", "ready") {
		t.Errorf("second started before first was ready:\n%s", b.rec.dump())
	}
}

// Each unit waits for the other's file: they can only both finish if they run at once.
// A sequential scheduler makes the first one time out.
func TestIndependentUnitsRunInParallel(t *testing.T) {
	waitFor := func(mine, other string) string {
		return `{"name": "` + mine + `", "type": "oneshot", "timeoutSec": 40, "exec": ["sh", "-c",
			"touch $DIR/` + mine + `; while [ ! -e $DIR/` + other + ` ]; do sleep 0.01; done"]}`
	}
	b := startUnits(t, nil, waitFor("a", "b"), waitFor("b", "a"))
	assertBoot(t, b.rec)
	assertStates(t, b.rec, "a", "starting", "ready")
	assertStates(t, b.rec, "b", "starting", "ready")
}

func TestOneshotFailureFailsDependents(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "a", "type": "oneshot", "exec": ["/bin/false"]}`,
		`{"name": "b", "type": "oneshot", "after": ["a"], "exec": ["touch", "$DIR/b-ran"]}`,
		`{"name": "c", "type": "service", "after": ["b"], "exec": ["touch", "$DIR/c-ran"]}`,
		`{"name": "ok", "type": "oneshot", "exec": ["/bin/true"]}`,
	)
	assertBoot(t, b.rec, "a", "b", "c")
	assertStates(t, b.rec, "a", "starting", "failed: exit status 1")
	assertStates(t, b.rec, "b", "failed: dependency a failed")
	assertStates(t, b.rec, "c", "failed: dependency b failed")
	assertStates(t, b.rec, "ok", "starting", "ready")
}

func TestFailedEventCarriesLogTail(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "noisy", "type": "oneshot", "exec": ["sh", "-c", "i=1; while [ $i -le 20 ]; do echo line $i; i=$((i+1)); done; echo oops >&2; exit 3"]}`,
	)
	assertBoot(t, b.rec, "noisy")
	failed := b.rec.waitFor(t, "failed", time.Second, func(e Event) bool { return e.State == unitFailed })
	want := "line 12\nline 13\nline 14\nline 15\nline 16\nline 17\nline 18\nline 19\nline 20\noops"
	if failed.Detail != "exit status 3" || failed.Log != want {
		t.Errorf("failed detail %q log %q, want exit status 3 and log %q", failed.Detail, failed.Log, want)
	}
}

func TestUnknownDependencyFails(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "a", "type": "oneshot", "after": ["ghost"], "exec": ["/bin/true"]}`,
		`{"name": "b", "type": "oneshot", "after": ["a"], "exec": ["/bin/true"]}`,
	)
	assertBoot(t, b.rec, "a", "b")
	assertStates(t, b.rec, "a", "failed: unknown dependency ghost")
	assertStates(t, b.rec, "b", "failed: dependency a failed")
}

func TestCycleFailsEveryUnitInIt(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "b", "type": "oneshot", "after": ["a"], "exec": ["/bin/true"]}`,
		`{"name": "a", "type": "oneshot", "after": ["b"], "exec": ["/bin/true"]}`,
		`{"name": "self", "type": "oneshot", "after": ["self"], "exec": ["/bin/true"]}`,
		`{"name": "downstream", "type": "oneshot", "after": ["b"], "exec": ["/bin/true"]}`,
		`{"name": "free", "type": "oneshot", "exec": ["/bin/true"]}`,
	)
	assertBoot(t, b.rec, "a", "b", "downstream", "self")
	assertStates(t, b.rec, "a", "failed: cycle: a → b → a")
	assertStates(t, b.rec, "b", "failed: cycle: a → b → a")
	assertStates(t, b.rec, "self", "failed: cycle: self → self")
	assertStates(t, b.rec, "downstream", "failed: dependency b failed")
	assertStates(t, b.rec, "free", "starting", "ready")
}

func TestInvalidUnitFailsAndDependentsFail(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "bad", "type": "daemon", "exec": ["/bin/true"]}`,
		`{"name": "user", "type": "oneshot", "after": ["bad"], "exec": ["/bin/true"]}`,
	)
	assertBoot(t, b.rec, "bad", "user")
	assertStates(t, b.rec, "bad", `failed: invalid unit file: type "daemon" is neither "oneshot" nor "service"`)
	assertStates(t, b.rec, "user", "failed: dependency bad failed")
}

func TestFalseConditionSkipsButDependentsStart(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "maybe", "type": "oneshot", "if": "test -e $DIR/absent", "exec": ["/bin/false"]}`,
		`{"name": "next", "type": "oneshot", "after": ["maybe"], "exec": ["/bin/true"]}`,
		`{"name": "yes", "type": "oneshot", "if": "true", "exec": ["/bin/true"]}`,
	)
	assertBoot(t, b.rec)
	assertStates(t, b.rec, "maybe", "skipped")
	assertStates(t, b.rec, "next", "starting", "ready")
	assertStates(t, b.rec, "yes", "starting", "ready")
}

func TestServiceReadyWhenCheckPasses(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "svc", "type": "service", "exec": ["sh", "-c", "sleep 0.2; touch $DIR/up; exec sleep 60"],
		  "ready": {"exec": ["test", "-e", "$DIR/up"], "intervalMs": 200, "timeoutSec": 100}}`,
		`{"name": "client", "type": "oneshot", "after": ["svc"], "exec": ["test", "-e", "$DIR/up"]}`,
	)
	assertBoot(t, b.rec)
	assertStates(t, b.rec, "svc", "starting", "ready")
	assertStates(t, b.rec, "client", "starting", "ready")
	ready := b.rec.waitFor(t, "svc ready", time.Second, func(e Event) bool { return e.Unit == "svc" && e.State == unitReady })
	if ready.MS == nil || *ready.MS < 150 {
		t.Errorf("svc ready after %v ms, want about 200", ready.MS)
	}
	b.sched.Stop()
	assertStates(t, b.rec, "svc", "starting", "ready", "exited: signal: terminated")
}

func TestServiceWithoutCheckIsReadyAtOnce(t *testing.T) {
	b := startUnits(t, nil, `{"name": "svc", "type": "service", "exec": ["sleep", "60"]}`)
	assertBoot(t, b.rec)
	assertStates(t, b.rec, "svc", "starting", "ready")
}

func TestServiceReadyCheckTimesOut(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "svc", "type": "service", "exec": ["sh", "-c", "echo started; exec sleep 60"],
		  "ready": {"exec": ["false"], "intervalMs": 200, "timeoutSec": 5}}`,
	)
	assertBoot(t, b.rec, "svc")
	assertStates(t, b.rec, "svc", "starting", "failed: ready check timed out after 5s")
	failed := b.rec.waitFor(t, "failed", time.Second, func(e Event) bool { return e.State == unitFailed })
	if failed.Log != "started" {
		t.Errorf("failed log %q, want the service's output", failed.Log)
	}
}

func TestServiceExitingBeforeReadyFails(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "svc", "type": "service", "restart": "always", "exec": ["sh", "-c", "exit 4"],
		  "ready": {"exec": ["false"], "intervalMs": 200, "timeoutSec": 100}}`,
	)
	assertBoot(t, b.rec, "svc")
	time.Sleep(200 * time.Millisecond) // more than a scaled restart delay: no restart may follow
	assertStates(t, b.rec, "svc", "starting", "failed: exit status 4")
}

func TestOneshotTimesOut(t *testing.T) {
	b := startUnits(t, nil, `{"name": "slow", "type": "oneshot", "timeoutSec": 2, "exec": ["sleep", "60"]}`)
	assertBoot(t, b.rec, "slow")
	assertStates(t, b.rec, "slow", "starting", "failed: timed out after 2s")
}

func TestRestartAlwaysRestartsAfterExit(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "flappy", "type": "service", "restart": "always", "exec": ["sh", "-c", "echo run >> $DIR/runs; sleep 0.1"]}`,
		`{"name": "once", "type": "service", "exec": ["sh", "-c", "sleep 0.1; exit 7"]}`,
	)
	assertBoot(t, b.rec)
	b.rec.waitFor(t, "third run", 5*time.Second, func(Event) bool {
		runs, _ := os.ReadFile(filepath.Join(b.dir, "runs"))
		return strings.Count(string(runs), "run") >= 3
	})
	b.rec.waitFor(t, "once exited", 5*time.Second, func(e Event) bool { return e.Unit == "once" && e.State == unitExited })
	b.sched.Stop()

	states := b.rec.states("flappy")
	cycle := []string{"starting", "ready", "restarting: exit status 0"}
	for i := 0; i+len(cycle) <= len(states) && i < 6; i += len(cycle) {
		for j, want := range cycle {
			if states[i+j] != want {
				t.Fatalf("flappy states %q: [%d] is %q, want %q", states, i+j, states[i+j], want)
			}
		}
	}
	if starts := strings.Count(strings.Join(states, ","), ",starting"); starts < 2 {
		t.Errorf("flappy restarted %d times, want at least 2: %q", starts, states)
	}
	assertStates(t, b.rec, "once", "starting", "ready", "exited: exit status 7")
	if n := b.rec.count("boot"); n != 1 {
		t.Errorf("%d boot events, want exactly 1:\n%s", n, b.rec.dump())
	}
}

func TestBootEventOnceWithFailedList(t *testing.T) {
	b := startUnits(t, nil,
		`{"name": "z-fails", "type": "oneshot", "exec": ["/bin/false"]}`,
		`{"name": "a-fails", "type": "oneshot", "exec": ["sh", "-c", "sleep 0.1; exit 1"]}`,
		`{"name": "fine", "type": "oneshot", "exec": ["/bin/true"]}`,
		`{"name": "skipped", "type": "oneshot", "if": "false", "exec": ["/bin/true"]}`,
	)
	assertBoot(t, b.rec, "a-fails", "z-fails")
	time.Sleep(100 * time.Millisecond)
	events := b.rec.snapshot()
	if n := b.rec.count("boot"); n != 1 {
		t.Fatalf("%d boot events, want 1:\n%s", n, b.rec.dump())
	}
	if last := events[len(events)-1]; last.Event != "boot" {
		t.Errorf("boot is not the last event:\n%s", b.rec.dump())
	}
}

func TestNoUnitsBootsAtOnce(t *testing.T) {
	b := startUnits(t, nil)
	assertBoot(t, b.rec)
}

func TestUnitEnvironment(t *testing.T) {
	b := startUnits(t, map[string]string{"LAB_NODE_NAME": "vm-002", "SHARED": "node"},
		`{"name": "env", "type": "oneshot", "env": {"SHARED": "unit"},
		  "exec": ["sh", "-c", "echo \"$PATH|$LAB_NODE_NAME|$SHARED|$(pwd)\" > $DIR/env"]}`,
	)
	assertBoot(t, b.rec)
	want := defaultPath + "|vm-002|unit|/\n"
	if got := b.read("env"); got != want {
		t.Errorf("unit saw %q, want %q", got, want)
	}
}

func TestMissingCommandFails(t *testing.T) {
	b := startUnits(t, nil, `{"name": "ghost", "type": "oneshot", "exec": ["no-such-command-here"]}`)
	assertBoot(t, b.rec, "ghost")
	assertStates(t, b.rec, "ghost", "starting", "failed: exec no-such-command-here: not found in PATH")
}

func TestStopTerminatesRunningOneshot(t *testing.T) {
	b := startUnits(t, nil, `{"name": "long", "type": "oneshot", "exec": ["sh", "-c", "echo $$ > $DIR/pid.tmp; mv $DIR/pid.tmp $DIR/pid; exec sleep 60"]}`)
	var pid int
	b.rec.waitFor(t, "pid file", 5*time.Second, func(Event) bool {
		data, err := os.ReadFile(filepath.Join(b.dir, "pid"))
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		return err == nil
	})
	start := time.Now()
	b.sched.Stop()
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Stop took %v", elapsed)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("process %d still exists after Stop (kill 0: %v)", pid, err)
	}
	if n := b.rec.count("boot"); n != 0 {
		t.Errorf("boot reported although stopped before settling:\n%s", b.rec.dump())
	}
}

// Stopping escalates: SIGTERM, then SIGHUP (which an interactive shell obeys), then SIGKILL.
func TestStopEscalatesSignals(t *testing.T) {
	ignoring := func(name, signals string) string {
		return `{"name": "` + name + `", "type": "service",
			"exec": ["sh", "-c", "trap '' ` + signals + `; touch $DIR/` + name + `; while :; do sleep 0.05; done"],
			"ready": {"exec": ["test", "-e", "$DIR/` + name + `"], "intervalMs": 100}}`
	}
	b := startUnits(t, nil, ignoring("obeys-term", "USR1"), ignoring("obeys-hup", "TERM"), ignoring("stubborn", "TERM HUP"))
	assertBoot(t, b.rec)
	b.sched.Stop()
	assertStates(t, b.rec, "obeys-term", "starting", "ready", "exited: signal: terminated")
	assertStates(t, b.rec, "obeys-hup", "starting", "ready", "exited: signal: hangup")
	assertStates(t, b.rec, "stubborn", "starting", "ready", "exited: signal: killed")
}
