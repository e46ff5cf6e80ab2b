// Package ahocorasick finds every occurrence of many byte patterns in one pass.
//
// Routing compiles every literal of every rule into one Automaton and scans
// each post once, so the cost of a post does not grow with the number of
// rules.
//
// The automaton is a hybrid. States near the root, where text spends most
// of its time, get dense rows (one column per byte class), so a byte costs
// one table load. Deeper states, which are most of a large vocabulary but
// are visited only while text follows a literal, are compact nodes with a
// failure link, laid out so the states of one literal are neighbours in
// memory. A dense-only table for 20,000 literals takes ~31 MB and misses
// cache on nearly every deep step; the hybrid takes ~3.5 MB and scans the
// same posts about 1.5 times faster (BenchmarkScanDenseBudget). Bytes
// that occur in no pattern share one class, which keeps rows short for the
// mostly-ASCII vocabularies rules are written in.
//
// Matching is on bytes: callers fold case and normalise text and patterns
// the same way before they get here, and check word boundaries themselves
// at each reported occurrence.
package ahocorasick

import "unsafe"

// Automaton matches a fixed set of patterns. It is immutable once built,
// so one Automaton may be scanned from any number of goroutines.
//
// States are numbered 0..States()-1: dense states first (the root is 0),
// then sparse ones. A transition names its target with a ref: a dense
// state that reports nothing by its row offset (state × stride), which is
// below limit, and every other state as limit + state number. The scan
// loop then needs a single comparison to stay on its fast path.
type Automaton struct {
	// classes maps each byte to its column in a dense row.
	classes [256]uint8
	stride  uint32 // number of byte classes
	dense   uint32 // number of dense states
	limit   uint32 // dense × stride
	table   []uint32
	nodes   []node // sparse state dense+i is nodes[i]
	kids    []kid
	// outs has an entry per state that has patterns of its own; denseOut
	// and node.out name the first entry a state reports, or -1.
	outs     []output
	denseOut []int32
	states   int
	maxLen   int
	// ids holds pattern ids sorted by pattern, so duplicates are adjacent
	// and an output's extra ids are ids[lo:hi].
	ids      []int32
	patterns int
}

// node is a sparse state. Its first child, if any, is always the next
// sparse state (see compile), so only the edge's class is stored; other
// children, rare in vocabulary tries, are kids[more : more+nkids-1].
type node struct {
	fail  uint32 // ref
	more  uint32
	nkids uint16
	cls   uint8
	out   int32
}

// kid is a child edge; class and target side by side so a lookup touches
// one cache line.
type kid struct {
	ref uint32
	cls uint8
}

// output lists the patterns ending at one state: first, then (for
// duplicate patterns) ids[lo:hi], then through dict the entry of the next
// shorter suffix state with patterns of its own. Following dict instead of
// copying every suffix's ids into every state keeps memory linear when one
// short pattern is a suffix of thousands of others. Entries are kept apart
// from the states, and hold their first id inline, so the ~10% of states
// that report cost little memory and a report touches one cache line.
type output struct {
	first  int32
	dict   int32 // entry, or -1
	lo, hi int32
}

// Patterns is the number of patterns the automaton was built from.
func (a *Automaton) Patterns() int { return a.patterns }

// States is the number of trie states, the root included.
func (a *Automaton) States() int { return a.states }

// SizeBytes is the approximate memory the automaton holds, for metrics and
// benchmarks.
func (a *Automaton) SizeBytes() int {
	return int(unsafe.Sizeof(*a)) +
		len(a.table)*4 +
		len(a.nodes)*int(unsafe.Sizeof(node{})) +
		len(a.kids)*int(unsafe.Sizeof(kid{})) +
		len(a.outs)*int(unsafe.Sizeof(output{})) +
		len(a.denseOut)*4 +
		len(a.ids)*4
}
