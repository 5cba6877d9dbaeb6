package password

import "testing"

// TestCheckDummy checks that CheckDummy costs what a real check costs: the
// hash it checks against is well formed (a malformed one would make Check
// return before hashing anything), has the parameters that h hashes with
// (the defaults when h's cannot make a hash), and matches no password.
func TestCheckDummy(t *testing.T) {
	defaults := (*Hasher)(nil).params()
	tests := []struct {
		name string
		h    *Hasher
		want argonParams
	}{
		{name: "ok, nil Hasher: the defaults", h: nil, want: defaults},
		{name: "ok, zero Hasher: the defaults", h: &Hasher{}, want: defaults},
		{name: "ok, the Hasher's own parameters", h: &Hasher{Memory: 64, Iterations: 3, Parallelism: 2, SaltLength: 24, KeyLength: 48},
			want: argonParams{memory: 64, iterations: 3, threads: 2, saltLen: 24, keyLen: 48}},
		{name: "ok, memory too small for a hash: the defaults", h: &Hasher{Memory: 1}, want: defaults},
		{name: "ok, salt too short for a hash: the defaults", h: &Hasher{SaltLength: 1}, want: defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dummy := tt.h.dummyHash()
			ph, err := parseArgon2id(dummy, tt.h.limits())
			if err != nil {
				t.Fatalf("dummy hash %q: got %v; want one Check accepts", dummy, err)
			}
			if ph.params != tt.want {
				t.Errorf("dummy parameters: got %+v; want %+v", ph.params, tt.want)
			}
			if real, err := tt.h.Hash("password"); err == nil {
				pr, err := parseArgon2id(real, tt.h.limits())
				if err != nil {
					t.Fatal(err)
				}
				if pr.params != ph.params {
					t.Errorf("dummy parameters: got %+v; want those of a real hash, %+v", ph.params, pr.params)
				}
			}
			for _, pw := range []string{"", "password"} {
				if ok, err := tt.h.Check(dummy, pw); ok || err != nil {
					t.Errorf("Check(dummy, %q): got %v, %v; want false, nil", pw, ok, err)
				}
			}
			tt.h.CheckDummy("password") // and it returns
		})
	}
}
