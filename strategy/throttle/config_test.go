package throttle_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// TestNewRefusesBadConfig: NewMemory panics, and Validate returns an error,
// for a MemoryConfig value that can only be a mistake; the error wraps
// ErrInvalidConfig and names the field. Zero values are the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   throttle.MemoryConfig
		field string // "" when the config is usable
	}{
		{"ok, zero value means default", throttle.MemoryConfig{}, ""},
		{"ok, MaxDelay shorter than the default BaseDelay", throttle.MemoryConfig{MaxDelay: 500 * time.Millisecond}, ""},
		{"ok, BaseDelay equal to MaxDelay", throttle.MemoryConfig{BaseDelay: time.Minute, MaxDelay: time.Minute}, ""},
		{"nok, AccountLimit negative", throttle.MemoryConfig{AccountLimit: -1}, "AccountLimit"},
		{"nok, IPLimit negative", throttle.MemoryConfig{IPLimit: -5}, "IPLimit"},
		{"nok, DeviceLimit negative", throttle.MemoryConfig{DeviceLimit: -1}, "DeviceLimit"},
		{"nok, MaxEntries negative", throttle.MemoryConfig{MaxEntries: -1}, "MaxEntries"},
		{"nok, Window negative", throttle.MemoryConfig{Window: -time.Minute}, "Window"},
		{"nok, BaseDelay negative", throttle.MemoryConfig{BaseDelay: -time.Second}, "BaseDelay"},
		{"nok, MaxDelay negative", throttle.MemoryConfig{MaxDelay: -time.Second}, "MaxDelay"},
		{"nok, BaseDelay longer than MaxDelay", throttle.MemoryConfig{BaseDelay: time.Minute, MaxDelay: time.Second}, "BaseDelay"},
		{"nok, BaseDelay longer than the default MaxDelay", throttle.MemoryConfig{BaseDelay: time.Hour}, "BaseDelay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: got %v; want nil", err)
				}
				if throttle.NewMemory(tt.cfg) == nil {
					t.Fatal("NewMemory: got nil")
				}
				return
			}
			if !errors.Is(err, throttle.ErrInvalidConfig) {
				t.Fatalf("Validate: got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "throttle: ") || !strings.Contains(err.Error(), "MemoryConfig."+tt.field) {
				t.Errorf("got %q; want the package prefix and MemoryConfig.%s", err, tt.field)
			}
			defer func() {
				p, ok := recover().(error)
				if !ok || !errors.Is(p, throttle.ErrInvalidConfig) || p.Error() != err.Error() {
					t.Errorf("NewMemory panicked with %v; want %v", p, err)
				}
			}()
			throttle.NewMemory(tt.cfg)
			t.Error("NewMemory did not panic")
		})
	}
}

// TestMemoryZeroConfigDefaults: the zero MemoryConfig locks an account at
// its 10th failure, for the default BaseDelay of one second.
func TestMemoryZeroConfigDefaults(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := throttle.NewMemory(throttle.MemoryConfig{Now: func() time.Time { return now }})
	ctx := context.Background()
	a := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	for i := range throttle.DefaultAccountLimit {
		if wait, err := m.Allow(ctx, a); err != nil || wait != 0 {
			t.Fatalf("attempt %d: got wait %v, err %v; want allowed", i+1, wait, err)
		}
		if err := m.Done(ctx, a, throttle.VerdictFailure); err != nil {
			t.Fatal(err)
		}
	}
	if wait, _ := m.Allow(ctx, a); wait != throttle.DefaultBaseDelay {
		t.Errorf("after %d failures: got wait %v; want %v", throttle.DefaultAccountLimit, wait, throttle.DefaultBaseDelay)
	}
}

// TestNewDeviceCookiesRefusesBadConfig: every mistake of a
// DeviceCookieConfig wraps ErrInvalidDeviceConfig, which matches
// ErrInvalidConfig, and names the field.
func TestNewDeviceCookiesRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   throttle.DeviceCookieConfig
		field string
	}{
		{"ok, zero value means default", throttle.DeviceCookieConfig{}, ""},
		{"ok, __Host- name with Secure", throttle.DeviceCookieConfig{Name: "__Host-device", Secure: true}, ""},
		{"ok, __Secure- name with Secure and a Path", throttle.DeviceCookieConfig{Name: "__Secure-device", Secure: true, Path: "/login"}, ""},
		{"nok, Key too short", throttle.DeviceCookieConfig{Key: make([]byte, 16)}, "Key"},
		{"nok, Name with a space", throttle.DeviceCookieConfig{Name: "my device"}, "Name"},
		{"nok, Name __Secure- without Secure", throttle.DeviceCookieConfig{Name: "__Secure-device"}, "Name"},
		{"nok, Name __Host- without Secure", throttle.DeviceCookieConfig{Name: "__Host-device"}, "Name"},
		{"nok, Name __Host- with a Path", throttle.DeviceCookieConfig{Name: "__Host-device", Secure: true, Path: "/login"}, "Name"},
		{"nok, Path not starting with /", throttle.DeviceCookieConfig{Path: "login"}, "Path"},
		{"nok, Path with ';'", throttle.DeviceCookieConfig{Path: "/login;Domain=evil.test"}, "Path"},
		{"nok, MaxAge negative", throttle.DeviceCookieConfig{MaxAge: -time.Hour}, "MaxAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := throttle.NewDeviceCookies(tt.cfg)
			if tt.field == "" {
				if err != nil || d == nil {
					t.Fatalf("got %v; want DeviceCookies", err)
				}
				return
			}
			if !errors.Is(err, throttle.ErrInvalidDeviceConfig) || !errors.Is(err, throttle.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidDeviceConfig and ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "throttle: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
