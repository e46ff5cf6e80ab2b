package classify

// scan is one pass over a post's tokens: it finds the lexicon terms (longest
// first), weighs them, and remembers what the labels are decided from.
type scan struct {
	lex  *lexicon
	toks []token

	pos, neg float64 // sentiment so far, kept apart so praise can be damped
	sarcasm  float64 // praise that looks sarcastic if the post turns out negative
	flags    flag    // labels of the terms found, after negation

	foreign  bool // tagged with a language other than English
	question bool // a "?" anywhere
	hasLink  bool
	bangs    bool // "!!" or more
	// Signs of promotion, which make weak spam terms spam without a link:
	// spamWeak terms seen, prices ("$299"), a pointing emoji or arrow.
	spamWeak int
	prices   int
	pointer  bool
	// first: the author says "I" or "my", telling their own story, which
	// promotion does not.
	first    bool
	words    int // word tokens
	hashtags int // word tokens that are a hashtag's text

	// quoted: inside quotation marks, where praise is someone else's
	// claim, often scare-quoted: a 'smart' lamp, the 'flexible' fare.
	quoted     bool
	quoteWords int
	// resolveUntil: problems named before this word index are fixed ones:
	// "fixed the save bug", "sorted my refund".
	resolveUntil int
	sawFrom      bool // a "from", so a price may have risen
	sawPast      bool // a "was" or "used", so a price may have been lower
	sawWait      bool // a word that may start a wait: "took", "waited"
	self         bool // the author speaks of themselves: "I", "my", "we"
	caps         int  // words in capitals

	negUntil int  // terms starting before this word index are negated
	boostAt  int  // the term starting at this word index is intensified
	contrast bool // a "but" was seen: what follows is what the author means
	// strongNeg: a term at least as strong as "hate" or "terrible".
	strongNeg bool
	// why: a sentence opens with "why", maybe after a name, which with a
	// negative post asks nothing: "why is the 5:40 always full".
	why bool
	// feel: a word of feeling ("love", "useless", an emoji), not only
	// the name of a problem ("fails", "error").
	feel bool
	// tech: a version number or code, the marks of a technical report.
	tech bool

	product               *entry
	problemAt, problemEnd int // token span of the first problem term, or -1

	sentWord int // word index where the current sentence began
	// nearLog holds the last near words (near.go), nearN how many were
	// seen; nearDone marks the near rules already applied.
	nearLog  [nearRecent]nearEvent
	nearN    int
	nearDone uint64
}

const (
	negationWindow   = 3    // words a negator reaches: "not very good at all"
	resolveWindow    = 4    // words a fix reaches: "fixed the save bug in"
	maxQuoteWords    = 12   // a quote left open ends here: "weeks' notice"
	negatedPositive  = 0.75 // "not good" is bad, a little less than "bad"
	negatedNegative  = 0.5  // "not bad" is only mildly good
	emphasis         = 1.5  // an intensifier or capitals on a term
	intensity        = 1.3  // "!!!" or a shouted post, on the whole score
	problemDampening = 0.5  // praise in a post that reports a problem counts half
	contrastFade     = 0.5  // what came before "but" counts half…
	contrastStress   = 1.5  // …and what follows counts more
	// negativityBias tips mixed posts ("great lamp, terrible app") to
	// negative: for a care team a missed complaint costs more than a
	// missed compliment.
	negativityBias = 1.25
	// waitWeight: a customer kept waiting for weeks is a grievance on its
	// own, even put as a question: "why does it take 6 weeks?".
	waitWeight  = -2.0
	shoutWeight = -1.0
	// strongNegative is the weight of "hate", "terrible": in a post that
	// praises too and has no "but", "love the staff, HATE the phone line",
	// the praise counts as if a "but" came between.
	strongNegative = 2.5
)

