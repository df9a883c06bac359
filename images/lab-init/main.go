// lab-init is stage 2 of a lab VM's boot, PID 1 on the overlay root: it prepares the
// system, runs the boot units in dependency order, reports events to the host, reaps
// every process and powers off. The contract is docs/guest-protocol.md.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "lab-init: must run as PID 1 (it mounts filesystems and powers off)")
		os.Exit(2)
	}
	root := layout{root: "/"}
	reaper := startReaper()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	// With ctrl-alt-del off, the kernel sends PID 1 a SIGINT instead of rebooting hard.
	_ = syscall.Reboot(syscall.LINUX_REBOOT_CMD_CAD_OFF)

	// Step 1: filesystems. The console needs /dev, the clock /proc.
	mountErr := mountSystem()
	openConsole(root)
	if mountErr != nil {
		logf("mounts: %v", mountErr)
	}
	clock := newBootClock(root.path("proc/uptime"))

	// Step 2: per-node files and identity.
	node := prepareNode(root)

	// Step 3: the event channel.
	events := openEventChannel(func() (string, bool) { return findEventsPort(root) }, eventsPortWait)
	events.Emit(Event{TS: millis(clock.Now()), Event: "init", Node: node.Name})

	// Step 4: the units.
	units, err := loadUnits(root.unitsDir())
	if err != nil {
		logf("read units: %v", err)
	}
	sched := NewScheduler(Config{
		Units:   units,
		Runner:  processRunner{reaper: reaper},
		Clock:   clock,
		Events:  events,
		LogDir:  root.logDir(),
		NodeEnv: node.Env,
	})
	sched.Start()

	// Step 5: run until told to stop, or until booted with lab.oneshot.
	var oneshotDone <-chan struct{}
	if hasKernelFlag(kernelCmdline(root), "lab.oneshot") {
		oneshotDone = sched.Booted()
	}
	select {
	case sig := <-stop:
		logf("got %v", sig)
	case <-oneshotDone:
		logf("lab.oneshot: boot settled")
	}
	shutdown(sched, events, reaper)
}

// prepareNode copies /lab/files onto / and applies node.json; problems are logged, not
// fatal, so that a broken node still boots far enough to be looked at.
func prepareNode(root layout) Node {
	if _, err := os.Stat(root.labFiles()); err == nil {
		if err := copyTree(root.labFiles(), root.root); err != nil {
			logf("copy %s: %v", root.labFiles(), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		logf("%s: %v", root.labFiles(), err)
	}
	node, err := loadNode(root.nodeJSON())
	if err != nil {
		logf("node: %v", err)
	}
	if err := applyIdentity(root, node, true); err != nil {
		logf("hostname: %v", err)
	}
	if err := bringUpLoopback(); err != nil {
		logf("bring up lo: %v", err)
	}
	return node
}
