package classify

// The customer is done: a follow-up that reads as a closing remark
// ("thanks, that fixed it", "merci, c'est réglé") lets a case waiting for
// the customer resolve itself instead of reopening. Getting this wrong
// closes a case on someone who still needs help, so the test is
// conservative: the post must say the problem is solved (or thank with
// unmistakable approval: "perfect, thank you!"), consist of little else,
// and carry no question, no contrast ("but", "still", "mais", "aber") and
// no negation. Anything in doubt reopens the case, as before.

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/earshothq/earshot/internal/textfold"
)

// closingPhrases are, per language, the phrases that may make up a closing
// remark, written folded: lower case, no accents, straight apostrophes.
type closingPhrases struct {
	// thanks: the customer thanks us.
	thanks []string
	// solved: the problem is gone. Alone (with thanks or filler) it is enough.
	solved []string
	// approval: strong praise, which with thanks closes ("perfect, thanks").
	// Weak words ("great", "ok") are filler: "great, thanks a lot" can be sarcasm.
	approval []string
	// filler carries no meaning either way ("so much", "guys", "again").
	filler []string
	// veto: any of these not part of a phrase above keeps the case open.
	veto []string
}

var closingTable = map[string]closingPhrases{
	"en": {
		thanks: []string{"thanks", "thank you", "thank u", "thankyou", "thx", "ty", "tysm", "cheers", "many thanks",
			"much appreciated", "appreciate it", "really appreciate it", "appreciated", "thanks a million"},
		solved: []string{"that fixed it", "fixed it", "that's fixed it", "it's fixed", "its fixed", "fixed now", "all fixed",
			"that did it", "that did the trick", "did the trick", "that worked", "it worked", "works now",
			"it works now", "it works", "working now", "it's working", "its working", "it's working now", "all working",
			"all good", "all good now", "all sorted", "sorted", "sorted now", "all sorted now", "problem solved",
			"issue resolved", "resolved", "solved", "all set", "back to normal", "up and running", "we're good",
			"i'm good", "im good", "all done", "got it working", "it arrived", "arrived", "received it", "got it now",
			"refund came through", "came through"},
		approval: []string{"perfect", "brilliant", "awesome", "amazing", "fantastic", "excellent", "wonderful", "superb",
			"legend", "lifesaver", "life saver", "you rock", "you guys rock", "you're the best", "you guys are the best",
			"best support"},
		filler: []string{"so", "much", "very", "a", "lot", "again", "now", "guys", "team", "all", "you", "everyone",
			"folks", "mate", "really", "for", "the", "your", "help", "quick", "quickly", "fast", "reply", "response",
			"support", "x", "xx", "oh", "ok", "okay", "yes", "yep", "yeah", "great", "good", "nice", "and", "that",
			"it", "that's", "y'all", "heaps", "tons", "lots", "loads", "sir", "madam", "both", "once", "more", "of"},
		veto: []string{"but", "still", "not", "no", "nothing", "never", "yet", "however", "though", "although",
			"except", "only", "broken", "worse", "wrong", "error", "issue", "problem", "why", "how", "when",
			"what", "where", "can", "could", "would", "should", "please", "pls", "plz", "isn't", "doesn't", "didn't",
			"don't", "won't", "can't", "cannot", "wasn't", "aren't", "haven't", "hasn't", "nope", "nah", "sarcasm",
			"/s", "anyway", "whatever", "useless", "ridiculous", "joke", "fail", "failed", "crash", "crashes", "waiting",
			// "it worked for a day": a fix that did not last
			"day", "days", "hour", "hours", "minute", "minutes", "while", "until", "till", "then", "briefly", "before",
			"after", "earlier", "sometimes", "mostly", "partly", "almost", "kind", "kinda", "sort", "sorta", "guess",
			"think", "maybe", "hopefully", "hope", "seems", "seemed", "apparently", "supposedly", "lol", "lmao"},
	},
	"fr": {
		thanks: []string{"merci", "merci beaucoup", "merci bien", "merci encore", "encore merci", "mille mercis",
			"merci a vous", "merci a toi", "un grand merci"},
		solved: []string{"c'est regle", "c'est bon", "c'est resolu", "c'est repare", "tout est bon", "tout est regle",
			"probleme resolu", "probleme regle", "ca marche", "ca marche maintenant", "ca fonctionne",
			"ca fonctionne maintenant", "ca remarche", "c'est ok", "tout est rentre dans l'ordre", "regle", "resolu",
			"bien recu", "c'est arrive"},
		approval: []string{"parfait", "genial", "excellent", "super", "top", "impeccable", "nickel", "au top"},
		filler:   []string{"pour", "votre", "ton", "aide", "a", "vous", "toi", "tous", "l'equipe", "equipe", "bien", "tres", "ok", "oui", "et", "beaucoup", "rapide", "reponse"},
		veto: []string{"mais", "toujours", "encore", "pas", "plus", "rien", "jamais", "non", "bug", "panne", "probleme",
			"pourquoi", "comment", "quand", "cependant", "pourtant", "sauf", "attends", "attente"},
	},
	"de": {
		thanks: []string{"danke", "danke schon", "dankeschon", "vielen dank", "danke sehr", "danke nochmal",
			"nochmals danke", "besten dank", "herzlichen dank", "merci"},
		solved: []string{"passt", "passt jetzt", "passt wieder", "funktioniert", "funktioniert wieder",
			"funktioniert jetzt", "geht wieder", "geht jetzt", "alles gut", "alles wieder gut", "erledigt",
			"hat geklappt", "klappt", "klappt wieder", "klappt jetzt", "problem gelost", "gelost", "ist angekommen",
			"angekommen"},
		approval: []string{"perfekt", "super", "top", "klasse", "prima", "spitze", "genial", "toll"},
		filler:   []string{"fur", "die", "eure", "ihre", "deine", "hilfe", "schnelle", "antwort", "euch", "ihnen", "dir", "jetzt", "ok", "ja", "und", "sehr", "wirklich", "team"},
		veto: []string{"aber", "noch", "nicht", "nichts", "kein", "keine", "nie", "doch", "leider", "immer", "fehler",
			"kaputt", "warum", "wie", "wann", "trotzdem", "jedoch", "ausser", "tag", "tage", "stunden", "bis"},
	},
	"es": {
		thanks: []string{"gracias", "muchas gracias", "mil gracias", "muchisimas gracias"},
		solved: []string{"ya funciona", "funciona", "resuelto", "solucionado", "todo bien", "ya esta", "listo",
			"todo solucionado", "todo resuelto", "ya llego", "llego"},
		approval: []string{"perfecto", "genial", "excelente", "estupendo"},
		filler:   []string{"por", "la", "su", "tu", "ayuda", "a", "todos", "equipo", "ya", "si", "ok", "y", "muy", "rapida", "respuesta"},
		veto:     []string{"pero", "todavia", "aun", "sigue", "no", "nada", "nunca", "error", "problema", "porque", "como", "cuando", "sin"},
	},
	"it": {
		thanks:   []string{"grazie", "grazie mille", "grazie ancora", "molte grazie"},
		solved:   []string{"risolto", "funziona", "ora funziona", "tutto ok", "tutto a posto", "sistemato", "arrivato"},
		approval: []string{"perfetto", "ottimo", "fantastico", "eccellente"},
		filler:   []string{"per", "il", "vostro", "tuo", "aiuto", "a", "tutti", "ok", "si", "e", "molto", "ora"},
		veto:     []string{"ma", "ancora", "non", "niente", "mai", "errore", "problema", "perche", "come", "quando", "pero"},
	},
	"pt": {
		thanks:   []string{"obrigado", "obrigada", "muito obrigado", "muito obrigada", "valeu", "brigado", "brigada"},
		solved:   []string{"resolvido", "funcionou", "deu certo", "tudo certo", "ja funciona", "funciona", "chegou", "tudo ok"},
		approval: []string{"perfeito", "otimo", "excelente", "show"},
		filler:   []string{"pela", "pelo", "ajuda", "a", "voces", "todos", "equipe", "ja", "sim", "ok", "e", "muito"},
		veto:     []string{"mas", "ainda", "nao", "nada", "nunca", "erro", "problema", "porque", "como", "quando"},
	},
}