func (s *scan) run() {
	toks, skip := s.toks, 0
	// inTerm: tokens before it are inside a multiword term with termFlags.
	inTerm, termFlags := 0, flag(0)
	s.boostAt = -1
	for i := range toks {
		t := &toks[i]
		var b *bucket
		if t.s != "" {
			b = s.lex.index[t.s]
			if b == nil && t.kind == tkWord {
				b = s.lex.stretched(t.s)
			}
		}
		// Products are looked for at every token: a product inside a longer
		// term ("cancel my subscription") still names the product.
		if b != nil && s.product == nil {
			for _, e := range b.prod {
				if e.matchAt(toks, i) {
					s.product = e
					break
				}
			}
		}
		if b != nil && i >= skip {
			for _, e := range b.lex {
				if e.matchAt(toks, i) {
					s.apply(e, i)
					skip = i + len(e.toks)
					if len(e.toks) > 1 {
						inTerm, termFlags = skip, e.flags
					}
					break
				}
			}
		}
		switch t.kind {
		case tkWord:
			if !s.tech && version(t.s) && (i == 0 || !isCurrency(toks[i-1].s)) {
				s.tech = true
			}
			if t.sentStart {
				s.sentWord = s.words
			}
			if b != nil && b.nearA|b.nearB != 0 {
				var cover flag
				if i < inTerm {
					cover = termFlags
				}
				s.near(b, i, s.words < s.negUntil, cover)
			}
			switch t.s {
			case "why":
				// "why is…", or after the brand addressed: "Greyline why is…"
				if s.words-s.sentWord <= 1 {
					s.why = true
				}
			case "please", "pls", "plz":
				s.feel = true // a plea: "please help"
			case "from":
				s.sawFrom = true
			case "was", "were", "used":
				s.sawPast = true
			case "took", "taken", "taking", "take", "takes", "wait", "waits", "waited", "waiting", "been", "after", "ago", "late", "overdue":
				s.sawWait = true
			case "i", "i'm", "im", "i've", "ive", "i'd", "i'll", "my", "mine", "myself":
				s.self, s.first = true, true
			case "me", "we", "we're", "we've", "we'd", "we'll", "our", "ours", "us", "ourselves":
				s.self = true
			}
			if s.quoted {
				if s.quoteWords++; s.quoteWords > maxQuoteWords {
					s.quoted = false
				}
			}
			s.words++
			if t.caps {
				s.caps++
			}
			if i > 0 && t.glued && toks[i-1].s == "#" {
				s.hashtags++
			}
			if !s.hasLink && isDomainAt(toks, i) {
				s.hasLink = true
			}
		case tkURL:
			s.hasLink = true
		case tkEmoji:
			s.negUntil, s.boostAt = 0, -1
			switch t.s {
			case "👉", "👇", "⬇", "➡", "👈":
				s.pointer = true
			}
		case tkPunct:
			s.quote(i)
			switch t.s {
			case "?":
				s.question = true
			case "!":
				if i > 0 && t.glued && toks[i-1].s == "!" {
					s.bangs = true
				}
			case "$", "£", "€", "¥":
				if i+1 < len(toks) && toks[i+1].glued && toks[i+1].kind == tkWord || i+1 < len(toks) && toks[i+1].s == t.s {
					s.prices++ // "$299", "$ZIPPA", "$$$"
				}
			case "→", "⇒", "➜":
				s.pointer = true
			case "`":
				s.tech = true
			}
			if isBreak(t.s) {
				s.negUntil, s.boostAt, s.resolveUntil = 0, -1, 0
			}
		}
	}
	if s.sawFrom && priceRise(toks) || s.sawPast && s.prices >= 2 && priceWas(toks) {
		s.flags |= fComplaint
		s.neg += defaultProblemWeight
	}
	// A long wait weighs but decides nothing: "took 3 days to arrive, love
	// it" is still praise.
	if s.sawWait && longWait(toks, s.flags&fService != 0) {
		s.neg += waitWeight
	}
	// A post shouted with nothing good in it and a grievance in it, a
	// "why" or a problem, is angry: "WHY IS THE 5:40 ALWAYS FULL. ADD A
	// BUS". "NEW COLLECTION OUT TODAY" is only loud.
	if s.caps >= 3 && 2*s.caps >= s.words && s.pos == 0 && (s.why || s.neg < 0 || s.flags&problemFlags != 0) {
		s.neg += shoutWeight
	}
	// An eye-roll turns the post's praise into sarcasm: "great job guys 🙃".
	if s.flags&fIrony != 0 {
		s.sarcasm += s.pos
		s.flags &^= fPraise
	}
}

