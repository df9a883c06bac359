package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// reaper is the only code that waits for children. As PID 1 lab-init inherits every
// orphan, and any second waiter (exec.Cmd.Wait) would race it for exit statuses, so
// processes are started through spawn and their statuses delivered by pid.
// A process has exactly one reaper: tests share one for the whole test binary.
type reaper struct {
	mu      sync.Mutex
	running map[int]*process
}

func startReaper() *reaper {
	r := &reaper{running: map[int]*process{}}
	// Subscribe before any child exists, so no SIGCHLD is missed.
	sigchld := make(chan os.Signal, 1)
	signal.Notify(sigchld, syscall.SIGCHLD)
	go func() {
		for range sigchld {
			r.reap()
		}
	}()
	return r
}

// spawn forks while holding the lock that reap needs, so a child is registered before
// its exit can be collected, however quickly it exits.
func (r *reaper) spawn(fork func() (int, error)) (*process, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pid, err := fork()
	if err != nil {
		return nil, err
	}
	p := &process{pid: pid, done: make(chan struct{}), reaper: r}
	r.running[pid] = p
	return p, nil
}

// reap collects every exited child. Signals coalesce, so one SIGCHLD may stand for many
// exits: loop until none is left. It reports whether any child is still alive.
func (r *reaper) reap() (childrenLeft bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil { // ECHILD: no children at all
			return false
		}
		if pid == 0 {
			return true
		}
		if p, ok := r.running[pid]; ok {
			delete(r.running, pid)
			p.status = ExitStatus(ws)
			close(p.done)
		}
		// Anything else is an orphan re-parented to PID 1: collecting it is the job.
	}
}

// waitForNoChildren reaps until no child is left or timeout passes.
func (r *reaper) waitForNoChildren(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for r.reap() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// process is a started child; done is closed once the reaper has its status.
type process struct {
	pid    int
	done   chan struct{}
	status ExitStatus
	reaper *reaper
}

func (p *process) Done() <-chan struct{} { return p.done }

// Status is valid once Done is closed.
func (p *process) Status() ExitStatus { return p.status }

// Signal signals the process's group (each child leads its own session), and never
// after it was reaped, when its pid may already belong to someone else.
func (p *process) Signal(sig syscall.Signal) error {
	p.reaper.mu.Lock()
	defer p.reaper.mu.Unlock()
	select {
	case <-p.done:
		return nil
	default:
		return syscall.Kill(-p.pid, sig)
	}
}
