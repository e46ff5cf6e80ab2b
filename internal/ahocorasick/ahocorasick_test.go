package ahocorasick

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

type hit struct{ pattern, end int }

func scanAll(a *Automaton, text string) []hit {
	var got []hit
	a.Scan(text, func(p, end int) bool {
		got = append(got, hit{p, end})
		return true
	})
	return got
}

// naive is the reference: every occurrence of every pattern found with
// strings.Index, overlapping ones included, in the order Scan promises:
// by end, then longest first, then by id.
func naive(patterns []string, text string) []hit {
	var hits []hit
	for id, p := range patterns {
		for off := 0; ; {
			j := strings.Index(text[off:], p)
			if j < 0 {
				break
			}
			hits = append(hits, hit{id, off + j + len(p)})
			off += j + 1
		}
	}
	slices.SortFunc(hits, func(x, y hit) int {
		return cmp.Or(cmp.Compare(x.end, y.end),
			cmp.Compare(len(patterns[y.pattern]), len(patterns[x.pattern])),
			cmp.Compare(x.pattern, y.pattern))
	})
	return hits
}

func mustBuild(t testing.TB, patterns []string) *Automaton {
	t.Helper()
	a, err := Build(patterns)
	if err != nil {
		t.Fatalf("Build(%q): %v", patterns, err)
	}
	return a
}

// budgets are dense-row budgets that make every layout appear: only the
// root dense, a few levels dense, the default, everything dense.
var budgets = []int{0, 4 << 10, denseBudget, 1 << 40}

// buildEach builds patterns once per budget.
func buildEach(t testing.TB, patterns []string) map[int]*Automaton {
	t.Helper()
	as := make(map[int]*Automaton, len(budgets))
	for _, b := range budgets {
		a, err := build(patterns, b)
		if err != nil {
			t.Fatalf("build(%s, %d): %v", describe(patterns), b, err)
		}
		as[b] = a
	}
	return as
}

// describe keeps failure messages readable for big pattern sets.
func describe(patterns []string) string {
	if len(patterns) > 20 {
		return fmt.Sprintf("%d patterns %q...", len(patterns), patterns[:20])
	}
	return fmt.Sprintf("%q", patterns)
}

// checkAgainstNaive asserts Scan reports exactly the naive occurrences in
// the same order.
func checkAgainstNaive(t testing.TB, a *Automaton, patterns []string, text string) {
	t.Helper()
	got := scanAll(a, text)
	want := naive(patterns, text)
	if !slices.Equal(got, want) {
		t.Fatalf("patterns %s text %q:\n got %v\nwant %v", describe(patterns), text, got, want)
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		text     string
		want     []hit // in the exact order Scan reports them
	}{
		{"classic", []string{"he", "she", "his", "hers"}, "ushers",
			[]hit{{1, 4}, {0, 4}, {3, 6}}},
		{"overlapping phrase", []string{"app", "app crash", "crash"}, "app crash",
			[]hit{{0, 3}, {1, 9}, {2, 9}}},
		{"overlapping self", []string{"aa"}, "aaaa",
			[]hit{{0, 2}, {0, 3}, {0, 4}}},
		{"nested", []string{"battery", "tt", "bat", "battery life"}, "battery life",
			[]hit{{2, 3}, {1, 4}, {0, 7}, {3, 12}}},
		{"duplicates each reported", []string{"login", "x", "login", "login"}, "no login",
			[]hit{{0, 8}, {2, 8}, {3, 8}}},
		{"suffix of many", []string{"abc", "bc", "c", "xbc"}, "abc xbc",
			[]hit{{0, 3}, {1, 3}, {2, 3}, {3, 7}, {1, 7}, {2, 7}}},
		{"utf8 multibyte", []string{"café", "é", "日本", "本"}, "un café à 日本",
			[]hit{{0, 8}, {1, 8}, {2, 18}, {3, 18}}},
		{"utf8 does not match a different accent", []string{"crème"}, "creme crème",
			[]hit{{0, 12}}},
		{"empty text", []string{"app"}, "", nil},
		{"pattern longer than text", []string{"headphones"}, "head", nil},
		{"no patterns", nil, "anything at all", nil},
		{"bytes outside every pattern", []string{"ab"}, "\x00\xffab\x00a\xffb", []hit{{0, 4}}},
		{"all 256 bytes", []string{allBytes(), "\xff\x00"}, allBytes() + allBytes(),
			[]hit{{0, 256}, {1, 257}, {0, 512}}},
		{"restart after mismatch", []string{"abcd", "bce"}, "abce",
			[]hit{{1, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for budget, a := range buildEach(t, tt.patterns) {
				got := scanAll(a, tt.text)
				if !slices.Equal(got, tt.want) {
					t.Errorf("budget %d: Scan(%q) = %v, want %v", budget, tt.text, got, tt.want)
				}
				checkAgainstNaive(t, a, tt.patterns, tt.text)
				if a.Patterns() != len(tt.patterns) {
					t.Errorf("budget %d: Patterns() = %d, want %d", budget, a.Patterns(), len(tt.patterns))
				}
			}
		})
	}
}

func allBytes() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}

