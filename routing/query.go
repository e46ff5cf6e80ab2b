package routing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A query is what a route listens for, written the way listening tools take
// it:
//
//	lumio AND (refund* OR "charged twice") -coupon followers:>1000
//
// Terms and "exact phrases" match whole words in any case; a trailing * makes
// a prefix; "app crash"~5 finds the words within five words of each other;
// AND (or nothing), OR, NOT (or a leading -) and parentheses combine them; and
// field filters (platform:, lang:, author:, followers:, sentiment:, intent:,
// urgency:, is:reply, has:link) test the mention rather than its text. NOT
// binds tightest, then AND, then OR.

// Query is a parsed query. It is not changed after parsing.
type Query struct {
	Src  string
	root qnode
}

// QueryError is a problem in a query, at a column (in characters, from 1) a
// person can find.
type QueryError struct {
	Query string
	Col   int
	Msg   string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("column %d: %s", e.Col, e.Msg)
}

// Query fields and the values they take.
var queryFields = map[string]string{
	"platform":  "a platform name such as bluesky or reddit",
	"lang":      "a language code such as en or de",
	"author":    "a handle such as @jen or jen.bsky.social",
	"followers": "a number with an optional comparison: 1000, >1000, >=5k, <1m",
	"sentiment": strings.Join(Sentiments(), ", "),
	"intent":    strings.Join(Intents(), ", "),
	"urgency":   strings.Join(Urgencies(), ", "),
	"is":        "reply",
	"has":       "link",
}

// MinPrefix is the shortest stem a wildcard may have: "re*" would match most
// of the language.
const MinPrefix = 3

// MaxSlop is the widest proximity a query may ask for.
const MaxSlop = 50

// maxDepth bounds nesting so a hostile rules file cannot exhaust the stack.
const maxDepth = 100

// qnode is one node of a parsed query.
type qnode interface{ String() string }

type (
	andNode struct{ kids []qnode }
	orNode  struct{ kids []qnode }
	notNode struct{ kid qnode }
	// litNode is a term, phrase or prefix; id is its literal's index in the
	// rules' literal table, set when the rules are compiled.
	litNode struct {
		lit literal
		id  int32
	}
	// nearNode matches when its words all occur within a window of
	// len(words)+slop words.
	nearNode struct {
		raw   string
		words []literal
		ids   []int32
		slop  int
	}
	fieldNode struct {
		field string
		op    string // for followers: "=", ">", ">=", "<", "<="
		value string // lowercased; author without '@'
		n     int
	}
)

func (n *andNode) String() string  { return "(" + joinNodes(n.kids, " AND ") + ")" }
func (n *orNode) String() string   { return "(" + joinNodes(n.kids, " OR ") + ")" }
func (n *notNode) String() string  { return "NOT " + n.kid.String() }
func (n *litNode) String() string  { return n.lit.String() }
func (n *nearNode) String() string { return strconv.Quote(n.raw) + "~" + strconv.Itoa(n.slop) }
func (n *fieldNode) String() string {
	if n.field == "followers" {
		op := n.op
		if op == "=" {
			op = ""
		}
		return "followers:" + op + strconv.Itoa(n.n)
	}
	return n.field + ":" + n.value
}

func joinNodes(ns []qnode, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.String()
	}
	return strings.Join(s, sep)
}

// String is the query in a canonical, fully parenthesised form: parsing it
// again gives the same query.
func (q *Query) String() string {
	if q == nil || q.root == nil {
		return ""
	}
	return q.root.String()
}

// ParseQuery parses one query. The error is a *QueryError.
func ParseQuery(src string) (*Query, error) {
	p := &qparser{src: src}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, &QueryError{Query: src, Col: 1, Msg: "empty query"}
	}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.kind == tRParen {
			return nil, p.errAt(t, "unbalanced \")\": no \"(\" before it")
		}
		return nil, p.errAt(t, "unexpected %s", t.describe())
	}
	return &Query{Src: src, root: n}, nil
}

