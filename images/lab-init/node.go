package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Node is the part of /lab/node.json that lab-init uses; other fields are ignored.
type Node struct {
	Name  string            `json:"name"`
	NICs  []NIC             `json:"nics"`
	Hosts []Host            `json:"hosts"`
	Env   map[string]string `json:"env"`
}

type NIC struct {
	Name string `json:"name"`
	IPv4 string `json:"ipv4"` // address/prefix
	IPv6 string `json:"ipv6"`
}

type Host struct {
	Name string `json:"name"`
	IPv4 string `json:"ipv4"`
	IPv6 string `json:"ipv6"`
}

func loadNode(path string) (Node, error) {
	var n Node
	data, err := os.ReadFile(path)
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal(data, &n); err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// applyIdentity gives the guest its name: the kernel hostname (only when asked, as it
// needs PID 1's privileges), /etc/hostname and /etc/hosts.
func applyIdentity(l layout, n Node, setKernelHostname bool) error {
	if n.Name == "" {
		return fmt.Errorf("node.json has no name")
	}
	if setKernelHostname {
		if err := syscall.Sethostname([]byte(n.Name)); err != nil {
			return fmt.Errorf("sethostname: %w", err)
		}
	}
	if err := os.MkdirAll(l.path("etc"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(l.path("etc/hostname"), []byte(n.Name+"\n"), 0o644); err != nil {
		return err
	}
	return os.WriteFile(l.path("etc/hosts"), []byte(hostsFile(n)), 0o644)
}

// hostsFile lists localhost, this node under each of its addresses (127.0.1.1 if it
// has none, as Debian does) and every other node in hosts, each address once (hosts
// includes this node too).
func hostsFile(n Node) string {
	var b strings.Builder
	seen := map[string]bool{}
	line := func(addr, names string) {
		if addr != "" && !seen[addr] {
			seen[addr] = true
			fmt.Fprintf(&b, "%s\t%s\n", addr, names)
		}
	}
	line("127.0.0.1", "localhost")
	line("::1", "localhost ip6-localhost ip6-loopback")
	own := 0
	for _, nic := range n.NICs {
		for _, cidr := range []string{nic.IPv4, nic.IPv6} {
			if addr, _, _ := strings.Cut(cidr, "/"); addr != "" {
				line(addr, n.Name)
				own++
			}
		}
	}
	if own == 0 {
		line("127.0.1.1", n.Name)
	}
	for _, h := range n.Hosts {
		line(h.IPv4, h.Name)
		line(h.IPv6, h.Name)
	}
	return b.String()
}