// apply weighs one matched term starting at toks[i]; s.words is the number of
// words before it.
func (s *scan) apply(e *entry, i int) {
	p := s.words
	f := e.flags
	switch {
	case f&fNegator != 0:
		s.negUntil = p + wordsIn(e) + negationWindow
		return
	case f&fIntensifier != 0:
		s.boostAt = p + wordsIn(e)
		return
	case f&fResolver != 0 && (e.selfNeg || p >= s.negUntil): // "not fixed" fixes nothing
		s.resolveUntil = p + wordsIn(e) + resolveWindow
	case f&fContrast != 0:
		s.pos *= contrastFade
		s.neg *= contrastFade
		s.negUntil, s.boostAt = 0, -1
		s.contrast = true
		return
	}
	if f&fOpener != 0 && !s.toks[i].sentStart {
		return
	}
	negated := !e.selfNeg && p < s.negUntil
	if negated {
		// "Never crashed", "not looking for": the label is denied. Safety and
		// spam are not: "no fire yet, but sparks" still needs a person.
		f &= fSafety | fSpam | fSpamWeak | fService
		// "Won't load", "never replied": a plain verb denied is the problem.
		if e.flags&fNegBug != 0 {
			f |= fBug
		}
		if e.flags&fNegService != 0 {
			f |= fComplaint
		}
		if e.flags&fNegChurn != 0 {
			f |= fChurn
		}
	}
	if p < s.resolveUntil && f&fResolver == 0 {
		f &^= fBug | fBugWeak | fProblem | fComplaint
	}
	if f&fQuestion != 0 && !s.toks[i].sentStart {
		f &^= fQuestion
	}
	w := e.weight
	if e.general && s.foreign {
		w = 0
	}
	switch {
	case e.flags&fNegOnly != 0:
		if !negated {
			w = 0
		}
	case negated && w > 0:
		w = -negatedPositive * w
	case negated:
		w = -negatedNegative * w
	}
	if s.quoted && w > 0 {
		w = 0
		f &^= fPraise
	}
	if w < 0 && p < s.resolveUntil && f&fResolver == 0 {
		w = 0
	}
	if w != 0 {
		for _, t := range s.toks[i : i+len(e.toks)] {
			if t.caps {
				w *= emphasis
				break
			}
		}
		if p == s.boostAt {
			w *= emphasis
		}
		if s.contrast {
			w *= contrastStress
		}
		if f&problemFlags == 0 && (w >= 1 || w <= -2 || s.toks[i].kind == tkEmoji) {
			s.feel = true
		}
		if w > 0 {
			s.pos += w
		} else {
			s.neg += w
			if w <= -strongNegative {
				s.strongNeg = true
			}
		}
	}
	if f&fSarcasm != 0 && w > 0 && s.sarcasticAt(i, len(e.toks)) {
		s.sarcasm += w
	}
	if f&fLegal != 0 && inQuestion(s.toks, i) {
		f &^= fLegal // "should I sue?" weighs, but takes no action
	}
	if f&fSpamWeak != 0 {
		s.spamWeak++
	}
	if s.problemAt < 0 && f&(fSafety|fLegal|fBug|fProblem) != 0 {
		s.problemAt, s.problemEnd = i, i+len(e.toks)
	}
	s.flags |= f
}

