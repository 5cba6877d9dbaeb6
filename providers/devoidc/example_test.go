package devoidc_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/providers/devoidc"
)

func ExampleStart() {
	dev, err := devoidc.Start(devoidc.Config{
		Enabled: true,                                           // a flag such as -dev-oidc, never on in production
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)), // the app's logger: the warning belongs in it
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dev.Close()

	cat, err := providers.New(context.Background(), providers.Config{BaseURL: "http://127.0.0.1:8080"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := dev.AddTo(cat); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cat.Names(), cat.Buttons()[0].Text)
	fmt.Println(strings.HasPrefix(dev.Issuer(), "http://127.0.0.1:"), strings.HasSuffix(dev.Issuer(), "/oidc"))
	// Output:
	// [devoidc] Sign in with Dev OIDC
	// true true
}

func ExampleStart_notEnabled() {
	_, err := devoidc.Start(devoidc.Config{})
	fmt.Println(err)
	// Output: devoidc: invalid config: not enabled (set Config.Enabled: it is a development tool that signs anyone in)
}
