package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Details are the product facts a defect report needs, as the customer gave
// them: which product, which version, which operating system and device. An
// engineer's first question ("do you have a Mac or a PC?") is often already
// answered in the post; empty fields were not found.
type Details struct {
	Product string `json:"product,omitempty"` // as configured: "Lumio app"
	Version string `json:"version,omitempty"` // "4.2.1", "4.3 beta"
	OS      string `json:"os,omitempty"`      // "iOS 17.4", "Android 14", "macOS", "Windows 11"
	Device  string `json:"device,omitempty"`  // "iPhone 15 Pro", "Pixel 8", "Mac", "PC"
}

// Empty reports whether nothing was found.
func (d Details) Empty() bool { return d == Details{} }

// maxDetail caps each field: a post is untrusted text and a field goes into
// an issue title or a card.
const maxDetail = 40

// ProductDetails finds product, version, OS and device in text. products
// are the brand's product names (the rules file's brand.products) and the
// brand name itself; the longest one named wins, then the first. It is a
// pure function of its arguments.
func ProductDetails(text string, products []string) Details {
	ws := detailWords(text)
	used := make([]bool, len(ws))
	var d Details
	d.Product = findProduct(ws, products, used)
	d.OS, d.Device = findPlatform(ws, used)
	d.Version = findVersion(ws, products, used)
	d.Product = clipDetail(d.Product)
	d.Version = clipDetail(d.Version)
	d.OS = clipDetail(d.OS)
	d.Device = clipDetail(d.Device)
	return d
}

// dword is one word of a post: as written and lower-cased.
type dword struct{ s, low string }

// detailWords splits text into words, keeping what versions and product
// names are made of ("v4.2.1", "Lumio+", "wi-fi") and trimming the
// punctuation around them.
func detailWords(text string) []dword {
	text = strings.ToValidUTF8(text, " ")
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '+' || r == '-' || r == '\'' || r == '’')
	})
	out := make([]dword, 0, len(fields))
	for _, f := range fields {
		f = strings.Trim(f, ".-'’")
		f = strings.TrimPrefix(f, "+")
		if f == "" {
			continue
		}
		// "iPhone's" → "iPhone": possessives name the same thing.
		for _, suf := range []string{"'s", "’s"} {
			if base, ok := strings.CutSuffix(f, suf); ok && base != "" {
				f = base
			}
		}
		out = append(out, dword{s: f, low: strings.ToLower(f)})
	}
	return out
}

// findProduct returns the longest product named (in words), then the first.
func findProduct(ws []dword, products []string, used []bool) string {
	best, bestLen, bestAt := "", 0, -1
	for _, p := range products {
		pw := detailWords(p)
		if len(pw) == 0 {
			continue
		}
		for i := 0; i+len(pw) <= len(ws); i++ {
			if !wordsEqual(ws[i:i+len(pw)], pw) {
				continue
			}
			if n := utf8.RuneCountInString(p); n > bestLen || (n == bestLen && i < bestAt) {
				best, bestLen, bestAt = strings.TrimSpace(p), n, i
				for k := range used {
					used[k] = false
				}
				for k := i; k < i+len(pw); k++ {
					used[k] = true
				}
			}
			break
		}
	}
	return best
}

func wordsEqual(a, b []dword) bool {
	for i := range a {
		if a[i].low != b[i].low {
			return false
		}
	}
	return true
}

// osNames maps how people write an operating system to its proper name.
var osNames = map[string]string{
	"ios": "iOS", "ipados": "iPadOS", "macos": "macOS", "osx": "macOS", "android": "Android",
	"linux": "Linux", "ubuntu": "Ubuntu", "chromeos": "ChromeOS", "watchos": "watchOS", "tvos": "tvOS",
	"windows": "Windows", "win10": "Windows 10", "win11": "Windows 11", "fedora": "Fedora", "debian": "Debian",
}

// macNames are macOS releases people name instead of a number.
var macNames = map[string]string{
	"sonoma": "Sonoma", "ventura": "Ventura", "monterey": "Monterey", "sequoia": "Sequoia", "tahoe": "Tahoe",
	"catalina": "Catalina", "mojave": "Mojave",
}

// osOfDevice is the operating system a device implies when none is named.
var osOfDevice = map[string]string{
	"iPhone": "iOS", "iPad": "iPadOS", "Mac": "macOS", "MacBook": "macOS", "iMac": "macOS", "Mac mini": "macOS",
	"PC": "Windows", "Pixel": "Android", "Galaxy": "Android", "Chromebook": "ChromeOS", "Apple Watch": "watchOS",
}

