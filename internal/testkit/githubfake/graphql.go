package githubfake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// The GraphQL half of the fake serves the parts of GitHub's GraphQL API
// (POST /graphql, or /api/graphql as on GitHub Enterprise Server) earshot
// uses for discussions: search(type: DISCUSSION), repository.discussion
// with its comments and replies, node(id:), and the addDiscussionComment
// mutation. The schema below is a subset of GitHub's published schema
// (docs.github.com/graphql, "Using the GraphQL API for Discussions") with
// the same names and nullability, and graph-gophers/graphql-go validates
// every query against it: a query naming a field GitHub does not have is
// refused here as it would be there.
const schemaSDL = `
schema { query: Query mutation: Mutation }

scalar DateTime
scalar URI

enum SearchType { ISSUE ISSUE_ADVANCED REPOSITORY USER DISCUSSION }

type Query {
  search(query: String!, type: SearchType!, first: Int, after: String, last: Int, before: String): SearchResultItemConnection!
  repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
  node(id: ID!): Node
  viewer: User!
}

type Mutation {
  addDiscussionComment(input: AddDiscussionCommentInput!): AddDiscussionCommentPayload
}

input AddDiscussionCommentInput {
  discussionId: ID!
  body: String!
  clientMutationId: String
  replyToId: ID
}

type AddDiscussionCommentPayload {
  clientMutationId: String
  comment: DiscussionComment
}

interface Node { id: ID! }

interface Actor {
  login: String!
  url: URI!
}

type User implements Node & Actor {
  id: ID!
  login: String!
  url: URI!
  name: String
  databaseId: Int
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

union SearchResultItem = Discussion | Issue

type SearchResultItemConnection {
  discussionCount: Int!
  issueCount: Int!
  pageInfo: PageInfo!
  nodes: [SearchResultItem]
}

type Issue implements Node {
  id: ID!
  number: Int!
  title: String!
}

type Repository implements Node {
  id: ID!
  name: String!
  nameWithOwner: String!
  isArchived: Boolean!
  discussion(number: Int!): Discussion
}

type Discussion implements Node {
  id: ID!
  databaseId: Int
  number: Int!
  title: String!
  body: String!
  url: URI!
  createdAt: DateTime!
  author: Actor
  repository: Repository!
  locked: Boolean!
  comments(first: Int, last: Int, after: String, before: String): DiscussionCommentConnection!
}

type DiscussionComment implements Node {
  id: ID!
  databaseId: Int
  body: String!
  url: URI!
  createdAt: DateTime!
  author: Actor
  discussion: Discussion
  replyTo: DiscussionComment
  replies(first: Int, last: Int, after: String, before: String): DiscussionCommentConnection!
  isMinimized: Boolean!
}

type DiscussionCommentConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  nodes: [DiscussionComment]
}
`

// Discussion is a discussion as the fake keeps it.
type Discussion struct {
	Repo      string
	Number    int
	NodeID    string
	Author    string // login; "" is the token's user (Login)
	Title     string
	Body      string
	Locked    bool
	CreatedAt time.Time
	Comments  []*DiscussionComment
}

// DiscussionComment is a comment on a discussion, or a reply to one.
type DiscussionComment struct {
	NodeID     string
	DatabaseID int64
	Author     string
	Body       string
	CreatedAt  time.Time
	Replies    []*DiscussionComment
	parent     *DiscussionComment
	discussion *Discussion
}

// DiscussionPost is someone's discussion, for search.
type DiscussionPost struct {
	Repo, Author, Title, Body string
	CreatedAt                 time.Time
}

// AddDiscussion puts someone's discussion in place and returns its number
// (numbers are shared with the repository's issues, as on GitHub).
func (f *Fake) AddDiscussion(p DiscussionPost) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := strings.ToLower(p.Repo)
	n := len(f.issues[key]) + len(f.discussions[key]) + 1
	f.nextID++
	d := &Discussion{Repo: p.Repo, Number: n, NodeID: "D_kwDOfake" + strconv.FormatInt(f.nextID, 10), Author: p.Author,
		Title: p.Title, Body: p.Body, CreatedAt: p.CreatedAt.UTC().Truncate(time.Second)}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = f.now().UTC().Truncate(time.Second)
	}
	f.discussions[key] = append(f.discussions[key], d)
	return n
}

