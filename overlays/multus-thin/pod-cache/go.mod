module lab.invalid/pod-cache

go 1.21
