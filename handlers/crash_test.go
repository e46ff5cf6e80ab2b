package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/testkit/pgtest"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

// platform is a fake public platform: it takes replies and can be asked
// which replies it holds.
type platform struct {
	*httptest.Server
	mu    sync.Mutex
	posts []platformPost
}

type platformPost struct {
	ID      string `json:"id"`
	ReplyTo string `json:"reply_to"`
	Text    string `json:"text"`
}

func newPlatform(t *testing.T) *platform {
	p := &platform{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /posts", func(w http.ResponseWriter, r *http.Request) {
		var in platformPost
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		in.ID = "our-" + strconv.Itoa(len(p.posts)+1)
		p.posts = append(p.posts, in)
		p.mu.Unlock()
		_ = json.NewEncoder(w).Encode(in)
	})
	mux.HandleFunc("GET /posts", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		var out []platformPost
		for _, x := range p.posts {
			if x.ReplyTo == r.URL.Query().Get("reply_to") {
				out = append(out, x)
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func (p *platform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts)
}

// httpReplier answers on the fake platform. With stall set it never
// returns after the platform took the post: the moment a crash hurts most.
type httpReplier struct {
	url   string
	stall func()
}

func (r httpReplier) Platform() string { return "bluesky" }

func (r httpReplier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	body, _ := json.Marshal(platformPost{ReplyTo: to.ExternalID, Text: text})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.url+"/posts", strings.NewReader(string(body)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return bot.PostRef{}, err
	}
	defer res.Body.Close()
	var p platformPost
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		return bot.PostRef{}, err
	}
	if r.stall != nil {
		r.stall()
	}
	return bot.PostRef{ExternalID: p.ID, URL: r.url + "/p/" + p.ID}, nil
}

// findingReplier can also look for a reply it may have posted.
type findingReplier struct{ httpReplier }

func (r findingReplier) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.url+"/posts?reply_to="+to.ExternalID, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return bot.PostRef{}, false, err
	}
	defer res.Body.Close()
	var ps []platformPost
	if err := json.NewDecoder(res.Body).Decode(&ps); err != nil {
		return bot.PostRef{}, false, err
	}
	for _, p := range ps {
		if p.Text == text {
			return bot.PostRef{ExternalID: p.ID, URL: r.url + "/p/" + p.ID}, true, nil
		}
	}
	return bot.PostRef{}, false, nil
}

func openHandlers(t testing.TB, db *store.DB, r bot.Replier) *handlers.Handlers {
	return openHandlersAt(t, db, r, time.Now)
}

func openHandlersAt(t testing.TB, db *store.DB, r bot.Replier, now func() time.Time) *handlers.Handlers {
	t.Helper()
	rules, err := routing.Parse("rules.yaml", []byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Config{Store: db, Teams: rules.Team, Repliers: []bot.Replier{r}, Surfaces: []string{"web"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestCrashChild is the process TestCrashAfterThePlatformTookTheReply
// kills: it sends one reply and stalls once the platform has taken it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("EARSHOT_CRASH_DB")
	if path == "" {
		return // only ever run as the child of the crash test
	}
	id, _ := strconv.ParseInt(os.Getenv("EARSHOT_CRASH_ACTION"), 10, 64)
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := openHandlers(t, db, httpReplier{url: os.Getenv("EARSHOT_CRASH_PLATFORM"), stall: func() {
		fmt.Println("posted") // the parent kills us now
		select {}
	}})
	_ = h.Execute(context.Background(), id)
	t.Fatal("the reply returned; it should have stalled")
}

// The process dies after the platform accepted a reply and before earshot
// recorded it. After a restart the reply is not sent again: it is recorded
// from the platform when the Replier can look it up, and otherwise marked
// "outcome unknown" for a person to check.
func TestCrashAfterThePlatformTookTheReply(t *testing.T) {
	for _, finder := range []bool{false, true} {
		t.Run(map[bool]string{false: "replier cannot look", true: "replier finds the post"}[finder], func(t *testing.T) {
			p := newPlatform(t)
			path := filepath.Join(t.TempDir(), "earshot.db")
			ctx := t.Context()
			db, err := store.Open(ctx, path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			f := &fixture{t: t, ctx: ctx, db: db, now: time.Now()}
			c := f.openCase("bluesky", "p1", "care")
			a, err := openHandlers(t, db, httpReplier{url: p.URL}).Do(ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()

			child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
			child.Env = append(os.Environ(), "EARSHOT_CRASH_DB="+path, "EARSHOT_CRASH_ACTION="+strconv.FormatInt(a.ID, 10), "EARSHOT_CRASH_PLATFORM="+p.URL)
			out, err := child.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			child.Stderr = os.Stderr
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || strings.TrimSpace(line) != "posted" {
				_ = child.Process.Kill()
				t.Fatalf("child said %q (%v), want posted", line, err)
			}
			if err := child.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
			if p.count() != 1 {
				t.Fatalf("platform holds %d posts before the restart, want 1", p.count())
			}

			// The restart: a new process on the same database; the reply's
			// job runs again.
			db, err = store.Open(ctx, path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var r bot.Replier = httpReplier{url: p.URL}
			if finder {
				r = findingReplier{httpReplier{url: p.URL}}
			}
			// The job is picked up again once River gives up on the dead run,
			// well after the send lease.
			h := openHandlersAt(t, db, r, func() time.Time { return time.Now().Add(handlers.SendLease + time.Minute) })
			for range 2 {
				if err := h.Execute(ctx, a.ID); err != nil {
					t.Fatal(err)
				}
			}
			if p.count() != 1 {
				t.Fatalf("platform holds %d posts after the restart, want 1", p.count())
			}
			got, _ := db.Action(ctx, a.ID)
			cs, _ := db.Case(ctx, c.ID)
			if finder {
				if got.Status != bot.ActionDone || !strings.HasSuffix(got.Result, "/p/our-1") || cs.State != bot.StateAwaitingCustomer {
					t.Fatalf("action %+v case %s: want done with our post, awaiting the customer", got, cs.State)
				}
			} else if got.Status != bot.ActionUnknown {
				t.Fatalf("action %+v: want outcome unknown", got)
			}
			// Clicking Send again is a duplicate either way: never a second post.
			again, err := h.Do(ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
			if err != nil || again.Status != bot.ActionSkipped {
				t.Fatalf("send after the crash: %+v %v, want a duplicate", again, err)
			}
		})
	}
}

// Twenty people click Send on the same draft at once, on every store:
// exactly one reply reaches the platform.
func TestTwentySimultaneousSendsPostOnce(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "earshot.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, dsn := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			db, err := store.Open(ctx, dsn(t), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			f := &fixture{t: t, ctx: ctx, db: db, now: time.Now()}
			c := f.openCase("bluesky", "p1", "care")
			p := newPlatform(t)
			h := openHandlers(t, db, httpReplier{url: p.URL})
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make(chan error, 20)
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					a, err := h.Do(ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: fmt.Sprintf("web:agent%d", i), Suggestion: 1})
					if err != nil {
						errs <- err
						return
					}
					// Every click's job runs, duplicates included. A run that
					// finds another one sending is told to come back later.
					err = h.Execute(ctx, a.ID)
					var retry *bot.RetryError
					if errors.As(err, &retry) {
						err = nil
					}
					errs <- err
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if n := p.count(); n != 1 {
				t.Fatalf("%d replies posted, want exactly 1", n)
			}
		})
	}
}
