package ahocorasick

import (
	"math/rand/v2"
	"strings"
)

// The corpus stands in for a large rules file and the posts it routes:
// literals are what rules are written with (product and brand names,
// short complaint phrases, 1-3 words, 5-25 bytes, families sharing a
// prefix), posts are case-folded social posts of about 250 bytes that
// mention some of them. It is generated from a fixed seed so benchmarks
// compare like with like across runs.

var corpusWords = strings.Fields(`
app crash login battery refund order delivery screen update account password
charger headphones router camera speaker keyboard mouse laptop tablet phone
watch tracker sync cloud backup storage plan billing invoice subscription
support ticket outage error freeze lag bluetooth wifi signal firmware driver
install setup pairing noise cancelling cable adapter dock monitor printer ink
scanner console controller headset mic volume display brightness touch
sensor fan overheating charging wireless fast slow broken cracked missing
late damaged wrong replacement warranty return exchange coupon discount
premium pro max mini ultra lite plus air go home office studio kids sport
travel edition series gen model version beta classic original smart eco
café crème müsli señal über naïve façade jalapeño piñata smörgås tōkyō
日本 東京 ñandú
`)

var corpusSyllables = strings.Fields(`
ac me zen ora vex lu mi tek nova pix el sky vol ta ri on kai ro flux
ber ly qua dro mo tiv sol ar nex us vi bra hal cy on ze phy ra lum en
`)

var corpusModels = strings.Fields(`
x s 2 3 4 5 7 8 9 10 11 12 14 15 20 100 200 360 500 one two neo
`)

var corpusFiller = []string{
	"just got my %s and it keeps dropping the connection every few minutes.",
	"support told me to reset the %s twice, still nothing works after the update.",
	"anyone else having trouble with %s since yesterday?",
	"honestly the %s is the best thing i bought this year, thanks team!",
	"third time asking: where is my refund for the %s order?",
	"the %s arrived with a cracked screen and the box was soaked.",
	"is there a way to turn off the new %s notifications? they are driving me nuts.",
	"my kid spilled juice on the %s and now it only shows a blank display.",
	"waited 45 minutes on hold about %s, hung up on twice.",
	"loving the battery life on the %s, easily two days.",
	"can't log in to my account since the %s outage this morning",
	"please fix the %s sync bug, i lost a week of notes",
}

var corpusGlue = strings.Fields(`
lol ugh tbh fwiw imo seriously again really why today now still
@support #fail #help #love 😡 🙏 🔥 … — “quoted” ¿qué? très déçu
`)

// corpusLiterals returns n distinct-ish literals (a few duplicates are
// left in, as real rules files repeat themselves).
func corpusLiterals(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	brand := func() string {
		k := 2 + r.IntN(2)
		var b strings.Builder
		for range k {
			b.WriteString(corpusSyllables[r.IntN(len(corpusSyllables))])
		}
		return b.String()
	}
	var brands []string
	out := make([]string, 0, n)
	for len(out) < n {
		var lit string
		switch k := r.IntN(10); {
		case k < 3: // a new brand, alone or with a product word
			b := brand()
			brands = append(brands, b)
			lit = b
			if r.IntN(2) == 0 {
				lit += " " + corpusWords[r.IntN(len(corpusWords))]
			}
		case k < 7 && len(brands) > 0: // a family: known brand + product [+ model]
			lit = brands[r.IntN(len(brands))] + " " + corpusWords[r.IntN(len(corpusWords))]
			if r.IntN(2) == 0 {
				lit += " " + corpusModels[r.IntN(len(corpusModels))]
			}
		default: // a complaint phrase
			lit = corpusWords[r.IntN(len(corpusWords))] + " " + corpusWords[r.IntN(len(corpusWords))]
			if r.IntN(3) == 0 {
				lit += " " + corpusWords[r.IntN(len(corpusWords))]
			}
		}
		if len(lit) < 5 || len(lit) > 25 {
			continue
		}
		out = append(out, lit)
	}
	return out
}

// corpusPosts returns n posts of about 250 bytes mentioning literals from
// lits: each filler sentence names one, which is as dense as busy brand
// mentions get.
func corpusPosts(lits []string, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	posts := make([]string, n)
	for i := range posts {
		var b strings.Builder
		for b.Len() < 212 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			f := corpusFiller[r.IntN(len(corpusFiller))]
			b.WriteString(strings.Replace(f, "%s", lits[r.IntN(len(lits))], 1))
			if r.IntN(2) == 0 {
				b.WriteString(" " + corpusGlue[r.IntN(len(corpusGlue))])
			}
		}
		posts[i] = b.String()
	}
	return posts
}