// Emoji that end a conversation well; any other emoji is ignored, except
// the displeased ones, which keep the case open.
const (
	pleasedEmoji    = "🙏👍❤💙💚💜🧡💛🎉😊🙂😀😃😄😁🥰😍✅💯🙌👏🤩☺👌✨🥳"
	displeasedEmoji = "🙄😒😡😤🤬😠👎😞😢😭😩😫🤦🤷😑😐💀🤡"
)

// maxClosingWords bounds a closing remark: a long post says more than
// "thanks", and that more is for a person to read.
const maxClosingWords = 25

type closingMatcher struct {
	// phrases by first word, longest first, each with its kind.
	byFirst map[string][]closingPhrase
}

type phraseKind uint8

const (
	kindFiller phraseKind = iota
	kindThanks
	kindSolved
	kindApproval
	kindVeto
)

type closingPhrase struct {
	words []string
	kind  phraseKind
}

// closing is built once: the table is small and fixed.
func newClosingMatcher() *closingMatcher {
	m := &closingMatcher{byFirst: map[string][]closingPhrase{}}
	add := func(kind phraseKind, list []string) {
		for _, p := range list {
			w := closingWords(p)
			if len(w) == 0 {
				continue
			}
			m.byFirst[w[0]] = append(m.byFirst[w[0]], closingPhrase{words: w, kind: kind})
		}
	}
	for _, t := range closingTable {
		// Meaningful phrases first: for one first word, a longer phrase or a
		// kind with meaning wins over filler of the same length.
		add(kindSolved, t.solved)
		add(kindThanks, t.thanks)
		add(kindApproval, t.approval)
		add(kindVeto, t.veto)
		add(kindFiller, t.filler)
	}
	for k, ps := range m.byFirst {
		// Longest first; among equals, the order added (stable).
		sorted := make([]closingPhrase, 0, len(ps))
		for n := 8; n >= 1; n-- {
			for _, p := range ps {
				if len(p.words) == n {
					sorted = append(sorted, p)
				}
			}
		}
		m.byFirst[k] = sorted
	}
	return m
}