// findPlatform finds the operating system and the device, marking the words
// they use so their numbers are not taken for the product's version.
func findPlatform(ws []dword, used []bool) (osName, device string) {
	for i := 0; i < len(ws); i++ {
		if used[i] {
			continue
		}
		if osName == "" {
			if name, n := osAt(ws, i); n > 0 {
				osName = name
				mark(used, i, n)
				i += n - 1
				continue
			}
		}
		if device == "" {
			if name, n := deviceAt(ws, i); n > 0 {
				device = name
				mark(used, i, n)
				i += n - 1
				continue
			}
		}
	}
	if osName == "" && device != "" {
		for family, o := range osOfDevice {
			if device == family || strings.HasPrefix(device, family+" ") {
				osName = o
				break
			}
		}
	}
	return osName, device
}

func mark(used []bool, i, n int) {
	for k := i; k < i+n && k < len(used); k++ {
		used[k] = true
	}
}

// osAt reads an operating system at ws[i], with its version or release
// name when one follows; n is how many words it took (0: none here).
func osAt(ws []dword, i int) (string, int) {
	w := ws[i]
	low := w.low
	n := 1
	switch {
	case low == "mac" && i+1 < len(ws) && ws[i+1].low == "os":
		low, n = "macos", 2
		if i+2 < len(ws) && ws[i+2].low == "x" {
			n = 3
		}
	case low == "os" && i+1 < len(ws) && ws[i+1].low == "x":
		low, n = "macos", 2
	case low == "chrome" && i+1 < len(ws) && ws[i+1].low == "os":
		low, n = "chromeos", 2
	case low == "wear" && i+1 < len(ws) && ws[i+1].low == "os":
		return "Wear OS", 2
	}
	name, ok := osNames[low]
	if !ok {
		return "", 0
	}
	next := func() (dword, bool) {
		if i+n < len(ws) {
			return ws[i+n], true
		}
		return dword{}, false
	}
	nw, more := next()
	if low == "windows" {
		// Lamps stand by windows: the word is the OS only when written as a
		// name with a version, or beside a computer.
		if !more || w.s[0] != 'W' {
			return "", 0
		}
		switch {
		case windowsVersion(nw.low):
			return "Windows " + strings.ToUpper(nw.low[:1]) + nw.low[1:], n + 1
		case nw.low == "pc" || nw.low == "laptop" || nw.low == "computer" || nw.low == "machine" || nw.low == "desktop":
			return "Windows", n
		}
		return "", 0
	}
	if more && osVersion(nw.low) {
		return name + " " + strings.TrimPrefix(nw.low, "v"), n + 1
	}
	if low == "macos" && more {
		if rel, ok := macNames[nw.low]; ok {
			return name + " " + rel, n + 1
		}
		if nw.low == "big" && i+n+1 < len(ws) && ws[i+n+1].low == "sur" {
			return name + " Big Sur", n + 2
		}
	}
	return name, n
}

// windowsVersion reads "11", "10", "8.1", "7", "xp".
func windowsVersion(s string) bool {
	switch s {
	case "7", "8", "8.1", "10", "11", "12", "xp", "vista":
		return true
	}
	return false
}

// osVersion reads a whole number with optional dotted parts (17, 17.4.1),
// optionally after a "v".
func osVersion(s string) bool {
	s = strings.TrimPrefix(s, "v")
	return dotted(s, 1) && len(s) <= 12
}