// inQuestion reports whether toks[i] is in a sentence that asks: one that
// ends with "?" or opens with a question word. "Do I need a lawyer at this
// point?" asks about legal action; "we are speaking to lawyers" takes it.
func inQuestion(toks []token, i int) bool {
	for k := i + 1; k < len(toks); k++ {
		t := &toks[k]
		if t.kind == tkWord && t.sentStart {
			break
		}
		if t.kind == tkPunct && t.s == "?" {
			return true
		}
	}
	for k := i; k >= 0; k-- {
		t := &toks[k]
		if t.kind != tkWord || !t.sentStart {
			continue
		}
		switch t.s {
		case "do", "does", "did", "should", "would", "could", "can", "is", "are", "will", "how", "what", "why", "when", "where", "who", "which", "anyone", "anybody":
			return true
		}
		return false
	}
	return false
}

// quote follows quotation marks at toks[i]: one opens before a word it is
// glued to and closes after a word it is glued to, so the apostrophes of
// "weeks' notice" and "Pixelforge's" open nothing.
func (s *scan) quote(i int) {
	t := &s.toks[i]
	switch t.s {
	case "'", "\"", "‘", "’", "“", "”":
	default:
		return
	}
	next := i+1 < len(s.toks) && s.toks[i+1].glued && s.toks[i+1].kind == tkWord
	switch {
	case s.quoted && t.glued:
		s.quoted = false
	case !s.quoted && next && (i == 0 || !t.glued || s.toks[i-1].kind == tkPunct):
		s.quoted, s.quoteWords = true, 0
	}
}

// sarcasticAt reports whether praise at toks[i:i+n] reads like the opener
// of "Great, the app crashed again": a lone word that opens a clause and is
// followed by punctuation. Phrases ("love how") qualify wherever they stand.
// Either way it only counts if the post turns out negative.
func (s *scan) sarcasticAt(i, n int) bool {
	if n > 1 {
		return true
	}
	if i+1 >= len(s.toks) || s.toks[i+1].kind != tkPunct || !isBreak(s.toks[i+1].s) {
		return false
	}
	for k := i - 1; k >= 0; k-- {
		t := &s.toks[k]
		switch {
		case t.kind == tkHandle || t.kind == tkURL:
			continue
		case t.kind == tkEmoji, t.kind == tkPunct && isBreak(t.s):
			return true
		case t.kind == tkWord:
			switch t.s {
			case "oh", "just", "wow", "yeah", "so", "how", "really":
				return true
			}
		}
		return false
	}
	return true
}

// score is the post's weight sum, before normalisation: positive and
// negative weights with the negativity bias, sarcasm and problem dampening
// applied, and the whole raised for "!!" or a shouted post.
func (s *scan) score() float64 {
	pos, neg := s.pos, s.neg*negativityBias
	problem := s.flags&problemFlags != 0
	if s.sarcasm > 0 && (neg < 0 || problem) {
		pos = max(0, pos-s.sarcasm)
		neg -= s.sarcasm
	}
	if problem {
		pos *= problemDampening
	}
	if s.strongNeg && !s.contrast {
		pos *= contrastFade
	}
	score := pos + neg
	if s.bangs || s.caps >= 3 && 2*s.caps >= s.words {
		score *= intensity
	}
	return score
}

func isCurrency(s string) bool { return s == "$" || s == "£" || s == "€" || s == "¥" }

// version reports a version number, "3.2.0", "v1.9.2", "8.14": digits
// with a dot inside, as the tokenizer keeps them together.
func version(w string) bool {
	if len(w) < 3 {
		return false
	}
	dot, digit := false, false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c == '.':
			dot = true
		case c >= '0' && c <= '9':
			digit = true
		case i == 0 && c == 'v':
		default:
			return false
		}
	}
	return dot && digit
}

func wordsIn(e *entry) int {
	n := 0
	for _, t := range e.toks {
		if startsWord(t) {
			n++
		}
	}
	return n
}

// isBreak reports punctuation that ends a clause: negation and emphasis stop
// there, and so does a problem phrase.
func isBreak(s string) bool {
	switch s {
	case ".", ",", "!", "?", ";", ":", "…", "(", ")", "[", "]", "\"", "“", "”", "—", "–", "'", "‘", "’", "¿", "¡":
		return true
	}
	return false
}
