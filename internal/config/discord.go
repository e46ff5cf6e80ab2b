package config

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// discordErrors checks the Discord settings: a token needs the application
// id; ids are Discord's numeric snowflakes; the public key is Ed25519's 32
// bytes in hex. Messages never echo the token.
func (c Config) discordErrors() []string {
	var errs []string
	set := c.DiscordToken != ""
	switch {
	case set && strings.HasPrefix(c.DiscordToken, "Bot "):
		errs = append(errs, `EARSHOT_DISCORD_TOKEN starts with "Bot "; give the token alone`)
	case set && strings.ContainsAny(c.DiscordToken, " \t\r\n"):
		errs = append(errs, "EARSHOT_DISCORD_TOKEN contains spaces or line breaks")
	}
	if set && c.DiscordAppID == "" {
		errs = append(errs, "EARSHOT_DISCORD_TOKEN needs EARSHOT_DISCORD_APP_ID (Developer Portal → General Information → Application ID)")
	}
	if c.DiscordAppID != "" && !snowflake(c.DiscordAppID) {
		errs = append(errs, fmt.Sprintf("EARSHOT_DISCORD_APP_ID %q is not a Discord id (digits, like 1234567890123456789)", clipValue(c.DiscordAppID)))
	}
	for i, g := range c.DiscordGuildIDs {
		if strings.TrimSpace(g) == "" {
			continue // "a,,b" or a trailing comma
		}
		if !snowflake(strings.TrimSpace(g)) {
			errs = append(errs, fmt.Sprintf("EARSHOT_DISCORD_GUILD_IDS: entry %d %q is not a server id (digits)", i+1, clipValue(g)))
		}
	}
	if k := c.DiscordPublicKey; k != "" {
		if b, err := hex.DecodeString(k); err != nil || len(b) != 32 {
			errs = append(errs, "EARSHOT_DISCORD_PUBLIC_KEY is not 64 hex characters (General Information → Public Key)")
		}
	}
	if u := c.DiscordAPIURL; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Sprintf("EARSHOT_DISCORD_API_URL %q is not an http(s) URL", clipValue(u)))
		}
	}
	if !set && (c.DiscordAppID != "" || len(c.DiscordGuildIDs) > 0 || c.DiscordPublicKey != "") {
		errs = append(errs, "EARSHOT_DISCORD_APP_ID, _GUILD_IDS and _PUBLIC_KEY need EARSHOT_DISCORD_TOKEN")
	}
	return errs
}

func snowflake(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// clipValue keeps a quoted value short in an error.
func clipValue(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
