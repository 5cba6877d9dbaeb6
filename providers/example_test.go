package providers_test

import (
	"context"
	"fmt"

	"github.com/markbates/goth/providers/twitch"

	"github.com/gopassport/passport/providers"
)

func ExampleFromEnv() {
	environment := map[string]string{ // os.Getenv in an app
		"GITHUB_CLIENT_ID":     "Iv1.0123456789",
		"GITHUB_CLIENT_SECRET": "not-a-real-secret",
	}
	cfg, err := providers.FromEnv(func(k string) string { return environment[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg.BaseURL = "https://app.example"
	cat, err := providers.New(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cat.Names())
	fmt.Println(cat.CallbackURL("github"))
	// Output:
	// [github]
	// https://app.example/auth/github/callback
}

func ExampleFromEnv_halfConfigured() {
	_, err := providers.FromEnv(func(k string) string {
		if k == "GOOGLE_CLIENT_ID" {
			return "1234.apps.googleusercontent.com"
		}
		return ""
	})
	fmt.Println(err)
	// Output: providers: invalid config: Google: set both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or neither
}

// Any of goth's providers joins the catalogue in code.
func ExampleCatalogue_Add() {
	cat, err := providers.New(context.Background(), providers.Config{BaseURL: "https://app.example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = cat.Add(providers.Provider{
		Name:    "twitch",
		Goth:    twitch.New("client-id", "client-secret", cat.CallbackURL("twitch")),
		Display: providers.Display{Label: "Twitch", Background: "#6441a5", Foreground: "#ffffff"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range cat.Buttons() {
		fmt.Println(b.Text, "→", b.Href)
	}
	// Output: Sign in with Twitch → /auth/twitch
}

func ExampleCatalogue_RenderButtons() {
	cat, _ := providers.New(context.Background(), providers.Config{BaseURL: "https://app.example"})
	_ = cat.Add(providers.Provider{
		Name:    "twitch",
		Goth:    twitch.New("client-id", "client-secret", cat.CallbackURL("twitch")),
		Display: providers.Display{Label: "Twitch", Background: "#6441a5", Icon: "<span aria-hidden=\"true\">T</span>"},
	})
	html, err := cat.RenderButtons()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(html)
	// Output:
	// <nav class="social-buttons" aria-label="Sign in with another account">
	// <ul>
	// <li><a class="social-button social-button--twitch" href="/auth/twitch"><span aria-hidden="true">T</span><span>Sign in with Twitch</span></a></li>
	// </ul>
	// </nav>
}

func ExampleContrastRatio() {
	fmt.Printf("%.1f\n", providers.ContrastRatio("#24292f", "#ffffff"))
	fmt.Printf("%.1f\n", providers.ContrastRatio("#fc6d26", "#ffffff")) // GitLab orange needs dark text
	// Output:
	// 14.7
	// 2.9
}