// AddDiscussionComment adds author's comment to a discussion (replyTo ""),
// or a reply to the comment whose node id is replyTo, and returns the new
// comment's node id.
func (f *Fake) AddDiscussionComment(repo string, number int, replyTo, author, body string, at time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.findDiscussion(repo, number)
	if d == nil {
		panic(fmt.Sprintf("githubfake: no discussion %s#%d", repo, number))
	}
	var parent *DiscussionComment
	if replyTo != "" {
		if parent = f.commentByNode(replyTo); parent == nil {
			panic("githubfake: no discussion comment " + replyTo)
		}
	}
	return f.addDiscussionComment(d, parent, author, body, at).NodeID
}

func (f *Fake) addDiscussionComment(d *Discussion, parent *DiscussionComment, author, body string, at time.Time) *DiscussionComment {
	f.nextID++
	c := &DiscussionComment{NodeID: "DC_kwDOfake" + strconv.FormatInt(f.nextID, 10), DatabaseID: f.nextID, Author: author,
		Body: body, CreatedAt: at.UTC().Truncate(time.Second), parent: parent, discussion: d}
	if parent != nil {
		parent.Replies = append(parent.Replies, c)
	} else {
		d.Comments = append(d.Comments, c)
	}
	return c
}

// LockDiscussion locks a discussion: comments are refused.
func (f *Fake) LockDiscussion(repo string, number int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d := f.findDiscussion(repo, number); d != nil {
		d.Locked = true
	}
}

// DiscussionComments lists a discussion's comments and replies, each
// reply right after its comment (copies, for assertions).
func (f *Fake) DiscussionComments(repo string, number int) []DiscussionComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.findDiscussion(repo, number)
	if d == nil {
		return nil
	}
	var out []DiscussionComment
	for _, c := range d.Comments {
		out = append(out, *c)
		for _, r := range c.Replies {
			out = append(out, *r)
		}
	}
	return out
}

// ParentOf is the node id of the comment a reply answers ("" for a
// top-level comment).
func (c DiscussionComment) ParentOf() string {
	if c.parent == nil {
		return ""
	}
	return c.parent.NodeID
}

// GraphQLBudget makes GraphQL answers carry the rate-limit headers of the
// graphql resource: left points remain until reset, and a query past it
// is refused as GitHub does (200, RATE_LIMITED).
func (f *Fake) GraphQLBudget(left int, reset time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gqlLeft, f.gqlReset = left, reset
}

// DiscussionURL is a discussion's address on the web.
func DiscussionURL(repo string, number int) string {
	return fmt.Sprintf("https://github.com/%s/discussions/%d", repo, number)
}

func (f *Fake) findDiscussion(repo string, number int) *Discussion {
	for _, d := range f.discussions[strings.ToLower(repo)] {
		if d.Number == number {
			return d
		}
	}
	return nil
}

func (f *Fake) commentByNode(id string) *DiscussionComment {
	for _, list := range f.discussions {
		for _, d := range list {
			for _, c := range d.Comments {
				if c.NodeID == id {
					return c
				}
				for _, r := range c.Replies {
					if r.NodeID == id {
						return r
					}
				}
			}
		}
	}
	return nil
}

func (f *Fake) discussionByNode(id string) *Discussion {
	for _, list := range f.discussions {
		for _, d := range list {
			if d.NodeID == id {
				return d
			}
		}
	}
	return nil
}

// graphqlHandler serves one GraphQL request under f.mu: resolvers read
// and write the fake's data without locks of their own.
func (f *Fake) graphqlHandler(w http.ResponseWriter, r *http.Request, _ []string) {
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, req.Query)
	w.Header().Set("X-RateLimit-Resource", "graphql")
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(f.gqlReset.Unix(), 10))
	if f.gqlLeft == 0 {
		f.mu.Unlock()
		f.limitedGraphQL(w)
		return
	}
	left := 4999 // no budget set: plenty left
	if f.gqlLeft > 0 {
		f.gqlLeft--
		left = f.gqlLeft
	}
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(left))
	resp := f.schema.Exec(r.Context(), req.Query, req.OperationName, req.Variables)
	f.mu.Unlock()
	out := map[string]any{"data": resp.Data}
	if len(resp.Errors) > 0 {
		errs := make([]map[string]any, 0, len(resp.Errors))
		for _, e := range resp.Errors {
			m := map[string]any{"message": e.Message}
			if len(e.Path) > 0 {
				m["path"] = e.Path
			}
			if t, ok := e.Extensions["type"]; ok {
				m["type"] = t
			}
			errs = append(errs, m)
		}
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}

