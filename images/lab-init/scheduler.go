package main

import (
	"path/filepath"
	"sync"
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
	// A unit being stopped gets SIGTERM, SIGHUP after hangupAfter, SIGKILL after stopGrace.
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
