package ahocorasick

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Build compiles patterns; pattern i is reported as i. Duplicate patterns
// are allowed (each id reported). An empty pattern is an error naming its
// index.
func Build(patterns []string) (*Automaton, error) {
	return build(patterns, denseBudget)
}

// denseBudget bounds the bytes of dense table rows. Rows are given to
// states breadth first, a whole depth at a time, so the states text visits
// most (the root and its near descendants) get one-load transitions while
// the long tails of big vocabularies stay compact. Small rule sets fit
// whole. On 20,000 product-name literals 1 MiB scans as fast as 4 or 16
// MiB and faster than 256 KiB or less (BenchmarkScanDenseBudget).
const denseBudget = 1 << 20

// build is Build with the dense-row budget as a parameter, so tests can
// force every state sparse or every state dense.
func build(patterns []string, budget int) (*Automaton, error) {
	if len(patterns) > math.MaxInt32 {
		return nil, fmt.Errorf("ahocorasick: %d patterns exceed the limit of %d", len(patterns), math.MaxInt32)
	}
	total := 0
	for i, p := range patterns {
		if p == "" {
			return nil, fmt.Errorf("ahocorasick: pattern %d is empty", i)
		}
		total += len(p)
	}
	if total >= math.MaxInt32 {
		return nil, fmt.Errorf("ahocorasick: patterns hold %d bytes, over the limit of %d", total, math.MaxInt32-1)
	}

	a := &Automaton{patterns: len(patterns)}
	a.stride = assignClasses(patterns, &a.classes)
	t := newTrie(patterns, &a.classes, total)
	a.ids = t.order
	if err := a.compile(t, budget); err != nil {
		return nil, err
	}
	return a, nil
}

// assignClasses gives every byte used by some pattern its own class, in
// byte order, and puts all other bytes in class 0, which text bytes outside
// every pattern's alphabet then share. It returns the number of classes.
func assignClasses(patterns []string, classes *[256]uint8) uint32 {
	var used [256]bool
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	// With all 256 bytes in use there is no unused class to reserve, and
	// numbering from 0 keeps every class within a uint8.
	next := 1
	if !slices.Contains(used[:], false) {
		next = 0
	}
	for b, u := range used {
		if u {
			classes[b] = uint8(next)
			next++
		}
	}
	if next == 0 { // no pattern: only the shared class
		next = 1
	}
	return uint32(next)
}

// trie is the prefix tree of the patterns before it becomes a table. Nodes
// are numbered in creation order with the root at 0; children are kept as
// singly linked lists because most nodes of a vocabulary trie have one.
type trie struct {
	label      []uint8 // class of the edge into the node
	depth      []int32
	firstChild []int32
	nextSib    []int32
	// Patterns ending at a node are order[outLo : outLo+outN]: inserting
	// patterns in sorted order makes equal patterns adjacent.
	outLo []int32
	outN  []int32
	order []int32 // pattern ids sorted by pattern bytes, then id
}

// newTrie inserts the patterns in sorted order, so each one shares with the
// previous exactly their common prefix and only the rest needs new nodes;
// no child lookup is ever needed. total is the summed pattern length, an
// upper bound on the number of non-root nodes.
func newTrie(patterns []string, classes *[256]uint8, total int) *trie {
	order := make([]int32, len(patterns))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		if c := strings.Compare(patterns[x], patterns[y]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})

	t := &trie{
		label:      make([]uint8, 1, total+1),
		depth:      make([]int32, 1, total+1),
		firstChild: make([]int32, 1, total+1),
		nextSib:    make([]int32, 1, total+1),
		outLo:      make([]int32, 1, total+1),
		outN:       make([]int32, 1, total+1),
		order:      order,
	}
	t.firstChild[0], t.nextSib[0] = -1, -1
	path := []int32{0} // path[d] is the node at depth d of the previous pattern
	prev := ""
	for k, id := range order {
		p := patterns[id]
		common := 0
		for common < len(p) && common < len(prev) && p[common] == prev[common] {
			common++
		}
		path = path[:common+1]
		for i := common; i < len(p); i++ {
			parent := path[len(path)-1]
			n := int32(len(t.label))
			t.label = append(t.label, classes[p[i]])
			t.depth = append(t.depth, int32(i+1))
			t.firstChild = append(t.firstChild, -1)
			t.nextSib = append(t.nextSib, t.firstChild[parent])
			t.outLo = append(t.outLo, 0)
			t.outN = append(t.outN, 0)
			t.firstChild[parent] = n
			path = append(path, n)
		}
		end := path[len(path)-1]
		if t.outN[end] == 0 {
			t.outLo[end] = int32(k)
		}
		t.outN[end]++
		prev = p
	}
	return t
}
