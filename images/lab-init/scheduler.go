package main

import (
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"
)

// Config is everything the scheduler depends on; main wires the real ones, tests may
// point LogDir at a temporary directory and use a faster Clock.
type Config struct {
	Units   []*Unit
	Runner  Runner
	Clock   Clock
	Events  EventSink
	LogDir  string
	NodeEnv map[string]string // node.json's env, between PATH and the unit's env
}

const (
	unitStarting   = "starting"
	unitReady      = "ready"
	unitFailed     = "failed"
	unitSkipped    = "skipped"
	unitExited     = "exited"
	unitRestarting = "restarting"

	restartDelay = time.Second
	// stopGrace is how long a unit may take to exit after SIGTERM before SIGKILL.
	stopGrace   = 5 * time.Second
	hangupAfter = time.Second
)

// Scheduler starts units in dependency order, each as soon as its dependencies allow,
// and reports their states and the one boot event.
type Scheduler struct {
	cfg       Config
	units     []*unitState
	byName    map[string]*unitState
	stopping  chan struct{}
	stopOnce  sync.Once
	booted    chan struct{}
	wg        sync.WaitGroup
	mu        sync.Mutex // guards unsettled
	emitMu    sync.Mutex
	unsettled int
}

// unitState is a unit plus what the scheduler knows of it. "Settled" means its boot
// outcome is known (ready, skipped or failed): what units after it wait for.
type unitState struct {
	*Unit
	env        []string
	logPath    string
	settled    chan struct{}
	settleOnce sync.Once
	failed     bool // set before settled is closed
}

func NewScheduler(cfg Config) *Scheduler {
	s := &Scheduler{
		cfg:       cfg,
		byName:    map[string]*unitState{},
		stopping:  make(chan struct{}),
		booted:    make(chan struct{}),
		unsettled: len(cfg.Units),
	}
	for _, u := range cfg.Units {
		us := &unitState{
			Unit:    u,
			env:     buildEnv(map[string]string{"PATH": defaultPath}, cfg.NodeEnv, u.Env),
			logPath: filepath.Join(cfg.LogDir, u.Name+".log"),
			settled: make(chan struct{}),
		}
		s.units = append(s.units, us)
		s.byName[u.Name] = us
	}
	return s
}

// Start reports the units that cannot start at all, then runs every other one in its
// own goroutine. It does not wait.
func (s *Scheduler) Start() {
	if len(s.units) == 0 {
		s.emitBoot()
		return
	}
	problems := dependencyProblems(s.cfg.Units)
	for _, u := range s.units {
		detail := u.Problem
		if detail == "" {
			detail = problems[u.Name]
		}
		if detail != "" {
			s.fail(u, detail, false)
			continue
		}
		s.wg.Add(1)
		go s.run(u)
	}
}

// Booted is closed once the boot event is sent.
func (s *Scheduler) Booted() <-chan struct{} { return s.booted }

// Stop ends restarts, terminates every running process of every unit and waits for
// their goroutines. Units not settled yet stay unreported.
func (s *Scheduler) Stop() {
	s.stopOnce.Do(func() { close(s.stopping) })
	s.wg.Wait()
}

func (s *Scheduler) run(u *unitState) {
	defer s.wg.Done()
	failedDep, stopped := s.awaitDependencies(u)
	switch {
	case stopped:
		return
	case failedDep != "":
		s.fail(u, "dependency "+failedDep+" failed", false)
		return
	}
	if u.If != "" {
		pass, stopped := s.checkCondition(u)
		if stopped || !pass {
			return
		}
	}
	if u.Type == typeOneshot {
		s.runOneshot(u)
	} else {
		s.runService(u)
	}
}

// awaitDependencies waits until every unit in after has settled and returns the first
// one seen failing ("" if none), without waiting for the rest once one failed.
func (s *Scheduler) awaitDependencies(u *unitState) (failedDep string, stopped bool) {
	settled := make(chan *unitState, len(u.After))
	for _, name := range u.After {
		dep := s.byName[name]
		go func() {
			select {
			case <-dep.settled:
				settled <- dep
			case <-s.stopping:
			}
		}()
	}
	for range u.After {
		select {
		case dep := <-settled:
			if dep.failed {
				return dep.Name, false
			}
		case <-s.stopping:
			return "", true
		}
	}
	return "", false
}

