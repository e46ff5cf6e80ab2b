package metafake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"
)

// Signature is the X-Hub-Signature-256 value Meta sends with body.
func Signature(appSecret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// Change is one webhook change: Field and its Value.
type Change struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// Delivery is a webhook body of object ("page" or "instagram") with one
// entry for id holding changes, as Meta batches them.
func Delivery(object, id string, at time.Time, changes ...Change) []byte {
	b, err := json.Marshal(map[string]any{
		"object": object,
		"entry": []any{map[string]any{
			"id": id, "time": at.Unix(), "changes": changes,
		}},
	})
	if err != nil {
		panic(err) // the values are the test's own maps
	}
	return b
}

// FeedComment is a page feed change for a comment added by from on post,
// answering parent (the post, or a comment).
func FeedComment(verb, postID, commentID, parentID, fromID, fromName, message string, at time.Time) Change {
	return Change{Field: "feed", Value: map[string]any{
		"item": "comment", "verb": verb, "post_id": postID, "comment_id": commentID, "parent_id": parentID,
		"from": map[string]string{"id": fromID, "name": fromName}, "message": message,
		"created_time": at.Unix(), "post": map[string]any{"id": postID, "status_type": "added_photos", "is_published": true},
	}}
}

// FeedPost is a page feed change for a post ("status") by from.
func FeedPost(verb, postID, fromID, fromName, message string, at time.Time) Change {
	return Change{Field: "feed", Value: map[string]any{
		"item": "status", "verb": verb, "post_id": postID, "published": 1,
		"from": map[string]string{"id": fromID, "name": fromName}, "message": message, "created_time": at.Unix(),
	}}
}

// IGCommentChange is an Instagram "comments" change.
func IGCommentChange(commentID, mediaID, parentID, fromID, username, text string) Change {
	v := map[string]any{
		"id": commentID, "text": text,
		"from":  map[string]string{"id": fromID, "username": username},
		"media": map[string]string{"id": mediaID, "media_product_type": "FEED"},
	}
	if parentID != "" {
		v["parent_id"] = parentID
	}
	return Change{Field: "comments", Value: v}
}

// IGMentionChange is an Instagram "mentions" change (commentID "" for a caption).
func IGMentionChange(mediaID, commentID string) Change {
	v := map[string]string{"media_id": mediaID}
	if commentID != "" {
		v["comment_id"] = commentID
	}
	return Change{Field: "mentions", Value: v}
}

// Deliver POSTs body to url signed with appSecret, as Meta does.
func Deliver(hc *http.Client, url, appSecret string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", Signature(appSecret, body))
	return hc.Do(req)
}
