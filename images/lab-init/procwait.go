package main

import (
	"syscall"
	"time"
)

// Waiting for a unit's processes, and ending them on timeout or shutdown.

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