// dotted reports whether s is digits in at least parts dot-separated groups.
func dotted(s string, parts int) bool {
	if s == "" {
		return false
	}
	groups := strings.Split(s, ".")
	if len(groups) < parts {
		return false
	}
	for _, g := range groups {
		if g == "" || len(g) > 5 {
			return false
		}
		for _, r := range g {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

// deviceAt reads a device at ws[i]: "iPhone 15 Pro Max", "Pixel 8a",
// "Galaxy S24 Ultra", "MacBook Air", "my Mac", "PC".
func deviceAt(ws []dword, i int) (string, int) {
	w := ws[i]
	// rest reads up to three model words after the first skip words.
	rest := func(skip int, mods map[string]bool, canon map[string]string) (string, int) {
		var parts []string
		n := skip
		for k := i + skip; k < len(ws) && k < i+skip+3; k++ {
			low := ws[k].low
			if !mods[low] && !modelNumber(low) {
				break
			}
			if c, ok := canon[low]; ok {
				parts = append(parts, c)
			} else {
				parts = append(parts, strings.ToUpper(low[:1])+low[1:])
			}
			n = k - i + 1
		}
		return strings.Join(parts, " "), n
	}
	appleMods := map[string]bool{"pro": true, "max": true, "mini": true, "plus": true, "air": true, "se": true, "ultra": true, "xr": true, "xs": true, "x": true}
	canon := map[string]string{"se": "SE", "xr": "XR", "xs": "XS"}
	switch w.low {
	case "iphone", "ipad", "macbook", "imac":
		name := map[string]string{"iphone": "iPhone", "ipad": "iPad", "macbook": "MacBook", "imac": "iMac"}[w.low]
		if m, n := rest(1, appleMods, canon); m != "" {
			return name + " " + m, n
		}
		return name, 1
	case "mac":
		if i+1 < len(ws) && ws[i+1].low == "mini" {
			return "Mac mini", 2
		}
		if i+1 < len(ws) && (ws[i+1].low == "studio" || ws[i+1].low == "pro") {
			return "Mac " + strings.ToUpper(ws[i+1].low[:1]) + ws[i+1].low[1:], 2
		}
		return "Mac", 1
	case "pc", "pcs":
		return "PC", 1
	case "chromebook":
		return "Chromebook", 1
	case "pixel":
		// "a dead pixel" is not a phone: a model number must follow.
		if i+1 < len(ws) && (modelNumber(ws[i+1].low) || ws[i+1].low == "fold") {
			m, n := rest(1, map[string]bool{"pro": true, "xl": true, "a": true, "fold": true}, map[string]string{"xl": "XL"})
			return "Pixel " + m, n
		}
	case "samsung", "galaxy":
		k := i
		if w.low == "samsung" {
			if i+1 >= len(ws) || ws[i+1].low != "galaxy" {
				return "", 0
			}
			k = i + 1
		}
		if k+1 < len(ws) && galaxyModel(ws[k+1].low) {
			name := "Galaxy " + strings.ToUpper(ws[k+1].low)
			n := k - i + 2
			if k+2 < len(ws) && (ws[k+2].low == "ultra" || ws[k+2].low == "plus" || ws[k+2].low == "fe") {
				name += " " + strings.ToUpper(ws[k+2].low[:1]) + ws[k+2].low[1:]
				n++
			}
			return name, n
		}
	case "apple":
		if i+1 < len(ws) && ws[i+1].low == "watch" {
			return "Apple Watch", 2
		}
	}
	return "", 0
}

// modelNumber reads a device generation: "15", "8a", "7".
func modelNumber(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
			continue
		}
		if digits == 0 || r != 'a' {
			return false
		}
	}
	return digits > 0 && digits <= 2
}

// galaxyModel reads "s24", "a54", "z", "note20".
func galaxyModel(s string) bool {
	for _, p := range []string{"note", "s", "a", "z", "m"} {
		if rest, ok := strings.CutPrefix(s, p); ok && rest != "" && len(rest) <= 5 {
			for _, r := range rest {
				if !(r >= '0' && r <= '9') && !unicode.IsLetter(r) {
					return false
				}
			}
			return rest[0] >= '0' && rest[0] <= '9'
		}
	}
	return false
}

// versionCues are words after which a bare number is a version: "app 4.2",
// "since 4.1", "update 4.3".
var versionCues = map[string]bool{
	"version": true, "ver": true, "app": true, "firmware": true, "update": true, "updated": true, "updating": true,
	"upgrade": true, "upgraded": true, "release": true, "build": true, "since": true, "after": true, "to": true,
	"from": true, "on": true, "latest": true, "new": true, "beta": true, "running": true,
}

// findVersion finds the product's version: "v4.2.1" or "4.2.1" anywhere, a
// bare "4.2" after a cue word or a product name, with a pre-release tag
// ("beta", "rc1") when one follows. Prices, times and the OS's and device's
// numbers are not versions.
func findVersion(ws []dword, products []string, used []bool) string {
	prod := map[string]bool{}
	for _, p := range products {
		for _, w := range detailWords(p) {
			prod[w.low] = true
		}
	}
	for i, w := range ws {
		if used[i] {
			continue
		}
		s := w.low
		explicit := false
		if v, ok := strings.CutPrefix(s, "v"); ok && dotted(v, 1) {
			s, explicit = v, true
		}
		if !dotted(s, 2) {
			continue
		}
		if !explicit && !dotted(s, 3) {
			if i == 0 {
				continue
			}
			prev := ws[i-1].low
			if !versionCues[prev] && !prod[prev] {
				continue
			}
		}
		if i > 0 && isCurrencyWord(ws[i-1].low) || i+1 < len(ws) && afterPrice(ws[i+1].low) {
			continue
		}
		if i+1 < len(ws) && preRelease(ws[i+1].low) {
			return s + " " + ws[i+1].low
		}
		return s
	}
	return ""
}

// preRelease reads a tag after a version: "beta", "alpha", "preview", "rc2".
func preRelease(s string) bool {
	if s == "beta" || s == "alpha" || s == "preview" {
		return true
	}
	n, ok := strings.CutPrefix(s, "rc")
	return ok && (n == "" || dotted(n, 1))
}

func isCurrencyWord(s string) bool {
	switch s {
	case "usd", "eur", "gbp", "dollars", "euros", "pounds", "costs", "cost", "price", "pay", "paid", "charged":
		return true
	}
	return false
}

func afterPrice(s string) bool {
	switch s {
	case "a", "per", "usd", "eur", "gbp", "dollars", "euros", "pounds", "am", "pm", "percent", "%", "month", "year", "kg", "km", "miles", "hours", "minutes":
		return true
	}
	return false
}

func clipDetail(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxDetail {
		return s
	}
	r := []rune(s)
	return string(r[:maxDetail])
}
