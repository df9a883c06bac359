package main

import "strings"

// dependencyProblems finds, before anything runs, the units that can never start: those
// naming an unknown unit in after, and those on a dependency cycle. It maps unit name to
// the failure detail. Units that only depend on these fail later, when the scheduler
// sees their dependency fail.
func dependencyProblems(units []*Unit) map[string]string {
	valid := map[string]*Unit{}
	known := map[string]bool{}
	for _, u := range units {
		known[u.Name] = true
		if u.Problem == "" {
			valid[u.Name] = u
		}
	}
	problems := map[string]string{}
	for _, u := range units {
		if u.Problem != "" {
			continue
		}
		for _, dep := range u.After {
			if !known[dep] {
				problems[u.Name] = "unknown dependency " + dep
				break
			}
		}
		if _, found := problems[u.Name]; found {
			continue
		}
		if cycle := cycleThrough(u.Name, valid); cycle != nil {
			problems[u.Name] = "cycle: " + strings.Join(cycle, " → ")
		}
	}
	return problems
}

// cycleThrough returns the shortest dependency cycle from name back to itself, as
// a → b → a, rotated to start at its alphabetically first unit so that every unit of a
// simple cycle reports the same text. Nil when name is on no cycle.
func cycleThrough(name string, units map[string]*Unit) []string {
	parent := map[string]string{}
	queue := []string{name}
	for len(queue) > 0 {
		current := queue[0]
		queue = queue[1:]
		for _, dep := range units[current].After {
			if dep == name {
				return rotateCycle(pathBack(current, name, parent))
			}
			if _, seen := parent[dep]; seen || units[dep] == nil {
				continue
			}
			parent[dep] = current
			queue = append(queue, dep)
		}
	}
	return nil
}

// pathBack walks parent links from last back to first: the units of the cycle in order.
func pathBack(last, first string, parent map[string]string) []string {
	path := []string{last}
	for path[0] != first {
		path = append([]string{parent[path[0]]}, path...)
	}
	return path
}

// rotateCycle turns the distinct units of a cycle into a closed a → … → a path
// starting at the smallest name.
func rotateCycle(cycle []string) []string {
	start := 0
	for i, n := range cycle {
		if n < cycle[start] {
			start = i
		}
	}
	rotated := append(append([]string{}, cycle[start:]...), cycle[:start]...)
	return append(rotated, rotated[0])
}
