// Package githubsearch finds issues and pull requests of other people's
// repositories that mention the brand (GitHub's issue search, one
// poll.Poller per query), follows new comments on the issues of open
// cases, and answers with an issue comment (bot.Replier for "github").
// Discussions are not searched: go-github v60's search has no discussion
// type, and the GraphQL search needs a separate client and token scope.
package githubsearch

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Platform is the mentions' platform name.
const Platform = "github"

// Ref names an issue (or pull request) or one of its comments. Its string
// form is the mention's external id: "owner/repo#123" for the issue,
// "owner/repo#123/comment/456" for a comment: readable, and stable across
// renames of nothing but the repository.
type Ref struct {
	Owner, Repo string
	Number      int
	Comment     int64 // 0 for the issue itself
}

func (r Ref) String() string {
	s := fmt.Sprintf("%s/%s#%d", r.Owner, r.Repo, r.Number)
	if r.Comment != 0 {
		s += "/comment/" + strconv.FormatInt(r.Comment, 10)
	}
	return s
}

// Issue is the ref of the issue itself (without the comment).
func (r Ref) Issue() Ref { r.Comment = 0; return r }

// FullName is "owner/repo".
func (r Ref) FullName() string { return r.Owner + "/" + r.Repo }

// ParseRef reads an external id made by Ref.String.
func ParseRef(s string) (Ref, error) {
	repo, rest, ok := strings.Cut(s, "#")
	owner, name, ok2 := strings.Cut(repo, "/")
	if !ok || !ok2 || owner == "" || name == "" || strings.Contains(name, "/") {
		return Ref{}, fmt.Errorf("github: %q is not owner/repo#number", clipStr(s))
	}
	num, comment, hasComment := strings.Cut(rest, "/comment/")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return Ref{}, fmt.Errorf("github: %q has no issue number", clipStr(s))
	}
	r := Ref{Owner: owner, Repo: name, Number: n}
	if hasComment {
		c, err := strconv.ParseInt(comment, 10, 64)
		if err != nil || c <= 0 {
			return Ref{}, fmt.Errorf("github: %q has a bad comment id", clipStr(s))
		}
		r.Comment = c
	}
	return r, nil
}

// repoFromAPIURL reads owner and repo from an issue's repository_url
// (https://api.github.com/repos/OWNER/REPO, or an Enterprise host's
// /api/v3/repos/OWNER/REPO).
func repoFromAPIURL(s string) (owner, repo string, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("github: repository_url %q: %w", clipStr(s), err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 3 || parts[len(parts)-3] != "repos" || parts[len(parts)-2] == "" || parts[len(parts)-1] == "" {
		return "", "", fmt.Errorf("github: repository_url %q does not name a repository", clipStr(s))
	}
	return parts[len(parts)-2], parts[len(parts)-1], nil
}

func clipStr(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
