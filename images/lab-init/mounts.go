package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

type mount struct {
	fstype, target string
	flags          uintptr
	data           string
}

const (
	noSUID = syscall.MS_NOSUID
	noDev  = syscall.MS_NODEV
	noExec = syscall.MS_NOEXEC
)

// systemMounts is stage 2, step 1, in order: a later target lies inside an earlier one.
var systemMounts = []mount{
	{"proc", "/proc", noSUID | noDev | noExec, ""},
	{"sysfs", "/sys", noSUID | noDev | noExec, ""},
	{"devtmpfs", "/dev", noSUID, "mode=0755"},
	{"devpts", "/dev/pts", noSUID | noExec, "gid=5,mode=0620,ptmxmode=0666"},
	{"tmpfs", "/dev/shm", noSUID | noDev, "mode=1777"},
	{"tmpfs", "/run", noSUID | noDev, "mode=0755"},
	{"tmpfs", "/tmp", noSUID | noDev, "mode=1777"},
	{"cgroup2", "/sys/fs/cgroup", noSUID | noDev | noExec, "nsdelegate"},
}

// mountSystem mounts what every program expects, skipping what stage 1 already moved
// into place, and makes / recursively shared, as container runtimes need. It goes on
// past failures so that the console and the units still come up.
func mountSystem() error {
	var errs []error
	for _, m := range systemMounts {
		if err := m.mount(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_SHARED, ""); err != nil {
		errs = append(errs, fmt.Errorf("make / rshared: %w", err))
	}
	errs = append(errs, linkDevFd())
	return errors.Join(errs...)
}

func (m mount) mount() error {
	if isMountPoint(m.target) {
		return nil
	}
	if err := os.MkdirAll(m.target, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount(m.fstype, m.target, m.fstype, m.flags, m.data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
	}
	return nil
}

// isMountPoint compares devices with the parent directory: enough for the distinct
// filesystems mounted here, and it works before /proc exists.
func isMountPoint(path string) bool {
	var self, parent syscall.Stat_t
	if syscall.Stat(path, &self) != nil || syscall.Stat(filepath.Dir(path), &parent) != nil {
		return false
	}
	return self.Dev != parent.Dev
}

// linkDevFd adds the /dev links that udev would (devtmpfs lacks them); shells' process
// substitution and many scripts use /dev/fd and /dev/std*.
func linkDevFd() error {
	links := map[string]string{
		"/dev/fd":     "/proc/self/fd",
		"/dev/stdin":  "/proc/self/fd/0",
		"/dev/stdout": "/proc/self/fd/1",
		"/dev/stderr": "/proc/self/fd/2",
	}
	var errs []error
	for link, target := range links {
		if err := os.Symlink(target, link); err != nil && !errors.Is(err, os.ErrExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
