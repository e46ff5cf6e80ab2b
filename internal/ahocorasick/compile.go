package ahocorasick

import (
	"fmt"
	"math"
	"slices"
)

// compile turns the trie into the automaton: it numbers the states, fills
// the dense rows and lays out the sparse nodes, computing failure links
// breadth first along the way.
//
// Dense states (depth <= the deepest level that fits the budget) are
// numbered breadth first, so the shallow states text keeps returning to
// sit together at the front of the table. Sparse states are numbered in
// trie creation order, which is depth-first: the states of one literal are
// neighbours in memory, and a node's first child is always the next node.
func (a *Automaton) compile(t *trie, budget int) error {
	n := len(t.label)
	stride := uint64(a.stride)

	var perDepth []int
	for _, d := range t.depth {
		for len(perDepth) <= int(d) {
			perDepth = append(perDepth, 0)
		}
		perDepth[d]++
	}
	a.maxLen = len(perDepth) - 1
	nd, denseDepth := 1, int32(0) // the root is always dense
	for d := 1; d < len(perDepth); d++ {
		if uint64(nd+perDepth[d])*stride*4 > uint64(max(budget, 0)) {
			break
		}
		nd += perDepth[d]
		denseDepth = int32(d)
	}
	limit := uint64(nd) * stride
	if limit+uint64(n) > math.MaxUint32 {
		return fmt.Errorf("ahocorasick: %d states (%d dense × %d byte classes) exceed the 32-bit state space", n, nd, stride)
	}
	a.dense, a.limit = uint32(nd), uint32(limit)

	// bfs lists trie nodes breadth first; sn maps a trie node to its state
	// number.
	bfs := make([]int32, 1, n)
	for h := 0; h < len(bfs); h++ {
		for c := t.firstChild[bfs[h]]; c >= 0; c = t.nextSib[c] {
			bfs = append(bfs, c)
		}
	}
	sn := make([]uint32, n)
	for i, x := range bfs[:nd] {
		sn[x] = uint32(i)
	}
	next := uint32(nd)
	for x, d := range t.depth {
		if d > denseDepth {
			sn[x] = next
			next++
		}
	}

	a.table = make([]uint32, limit)
	a.states = n
	// outOf[s] is the first output entry state s reports, or -1.
	outOf := make([]int32, n)
	outOf[0] = -1
	// ref encodes state number s the way transitions name it: a dense
	// state without output by its row offset, any other state as
	// limit + s.
	ref := func(s uint32) uint32 {
		if s < a.dense && outOf[s] < 0 {
			return s * a.stride
		}
		return a.limit + s
	}
	a.nodes = make([]node, n-nd)
	for x, d := range t.depth {
		if d <= denseDepth {
			continue
		}
		sp := &a.nodes[sn[x]-a.dense]
		for c := t.firstChild[x]; c >= 0; c = t.nextSib[c] {
			sp.nkids++
			if c == int32(x)+1 {
				// The first child in creation order: the next sparse node.
				sp.cls = t.label[c]
			}
		}
		if sp.nkids > 1 {
			sp.more = uint32(len(a.kids))
			for c := t.firstChild[x]; c >= 0; c = t.nextSib[c] {
				if c != int32(x)+1 {
					a.kids = append(a.kids, kid{ref: a.limit + sn[c], cls: t.label[c]})
				}
			}
		}
	}

	fail := make([]uint32, n) // by state number
	for _, x := range bfs {
		s := sn[x]
		dense := s < a.dense
		if dense && s > 0 {
			// The row starts as the failure state's: wherever this state
			// has no child, it goes where its longest proper suffix goes.
			f := uint64(fail[s]) * stride
			copy(a.table[uint64(s)*stride:uint64(s+1)*stride], a.table[f:f+stride])
		}
		for c := t.firstChild[x]; c >= 0; c = t.nextSib[c] {
			cs, cls := sn[c], t.label[c]
			var f uint32 // children of the root fail to the root
			if s > 0 {
				f = a.stateOf(a.delta(fail[s], cls))
			}
			fail[cs] = f
			// A state reports its own patterns, then whatever its
			// failure state reports.
			outOf[cs] = outOf[f]
			if lo, k := t.outLo[c], t.outN[c]; k > 0 {
				outOf[cs] = int32(len(a.outs))
				a.outs = append(a.outs, output{first: t.order[lo], dict: outOf[f], lo: lo + 1, hi: lo + k})
			}
			if dense {
				a.table[uint64(s)*stride+uint64(cls)] = ref(cs)
			}
			if cs >= a.dense {
				a.nodes[cs-a.dense].fail = ref(f)
				a.nodes[cs-a.dense].out = outOf[cs]
			}
		}
	}
	a.denseOut = slices.Clone(outOf[:a.dense])
	return nil
}

// stateOf decodes a ref back to a state number.
func (a *Automaton) stateOf(r uint32) uint32 {
	if r < a.limit {
		return r / a.stride
	}
	return r - a.limit
}

// delta is the full transition from state number s on class c.
func (a *Automaton) delta(s uint32, c uint8) uint32 {
	if s < a.dense {
		return a.table[s*a.stride+uint32(c)]
	}
	return a.step(s-a.dense, c)
}
