package main

import (
	"syscall"
	"time"
)

const (
	eventsFlushTimeout = 2 * time.Second
	killGrace          = 2 * time.Second
)

// shutdown stops the units, lets the last events out, ends every other process, syncs
// and powers off. It never returns: PID 1 exiting would panic the kernel.
func shutdown(sched *Scheduler, events *eventChannel, r *reaper) {
	logf("stopping units")
	sched.Stop()
	events.Flush(eventsFlushTimeout)
	// kill(-1) reaches every process but PID 1; as they all descend from PID 1, having
	// no children left means they are all gone.
	_ = syscall.Kill(-1, syscall.SIGTERM)
	if !r.waitForNoChildren(killGrace) {
		_ = syscall.Kill(-1, syscall.SIGKILL)
		r.waitForNoChildren(killGrace)
	}
	syscall.Sync()
	logf("power off")
	err := syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	logf("power off failed: %v", err)
	select {}
}
