package bot

// Deletions: a source emits a tombstone (Mention.Deleted) when an author
// deletes a post; the store redacts the post's text wherever it keeps it,
// and these are the words and outcomes the rest of the pipeline sees.

// DeletedText is what every surface shows in place of a deleted post's text.
const DeletedText = "[deleted by its author]"

const (
	// OutcomeDeleted: a tombstone redacted a stored mention (and touched
	// the cases holding it, whose cards are redrawn).
	OutcomeDeleted IngestOutcome = "deleted"
	// OutcomeIgnored: a tombstone for a post earshot never stored. It is
	// remembered for a while, so the post, if it arrives late, is stored
	// already redacted.
	OutcomeIgnored IngestOutcome = "ignored"
)

// EventDeleted is the thread line for a post its author deleted; the
// event names the author and the mention, never the text.
const EventDeleted EventKind = "deleted"

// Answerable reports whether thread still has a post of someone else's
// (not ours) that was not deleted: something a reply could answer.
func Answerable(thread []Mention) bool {
	for _, m := range thread {
		if !m.Deleted && !m.Ours {
			return true
		}
	}
	return false
}
