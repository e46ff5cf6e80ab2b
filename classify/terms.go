package classify

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// KeyTerms picks up to max words from text that say what the problem is,
// for finding an issue already filed about it: lower-cased, each once,
// without stop words, handles, hashtags, links, numbers, versions, words of
// feeling ("terrible", "again") or the words of drop (the brand and product
// names, which every report shares). Symptom words ("crash", "battery",
// "bluetooth") come first, then longer words before shorter ones, then the
// order of the text. It is a pure function of its arguments.
func KeyTerms(text string, drop []string, max int) []string {
	if max <= 0 {
		return nil
	}
	dropped := map[string]bool{}
	for _, d := range drop {
		for _, w := range termWords(d) {
			dropped[w] = true
		}
	}
	type cand struct {
		w       string
		symptom bool
		at      int
	}
	var cs []cand
	seen := map[string]bool{}
	for i, w := range termWords(text) {
		stem := Stem(w)
		if seen[stem] || dropped[w] || dropped[stem] || !termWorthy(w) {
			continue
		}
		seen[stem] = true
		cs = append(cs, cand{w: w, symptom: symptoms[stem], at: i})
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		switch {
		case a.symptom != b.symptom:
			if a.symptom {
				return -1
			}
			return 1
		case len(a.w) != len(b.w):
			return len(b.w) - len(a.w)
		}
		return a.at - b.at
	})
	out := make([]string, 0, min(max, len(cs)))
	for _, c := range cs[:min(max, len(cs))] {
		out = append(out, c.w)
	}
	return out
}