func TestScanStopsEarly(t *testing.T) {
	for budget, a := range buildEach(t, []string{"a", "ba", "cba", "x"}) {
		t.Run(fmt.Sprint("budget=", budget), func(t *testing.T) { testStopsEarly(t, a) })
	}
}

func testStopsEarly(t *testing.T, a *Automaton) {
	tests := []struct {
		name  string
		stop  int // fn returns false on this call (1-based)
		calls int
	}{
		{"first call", 1, 1},
		{"inside one end's chain", 2, 2},
		{"at the next end", 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			a.Scan("cba x a", func(int, int) bool {
				calls++
				return calls != tt.stop
			})
			if calls != tt.calls {
				t.Errorf("fn called %d times, want %d", calls, tt.calls)
			}
		})
	}
}

// TestScanStopsAtEveryCall stops the scan at each call in turn, over texts
// long enough to be walked as two halves with many held-back occurrences,
// and checks the calls made are exactly a prefix of the full scan.
func TestScanStopsAtEveryCall(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		text     string
	}{
		{"one byte everywhere", []string{"a", "aa", "a"}, strings.Repeat("a", 300)},
		{"sparse tails", []string{"abcabc", "bca", "c"}, strings.Repeat("abc", 90)},
		{"corpus post", corpusLiterals(2000, 12), corpusPosts(corpusLiterals(2000, 12), 1, 13)[0]},
	}
	for _, tt := range tests {
		for budget, a := range buildEach(t, tt.patterns) {
			t.Run(fmt.Sprint(tt.name, "/budget=", budget), func(t *testing.T) {
				all := scanAll(a, tt.text)
				if want := naive(tt.patterns, tt.text); !slices.Equal(all, want) {
					t.Fatalf("full scan: got %v, want %v", all, want)
				}
				for stop := 1; stop <= len(all); stop++ {
					var got []hit
					a.Scan(tt.text, func(p, end int) bool {
						got = append(got, hit{p, end})
						return len(got) < stop
					})
					if !slices.Equal(got, all[:stop]) {
						t.Fatalf("stop after %d: got %v, want %v", stop, got, all[:stop])
					}
				}
			})
		}
	}
}

// TestSharedSuffixMemoryIsLinear builds thousands of patterns ending in one
// short pattern: each state keeps one output entry however many suffixes
// it reports, so entries stay at one per distinct pattern.
func TestSharedSuffixMemoryIsLinear(t *testing.T) {
	patterns := []string{"x", "ax"}
	for i := range 5000 {
		patterns = append(patterns, fmt.Sprintf("%04dax", i))
	}
	a := mustBuild(t, patterns)
	if len(a.outs) != len(patterns) {
		t.Errorf("%d output entries for %d patterns, want one each", len(a.outs), len(patterns))
	}
	got := scanAll(a, "0042ax")
	want := []hit{{44, 6}, {1, 6}, {0, 6}}
	if !slices.Equal(got, want) {
		t.Errorf("Scan = %v, want %v", got, want)
	}
}

func TestBuildRejectsEmptyPattern(t *testing.T) {
	tests := []struct {
		patterns []string
		want     string
	}{
		{[]string{""}, "pattern 0 is empty"},
		{[]string{"app", "crash", ""}, "pattern 2 is empty"},
	}
	for _, tt := range tests {
		a, err := Build(tt.patterns)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Build(%q) = %v, %v; want error containing %q", tt.patterns, a, err, tt.want)
		}
	}
}

