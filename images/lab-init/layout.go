package main

import "path/filepath"

// layout names the guest paths lab-init uses, all under one root so that tests can point
// them at a temporary directory. The real PID 1 uses root "/".
type layout struct{ root string }

func (l layout) path(rel string) string { return filepath.Join(l.root, rel) }

func (l layout) unitsDir() string { return l.path("etc/lab/units") }
func (l layout) logDir() string   { return l.path("var/log/lab") }
func (l layout) labDir() string   { return l.path("lab") }
func (l layout) nodeJSON() string { return l.path("lab/node.json") }
func (l layout) labFiles() string { return l.path("lab/files") }
func (l layout) sysDir() string   { return l.path("sys") }
func (l layout) devDir() string   { return l.path("dev") }