// termWords splits text into lower-case words, dropping links, handles and
// hashtags whole: they name people and campaigns, not problems.
func termWords(text string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ToValidUTF8(text, " ")) {
		low := strings.ToLower(f)
		if strings.HasPrefix(low, "@") || strings.HasPrefix(low, "#") || strings.Contains(low, "://") ||
			strings.HasPrefix(low, "www.") || strings.Contains(low, ".com") {
			continue
		}
		for _, w := range strings.FieldsFunc(low, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' }) {
			w = strings.Trim(w, "'’")
			if i := strings.IndexAny(w, "'’"); i >= 0 {
				w = w[:i] // "app's" → "app", "won't" → "won" (a stop word)
			}
			if w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// termWorthy reports whether w may be a search term.
func termWorthy(w string) bool {
	if utf8.RuneCountInString(w) < 3 || utf8.RuneCountInString(w) > 30 || stopWords[w] || feelingWords[w] || platformWords[w] {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false // a number
}

// Stem cuts common English endings, so "crashes", "crashing" and "crashed"
// count as one term when reports are compared. It is deliberately crude:
// it only has to make the same word meet itself.
func Stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if base, ok := strings.CutSuffix(w, suf); ok && utf8.RuneCountInString(base) >= 3 {
			if suf == "es" && !strings.HasSuffix(base, "sh") && !strings.HasSuffix(base, "ch") && !strings.HasSuffix(base, "x") && !strings.HasSuffix(base, "ss") {
				continue // "updates" is "update"+"s", not "updat"+"es"
			}
			if suf == "s" && strings.HasSuffix(base, "s") {
				continue // "glass"
			}
			return strings.TrimSuffix(base, "e")
		}
	}
	return strings.TrimSuffix(w, "e")
}

// Overlap counts the terms two reports share, compared by Stem.
func Overlap(a, b []string) int {
	set := make(map[string]bool, len(a))
	for _, t := range a {
		set[Stem(strings.ToLower(t))] = true
	}
	n := 0
	seen := map[string]bool{}
	for _, t := range b {
		s := Stem(strings.ToLower(t))
		if set[s] && !seen[s] {
			n++
			seen[s] = true
		}
	}
	return n
}

// symptoms are words that name what goes wrong with a product: they make
// the best search terms. The set holds their stems.
var symptoms = stems(
	"crash", "freez", "frozen", "hang", "stuck", "disconnect", "connect", "pair", "sync", "login", "log", "signin",
	"password", "battery", "drain", "charg", "overheat", "flicker", "blink", "dim", "bright", "colour", "color",
	"bluetooth", "wifi", "network", "offline", "update", "firmware", "install", "notification", "alarm", "timer",
	"schedule", "scene", "widget", "error", "bug", "glitch", "slow", "lag", "black", "blank", "white", "screen",
	"reset", "restart", "reboot", "loop", "sound", "audio", "camera", "microphone", "voice", "alexa", "homekit",
	"matter", "payment", "checkout", "subscription", "export", "import", "upload", "download", "backup", "load",
	"open", "launch", "startup", "boot", "unresponsive", "missing", "disappear", "delete", "lost", "broken", "broke",
	"dead", "work", "respond", "timeout", "404", "500",
)

// stopWords carry no topic. English function words plus the fillers of
// social posts.
var stopWords = setOf(
	"the", "and", "for", "are", "but", "not", "you", "your", "yours", "all", "any", "can", "had", "has", "have",
	"her", "him", "his", "how", "its", "may", "our", "out", "she", "they", "them", "their", "this", "that", "these",
	"those", "was", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "could",
	"should", "shall", "about", "above", "after", "again", "against", "before", "being", "below", "between", "both",
	"does", "did", "doing", "done", "down", "during", "each", "few", "from", "further", "here", "into", "just",
	"more", "most", "other", "over", "own", "same", "some", "such", "than", "then", "there", "through", "too",
	"under", "until", "very", "while", "also", "been", "get", "got", "gets", "getting", "one", "two", "now", "off",
	"only", "once", "because", "like", "really", "even", "ever", "still", "every", "everything", "anything",
	"something", "nothing", "thing", "things", "way", "yet", "since", "ago", "today", "yesterday", "week", "day",
	"days", "time", "times", "hour", "hours", "minute", "minutes", "month", "months", "year", "years", "night",
	"morning", "evening", "always", "never", "keep", "keeps", "kept", "make", "makes", "made", "let", "lets", "going",
	"gonna", "wanna", "gotta", "want", "wants", "need", "needs", "know", "think", "see", "seems", "seem", "say",
	"says", "said", "tell", "told", "try", "tried", "trying", "use", "used", "using", "anyone", "someone", "else",
	"else's", "please", "pls", "plz", "thanks", "thank", "thx", "hey", "hello", "guys", "folks", "team", "support",
	"help", "lol", "lmao", "omg", "wtf", "smh", "tbh", "imo", "btw", "fyi", "idk", "yes", "yeah", "yep", "nope",
	"okay", "ok", "well", "much", "many", "lot", "lots", "bit", "back", "first", "last", "new", "old", "good",
	"great", "bad", "won", "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "can't", "cannot", "hasn",
	"haven", "hadn", "wouldn", "shouldn", "couldn", "mine", "myself", "yourself", "ours", "via", "per", "etc",
	"got", "able", "unable", "without", "within", "another", "maybe", "actually", "literally", "basically",
	"seriously", "totally", "completely", "anymore", "already", "either", "neither", "whatever", "whenever",
	"instead", "though", "although", "whether", "own", "via", "almost", "enough", "quite", "rather", "sure",
	"app", "apps", "second", "third", "fourth", "fifth", "twice", "thrice",
)

// platformWords name devices and systems: the report's details, not its
// problem. An iPhone and an Android user with the same crash are one issue.
var platformWords = setOf(
	"iphone", "ipad", "ios", "ipados", "android", "macos", "mac", "macbook", "imac", "windows", "linux", "pixel",
	"galaxy", "samsung", "chromebook", "pro", "max", "mini", "plus", "ultra", "phone", "laptop", "tablet",
)

// feelingWords say how the customer feels, not what broke.
var feelingWords = setOf(
	"hate", "love", "terrible", "awful", "horrible", "worst", "best", "annoying", "annoyed", "frustrating",
	"frustrated", "angry", "furious", "disappointed", "disappointing", "ridiculous", "unacceptable", "useless",
	"garbage", "trash", "sucks", "ugh", "argh", "sad", "happy", "amazing", "awesome", "fix", "fixed", "fixing",
	"issue", "issues", "problem", "problems", "trouble", "wrong", "sorry", "please", "asap", "urgent", "seriously",
)

func stems(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[Stem(w)] = true
	}
	return m
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