// Done reports whether text reads as a customer's closing remark, and the
// phrase that says so (from the table, never the customer's own words).
func (c *Classifier) Done(text string) (string, bool) {
	return c.closing.done(text)
}

// done is the matcher's verdict on one post.
func (m *closingMatcher) done(text string) (string, bool) {
	if strings.ContainsAny(text, "?¿？") {
		return "", false // a question wants an answer
	}
	for _, r := range text {
		if strings.ContainsRune(displeasedEmoji, r) {
			return "", false
		}
	}
	words := closingWords(text)
	if len(words) == 0 || len(words) > maxClosingWords {
		return "", false
	}
	var (
		thanks, solved, approval string
		uncovered                int
	)
	for i := 0; i < len(words); {
		p, ok := m.at(words, i)
		if !ok {
			uncovered++
			i++
			continue
		}
		phrase := strings.Join(p.words, " ")
		switch p.kind {
		case kindVeto:
			return "", false
		case kindThanks:
			thanks = firstNonEmpty(thanks, phrase)
		case kindSolved:
			solved = firstNonEmpty(solved, phrase)
		case kindApproval:
			approval = firstNonEmpty(approval, phrase)
		}
		i += len(p.words)
	}
	switch {
	// A word or two we do not know is a name ("thanks Sam, that fixed it").
	case solved != "" && uncovered <= 2:
		return join(thanks, approval, solved), true
	case thanks != "" && approval != "" && uncovered <= 1:
		return join(approval, thanks), true
	}
	return "", false
}

// at finds the longest phrase starting at words[i].
func (m *closingMatcher) at(words []string, i int) (closingPhrase, bool) {
	for _, p := range m.byFirst[words[i]] {
		if len(p.words) > len(words)-i {
			continue
		}
		match := true
		for k, w := range p.words {
			if words[i+k] != w {
				match = false
				break
			}
		}
		if match {
			return p, true
		}
	}
	return closingPhrase{}, false
}

// closingWords folds text into the table's words: lower case, accents
// removed, curly apostrophes straightened; handles, links, emoji and
// punctuation dropped ("/s" kept: it marks sarcasm).
func closingWords(text string) []string {
	var (
		out []string
		b   strings.Builder
	)
	flush := func() {
		if b.Len() > 0 {
			out = append(out, strings.Trim(b.String(), "'"))
			b.Reset()
		}
	}
	for _, f := range strings.Fields(text) {
		lf := strings.ToLower(f)
		switch {
		case strings.HasPrefix(f, "@"), strings.HasPrefix(lf, "http://"), strings.HasPrefix(lf, "https://"), strings.HasPrefix(lf, "www."):
			continue
		case f == "/s":
			out = append(out, "/s")
			continue
		}
		for _, r := range norm.NFD.String(f) {
			switch {
			case unicode.Is(unicode.Mn, r):
				// an accent, once decomposed
			case r == '\'' || r == '’' || r == 'ʼ' || r == '`':
				if b.Len() > 0 {
					b.WriteByte('\'')
				}
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(textfold.Rune(r))
			default:
				flush()
			}
		}
		flush()
	}
	// Trimmed apostrophes can leave empty words.
	kept := out[:0]
	for _, w := range out {
		if w != "" {
			kept = append(kept, w)
		}
	}
	return kept
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func join(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ", ")
}
