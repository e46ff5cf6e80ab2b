package command

import "testing"

func TestReach(t *testing.T) {
	for n, want := range map[int]string{0: "followers unknown", 1: "1 follower", 950: "950 followers", 999: "999 followers",
		1000: "1k followers", 12345: "12.3k followers", 1_000_000: "1M followers", 2_500_000: "2.5M followers"} {
		if got := Reach(n); got != want {
			t.Errorf("Reach(%d) = %q, want %q", n, got, want)
		}
	}
}