// limitedGraphQL is GitHub's answer to a spent GraphQL budget: 200 with a
// RATE_LIMITED error and no data.
func (f *Fake) limitedGraphQL(w http.ResponseWriter) {
	f.mu.Lock()
	f.counts["limited"]++
	reset := f.gqlReset
	f.mu.Unlock()
	if reset.IsZero() {
		reset = f.now().Add(90 * time.Second)
	}
	w.Header().Set("X-RateLimit-Resource", "graphql")
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{
		"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1.",
	}}})
}

// Queries lists the GraphQL documents received, in order.
func (f *Fake) Queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queries)
}

func mustSchema(f *Fake) *graphql.Schema {
	return graphql.MustParseSchema(schemaSDL, &gqlRoot{f: f})
}

// typedError is an error with GitHub's "type" (NOT_FOUND, FORBIDDEN, …).
type typedError struct{ typ, msg string }

func (e *typedError) Error() string { return e.msg }

func (e *typedError) Extensions() map[string]any { return map[string]any{"type": e.typ} }

// Scalars.

type dateTime struct{ time.Time }

func (dateTime) ImplementsGraphQLType(name string) bool { return name == "DateTime" }

func (t *dateTime) UnmarshalGraphQL(in any) error {
	s, ok := in.(string)
	if !ok {
		return errors.New("DateTime must be a string")
	}
	v, err := time.Parse(time.RFC3339, s)
	t.Time = v
	return err
}

func (t dateTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(time.RFC3339))
}

type uri string

func (uri) ImplementsGraphQLType(name string) bool { return name == "URI" }

func (u *uri) UnmarshalGraphQL(in any) error {
	s, ok := in.(string)
	if !ok {
		return errors.New("URI must be a string")
	}
	*u = uri(s)
	return nil
}

func (u uri) MarshalJSON() ([]byte, error) { return json.Marshal(string(u)) }

// Resolvers.

type gqlRoot struct{ f *Fake }

type searchArgs struct {
	Query  string
	Type   string
	First  *int32
	After  *string
	Last   *int32
	Before *string
}

func encodeCursor(i int) string {
	return base64.StdEncoding.EncodeToString([]byte("cursor:" + strconv.Itoa(i)))
}

func decodeCursor(s string) (int, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(b), "cursor:") {
		return 0, &typedError{"INVALID_CURSOR_ARGUMENTS", fmt.Sprintf("`%s` does not appear to be a valid cursor.", s)}
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:"))
	if err != nil || n < 1 {
		return 0, &typedError{"INVALID_CURSOR_ARGUMENTS", fmt.Sprintf("`%s` does not appear to be a valid cursor.", s)}
	}
	return n, nil
}

// pageBounds applies first/after to n items, as GitHub's connections do
// (at most 100 a page).
func pageBounds(conn string, n int, first *int32, after *string) (lo, hi int, err error) {
	if first == nil {
		return 0, 0, &typedError{"MISSING_PAGINATION_BOUNDARIES", fmt.Sprintf("You must provide a `first` or `last` value to properly paginate the `%s` connection.", conn)}
	}
	if *first < 0 || *first > 100 {
		return 0, 0, &typedError{"EXCESSIVE_PAGINATION", fmt.Sprintf("Requesting %d records on the `%s` connection exceeds the `first` limit of 100 records.", *first, conn)}
	}
	if after != nil && *after != "" {
		if lo, err = decodeCursor(*after); err != nil {
			return 0, 0, err
		}
	}
	lo = min(lo, n)
	return lo, min(lo+int(*first), n), nil
}

