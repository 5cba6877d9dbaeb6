package redistokens

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// FuzzDecodeRecord: the reply of the record scripts never panics the
// decoder, and a record that decodes encodes back to the same fields.
func FuzzDecodeRecord(f *testing.F) {
	f.Add("fam", "alice", "read write", "1772600767123000", "1772604367123000", "", "")
	f.Add("f", "u", "", "0", "1", "2", "3")
	f.Add("f", "u", "  read  ", "-62135596800000000", "x", "", "")
	f.Fuzz(func(t *testing.T, family, subject, scope, issued, expires, used, revoked string) {
		v := []string{family, subject, scope, issued, expires, used, revoked}
		rec, err := decodeRecord("h", v)
		if err != nil {
			return
		}
		if rec.Hash != "h" || rec.Family != family || rec.Subject != subject {
			t.Fatalf("got %+v from %q", rec, v)
		}
		for _, sc := range rec.Scope {
			if sc == "" {
				t.Fatalf("empty scope from %q", scope)
			}
		}
		for i, tm := range []time.Time{rec.IssuedAt, rec.ExpiresAt, rec.UsedAt, rec.RevokedAt} {
			if v[3+i] == "" {
				if !tm.IsZero() {
					t.Fatalf("field %d: got %v from an empty field", i, tm)
				}
				continue
			}
			n, _ := strconv.ParseInt(v[3+i], 10, 64)
			if tm.UnixMicro() != n {
				t.Fatalf("field %d: got %v from %q", i, tm, v[3+i])
			}
		}
	})
}

// TestDecodeRecord: the reply's shape and its malformed variants.
func TestDecodeRecord(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 123_456_000, time.UTC)
	us := strconv.FormatInt(at.UnixMicro(), 10)
	tests := []struct {
		name    string
		v       []string
		wantErr bool
	}{
		{name: "ok, unused", v: []string{"f", "u", "read write", us, us, "", ""}},
		{name: "ok, used and revoked", v: []string{"f", "u", "", us, us, us, us}},
		{name: "nok, too few fields", v: []string{"f", "u", "", us, us, ""}, wantErr: true},
		{name: "nok, no issue time", v: []string{"f", "u", "", "", us, "", ""}, wantErr: true},
		{name: "nok, malformed use time", v: []string{"f", "u", "", us, us, "soon", ""}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeRecord("h", tt.v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v; want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !rec.IssuedAt.Equal(at) || !rec.ExpiresAt.Equal(at) {
				t.Errorf("got times %v, %v; want %v", rec.IssuedAt, rec.ExpiresAt, at)
			}
			if want := []string{"read", "write"}; tt.v[2] != "" && !slices.Equal(rec.Scope, want) {
				t.Errorf("got scope %q; want %q", rec.Scope, want)
			}
			if used := tt.v[5] != ""; used != !rec.UsedAt.IsZero() || used != !rec.RevokedAt.IsZero() {
				t.Errorf("got used %v revoked %v", rec.UsedAt, rec.RevokedAt)
			}
		})
	}
}
