package metafake

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

// The Instagram endpoints: media, tags, comments and replies, and the IG
// user node with its mentioned_comment / mentioned_media expansions.

func (f *Fake) mediaList(w http.ResponseWriter, r *http.Request, keep func(*Media) bool) {
	var ms []*Media
	for _, m := range f.media {
		if keep(m) {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Created.After(ms[j].Created) })
	items := make([]any, len(ms))
	for i, m := range ms {
		n := 0
		for _, c := range f.igComments {
			if c.MediaID == m.ID {
				n++
			}
		}
		items[i] = map[string]any{
			"id": m.ID, "caption": m.Caption, "timestamp": m.Created.UTC().Format(TimeLayout),
			"username": m.Username, "permalink": "https://www.instagram.com/p/" + m.ID + "/", "comments_count": n,
		}
	}
	f.pageOut(w, r, items)
}

func (f *Fake) igJSON(c *IGComment) map[string]any {
	return map[string]any{
		"id": c.ID, "text": c.Text, "timestamp": c.Created.UTC().Format(TimeLayout), "username": c.Username,
		"from": map[string]string{"id": c.FromID, "username": c.Username},
	}
}

// igList is GET /{media}/comments (top level, replies nested) or
// /{comment}/replies.
func (f *Fake) igList(w http.ResponseWriter, r *http.Request, obj, edge string) {
	var cs []*IGComment
	for _, c := range f.igComments {
		if (edge == "comments" && c.MediaID == obj && c.ParentID == "") || (edge == "replies" && c.ParentID == obj) {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Created.After(cs[j].Created) })
	nest := strings.Contains(r.URL.Query().Get("fields"), "replies{")
	items := make([]any, len(cs))
	for i, c := range cs {
		m := f.igJSON(c)
		if edge == "replies" {
			m["parent_id"] = obj
		}
		if nest {
			var rs []any
			for _, rc := range f.igComments {
				if rc.ParentID == c.ID {
					rs = append(rs, f.igJSON(rc))
				}
			}
			if len(rs) > 0 {
				m["replies"] = map[string]any{"data": rs}
			}
		}
		items[i] = m
	}
	f.pageOut(w, r, items)
}

func (f *Fake) postIGComment(w http.ResponseWriter, r *http.Request, obj, edge string) {
	b, err := body(r)
	msg, _ := b["message"].(string)
	if err != nil || msg == "" {
		writeError(w, Fail{Code: 100, Message: "(#100) The parameter message is required"})
		return
	}
	var owner string
	media, parent := obj, ""
	if edge == "replies" {
		c, ok := f.igComments[obj]
		if !ok {
			writeError(w, Fail{Code: 100, Subcode: 33, Message: "Unsupported post request"})
			return
		}
		media, parent = c.MediaID, obj
	} else if _, ok := f.media[obj]; !ok {
		writeError(w, Fail{Code: 100, Subcode: 33, Message: "Unsupported post request"})
		return
	}
	owner = f.media[media].Owner
	id := f.addIGComment(media, parent, owner, f.igName[owner], msg, time.Now())
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

// igUser is GET /{ig-user-id}?fields=username or a mentioned_comment /
// mentioned_media field expansion.
func (f *Fake) igUser(w http.ResponseWriter, r *http.Request, ig string) {
	fields := r.URL.Query().Get("fields")
	out := map[string]any{"id": ig}
	if m := fieldExpansion.FindStringSubmatch(fields); m != nil {
		switch m[1] {
		case "comment":
			c, ok := f.igComments[m[3]]
			if !ok {
				writeError(w, Fail{Code: 100, Subcode: 33, Message: "comment not found"})
				return
			}
			j := f.igJSON(c)
			j["media"] = map[string]string{"id": c.MediaID, "permalink": "https://www.instagram.com/p/" + c.MediaID + "/"}
			out["mentioned_comment"] = j
		case "media":
			md, ok := f.media[m[3]]
			if !ok {
				writeError(w, Fail{Code: 100, Subcode: 33, Message: "media not found"})
				return
			}
			out["mentioned_media"] = map[string]any{
				"id": md.ID, "caption": md.Caption, "timestamp": md.Created.UTC().Format(TimeLayout),
				"username": md.Username, "permalink": "https://www.instagram.com/p/" + md.ID + "/",
			}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	out["username"] = f.igName[ig]
	writeJSON(w, http.StatusOK, out)
}