func (q *gqlRoot) Search(args searchArgs) (*searchConn, error) {
	if args.Type != "DISCUSSION" {
		return &searchConn{}, nil // the fake searches discussions only; issues go through REST
	}
	f := q.f
	var repo string
	var deny, terms []string
	var times []timeQual
	sortAsc := false
	for _, tok := range splitQuery(args.Query) {
		switch low := strings.ToLower(tok); {
		case strings.HasPrefix(low, "repo:"):
			repo = low[5:]
		case strings.HasPrefix(low, "-repo:"):
			deny = append(deny, low[6:])
		case low == "sort:created-asc":
			sortAsc = true
		case strings.HasPrefix(low, "sort:"), strings.HasPrefix(low, "in:"):
		case strings.HasPrefix(low, "created:"):
			tq, err := parseTimeQual(tok)
			if err != nil {
				return nil, &typedError{"INVALID", err.Error()}
			}
			times = append(times, tq)
		default:
			terms = append(terms, low)
		}
	}
	var sel []*Discussion
	for key, list := range f.discussions {
		if (repo != "" && key != repo) || slices.Contains(deny, key) {
			continue
		}
		for _, d := range list {
			is := &Issue{Title: d.Title, Body: d.Body, CreatedAt: d.CreatedAt, UpdatedAt: d.CreatedAt}
			if matchTimes(is, times) && matches(is, terms) {
				sel = append(sel, d)
			}
		}
	}
	slices.SortStableFunc(sel, func(a, b *Discussion) int {
		c := cmpInt(a.CreatedAt.Unix(), b.CreatedAt.Unix())
		if c == 0 {
			c = strings.Compare(a.NodeID, b.NodeID)
		}
		if !sortAsc {
			return -c // "best match": the fake's best is the newest
		}
		return c
	})
	lo, hi, err := pageBounds("search", len(sel), args.First, args.After)
	if err != nil {
		return nil, err
	}
	out := &searchConn{count: int32(len(sel)), hasNext: hi < len(sel), end: encodeCursor(hi)}
	if lo < hi {
		out.start = encodeCursor(lo + 1)
	}
	for _, d := range sel[lo:hi] {
		out.nodes = append(out.nodes, &searchItem{d: &discussionR{f: f, d: d}})
	}
	return out, nil
}

func (q *gqlRoot) Repository(args struct {
	Owner, Name   string
	FollowRenames bool
}) (*repoR, error) {
	full := args.Owner + "/" + args.Name
	key := strings.ToLower(full)
	if _, ok := q.f.discussions[key]; !ok && q.f.issues[key] == nil && !q.f.archived[key] {
		return nil, &typedError{"NOT_FOUND", fmt.Sprintf("Could not resolve to a Repository with the name '%s'.", full)}
	}
	return &repoR{f: q.f, full: full}, nil
}

