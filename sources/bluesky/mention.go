package bluesky

import (
	"context"
	"time"

	"github.com/earshothq/earshot/bot"
)

// mention decides whether ev becomes a mention: a post the rules hear, one
// mentioning our account, one of ours, a follow-up in a tracked thread, or
// the deletion of a tracked post. key identifies the event across replays.
func (s *Source) mention(ev *event) (m bot.Mention, key string, ok bool, err error) {
	switch ev.Kind {
	case "identity":
		if ev.Identity != nil {
			s.profiles.renamed(ev.Did, ev.Identity.Handle)
		}
		return m, "", false, nil
	case "commit":
	default:
		return m, "", false, nil
	}
	c := ev.Commit
	if c.Collection != PostCollection {
		return m, "", false, nil
	}
	switch c.Operation {
	case "delete":
		uri := ATURI(ev.Did, c.Collection, c.RKey)
		if !s.threads.Has(uri) {
			return m, "", false, nil
		}
		return bot.Mention{Platform: Platform, ExternalID: uri, Deleted: true}, uri + "#delete", true, nil
	case "create", "update":
	default:
		return m, "", false, nil
	}
	p, err := decodePost(ev)
	if err != nil {
		return m, "", false, err
	}
	m = bot.Mention{
		Platform:   Platform,
		ExternalID: p.URI,
		URL:        WebURL(p.Did, p.RKey),
		Author:     bot.Author{ID: p.Did},
		Text:       p.Record.Text,
		CreatedAt:  p.createdAt(),
	}
	if len(p.Record.Langs) > 0 {
		m.Lang = p.Record.Langs[0]
	}
	if pr, ok := s.profiles.cache.Peek(p.Did); ok {
		setProfile(&m.Author, pr)
	}
	self := s.self.get()
	ours := self != "" && p.Did == self
	if ours {
		m.Author.Handle = s.opts.Handle
	}
	followUp := false
	if r := p.Record.Reply; r != nil {
		// The store joins a reply to the case of the post it answers; when
		// only the thread's root is tracked (an answer under a reply we never
		// saw), the root is what joins it.
		m.InReplyTo = r.Parent.URI
		switch {
		case s.threads.Has(r.Parent.URI):
			followUp = true
		case s.threads.Has(r.Root.URI):
			followUp = true
			m.InReplyTo = r.Root.URI
		}
	}
	key = p.URI
	switch {
	case ours, followUp:
	case self != "" && p.mentions(self):
	case s.opts.Hears != nil && s.opts.Hears(m):
	default:
		return bot.Mention{}, "", false, nil
	}
	return m, key, true, nil
}

func setProfile(a *bot.Author, pr Profile) {
	if pr.Handle != "" && pr.Handle != "handle.invalid" {
		a.Handle = pr.Handle
	}
	a.Name = pr.Name
	a.Followers = pr.Followers
}

// fillProfiles names the authors of ms (handle, display name, followers)
// with one batched lookup for those not cached.
func (s *Source) fillProfiles(ctx context.Context, ms []bot.Mention) {
	var dids []string
	for _, m := range ms {
		if !m.Deleted && m.Author.ID != "" && m.Author.Name == "" && m.Author.Handle == "" {
			dids = append(dids, m.Author.ID)
		}
	}
	if len(dids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	found, err := s.profiles.resolve(ctx, dids)
	if err != nil {
		s.log.Warn("authors not named", "error", err)
	}
	for i := range ms {
		if pr, ok := found[ms[i].Author.ID]; ok && !ms[i].Deleted && ms[i].Author.Handle == "" {
			setProfile(&ms[i].Author, pr)
		}
	}
}
