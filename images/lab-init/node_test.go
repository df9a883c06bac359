package main

import (
	"os"
	"path/filepath"
	"testing"
)

const exampleNode = `{
  "lab": "default", "id": 2, "name": "vm-002",
  "layers": ["rootfs", "modules", "base", "multinet"],
  "nics": [
    {"name": "eth0", "net": 0, "mac": "02:4c:41:00:00:02", "ipv4": "192.168.0.2/24", "ipv6": "fd00:4c41::c0a8:2/120"},
    {"name": "eth2", "net": 3, "mac": "02:4c:41:03:00:02"}
  ],
  "hosts": [{"name": "vm-001", "ipv4": "192.168.1.1", "ipv6": "fd00:4c41::c0a8:101"}],
  "env": {"LAB_NODE_ID": "2", "LAB_NODE_NAME": "vm-002", "LAB_NVM": "2"}
}`

func TestIdentityFromNodeJSON(t *testing.T) {
	root := layout{root: t.TempDir()}
	writeFile(t, root.nodeJSON(), exampleNode)
	node, err := loadNode(root.nodeJSON())
	if err != nil {
		t.Fatal(err)
	}
	if node.Name != "vm-002" || node.Env["LAB_NVM"] != "2" {
		t.Fatalf("node %+v", node)
	}
	if err := applyIdentity(root, node, false); err != nil {
		t.Fatal(err)
	}
	wantHosts := "127.0.0.1\tlocalhost\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"192.168.0.2\tvm-002\n" +
		"fd00:4c41::c0a8:2\tvm-002\n" +
		"192.168.1.1\tvm-001\n" +
		"fd00:4c41::c0a8:101\tvm-001\n"
	if got := readFile(t, root.path("etc/hosts")); got != wantHosts {
		t.Errorf("/etc/hosts:\n%s\nwant:\n%s", got, wantHosts)
	}
	if got := readFile(t, root.path("etc/hostname")); got != "vm-002\n" {
		t.Errorf("/etc/hostname %q", got)
	}
}

func TestHostsWithoutOwnAddress(t *testing.T) {
	got := hostsFile(Node{Name: "lonely"})
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tlonely\n"
	if got != want {
		t.Errorf("hosts %q, want %q", got, want)
	}
}

func TestCopyTreeMergesOntoRoot(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(src, "etc/motd"), "hello\n")
	writeFile(t, filepath.Join(src, "root/.ssh/config"), "Host *\n")
	if err := os.Chmod(filepath.Join(src, "root/.ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(src, "etc/motd"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("motd", filepath.Join(src, "etc/motd.link")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dst, "etc/keep"), "kept\n")
	// An existing symlink at a copied path is replaced, not written through.
	writeFile(t, filepath.Join(dst, "elsewhere"), "untouched\n")
	if err := os.Symlink("../elsewhere", filepath.Join(dst, "etc/motd")); err != nil {
		t.Fatal(err)
	}

	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dst, "etc/motd")); got != "hello\n" {
		t.Errorf("motd %q", got)
	}
	if got := readFile(t, filepath.Join(dst, "elsewhere")); got != "untouched\n" {
		t.Errorf("copy wrote through a symlink: elsewhere is %q", got)
	}
	if got := readFile(t, filepath.Join(dst, "etc/keep")); got != "kept\n" {
		t.Errorf("existing file lost: %q", got)
	}
	assertMode(t, filepath.Join(dst, "etc/motd"), 0o600)
	assertMode(t, filepath.Join(dst, "root/.ssh"), 0o700|os.ModeDir)
	if target, err := os.Readlink(filepath.Join(dst, "etc/motd.link")); err != nil || target != "motd" {
		t.Errorf("symlink %q, %v", target, err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != want {
		t.Errorf("%s mode %v, want %v", path, info.Mode(), want)
	}
}

func TestHostsListsEachAddressOnce(t *testing.T) {
	n := Node{
		Name:  "vm-001",
		NICs:  []NIC{{IPv4: "192.168.1.1/24", IPv6: "fd00:4c41::c0a8:101/120"}},
		Hosts: []Host{{Name: "vm-001", IPv4: "192.168.1.1", IPv6: "fd00:4c41::c0a8:101"}, {Name: "vm-002", IPv4: "192.168.1.2"}},
	}
	got := hostsFile(n)
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"192.168.1.1\tvm-001\nfd00:4c41::c0a8:101\tvm-001\n192.168.1.2\tvm-002\n"
	if got != want {
		t.Errorf("hosts %q, want %q", got, want)
	}
}
