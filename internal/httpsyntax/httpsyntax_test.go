package httpsyntax

import "testing"

func TestIsToken(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"X-API-Key", true},
		{"__Host-session", true},
		{"Bearer", true},
		{"!#$%&'*+-.^_`|~09azAZ", true},
		{"", false},
		{"two words", false},
		{"semi;colon", false},
		{`quo"te`, false},
		{"tab\t", false},
		{"del\x7f", false},
		{"é", false},
		{"a=b", false},
		{"(x)", false},
		{"a/b", false},
	}
	for _, tt := range tests {
		if got := IsToken(tt.in); got != tt.want {
			t.Errorf("IsToken(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestIsTokenMatchesSeparators: a byte is a token byte exactly when it is
// visible ASCII and not one of RFC 9110's delimiters, the definition the
// session and jwt cookie checks used before they shared this one.
func TestIsTokenMatchesSeparators(t *testing.T) {
	const delimiters = `()<>@,;:\"/[]?={}`
	for c := 0; c < 256; c++ {
		want := c > ' ' && c < 0x7f
		for i := range len(delimiters) {
			if byte(c) == delimiters[i] {
				want = false
			}
		}
		if got := IsToken(string([]byte{byte(c)})); got != want {
			t.Errorf("IsToken(%q) = %v; want %v", byte(c), got, want)
		}
	}
}