type tokKind int

const (
	tWord tokKind = iota
	tPhrase
	tLParen
	tRParen
	tAnd
	tOr
	tNot
)

type qtok struct {
	kind tokKind
	text string // word or phrase content
	col  int    // column, in characters from 1
	slop int    // phrase ~N; -1 when absent
	neg  bool   // a leading '-' on a word, phrase or '('
}

func (t qtok) describe() string {
	switch t.kind {
	case tLParen:
		return `"("`
	case tRParen:
		return `")"`
	case tAnd:
		return "AND"
	case tOr:
		return "OR"
	case tNot:
		return "NOT"
	case tPhrase:
		return "phrase " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

type qparser struct {
	src  string
	toks []qtok
	i    int
}

func (p *qparser) errAt(t qtok, format string, args ...any) error {
	return &QueryError{Query: p.src, Col: t.col, Msg: fmt.Sprintf(format, args...)}
}

// lex splits the query into tokens. Operators are upper case, as in every
// listening tool: "and" and "or" are words to search for.
func (p *qparser) lex() error {
	s := p.src
	if !utf8.ValidString(s) {
		col := 1
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					break
				}
			}
			col++
		}
		return &QueryError{Query: s, Col: col, Msg: "invalid UTF-8"}
	}
	col := 1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			col++
			continue
		}
		start := col
		neg := false
		if r == '-' {
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if i+1 >= len(s) || unicode.IsSpace(next) {
				return &QueryError{Query: s, Col: col, Msg: `a lone "-": write -word to exclude a word`}
			}
			if next == '-' || next == ')' {
				return &QueryError{Query: s, Col: col, Msg: fmt.Sprintf(`"-" must be followed by a word, phrase or "(", not %q`, next)}
			}
			neg = true
			i++
			col++
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r == '(':
			p.toks = append(p.toks, qtok{kind: tLParen, col: start, neg: neg})
			i += size
			col++
		case r == ')':
			p.toks = append(p.toks, qtok{kind: tRParen, col: start})
			i += size
			col++
		case r == '"':
			text, n, cols, ok := readPhrase(s[i+1:])
			if !ok {
				return &QueryError{Query: s, Col: start, Msg: "unterminated phrase: a closing \" is missing"}
			}
			i += 1 + n
			col += 1 + cols
			t := qtok{kind: tPhrase, text: text, col: start, slop: -1, neg: neg}
			if strings.HasPrefix(s[i:], "~") {
				j := 1
				for i+j < len(s) && s[i+j] >= '0' && s[i+j] <= '9' {
					j++
				}
				v, err := strconv.Atoi(s[i+1 : i+j])
				if err != nil || v < 1 || v > MaxSlop {
					return &QueryError{Query: s, Col: col, Msg: fmt.Sprintf("proximity %q: want ~N with N from 1 to %d", s[i:i+j], MaxSlop)}
				}
				t.slop = v
				i += j
				col += j
			}
			if i < len(s) {
				if r, _ := utf8.DecodeRuneInString(s[i:]); !unicode.IsSpace(r) && r != ')' && r != '(' {
					return &QueryError{Query: s, Col: col, Msg: fmt.Sprintf("%q right after a phrase: put a space between them", r)}
				}
			}
			p.toks = append(p.toks, t)
		default:
			j := i
			n := 0
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' {
					break
				}
				j += size
				n++
			}
			w := s[i:j]
			i, col = j, col+n
			t := qtok{kind: tWord, text: w, col: start, neg: neg}
			if !neg {
				switch w {
				case "AND":
					t.kind = tAnd
				case "OR":
					t.kind = tOr
				case "NOT":
					t.kind = tNot
				}
			}
			p.toks = append(p.toks, t)
		}
	}
	return nil
}

