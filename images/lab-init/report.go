package main

import (
	"sort"
	"time"
)

// The scheduler's side of the event protocol: unit states, settling, the boot event.

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