// checkCondition runs the unit's `if`; a non-zero exit reports it skipped.
func (s *Scheduler) checkCondition(u *unitState) (pass, stopped bool) {
	p, err := s.start(u, []string{"sh", "-c", u.If})
	if err != nil {
		s.fail(u, "if: "+err.Error(), true)
		return false, false
	}
	if s.waitExit(p, 0) == waitStopped {
		return false, true
	}
	if !p.Status().Success() {
		s.report(u, unitSkipped, "")
		s.settle(u, false)
		return false, false
	}
	return true, false
}

func (s *Scheduler) start(u *unitState, argv []string) (Proc, error) {
	return s.cfg.Runner.Start(ProcSpec{Argv: argv, Env: u.env, LogPath: u.logPath})
}

// report emits a unit event and returns its time, for the ms of a later ready.
func (s *Scheduler) report(u *unitState, state, detail string) time.Duration {
	return s.emit(Event{Event: "unit", Unit: u.Name, State: state, Detail: detail})
}

func (s *Scheduler) reportReady(u *unitState, since time.Duration) {
	s.emitWith(func(now time.Duration) Event {
		return Event{Event: "unit", Unit: u.Name, State: unitReady, MS: msField(now - since)}
	})
	s.settle(u, false)
}

// fail reports the unit failed; withLog attaches the end of its log, which only means
// something if it ran this boot.
func (s *Scheduler) fail(u *unitState, detail string, withLog bool) {
	e := Event{Event: "unit", Unit: u.Name, State: unitFailed, Detail: detail}
	if withLog {
		e.Log = tailLines(u.logPath, failedLogLines)
	}
	s.emit(e)
	s.settle(u, true)
}

func (s *Scheduler) emit(e Event) time.Duration {
	return s.emitWith(func(time.Duration) Event { return e })
}

// emitWith stamps and sends an event under one lock, so that ts never goes backwards on
// the channel; build gets the stamp for fields computed from it (ms).
func (s *Scheduler) emitWith(build func(now time.Duration) Event) time.Duration {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	now := s.cfg.Clock.Now()
	e := build(now)
	e.TS = millis(now)
	s.cfg.Events.Emit(e)
	return now
}

// settle records a unit's boot outcome once (a restarted service may fail again later)
// and sends the boot event after the last one.
func (s *Scheduler) settle(u *unitState, failed bool) {
	u.settleOnce.Do(func() {
		u.failed = failed
		close(u.settled)
		s.mu.Lock()
		s.unsettled--
		last := s.unsettled == 0
		s.mu.Unlock()
		if last {
			s.emitBoot()
		}
	})
}

func (s *Scheduler) emitBoot() {
	var failed []string
	for _, u := range s.units {
		if u.failed {
			failed = append(failed, u.Name)
		}
	}
	sort.Strings(failed)
	s.emitWith(func(now time.Duration) Event {
		e := Event{Event: "boot", State: "ready", MS: msField(now)}
		if len(failed) > 0 {
			e.State, e.Failed = "failed", failed
		}
		return e
	})
	close(s.booted)
}

type waitResult int

const (
	waitExited waitResult = iota
	waitTimedOut
	waitStopped
)

// waitExit waits for p to exit, at most timeout (0: no limit). On timeout it kills p, on
// shutdown it terminates p; either way p has exited when waitExit returns.
func (s *Scheduler) waitExit(p Proc, timeout time.Duration) waitResult {
	var deadline <-chan time.Time
	if timeout > 0 {
		deadline = s.cfg.Clock.After(timeout)
	}
	select {
	case <-p.Done():
		return waitExited
	case <-deadline:
		kill(p)
		return waitTimedOut
	case <-s.stopping:
		s.terminate(p)
		return waitStopped
	}
}

// terminate stops p's process group: SIGTERM, then SIGHUP for what ignores SIGTERM (an
// interactive shell on the console does), then SIGKILL once stopGrace has passed.
func (s *Scheduler) terminate(p Proc) {
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGTERM, hangupAfter}, {syscall.SIGHUP, stopGrace - hangupAfter}}
	for _, step := range steps {
		_ = p.Signal(step.sig)
		select {
		case <-p.Done():
			return
		case <-s.cfg.Clock.After(step.wait):
		}
	}
	kill(p)
}

func kill(p Proc) {
	_ = p.Signal(syscall.SIGKILL)
	<-p.Done()
}
