// Package hmacsig is a passport strategy for webhooks: requests signed
// with an HMAC-SHA256 of their body, as payment providers and source
// forges sign the events they post (the header format is Stripe's). It is
// written as an outside author would write a strategy, against package
// strategy and the standard library only, and tested with package
// strategytest; docs/writing-a-strategy.md walks through it.
//
// A sender names itself in X-Sender and signs the timestamp and the body
// with its secret:
//
//	X-Sender: acme
//	X-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//
// The receiver looks the secret up by sender ID ([Config.Lookup]), refuses
// timestamps more than five minutes away from its clock (a captured
// request cannot be replayed later), reads the body with a size cap and
// puts it back for the handler, and compares in constant time. Wrong,
// missing and malformed signatures are fail results, never errors; see
// [Strategy] for the statuses.
//
// The receiving app registers the strategy and uses it on a stateless
// route:
//
//	s, err := hmacsig.New(hmacsig.Config[*Account]{
//		Lookup: func(ctx context.Context, id string) (*Account, []byte, error) {
//			sender, err := accounts.FindSender(ctx, id)
//			if errors.Is(err, store.ErrNotFound) {
//				return nil, nil, strategy.ErrUserNotFound
//			}
//			if err != nil {
//				return nil, nil, err // a fault: 500
//			}
//			return sender, sender.Secret, nil
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	if err := auth.Use(s.Name(), s); err != nil {
//		log.Fatal(err)
//	}
//	e.POST("/webhooks/orders", orders, auth.Authenticate("hmacsig", passport.Stateless()).Middleware())
//
// The sender signs with [Sign]:
//
//	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
//	if err != nil {
//		return err
//	}
//	req.Header.Set("Content-Type", "application/json")
//	req.Header.Set(hmacsig.DefaultSenderHeader, "acme")
//	req.Header.Set(hmacsig.DefaultSignatureHeader, hmacsig.Sign(secret, body, time.Now()))
package hmacsig
