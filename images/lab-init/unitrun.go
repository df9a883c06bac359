package main

import (
	"fmt"
	"time"
)

// runOneshot runs the command once: ready on exit 0, failed otherwise or on timeout.
func (s *Scheduler) runOneshot(u *unitState) {
	startedAt := s.report(u, unitStarting, "")
	p, err := s.start(u, u.Exec)
	if err != nil {
		s.fail(u, err.Error(), true)
		return
	}
	timeoutSec := u.oneshotTimeoutSec()
	switch s.waitExit(p, seconds(timeoutSec)) {
	case waitExited:
		if p.Status().Success() {
			s.reportReady(u, startedAt)
		} else {
			s.fail(u, p.Status().String(), true)
		}
	case waitTimedOut:
		s.fail(u, fmt.Sprintf("timed out after %ds", timeoutSec), true)
	}
}

// runService starts the service, waits until it is ready, then watches it. A service
// that exits after it was ready is restarted with restart=always; one that exits or
// fails its check before it was ready is failed and not restarted (no crash loops).
func (s *Scheduler) runService(u *unitState) {
	for {
		startedAt := s.report(u, unitStarting, "")
		p, err := s.start(u, u.Exec)
		if err != nil {
			s.fail(u, err.Error(), true)
			return
		}
		problem, stopped := s.awaitReady(u, p)
		switch {
		case stopped:
			s.terminate(p)
			return
		case problem != "":
			kill(p)
			s.fail(u, problem, true)
			return
		}
		s.reportReady(u, startedAt)

		select {
		case <-p.Done():
		case <-s.stopping:
			s.terminate(p)
			s.report(u, unitExited, p.Status().String())
			return
		}
		if u.Restart != restartAlways {
			s.report(u, unitExited, p.Status().String())
			return
		}
		s.report(u, unitRestarting, p.Status().String())
		select {
		case <-s.cfg.Clock.After(restartDelay):
		case <-s.stopping:
			return
		}
	}
}

// awaitReady runs the ready check every interval until it passes. problem says why the
// service cannot be ready: it exited, the check timed out or could not run.
func (s *Scheduler) awaitReady(u *unitState, svc Proc) (problem string, stopped bool) {
	check := u.Ready
	if check == nil {
		return "", false
	}
	deadline := s.cfg.Clock.After(seconds(check.timeoutSec()))
	nextCheck := make(chan time.Time, 1)
	nextCheck <- time.Time{} // the first check runs at once
	var running Proc
	var checkDone <-chan struct{} // nil while no check runs, so never selected
	stopCheck := func() {
		if running != nil {
			kill(running)
		}
	}
	var tick <-chan time.Time = nextCheck
	for {
		select {
		case <-tick:
			var err error
			if running, err = s.start(u, check.Exec); err != nil {
				return "ready check: " + err.Error(), false
			}
			checkDone, tick = running.Done(), nil
		case <-checkDone:
			if running.Status().Success() {
				return "", false
			}
			running, checkDone = nil, nil
			tick = s.cfg.Clock.After(check.interval())
		case <-svc.Done():
			stopCheck()
			return svc.Status().String(), false
		case <-deadline:
			stopCheck()
			return fmt.Sprintf("ready check timed out after %ds", check.timeoutSec()), false
		case <-s.stopping:
			stopCheck()
			return "", true
		}
	}
}
