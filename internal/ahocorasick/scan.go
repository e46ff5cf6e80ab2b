package ahocorasick

// Scan calls fn for every occurrence of every pattern in text, overlapping
// ones included ("app" and "app crash" both reported in "app crash"), in
// order of end offset; end is the exclusive byte offset where the
// occurrence ends (start = end - len(pattern)). Occurrences with the same
// end are reported longest first; duplicate patterns in ascending id order.
// Scan stops early when fn returns false. It does not allocate and is safe
// for concurrent use.
//
// Each byte's transition depends on the state the previous one produced,
// so a single walk runs at the latency of one table load per byte. Texts
// long enough are therefore walked as two halves at once, interleaved, so
// the processor overlaps the two chains of loads. The second walk starts
// at the root maxLen-1 bytes before the middle: an automaton state
// depends only on the last maxLen bytes, so by the middle it is exactly
// the state a single walk would be in. Its occurrences are held back in a
// small buffer until the first half is reported, which keeps end order.
func (a *Automaton) Scan(text string, fn func(pattern, end int) bool) {
	first := sink{fn: fn}
	if a.maxLen == 0 {
		return
	}
	if len(text) < max(splitMin, 4*a.maxLen) {
		a.run(text, 0, 0, &first)
		return
	}
	mid := len(text) / 2
	left := text[:mid]
	var buf [32]pending
	second := sink{fn: fn, after: mid, buf: &buf}

	// States are held as uint: the 32-bit loads already zero-extend, and
	// a uint32 variable would cost an extra move on the critical path.
	table, limit := a.table, uint(a.limit)
	var s1, s2 uint
	i, j := 0, mid-(a.maxLen-1)
	paused := false
	for i < len(left) && j < len(text) {
		s1 = uint(table[s1+uint(a.classes[left[i]])])
		s2 = uint(table[s2+uint(a.classes[text[j]])])
		if s1 >= limit {
			var ok bool
			if s1, i, ok = a.slow(left, i, s1, &first); !ok {
				return
			}
		}
		if s2 >= limit {
			var ok bool
			if s2, j, ok = a.slow(text, j, s2, &second); !ok {
				// The buffer is full: s2 is the state number reached at
				// text[j], already reported. Finish this half first.
				i++
				paused = true
				break
			}
		}
		i++
		j++
	}
	if !a.run(left, i, s1, &first) {
		return
	}
	for _, p := range buf[:second.n] {
		if !a.report(p.out, p.end, fn) {
			return
		}
	}
	second.buf, second.n = nil, 0
	if paused {
		r, next, done := a.advance(text, j, uint32(s2))
		s2, j = uint(r), next
		if !done {
			var ok bool
			if s2, j, ok = a.slow(text, j, s2, &second); !ok {
				return
			}
		}
		j++
	}
	a.run(text, j, s2, &second)
}

// splitMin and the 4*maxLen bound in Scan keep the bytes walked twice (the
// second walk's warm-up of maxLen-1) under a quarter of the text. On
// ~250-byte posts and 200 literals two walks take about two thirds of the
// time of one (BenchmarkScan with the split turned off).
const splitMin = 64

// sink is where a walk's occurrences go: to fn, or while the other half is
// still being walked, into buf. Occurrences ending at or before after
// belong to the other half and are dropped.
type sink struct {
	fn    func(pattern, end int) bool
	after int
	buf   *[32]pending
	n     int
}

// pending is an occurrence held back: the output entry and the end
// offset. Expanding it into pattern ids waits until it is reported.
type pending struct {
	out int32
	end int
}

// emit passes on the occurrences of output entry e ending at end. It
// returns false when the walk must stop: fn said so, or the buffer is full.
func (a *Automaton) emit(k *sink, e int32, end int) bool {
	if end <= k.after {
		return true
	}
	if k.buf == nil {
		return a.report(e, end, k.fn)
	}
	k.buf[k.n] = pending{e, end}
	k.n++
	return k.n < len(k.buf)
}

// run walks text[i:] from dense state s (a row offset). It returns false
// when the sink stopped the walk.
func (a *Automaton) run(text string, i int, s uint, k *sink) bool {
	table, limit := a.table, uint(a.limit)
	for ; i < len(text); i++ {
		s = uint(table[s+uint(a.classes[text[i]])])
		if s >= limit {
			var ok bool
			if s, i, ok = a.slow(text, i, s, k); !ok {
				return false
			}
		}
	}
	return true
}

// slow handles arriving at ref (>= limit) after text[i]: it reports the
// state's occurrences and, while the automaton is in sparse states, keeps
// consuming text here. It returns the row offset of the dense state to
// continue from and the index of the last byte consumed. When the sink
// stops the walk it returns false with the state number just reported.
func (a *Automaton) slow(text string, i int, ref uint, k *sink) (uint, int, bool) {
	r := uint32(ref)
	for {
		s := r - a.limit
		var e int32
		if s < a.dense {
			e = a.denseOut[s]
		} else {
			e = a.nodes[s-a.dense].out
		}
		if e >= 0 && !a.emit(k, e, i+1) {
			return uint(s), i, false
		}
		var done bool
		if r, i, done = a.advance(text, i, s); done {
			return uint(r), i, true
		}
	}
}

// advance leaves state number s, reached at text[i] and already reported.
// From a dense state it returns its row offset; from a sparse one it
// consumes bytes until the walk is back in a dense state without output
// (that row offset, done) or reaches a state that reports (its ref, not
// done). At the end of text it returns done with i == len(text).
func (a *Automaton) advance(text string, i int, s uint32) (uint32, int, bool) {
	if s < a.dense {
		return s * a.stride, i, true
	}
	k := s - a.dense
	for {
		if i++; i == len(text) {
			return 0, i, true
		}
		c := a.classes[text[i]]
		// Following the literal is the common case: take the first
		// child without a call.
		if n := &a.nodes[k]; n.nkids > 0 && n.cls == c {
			if k++; a.nodes[k].out >= 0 {
				return a.limit + a.dense + k, i, false
			}
			continue
		}
		r := a.step(k, c)
		if r < a.limit {
			return r, i, true
		}
		s = r - a.limit
		if s < a.dense || a.nodes[s-a.dense].out >= 0 {
			return r, i, false
		}
		k = s - a.dense
	}
}

// step is the transition from sparse node k on class c, following failure
// links until a node has an edge on c or a dense row answers.
func (a *Automaton) step(k uint32, c uint8) uint32 {
	for {
		n := &a.nodes[k]
		if n.nkids > 0 {
			if n.cls == c {
				return a.limit + a.dense + k + 1
			}
			if n.nkids > 1 {
				end := n.more + uint32(n.nkids) - 1
				for _, kd := range a.kids[n.more:end] {
					if kd.cls == c {
						return kd.ref
					}
				}
			}
		}
		f := n.fail
		if f < a.limit {
			return a.table[f+uint32(c)]
		}
		s := f - a.limit
		if s < a.dense {
			return a.table[s*a.stride+uint32(c)]
		}
		k = s - a.dense
	}
}

// report calls fn for every pattern of output entry e and its dict chain:
// longer occurrences first since suffixes are shorter.
func (a *Automaton) report(e int32, end int, fn func(pattern, end int) bool) bool {
	for e >= 0 {
		o := &a.outs[e]
		if !fn(int(o.first), end) {
			return false
		}
		for _, id := range a.ids[o.lo:o.hi] {
			if !fn(int(id), end) {
				return false
			}
		}
		e = o.dict
	}
	return true
}
