package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ProcSpec is one process to run: argv, its whole environment, and the log file that
// receives its stdout and stderr (appended). It runs in / with stdin on /dev/null.
type ProcSpec struct {
	Argv    []string
	Env     []string
	LogPath string
}

// Proc is a running process as the scheduler sees it.
type Proc interface {
	Done() <-chan struct{}
	Status() ExitStatus // valid once Done is closed
	Signal(syscall.Signal) error
}

// Runner starts processes; the scheduler's only way to run anything.
type Runner interface {
	Start(ProcSpec) (Proc, error)
}

// ExitStatus is a reaped child's wait status, worded like Go's exec.ExitError.
type ExitStatus syscall.WaitStatus

func (s ExitStatus) Success() bool {
	ws := syscall.WaitStatus(s)
	return ws.Exited() && ws.ExitStatus() == 0
}

func (s ExitStatus) String() string {
	ws := syscall.WaitStatus(s)
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		return "signal: " + ws.Signal().String()
	default:
		return fmt.Sprintf("wait status %#x", uint32(ws))
	}
}

// processRunner runs real processes, each in its own session so that stopping a unit
// can signal everything it started.
type processRunner struct{ reaper *reaper }

func (r processRunner) Start(spec ProcSpec) (Proc, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("empty command")
	}
	path, err := lookPath(spec.Argv[0], envValue(spec.Env, "PATH"))
	if err != nil {
		return nil, err
	}
	logFile, err := openLog(spec.LogPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer stdin.Close()
	attr := &syscall.ProcAttr{
		Dir:   "/",
		Env:   spec.Env,
		Files: []uintptr{stdin.Fd(), logFile.Fd(), logFile.Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	}
	p, err := r.reaper.spawn(func() (int, error) { return syscall.ForkExec(path, spec.Argv, attr) })
	if err != nil {
		return nil, fmt.Errorf("exec %s: %w", spec.Argv[0], err)
	}
	return p, nil
}

func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
}

// lookPath finds name in the child's PATH (not lab-init's own, which the kernel leaves
// nearly empty).
func lookPath(name, pathList string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue
		}
		candidate := filepath.Join(dir, name)
		if info, err := os.Stat(candidate); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("exec %s: not found in PATH", name)
}
