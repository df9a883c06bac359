package main

import (
	"syscall"
	"unsafe"
)

// ifreqFlags is struct ifreq with the ifr_flags member of its union (40 bytes).
type ifreqFlags struct {
	name  [syscall.IFNAMSIZ]byte
	flags uint16
	_     [22]byte
}

// bringUpLoopback sets lo up, which makes the kernel add 127.0.0.1/8 and ::1; a plain
// ioctl keeps lab-init free of any dependency on the root's tools.
func bringUpLoopback() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var req ifreqFlags
	copy(req.name[:], "lo")
	if err := ioctl(fd, syscall.SIOCGIFFLAGS, &req); err != nil {
		return err
	}
	req.flags |= syscall.IFF_UP
	return ioctl(fd, syscall.SIOCSIFFLAGS, &req)
}

func ioctl(fd int, request uintptr, req *ifreqFlags) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), request, uintptr(unsafe.Pointer(req))); errno != 0 {
		return errno
	}
	return nil
}
