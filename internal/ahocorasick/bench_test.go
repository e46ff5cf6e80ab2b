package ahocorasick

import (
	"math"
	"runtime"
	"strconv"
	"testing"

	bobu "github.com/BobuSumisu/aho-corasick"
)

// retainedHeap is the live heap a built value holds: heap in use after a
// collection with the value alive, minus heap in use before building it.
// The input is kept alive too, or its release would be subtracted.
func retainedHeap(input []string, build func([]string) any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build(input)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	runtime.KeepAlive(input)
	return float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
}

func BenchmarkBuild20k(b *testing.B) {
	lits := corpusLiterals(20000, 1)
	var a *Automaton
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if a, err = Build(lits); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(a.States()), "states")
	b.ReportMetric(float64(a.stride), "classes")
	b.ReportMetric(float64(a.SizeBytes()), "size-bytes")
	b.ReportMetric(retainedHeap(lits, func(l []string) any { a, _ := Build(l); return a }), "heap-bytes")
}

// BenchmarkBuildBobuSumisu20k is the library we did not use, on the same
// literals: it keeps a [256]int64 row per state.
func BenchmarkBuildBobuSumisu20k(b *testing.B) {
	lits := corpusLiterals(20000, 1)
	b.ReportAllocs()
	for b.Loop() {
		bobu.NewTrieBuilder().AddStrings(lits).Build()
	}
	b.ReportMetric(retainedHeap(lits, func(l []string) any { return bobu.NewTrieBuilder().AddStrings(l).Build() }), "heap-bytes")
}

func BenchmarkScan(b *testing.B) {
	for _, n := range []int{200, 20000} {
		b.Run("patterns="+strconv.Itoa(n), func(b *testing.B) {
			lits := corpusLiterals(n, 1)
			a, err := Build(lits)
			if err != nil {
				b.Fatal(err)
			}
			posts := corpusPosts(lits, 1024, 2)
			total, hits := 0, 0
			for _, p := range posts {
				total += len(p)
				a.Scan(p, func(int, int) bool { hits++; return true })
			}
			// One op is one post; SetBytes takes the mean post length so
			// MB/s is the real throughput over the whole set.
			b.SetBytes(int64(total / len(posts)))
			count := 0
			fn := func(int, int) bool { count++; return true }
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				a.Scan(posts[i&1023], fn)
				i++
			}
			b.ReportMetric(float64(hits)/float64(len(posts)), "hits/post")
		})
	}
}

// BenchmarkScanDenseBudget is how denseBudget was chosen: the same 20,000
// literals and posts with more or fewer states given dense rows. "all" is
// a plain dense DFA.
func BenchmarkScanDenseBudget(b *testing.B) {
	lits := corpusLiterals(20000, 1)
	posts := corpusPosts(lits, 1024, 2)
	for _, budget := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, math.MaxInt} {
		name := strconv.Itoa(budget>>10) + "KiB"
		if budget == math.MaxInt {
			name = "all"
		}
		b.Run(name, func(b *testing.B) {
			a, err := build(lits, budget)
			if err != nil {
				b.Fatal(err)
			}
			fn := func(int, int) bool { return true }
			i := 0
			for b.Loop() {
				a.Scan(posts[i&1023], fn)
				i++
			}
			b.ReportMetric(float64(a.dense), "dense-states")
			b.ReportMetric(float64(a.SizeBytes()), "size-bytes")
		})
	}
}

// BenchmarkScanBobuSumisu20k puts the scan numbers above in context; that
// library returns a slice of matches, so it allocates per post.
func BenchmarkScanBobuSumisu20k(b *testing.B) {
	lits := corpusLiterals(20000, 1)
	trie := bobu.NewTrieBuilder().AddStrings(lits).Build()
	posts := corpusPosts(lits, 1024, 2)
	total := 0
	for _, p := range posts {
		total += len(p)
	}
	b.SetBytes(int64(total / len(posts)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		trie.MatchString(posts[i&1023])
		i++
	}
}