func (q *gqlRoot) Node(args struct{ ID graphql.ID }) (*nodeR, error) {
	id := string(args.ID)
	if d := q.f.discussionByNode(id); d != nil {
		return &nodeR{d: &discussionR{f: q.f, d: d}}, nil
	}
	if c := q.f.commentByNode(id); c != nil {
		return &nodeR{c: &commentR{f: q.f, c: c}}, nil
	}
	return nil, &typedError{"NOT_FOUND", fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
}

func (q *gqlRoot) Viewer() *userR { return &userR{login: Login} }

type addInput struct {
	DiscussionID     graphql.ID
	Body             string
	ClientMutationID *string
	ReplyToID        *graphql.ID
}

func (q *gqlRoot) AddDiscussionComment(args struct{ Input addInput }) (*addPayload, error) {
	f := q.f
	f.counts["discussion_comment"]++
	d := f.discussionByNode(string(args.Input.DiscussionID))
	if d == nil {
		return nil, &typedError{"NOT_FOUND", fmt.Sprintf("Could not resolve to a node with the global id of '%s'", args.Input.DiscussionID)}
	}
	if f.archived[strings.ToLower(d.Repo)] {
		return nil, &typedError{"FORBIDDEN", "Repository was archived so is read-only."}
	}
	if d.Locked {
		return nil, &typedError{"FORBIDDEN", "Discussion is locked. Only collaborators can comment."}
	}
	if strings.TrimSpace(args.Input.Body) == "" {
		return nil, &typedError{"UNPROCESSABLE", "Body can't be blank"}
	}
	var parent *DiscussionComment
	if args.Input.ReplyToID != nil {
		parent = f.commentByNode(string(*args.Input.ReplyToID))
		switch {
		case parent == nil || parent.discussion != d:
			return nil, &typedError{"NOT_FOUND", fmt.Sprintf("Could not resolve to a node with the global id of '%s'", *args.Input.ReplyToID)}
		case parent.parent != nil:
			return nil, &typedError{"UNPROCESSABLE", "Parent comment is already in a thread, cannot reply to it."}
		}
	}
	c := f.addDiscussionComment(d, parent, Login, args.Input.Body, f.now())
	return &addPayload{mutationID: args.Input.ClientMutationID, c: &commentR{f: f, c: c}}, nil
}

type addPayload struct {
	mutationID *string
	c          *commentR
}

func (p *addPayload) ClientMutationID() *string { return p.mutationID }
func (p *addPayload) Comment() *commentR        { return p.c }

type searchConn struct {
	count      int32
	hasNext    bool
	start, end string
	nodes      []*searchItem
}

func (s *searchConn) DiscussionCount() int32 { return s.count }
func (s *searchConn) IssueCount() int32      { return 0 }
func (s *searchConn) PageInfo() *pageInfo {
	return &pageInfo{hasNext: s.hasNext, start: s.start, end: s.end}
}
func (s *searchConn) Nodes() *[]*searchItem { return &s.nodes }

type pageInfo struct {
	hasNext, hasPrev bool
	start, end       string
}

func (p *pageInfo) HasNextPage() bool     { return p.hasNext }
func (p *pageInfo) HasPreviousPage() bool { return p.hasPrev }
func (p *pageInfo) StartCursor() *string  { return strPtr(p.start) }
func (p *pageInfo) EndCursor() *string    { return strPtr(p.end) }

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type searchItem struct{ d *discussionR }

func (s *searchItem) ToDiscussion() (*discussionR, bool) { return s.d, s.d != nil }
func (s *searchItem) ToIssue() (*issueR, bool)           { return nil, false }

type issueR struct{}

func (issueR) ID() graphql.ID { return "" }
func (issueR) Number() int32  { return 0 }
func (issueR) Title() string  { return "" }

type nodeR struct {
	d *discussionR
	c *commentR
}

func (n *nodeR) ID() graphql.ID {
	if n.d != nil {
		return n.d.ID()
	}
	return n.c.ID()
}
func (n *nodeR) ToDiscussion() (*discussionR, bool)     { return n.d, n.d != nil }
func (n *nodeR) ToDiscussionComment() (*commentR, bool) { return n.c, n.c != nil }
func (n *nodeR) ToUser() (*userR, bool)                 { return nil, false }
func (n *nodeR) ToIssue() (*issueR, bool)               { return nil, false }
func (n *nodeR) ToRepository() (*repoR, bool)           { return nil, false }

type userR struct{ login string }

func (u *userR) ID() graphql.ID { return graphql.ID("U_fake_" + u.login) }
func (u *userR) Login() string  { return u.login }
func (u *userR) URL() uri       { return uri("https://github.com/" + u.login) }
func (u *userR) Name() *string {
	n := strings.ToUpper(u.login[:1]) + u.login[1:]
	return &n
}
func (u *userR) DatabaseID() *int32 {
	var h int32 = 7
	for _, r := range u.login {
		h = h*31 + r
	}
	if h < 0 {
		h = -h
	}
	return &h
}

type actorR struct{ u *userR }

func (a *actorR) Login() string          { return a.u.login }
func (a *actorR) URL() uri               { return a.u.URL() }
func (a *actorR) ToUser() (*userR, bool) { return a.u, true }

func author(login string) *actorR {
	if login == "" {
		login = Login
	}
	return &actorR{u: &userR{login: login}}
}

type repoR struct {
	f    *Fake
	full string
}

func (r *repoR) ID() graphql.ID        { return graphql.ID("R_fake_" + r.full) }
func (r *repoR) Name() string          { _, n, _ := strings.Cut(r.full, "/"); return n }
func (r *repoR) NameWithOwner() string { return r.full }
func (r *repoR) IsArchived() bool      { return r.f.archived[strings.ToLower(r.full)] }
func (r *repoR) Discussion(args struct{ Number int32 }) (*discussionR, error) {
	d := r.f.findDiscussion(r.full, int(args.Number))
	if d == nil {
		return nil, &typedError{"NOT_FOUND", fmt.Sprintf("Could not resolve to a Discussion with the number of %d.", args.Number)}
	}
	return &discussionR{f: r.f, d: d}, nil
}

type discussionR struct {
	f *Fake
	d *Discussion
}

type connArgs struct {
	First  *int32
	Last   *int32
	After  *string
	Before *string
}

func (d *discussionR) ID() graphql.ID      { return graphql.ID(d.d.NodeID) }
func (d *discussionR) DatabaseID() *int32  { n := int32(d.d.Number * 1000); return &n }
func (d *discussionR) Number() int32       { return int32(d.d.Number) }
func (d *discussionR) Title() string       { return d.d.Title }
func (d *discussionR) Body() string        { return d.d.Body }
func (d *discussionR) URL() uri            { return uri(DiscussionURL(d.d.Repo, d.d.Number)) }
func (d *discussionR) CreatedAt() dateTime { return dateTime{d.d.CreatedAt} }
func (d *discussionR) Author() *actorR     { return author(d.d.Author) }
func (d *discussionR) Repository() *repoR  { return &repoR{f: d.f, full: d.d.Repo} }
func (d *discussionR) Locked() bool        { return d.d.Locked }
func (d *discussionR) Comments(args connArgs) (*commentConn, error) {
	return connection(d.f, "comments", d.d.Comments, args)
}

type commentR struct {
	f *Fake
	c *DiscussionComment
}

func (c *commentR) ID() graphql.ID     { return graphql.ID(c.c.NodeID) }
func (c *commentR) DatabaseID() *int32 { n := int32(c.c.DatabaseID); return &n }
func (c *commentR) Body() string       { return c.c.Body }
func (c *commentR) URL() uri {
	return uri(fmt.Sprintf("%s#discussioncomment-%d", DiscussionURL(c.c.discussion.Repo, c.c.discussion.Number), c.c.DatabaseID))
}
func (c *commentR) CreatedAt() dateTime      { return dateTime{c.c.CreatedAt} }
func (c *commentR) Author() *actorR          { return author(c.c.Author) }
func (c *commentR) Discussion() *discussionR { return &discussionR{f: c.f, d: c.c.discussion} }
func (c *commentR) IsMinimized() bool        { return false }
func (c *commentR) ReplyTo() *commentR {
	if c.c.parent == nil {
		return nil
	}
	return &commentR{f: c.f, c: c.c.parent}
}
func (c *commentR) Replies(args connArgs) (*commentConn, error) {
	return connection(c.f, "replies", c.c.Replies, args)
}

// connection pages comments with first/after or last/before.
func connection(f *Fake, name string, all []*DiscussionComment, a connArgs) (*commentConn, error) {
	var lo, hi int
	switch {
	case a.Last != nil:
		if *a.Last < 0 || *a.Last > 100 {
			return nil, &typedError{"EXCESSIVE_PAGINATION", fmt.Sprintf("Requesting %d records on the `%s` connection exceeds the `last` limit of 100 records.", *a.Last, name)}
		}
		hi = len(all)
		if a.Before != nil && *a.Before != "" {
			n, err := decodeCursor(*a.Before)
			if err != nil {
				return nil, err
			}
			hi = min(n-1, len(all))
		}
		lo = max(hi-int(*a.Last), 0)
	default:
		var err error
		if lo, hi, err = pageBounds(name, len(all), a.First, a.After); err != nil {
			return nil, err
		}
	}
	out := &commentConn{total: int32(len(all)), info: &pageInfo{hasNext: hi < len(all), hasPrev: lo > 0}}
	if lo < hi {
		out.info.start, out.info.end = encodeCursor(lo+1), encodeCursor(hi)
	}
	for _, c := range all[lo:hi] {
		out.nodes = append(out.nodes, &commentR{f: f, c: c})
	}
	return out, nil
}

type commentConn struct {
	total int32
	info  *pageInfo
	nodes []*commentR
}

func (c *commentConn) TotalCount() int32   { return c.total }
func (c *commentConn) PageInfo() *pageInfo { return c.info }
func (c *commentConn) Nodes() *[]*commentR { return &c.nodes }
