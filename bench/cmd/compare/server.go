package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

func (s *server) ready(ctx context.Context, budget time.Duration) error {
	deadline := time.Now().Add(budget)
	for {
		resp, err := http.Get(s.base + "/plain")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s: %v; log: %s", s.name, budget, err, tail(s.log))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond): // polling a process we started, with a deadline
		}
	}
}

// noRedirect returns a client that shows redirects rather than following
// them.
func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
}

func (s *server) login(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, "POST", s.base+"/login", strings.NewReader(url.Values{"username": {"alice"}, "password": {"secret"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirect().Do(req)
	if err != nil {
		return fmt.Errorf("%s: login: %w", s.name, err)
	}
	resp.Body.Close()
	var parts []string
	for _, ck := range resp.Cookies() {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if resp.StatusCode != http.StatusFound || len(parts) == 0 {
		return fmt.Errorf("%s: login: %d with %d cookies", s.name, resp.StatusCode, len(parts))
	}
	s.cookie = strings.Join(parts, "; ")
	return nil
}

// check makes sure the authenticated routes answer the user before any
// load, so that a broken route is not measured as a fast 401.
func (s *server) check(ctx context.Context, token string) error {
	for _, c := range []struct{ path, header, value string }{{"/me", "Cookie", s.cookie}, {"/api/me", "Authorization", "Bearer " + token}} {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.base+c.path, nil)
		req.Header.Set(c.header, c.value)
		resp, err := noRedirect().Do(req)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", s.name, c.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var u struct{ ID, Name string }
		if resp.StatusCode != 200 || json.Unmarshal(body, &u) != nil || u.ID != "42" || u.Name != "Ada" {
			return fmt.Errorf("%s: %s: %d %q", s.name, c.path, resp.StatusCode, body)
		}
	}
	return nil
}

// mintToken signs the bearer token every server accepts.
func mintToken(secret []byte) (string, error) {
	now := time.Now()
	t := jwtlib.NewWithClaims(jwtlib.SigningMethodHS256, &jwtlib.RegisteredClaims{
		Issuer: "https://issuer.bench", Subject: "42", Audience: jwtlib.ClaimStrings{"api"},
		IssuedAt: jwtlib.NewNumericDate(now), ExpiresAt: jwtlib.NewNumericDate(now.Add(time.Hour)),
		ID: "Zm9vYmFyYmF6cXV4cXV1eA",
	})
	t.Header["typ"] = "at+jwt"
	return t.SignedString(secret)
}
