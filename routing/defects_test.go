package routing

import (
	"slices"
	"testing"
)

const defectRules = `
brand: {name: Lumio, products: ["Lumio app", "Lumio hub"]}
defects:
  github: {repo: lumio/app, labels: [customer-reported]}
teams:
  care: {}
  product:
    defects:
      github: {repo: lumio/firmware, labels: [bug, from-social]}
      notify_on: released
  billing:
    defects: {notify_on: released}
route:
  name: brand
  any: [lumio]
  team: care
  routes:
    - name: crashes
      any: [crash]
      team: product
      file_defect: true
      continue: true
    - name: hub
      any: [hub]
      routes:
        - {name: hub-dead, any: [dead], file_defect: true}
    - {name: refunds, any: [refund], team: billing}
`

func TestDefectsFor(t *testing.T) {
	r, err := Parse("earshot.yaml", []byte(defectRules))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Brand.Products, []string{"Lumio app", "Lumio hub"}) {
		t.Errorf("products %q", r.Brand.Products)
	}
	cases := []struct {
		team, repo, notify string
		labels             []string
	}{
		{"care", "lumio/app", NotifyClosed, []string{"customer-reported"}},
		{"product", "lumio/firmware", NotifyReleased, []string{"bug", "from-social"}},
		{"billing", "lumio/app", NotifyReleased, []string{"customer-reported"}}, // notify_on alone keeps the default tracker
		{"nobody", "lumio/app", NotifyClosed, []string{"customer-reported"}},
	}
	for _, c := range cases {
		t.Run(c.team, func(t *testing.T) {
			d := r.DefectsFor(c.team)
			if d.GitHub.Repo != c.repo || d.NotifyOn != c.notify || !slices.Equal(d.GitHub.Labels, c.labels) {
				t.Errorf("DefectsFor(%s) = %+v", c.team, d)
			}
		})
	}
	// The labels are the caller's copy.
	d := r.DefectsFor("product")
	d.GitHub.Labels[0] = "changed"
	if r.DefectsFor("product").GitHub.Labels[0] != "bug" {
		t.Error("DefectsFor shares its labels with the rules")
	}
	if none := (&Rules{}).DefectsFor("care"); none.Set() || none.NotifyOn != NotifyClosed {
		t.Errorf("no defects section: %+v", none)
	}
}

func TestAutoDefect(t *testing.T) {
	r, err := Parse("earshot.yaml", []byte(defectRules))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		routes []string
		team   string
		want   string
	}{
		{"route's own team", []string{"brand", "crashes"}, "product", "crashes"},
		{"another team reached through continue files nothing", []string{"brand", "crashes", "hub", "hub-dead"}, "product", "crashes"},
		{"inherited team", []string{"brand", "hub", "hub-dead"}, "care", "hub-dead"},
		{"no file_defect route", []string{"brand", "refunds"}, "billing", ""},
		{"care case of a crash mention", []string{"brand", "crashes"}, "care", ""},
		{"no routes", nil, "care", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.AutoDefect(c.routes, c.team); got != c.want {
				t.Errorf("AutoDefect(%q, %s) = %q, want %q", c.routes, c.team, got, c.want)
			}
		})
	}
}

func TestValidRepo(t *testing.T) {
	for s, want := range map[string]bool{
		"lumio/app": true, "Lumio-HQ/app.ios_2": true, "lumio": false, "/app": false, "lumio/": false,
		"lu mio/app": false, "lumio/app/x": false, "lumio/..": false, "lu_mio/app": false,
	} {
		if got := validRepo(s); got != want {
			t.Errorf("validRepo(%q) = %v", s, got)
		}
	}
}
