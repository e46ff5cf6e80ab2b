package classify

// Cues that no single lexicon term carries: a price going up, a long wait,
// a bare link. Each is looked for only when a word that may start it was
// seen, so most posts pay nothing for them.

import (
	"strconv"
	"strings"
)

// priceRise finds a price going up, "from £98 to £186", "went from $1,200
// to $4,800": a grievance even when no word says so.
func priceRise(toks []token) bool {
	for i := range toks {
		if toks[i].s != "from" || !changeBefore(toks, i) {
			continue
		}
		p1, j, ok := priceAt(toks, i+1)
		if !ok {
			continue
		}
		for k := j; k < len(toks) && k <= j+2; k++ {
			if toks[k].s == "to" {
				if p2, _, ok := priceAt(toks, k+1); ok && p2 > p1 {
					return true
				}
				break
			}
		}
	}
	return false
}

// priceWas finds a price that used to be lower: "$14 for the tablets that
// were $8.99 in the spring", "now £30, was £20".
func priceWas(toks []token) bool {
	for i := range toks {
		p1, j, ok := priceAt(toks, i)
		if !ok {
			continue
		}
		for k := j; k < len(toks) && k <= j+8; k++ {
			switch toks[k].s {
			case "was", "were", "used":
				if p2, _, ok := priceAt(toks, k+1); ok && p2 < p1 {
					return true
				}
			}
		}
	}
	return false
}

// longWait finds a customer kept waiting: "took 6 working days", "waited
// 40 minutes" is fine but "waited 3 hours" is not, "two weeks late", and
// with service words around, "refund still processing after 34 days",
// "escalated 11 days ago".
func longWait(toks []token, service bool) bool {
	for i := range toks {
		switch toks[i].s {
		case "wait":
			if i > 0 && negatorWord(toks[i-1].s) { // "can't wait 3 weeks for it"
				continue
			}
		case "took", "taken", "taking", "take", "takes", "waits", "waited", "waiting", "been":
		case "after":
			if !service {
				continue
			}
		case "ago":
			if service && i >= 2 && longUnit(toks[i-1].s) && count(toks[i-2].s) {
				return true
			}
			continue
		case "late", "overdue":
			// "two weeks late", "40 minutes late": late by a counted span.
			if i >= 2 && count(toks[i-2].s) && (longUnit(toks[i-1].s) || minutes(toks[i-1].s)) {
				return true
			}
			continue
		default:
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+3; j++ {
			if count(toks[j].s) {
				for k := j + 1; k < len(toks) && k <= j+3; k++ {
					if longUnit(toks[k].s) {
						return true
					}
				}
				break
			}
		}
	}
	return false
}

// count reports a number of things: "3", "three", "several".
func count(s string) bool {
	switch s {
	case "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
		"fifteen", "twenty", "thirty", "forty", "fifty", "several", "few", "couple":
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// longUnit reports a span of time too long to wait for a company.
func longUnit(s string) bool {
	switch s {
	case "hour", "hours", "hrs", "day", "days", "week", "weeks", "month", "months":
		return true
	}
	return false
}

// negatorWord reports the words that make "wait" eagerness: "can't wait".
func negatorWord(s string) bool {
	switch s {
	case "can't", "cant", "cannot", "couldn't", "couldnt":
		return true
	}
	return false
}

// minutes reports a unit of minutes: long enough to be late by, though
// not to wait for.
func minutes(s string) bool {
	switch s {
	case "min", "mins", "minute", "minutes":
		return true
	}
	return false
}

// changeBefore reports a word of change or of price just before toks[i],
// so that "bill goes from $400 to $2,900" counts and "upgraded from the $99
// model to the $149 one" does not.
func changeBefore(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-4; k-- {
		switch toks[k].s {
		case "went", "goes", "going", "gone", "up", "jumped", "jumps", "increased", "raised", "rose",
			"hiked", "price", "prices", "bill", "renewal", "subscription", "plan", "fee", "cost", "costs":
			return true
		}
	}
	return false
}

// priceAt finds a currency sign and an amount within the next few tokens
// of toks[i], returning the amount and the index after it.
func priceAt(toks []token, i int) (float64, int, bool) {
	for k := i; k < len(toks) && k < i+3; k++ {
		switch toks[k].s {
		case "$", "£", "€":
			if k+1 < len(toks) && toks[k+1].glued && toks[k+1].kind == tkWord {
				if v, err := strconv.ParseFloat(strings.ReplaceAll(toks[k+1].s, ",", ""), 64); err == nil {
					return v, k + 2, true
				}
			}
		}
	}
	return 0, 0, false
}

// isDomainAt reports whether toks[i] is the top-level domain of a bare
// domain name, "deals-outlet.shop" or "bit.ly/x": a word, a dot and a known
// TLD, glued, and then a space, a slash or the end. Links in spam are often
// written without "https://".
func isDomainAt(toks []token, i int) bool {
	if i < 2 || !toks[i].glued || toks[i-1].s != "." || !toks[i-1].glued || toks[i-2].kind != tkWord {
		return false
	}
	if i+1 < len(toks) && toks[i+1].glued && toks[i+1].s != "/" {
		return false
	}
	switch toks[i].s {
	case "com", "net", "org", "io", "co", "uk", "me", "ly", "gl", "gg", "app", "dev", "ai", "xyz",
		"info", "biz", "shop", "store", "online", "site", "win", "click", "link", "live", "work",
		"top", "club", "ru", "cn", "tk", "ml", "ga", "cf", "buzz", "vip", "bet", "cc", "ws", "to":
		return true
	}
	return false
}