func TestStates(t *testing.T) {
	tests := []struct {
		patterns []string
		want     int
	}{
		{nil, 1},
		{[]string{"he", "she", "his", "hers"}, 10},
		{[]string{"app", "app", "apple"}, 6},
	}
	for _, tt := range tests {
		for budget, a := range buildEach(t, tt.patterns) {
			if got := a.States(); got != tt.want {
				t.Errorf("build(%q, %d).States() = %d, want %d", tt.patterns, budget, got, tt.want)
			}
			if a.SizeBytes() < a.States()*4 {
				t.Errorf("build(%q, %d).SizeBytes() = %d, too small for %d states", tt.patterns, budget, a.SizeBytes(), a.States())
			}
		}
	}
}

// TestScanMatchesNaiveRandom draws pattern sets and texts from small
// alphabets, where overlaps, shared prefixes and suffix chains are common.
func TestScanMatchesNaiveRandom(t *testing.T) {
	alphabets := []string{"ab", "abc", "ab\u00e9", "xyz \x00\xff"}
	r := rand.New(rand.NewPCG(7, 11))
	word := func(alpha []rune, max int) string {
		n := 1 + r.IntN(max)
		var b strings.Builder
		for range n {
			b.WriteRune(alpha[r.IntN(len(alpha))])
		}
		return b.String()
	}
	for i := range 3000 {
		alpha := []rune(alphabets[i%len(alphabets)])
		patterns := make([]string, 1+r.IntN(12))
		for j := range patterns {
			patterns[j] = word(alpha, 6)
		}
		// Long texts are walked as two halves; short ones in one.
		text := ""
		switch r.IntN(20) {
		case 0:
		case 1, 2, 3, 4, 5, 6, 7, 8, 9:
			text = word(alpha, 60)
		default:
			text = word(alpha, 400)
		}
		for _, a := range buildEach(t, patterns) {
			checkAgainstNaive(t, a, patterns, text)
		}
	}
}

func TestScanMatchesNaiveCorpus(t *testing.T) {
	lits := corpusLiterals(20000, 1)
	posts := corpusPosts(lits, 50, 2)
	for _, a := range buildEach(t, lits) {
		for _, post := range posts {
			checkAgainstNaive(t, a, lits, post)
		}
	}
}

func TestScanConcurrent(t *testing.T) {
	lits := corpusLiterals(2000, 3)
	posts := corpusPosts(lits, 64, 4)
	a := mustBuild(t, lits)
	want := make([][]hit, len(posts))
	for i, p := range posts {
		want[i] = scanAll(a, p)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for k := range 200 {
				i := (g*31 + k) % len(posts)
				if got := scanAll(a, posts[i]); !slices.Equal(got, want[i]) {
					errs <- fmt.Errorf("goroutine %d post %d: got %v, want %v", g, i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestScanDoesNotAllocate(t *testing.T) {
	lits := corpusLiterals(2000, 5)
	a := mustBuild(t, lits)
	post := corpusPosts(lits, 1, 6)[0]
	n := 0
	fn := func(int, int) bool { n++; return true }
	if allocs := testing.AllocsPerRun(100, func() { a.Scan(post, fn) }); allocs != 0 {
		t.Errorf("Scan allocated %v times per run, want 0", allocs)
	}
	if n == 0 {
		t.Fatal("post matched nothing; the check proves little")
	}
}

// FuzzScan checks Scan against the naive reference. patterns holds one
// pattern per line; empty lines are dropped since Build rejects them.
func FuzzScan(f *testing.F) {
	lits := corpusLiterals(40, 8)
	posts := corpusPosts(lits, 4, 9)
	f.Add(strings.Join(lits[:20], "\n"), posts[0])
	f.Add(strings.Join(lits[20:], "\n"), posts[1])
	f.Add("app\napp crash\ncrash", "app crash after update, app crash again")
	f.Add("he\nshe\nhis\nhers", "ushers")
	f.Add("café\né\n日本\n本", "un café à 日本 🙏")
	f.Add("aa\naa\na", "aaaaaaa")
	f.Add("\xff\x00\n\x80", "\x00\xff\x00\x80\x80")
	f.Fuzz(func(t *testing.T, patternLines, text string) {
		var patterns []string
		for p := range strings.SplitSeq(patternLines, "\n") {
			if p != "" {
				patterns = append(patterns, p)
			}
		}
		if len(patterns) > 200 {
			patterns = patterns[:200]
		}
		for _, a := range buildEach(t, patterns) {
			checkAgainstNaive(t, a, patterns, text)
		}
	})
}
