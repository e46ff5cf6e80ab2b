package bot

import "context"

// ReplyMeta is what a Replier may want to know besides the post and the
// text: which case and action the reply is for, and a key that stays the
// same however often the job is retried, so a receiver can deduplicate.
// It travels in the context because Replier's signature is about the post.
type ReplyMeta struct {
	CaseID         int64
	ActionID       int64
	IdempotencyKey string
}

type replyMetaKey struct{}

// WithReplyMeta returns ctx carrying m for the Replier.
func WithReplyMeta(ctx context.Context, m ReplyMeta) context.Context {
	return context.WithValue(ctx, replyMetaKey{}, m)
}

// ReplyMetaFrom returns the ReplyMeta in ctx, if any.
func ReplyMetaFrom(ctx context.Context) (ReplyMeta, bool) {
	m, ok := ctx.Value(replyMetaKey{}).(ReplyMeta)
	return m, ok
}