// readPhrase reads up to the closing quote; \" and \\ are escapes. It returns
// the content, the bytes and characters consumed (closing quote included).
func readPhrase(s string) (string, int, int, bool) {
	var b strings.Builder
	cols := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		cols++
		switch r {
		case '"':
			return b.String(), i + size, cols, true
		case '\\':
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				b.WriteByte(s[i+1])
				i += 2
				cols++
				continue
			}
		}
		b.WriteRune(r)
		i += size
	}
	return "", 0, 0, false
}

func (p *qparser) peek() (qtok, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return qtok{}, false
}

func (p *qparser) or(depth int) (qnode, error) {
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	kids := []qnode{first}
	for {
		t, ok := p.peek()
		if !ok || t.kind != tOr {
			break
		}
		p.i++
		if nt, ok := p.peek(); !ok || nt.kind == tRParen || nt.kind == tOr || nt.kind == tAnd {
			return nil, p.errAt(t, "OR needs a term on both sides")
		}
		k, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &orNode{kids: flatten[*orNode](kids)}, nil
}

func (p *qparser) and(depth int) (qnode, error) {
	var kids []qnode
	for {
		t, ok := p.peek()
		if !ok || t.kind == tOr || t.kind == tRParen {
			break
		}
		if t.kind == tAnd {
			if len(kids) == 0 {
				return nil, p.errAt(t, "AND needs a term on both sides")
			}
			p.i++
			if nt, ok := p.peek(); !ok || nt.kind == tRParen || nt.kind == tOr || nt.kind == tAnd {
				return nil, p.errAt(t, "AND needs a term on both sides")
			}
			continue
		}
		k, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 0 {
		t, ok := p.peek()
		if !ok {
			return nil, &QueryError{Query: p.src, Col: utf8.RuneCountInString(p.src) + 1, Msg: "the query ends where a term was expected"}
		}
		if t.kind == tOr {
			return nil, p.errAt(t, "OR needs a term on both sides")
		}
		return nil, p.errAt(t, "expected a term before %s", t.describe())
	}
	if len(kids) == 1 {
		return kids[0], nil
	}
	return &andNode{kids: flatten[*andNode](kids)}, nil
}

// flatten merges nested nodes of the same operator: (a AND (b AND c)) is
// a AND b AND c.
func flatten[T interface {
	*andNode | *orNode
	qnode
}](kids []qnode) []qnode {
	out := make([]qnode, 0, len(kids))
	for _, k := range kids {
		switch n := k.(type) {
		case T:
			switch m := any(n).(type) {
			case *andNode:
				out = append(out, m.kids...)
			case *orNode:
				out = append(out, m.kids...)
			}
		default:
			out = append(out, k)
		}
	}
	return out
}

func (p *qparser) unary(depth int) (qnode, error) {
	if depth > maxDepth {
		t, _ := p.peek()
		return nil, p.errAt(t, "nested more than %d deep", maxDepth)
	}
	t, _ := p.peek()
	if t.kind == tNot {
		p.i++
		if nt, ok := p.peek(); !ok || nt.kind == tRParen || nt.kind == tOr || nt.kind == tAnd {
			return nil, p.errAt(t, "NOT needs a term after it")
		}
		k, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &notNode{kid: k}, nil
	}
	n, err := p.primary(depth)
	if err != nil {
		return nil, err
	}
	if t.neg {
		return &notNode{kid: n}, nil
	}
	return n, nil
}

func (p *qparser) primary(depth int) (qnode, error) {
	t := p.toks[p.i]
	p.i++
	switch t.kind {
	case tLParen:
		if nt, ok := p.peek(); ok && nt.kind == tRParen {
			return nil, p.errAt(t, "empty parentheses")
		}
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.kind != tRParen {
			return nil, p.errAt(t, "unbalanced \"(\": no \")\" closes it")
		}
		p.i++
		return n, nil
	case tPhrase:
		return p.phrase(t)
	case tWord:
		return p.word(t)
	}
	return nil, p.errAt(t, "unexpected %s", t.describe())
}

func (p *qparser) phrase(t qtok) (qnode, error) {
	if t.slop >= 0 {
		words := strings.Fields(t.text)
		if len(words) < 2 {
			return nil, p.errAt(t, "proximity needs at least two words in the phrase, got %q", t.text)
		}
		n := &nearNode{raw: t.text, slop: t.slop}
		for _, w := range words {
			l, err := newLiteral(w, false)
			if err != nil {
				return nil, p.errAt(t, "%v", err)
			}
			n.words = append(n.words, l)
		}
		return n, nil
	}
	text, prefix := strings.CutSuffix(t.text, "*")
	if strings.Contains(text, "*") {
		return nil, p.errAt(t, "only a * at the end of a phrase is supported, in %q", t.text)
	}
	l, err := newLiteral(text, prefix)
	if err != nil {
		return nil, p.errAt(t, "%v", err)
	}
	l.raw = `"` + t.text + `"`
	return &litNode{lit: l}, nil
}

func (p *qparser) word(t qtok) (qnode, error) {
	w := t.text
	if name, value, ok := strings.Cut(w, ":"); ok && !strings.HasPrefix(value, "//") && name != "" {
		return p.field(t, strings.ToLower(name), value)
	}
	text, prefix := strings.CutSuffix(w, "*")
	if strings.Contains(text, "*") {
		return nil, p.errAt(t, "%q: only a trailing * (a prefix such as refund*) is supported", w)
	}
	l, err := newLiteral(text, prefix)
	if err != nil {
		return nil, p.errAt(t, "%v", err)
	}
	return &litNode{lit: l}, nil
}

func (p *qparser) field(t qtok, name, value string) (qnode, error) {
	want, known := queryFields[name]
	if !known {
		return nil, p.errAt(t, "unknown field %q (known: %s); to search for the text, quote it: \"%s\"", name+":", strings.Join(fieldNames(), ", "), t.text)
	}
	if value == "" {
		return nil, p.errAt(t, "%s: needs a value (%s)", name, want)
	}
	n := &fieldNode{field: name, op: "=", value: strings.ToLower(value)}
	bad := func() error { return p.errAt(t, "%s: %q is not valid (want %s)", name, value, want) }
	switch name {
	case "followers":
		v := value
		for _, op := range []string{">=", "<=", ">", "<", "="} {
			if rest, ok := strings.CutPrefix(v, op); ok {
				n.op, v = op, rest
				break
			}
		}
		c, ok := parseCount(v)
		if !ok {
			return nil, bad()
		}
		n.n = c
	case "sentiment", "intent", "urgency":
		var allowed []string
		switch name {
		case "sentiment":
			allowed = Sentiments()
		case "intent":
			allowed = Intents()
		default:
			allowed = Urgencies()
		}
		if !slices.Contains(allowed, n.value) {
			return nil, bad()
		}
	case "is":
		if n.value != "reply" {
			return nil, bad()
		}
	case "has":
		if n.value != "link" {
			return nil, bad()
		}
	case "author":
		n.value = bareHandle(n.value)
		if n.value == "" || strings.ContainsAny(n.value, ":*") {
			return nil, bad()
		}
	case "platform", "lang":
		if strings.ContainsAny(n.value, ":*") {
			return nil, bad()
		}
	}
	return n, nil
}

func fieldNames() []string {
	names := make([]string, 0, len(queryFields))
	for k := range queryFields {
		names = append(names, k+":")
	}
	slices.Sort(names)
	return names
}

// parseCount reads 1500, 10k, 1.5m.
func parseCount(s string) (int, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		mult, s = 1e6, s[:len(s)-1]
	}
	if s == "" || strings.ContainsAny(s, "+-eE") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f*mult > 1e12 {
		return 0, false
	}
	return int(f * mult), true
}
