package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/earshothq/earshot/routing"
)

// Reloader swaps the rules in force when the rules file changes or on
// SIGHUP. A file that does not load is reported and the rules in force stay:
// a typo saved mid-edit must never stop routing. Mentions in flight finish
// with the rules they started with; the next batch gets the new ones, so
// none is dropped.
type Reloader struct {
	path  string
	apply func(*routing.Rules)
	log   *slog.Logger
	// Debounce waits for an editor's burst of writes to settle.
	Debounce time.Duration
	// OnReload, when set, hears every attempt (tests, metrics).
	OnReload func(err error)
	// OnWatching, when set, is called once the file is being watched.
	OnWatching func()

	mu     sync.Mutex
	sum    [sha256.Size]byte
	status ReloadStatus
}

// ReloadStatus is what /api/status shows about the rules.
type ReloadStatus struct {
	File     string    `json:"file"`
	LoadedAt time.Time `json:"loaded_at"`
	Routes   int       `json:"routes"`
	Literals int       `json:"literals"`
	// LastError is the last failed reload's problems, cleared by a good one.
	LastError string `json:"last_error,omitempty"`
}

// NewReloader watches path; apply installs new rules. current are the rules
// in force, parsed from data, the file's content when they were loaded.
func NewReloader(path string, data []byte, current *routing.Rules, apply func(*routing.Rules), log *slog.Logger) *Reloader {
	r := &Reloader{path: path, apply: apply, log: log, Debounce: 250 * time.Millisecond, sum: sha256.Sum256(data)}
	r.status = statusOf(path, current, time.Now())
	return r
}

func statusOf(path string, rules *routing.Rules, at time.Time) ReloadStatus {
	st := rules.Stats()
	return ReloadStatus{File: path, LoadedAt: at, Routes: st.Routes, Literals: st.Literals}
}

// Status reports the rules in force and the last reload's outcome.
func (r *Reloader) Status() ReloadStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Reload reads the file and, when it parses and differs from the rules in
// force, installs it. It returns the problems of a file that does not load.
func (r *Reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.reload()
	if r.OnReload != nil {
		r.OnReload(err)
	}
	return err
}

func (r *Reloader) reload() error {
	data, err := os.ReadFile(r.path)
	if err != nil {
		r.status.LastError = err.Error()
		r.log.Error("rules reload failed; the rules in force stay", "file", r.path, "error", err)
		return fmt.Errorf("rules reload: %w", err)
	}
	sum := sha256.Sum256(data)
	if bytes.Equal(sum[:], r.sum[:]) {
		return nil
	}
	rules, err := routing.Parse(r.path, data)
	if err != nil {
		r.status.LastError = err.Error()
		r.log.Error("rules reload failed; the rules in force stay", "file", r.path, "problems", err.Error())
		return err
	}
	r.apply(rules)
	r.sum = sum
	r.status = statusOf(r.path, rules, time.Now())
	r.log.Info("rules reloaded", "file", r.path, "routes", r.status.Routes, "literals", r.status.Literals)
	return nil
}

// Watch reloads on changes to the file, and whenever hup delivers, until ctx
// ends. It watches the file's directory, not the file: editors and
// Kubernetes ConfigMaps replace a file by renaming another over it, which a
// watch on the file itself would lose.
func (r *Reloader) Watch(ctx context.Context, hup <-chan os.Signal) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch rules: %w", err)
	}
	defer w.Close()
	dir := filepath.Dir(r.path)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch rules directory %s: %w", dir, err)
	}
	if r.OnWatching != nil {
		r.OnWatching()
	}
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case <-hup:
			r.log.Info("SIGHUP: reloading rules", "file", r.path)
			_ = r.Reload()
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			// Any change in the directory may be ours (a symlink swap names
			// another file); the content hash decides whether it was.
			if ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) == 0 {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(r.Debounce)
			} else {
				timer.Reset(r.Debounce)
			}
			fire = timer.C
		case <-fire:
			fire = nil
			if _, err := os.Stat(r.path); err != nil {
				// Mid-rename: the new file arrives with the next event.
				continue
			}
			_ = r.Reload()
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("watching the rules file", "error", err)
		}
	}
}
