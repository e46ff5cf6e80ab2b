// Package githubsearch finds issues, pull requests and discussions of
// other people's repositories that mention the brand (GitHub's issue
// search over REST with go-github, discussion search over GraphQL with
// githubv4; one poll.Poller per query and kind), follows new comments on
// the issues and discussions of open cases, and answers with a comment
// (bot.Replier for "github").
package githubsearch

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Platform is the mentions' platform name.
const Platform = "github"

// Ref names an issue (or pull request) or a discussion, or one of their
// comments. Its string form is the mention's external id:
// "owner/repo#123" for the issue, "owner/repo#123/comment/456" for a
// comment; "owner/repo/discussions/7" for a discussion and
// "owner/repo/discussions/7/comment/DC_kwDO…" for a discussion comment or
// reply, by its GraphQL node id (what a reply to it needs). Readable, and
// stable across renames of nothing but the repository.
type Ref struct {
	Owner, Repo string
	Number      int
	Comment     int64 // an issue comment's id; 0 for the issue itself
	Discussion  bool
	Node        string // a discussion comment's node id; "" for the discussion itself
}

func (r Ref) String() string {
	if r.Discussion {
		s := fmt.Sprintf("%s/%s/discussions/%d", r.Owner, r.Repo, r.Number)
		if r.Node != "" {
			s += "/comment/" + r.Node
		}
		return s
	}
	s := fmt.Sprintf("%s/%s#%d", r.Owner, r.Repo, r.Number)
	if r.Comment != 0 {
		s += "/comment/" + strconv.FormatInt(r.Comment, 10)
	}
	return s
}

// Issue is the ref of the issue or discussion itself (without the comment).
func (r Ref) Issue() Ref { r.Comment, r.Node = 0, ""; return r }

// FullName is "owner/repo".
func (r Ref) FullName() string { return r.Owner + "/" + r.Repo }

// nodeRE is a GraphQL node id: "DC_kwDO…", or the older base64 form.
var nodeRE = regexp.MustCompile(`^[A-Za-z0-9_+/=-]{1,200}$`)

// ParseRef reads an external id made by Ref.String.
func ParseRef(s string) (Ref, error) {
	if !strings.Contains(s, "#") && strings.Contains(s, "/discussions/") {
		return parseDiscussionRef(s)
	}
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

func parseDiscussionRef(s string) (Ref, error) {
	repo, rest, _ := strings.Cut(s, "/discussions/")
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return Ref{}, fmt.Errorf("github: %q is not owner/repo/discussions/number", clipStr(s))
	}
	num, node, hasNode := strings.Cut(rest, "/comment/")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || strconv.Itoa(n) != num {
		return Ref{}, fmt.Errorf("github: %q has no discussion number", clipStr(s))
	}
	r := Ref{Owner: owner, Repo: name, Number: n, Discussion: true}
	if hasNode {
		if !nodeRE.MatchString(node) {
			return Ref{}, fmt.Errorf("github: %q has a bad comment node id", clipStr(s))
		}
		r.Node = node
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
