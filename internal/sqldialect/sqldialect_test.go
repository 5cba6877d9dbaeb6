package sqldialect

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name string
		d    Dialect
		q    string
		want string
	}{
		{name: "ok, SQLite unchanged", d: SQLite, q: "SELECT a FROM t WHERE b = ? AND c > ?", want: "SELECT a FROM t WHERE b = ? AND c > ?"},
		{name: "ok, PostgreSQL numbered in order", d: PostgreSQL, q: "UPDATE t SET a = ?, b = ? WHERE c = ?", want: "UPDATE t SET a = $1, b = $2 WHERE c = $3"},
		{name: "ok, PostgreSQL ten and more", d: PostgreSQL, q: strings.Repeat("?,", 10) + "?", want: "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"},
		{name: "ok, no placeholder", d: PostgreSQL, q: "DELETE FROM t", want: "DELETE FROM t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.Rebind(tt.q); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestDialect(t *testing.T) {
	tests := []struct {
		d           Dialect
		name, bytes string
		known       bool
	}{
		{SQLite, "SQLite", "BLOB", true},
		{PostgreSQL, "PostgreSQL", "BYTEA", true},
		{Dialect(9), "Dialect(9)", "BLOB", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.name {
				t.Errorf("String: got %q; want %q", got, tt.name)
			}
			if got := tt.d.Known(); got != tt.known {
				t.Errorf("Known: got %v; want %v", got, tt.known)
			}
			if tt.known && tt.d.Bytes() != tt.bytes {
				t.Errorf("Bytes: got %q; want %q", tt.d.Bytes(), tt.bytes)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "ok, default", in: "passport_sessions", want: true},
		{name: "ok, mixed case and digits", in: "Web_Sessions2", want: true},
		{name: "ok, prefix ending in underscore", in: "passport_jwt_", want: true},
		{name: "ok, leading underscore", in: "_s", want: true},
		{name: "ok, 48 bytes", in: strings.Repeat("t", MaxName), want: true},
		{name: "nok, empty", in: ""},
		{name: "nok, 49 bytes", in: strings.Repeat("t", MaxName+1)},
		{name: "nok, leading digit", in: "1sessions"},
		{name: "nok, quote", in: `a"b`},
		{name: "nok, SQL", in: "s; DROP TABLE users"},
		{name: "nok, schema-qualified", in: "main.sessions"},
		{name: "nok, non-ASCII", in: "séssions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidName(tt.in); got != tt.want {
				t.Errorf("ValidName(%q): got %v; want %v", tt.in, got, tt.want)
			}
		})
	}
	if got, want := Quote("order"), `"order"`; got != want {
		t.Errorf("Quote: got %s; want %s", got, want)
	}
}
