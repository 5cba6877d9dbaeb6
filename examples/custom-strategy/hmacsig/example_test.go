package hmacsig_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gopassport/passport/examples/custom-strategy/hmacsig"
	"github.com/gopassport/passport/strategy"
)

func ExampleSign() {
	secret := []byte("example secret") // in real life: random, per sender, kept secret
	body := []byte(`{"id":42}`)
	sentAt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	fmt.Println(hmacsig.Sign(secret, body, sentAt))
	// Output: t=1767323045,v1=6e4db4169bfe9cbd2c068aa668cf5d4accd300ced47cb13a3d4b3f6e21e12505
}

func ExampleNew() {
	secrets := map[string][]byte{"acme": []byte("example secret")}
	clock := time.Date(2026, 1, 2, 3, 6, 0, 0, time.UTC) // the receiver's clock, fixed for the example
	s, err := hmacsig.New(hmacsig.Config[string]{
		Lookup: func(_ context.Context, id string) (string, []byte, error) {
			secret, ok := secrets[id]
			if !ok {
				return "", nil, strategy.ErrUserNotFound
			}
			return id, secret, nil
		},
		Now: func() time.Time { return clock },
	})
	if err != nil {
		log.Fatal(err)
	}

	send := func(body, signature string) {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/orders", strings.NewReader(body))
		r.Header.Set("X-Sender", "acme")
		if signature != "" {
			r.Header.Set("X-Signature", signature)
		}
		res, err := s.Authenticate(r)
		if err != nil {
			log.Fatal(err) // a fault: answer 500
		}
		switch res.Kind {
		case strategy.KindSuccess:
			fmt.Println("success:", res.User)
		default:
			fmt.Printf("fail: %d %s (expired: %t)\n", res.FailStatus(), res.Info.Message, errors.Is(res.Reason, hmacsig.ErrTimestamp))
		}
	}
	sig := "t=1767323045,v1=6e4db4169bfe9cbd2c068aa668cf5d4accd300ced47cb13a3d4b3f6e21e12505"
	send(`{"id":42}`, sig)
	send(`{"id":43}`, sig)
	send(`{"id":42}`, "")
	send(`{"id":42}`, "t=1767323045,v1=not-hex")
	clock = clock.Add(10 * time.Minute) // the same request, replayed later
	send(`{"id":42}`, sig)
	// Output:
	// success: acme
	// fail: 401 Invalid signature. (expired: false)
	// fail: 401 Signature required. (expired: false)
	// fail: 400 Malformed signature. (expired: false)
	// fail: 401 Signature expired. (expired: true)
}

// The strategy needs no framework: a plain net/http handler can call it,
// and the body it checked is still there for the handler.
func Example() {
	secret := []byte("example secret")
	s, err := hmacsig.New(hmacsig.Config[string]{
		Lookup: func(_ context.Context, id string) (string, []byte, error) {
			if id != "acme" {
				return "", nil, strategy.ErrUserNotFound
			}
			return "acme", secret, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := s.Authenticate(r)
		switch {
		case err != nil:
			http.Error(w, "internal error", http.StatusInternalServerError)
		case res.Kind != strategy.KindSuccess:
			w.Header().Set("WWW-Authenticate", res.Challenge)
			http.Error(w, res.Info.Message, res.FailStatus())
		default:
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s sent %s", res.User, body)
		}
	}))
	defer srv.Close()

	// The sender's side.
	post := func(body []byte, sign bool) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/orders", bytes.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(hmacsig.DefaultSenderHeader, "acme")
		if sign {
			req.Header.Set(hmacsig.DefaultSignatureHeader, hmacsig.Sign(secret, body, time.Now()))
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		reply, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"), strings.TrimSpace(string(reply)))
	}
	post([]byte(`{"id":42}`), true)
	post([]byte(`{"id":42}`), false)
	// Output:
	// 200  acme sent {"id":42}
	// 401 HMAC-SHA256 realm="webhooks" Signature required.
}
