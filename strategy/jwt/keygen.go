package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// GenerateHMACSecret returns a random 32-byte secret for HS256. It never
// returns a nil secret without an error.
func GenerateHMACSecret() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("jwt: random: %w", err)
	}
	return b, nil
}

// GenerateEd25519Key returns a new Ed25519 private key, for EdDSA.
func GenerateEd25519Key() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("jwt: generate Ed25519 key: %w", err)
	}
	return priv, nil
}

// GenerateECDSAKey returns a new ECDSA private key on P-256, for ES256.
func GenerateECDSAKey() (*ecdsa.PrivateKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("jwt: generate ECDSA key: %w", err)
	}
	return priv, nil
}

// ParsePublicKeyPEM parses the first PEM block of data as a public key:
// "PUBLIC KEY" (PKIX: RSA, ECDSA or Ed25519), "RSA PUBLIC KEY" (PKCS #1)
// or "CERTIFICATE" (the certificate's key; the certificate itself is not
// verified). The result can be used as [Key.Key].
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("jwt: no PEM block found")
	}
	switch block.Type {
	case "PUBLIC KEY":
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("jwt: parse public key: %w", err)
		}
		return checkPublic(pub)
	case "RSA PUBLIC KEY":
		pub, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("jwt: parse RSA public key: %w", err)
		}
		return pub, nil
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("jwt: parse certificate: %w", err)
		}
		return checkPublic(cert.PublicKey)
	default:
		return nil, fmt.Errorf("jwt: unexpected PEM block %q", block.Type)
	}
}

// checkPublic keeps the key types the package supports.
func checkPublic(pub any) (crypto.PublicKey, error) {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return pub, nil
	default:
		return nil, fmt.Errorf("jwt: unsupported public key type %T", pub)
	}
}

// ParsePrivateKeyPEM parses the first PEM block of data as a private key:
// "PRIVATE KEY" (PKCS #8: RSA, ECDSA or Ed25519), "RSA PRIVATE KEY" (PKCS
// #1) or "EC PRIVATE KEY" (SEC 1). Encrypted PEM is not supported.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("jwt: no PEM block found")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("jwt: unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("jwt: parse private key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("jwt: unsupported private key type %T", key)
	}
}

// MarshalPrivateKeyPEM encodes key as a "PRIVATE KEY" (PKCS #8) PEM block.
// Keep the result secret: store it with mode 0600 or in a secret manager.
func MarshalPrivateKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("jwt: marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPublicKeyPEM encodes pub as a "PUBLIC KEY" (PKIX) PEM block.
func MarshalPublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("jwt: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
