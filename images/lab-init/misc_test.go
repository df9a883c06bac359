package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExitStatusWording(t *testing.T) {
	r := realRunner()
	cases := map[string][]string{
		"exit status 0":  {"/bin/true"},
		"exit status 3":  {"sh", "-c", "exit 3"},
		"signal: killed": {"sh", "-c", "kill -KILL $$"},
	}
	for want, argv := range cases {
		p, err := r.Start(ProcSpec{Argv: argv, Env: buildEnv(map[string]string{"PATH": defaultPath}), LogPath: filepath.Join(t.TempDir(), "x.log")})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%v never reaped", argv)
		}
		if got := p.Status().String(); got != want {
			t.Errorf("%v: %q, want %q", argv, got, want)
		}
		if p.Status().Success() != (want == "exit status 0") {
			t.Errorf("%v: Success() wrong", argv)
		}
	}
}

// A process that has been reaped must not be signalled: its pid may be reused.
func TestSignalAfterExitIsHarmless(t *testing.T) {
	p, err := realRunner().Start(ProcSpec{Argv: []string{"/bin/true"}, LogPath: filepath.Join(t.TempDir(), "x.log")})
	if err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Errorf("signal after exit: %v", err)
	}
}

func TestTailLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.log")
	var b strings.Builder
	for i := 0; i < 5000; i++ { // bigger than the window read from the end
		b.WriteString("some log line\n")
	}
	b.WriteString("last but one\nlast\n")
	writeFile(t, path, b.String())
	got := tailLines(path, 3)
	if got != "some log line\nlast but one\nlast" {
		t.Errorf("tail %q", got)
	}
	if tailLines(filepath.Join(t.TempDir(), "none.log"), 3) != "" {
		t.Error("tail of a missing log is not empty")
	}
}

func TestHasKernelFlag(t *testing.T) {
	cmdline := "console=ttyS0 panic=-1 lab.layers=4 lab.oneshot lab.node=vm-1\n"
	for flag, want := range map[string]bool{"lab.oneshot": true, "lab.layers": true, "lab.probe": false, "lab.one": false} {
		if got := hasKernelFlag(cmdline, flag); got != want {
			t.Errorf("%s: %v, want %v", flag, got, want)
		}
	}
}

func TestBuildEnvLaterLayersWin(t *testing.T) {
	env := buildEnv(map[string]string{"PATH": "/bin", "A": "1"}, map[string]string{"A": "2"}, nil)
	if strings.Join(env, " ") != "A=2 PATH=/bin" {
		t.Errorf("env %v", env)
	}
}
