package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// copyTree copies src's contents onto dst like `cp -a src/. dst/`: directories merge
// (existing ones keep their mode), files and symlinks replace what is there, mode and
// owner are kept. It goes on past errors and returns them all.
func copyTree(src, dst string) error {
	var errs []error
	walkErr := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if err := copyEntry(path, filepath.Join(dst, rel), d); err != nil {
			errs = append(errs, err)
			if d.IsDir() {
				return fs.SkipDir
			}
		}
		return nil
	})
	return errors.Join(append(errs, walkErr)...)
}

func copyEntry(from, to string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	switch {
	case d.IsDir():
		err := os.Mkdir(to, 0o700) // the real mode is set below, past the umask
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err != nil {
			return err
		}
	case d.Type()&fs.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return err
		}
		if err := removeIfPresent(to); err != nil {
			return err
		}
		if err := os.Symlink(target, to); err != nil {
			return err
		}
		return keepOwner(to, info)
	case d.Type().IsRegular():
		if err := removeIfPresent(to); err != nil {
			return err
		}
		if err := copyFile(from, to); err != nil {
			return err
		}
	default:
		return nil // devices, sockets, fifos: nothing an overlay should ship
	}
	if err := keepOwner(to, info); err != nil {
		return err
	}
	return os.Chmod(to, info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
}

// removeIfPresent clears the way for a new file: writing through an existing symlink
// would change its target instead.
func removeIfPresent(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func keepOwner(path string, info fs.FileInfo) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid()) {
		return nil
	}
	return os.Lchown(path, int(st.Uid), int(st.Gid))
}
