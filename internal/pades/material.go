package pades

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"
)

// The operator's files are refused with one of these, wrapped in a
// message that says what to do.
var (
	ErrNoCertificate  = errors.New("no certificate")
	ErrNoKey          = errors.New("no private key")
	ErrPasswordNeeded = errors.New("the key is encrypted")
	ErrWrongPassword  = errors.New("wrong key password")
	ErrKeyEncryption  = errors.New("unsupported key encryption")
	ErrKeyMismatch    = errors.New("certificate does not match the key")
	ErrKeyType        = errors.New("unsupported key type")
	ErrNotYetValid    = errors.New("certificate not yet valid")
	ErrExpired        = errors.New("certificate expired")
	ErrChainOrder     = errors.New("certificate chain out of order")
	ErrKeyUsage       = errors.New("certificate not for signing")
	ErrBadCertificate = errors.New("unreadable certificate")
	ErrBadKey         = errors.New("unreadable private key")
)

// maxPBKDF2Iterations bounds the work a key file can ask for.
const maxPBKDF2Iterations = 10_000_000

// ParseChain reads the PEM certificates of a chain file, the signer's
// own certificate first.
func ParseChain(pemData []byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate %d of the file: %v", ErrBadCertificate, len(chain)+1, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("%w: the file holds no PEM block \"CERTIFICATE\"", ErrNoCertificate)
	}
	return chain, nil
}

// ParsePrivateKey reads a PEM private key: PKCS#8 ("PRIVATE KEY"),
// PKCS#8 encrypted with PBES2 ("ENCRYPTED PRIVATE KEY": PBKDF2 with
// HMAC-SHA-1/256/384/512 and AES-CBC, what `openssl genpkey -aes256` and
// `openssl pkcs8 -topk8 -v2 aes-256-cbc` write) or PKCS#1 ("RSA PRIVATE
// KEY", unencrypted). password opens an encrypted key.
func ParsePrivateKey(pemData, password []byte) (crypto.Signer, error) {
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%w: the file holds no PEM private key", ErrNoKey)
		}
		var der []byte
		switch {
		case b.Headers["Proc-Type"] != "":
			return nil, fmt.Errorf("%w: the key uses the legacy OpenSSL PEM encryption; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", ErrKeyEncryption)
		case b.Type == "ENCRYPTED PRIVATE KEY":
			if len(password) == 0 {
				return nil, fmt.Errorf("%w: give its password with --document-key-password", ErrPasswordNeeded)
			}
			var err error
			if der, err = decryptPKCS8(b.Bytes, password); err != nil {
				return nil, err
			}
		case b.Type == "PRIVATE KEY", b.Type == "RSA PRIVATE KEY", b.Type == "EC PRIVATE KEY":
			der = b.Bytes
		default:
			continue
		}
		return parseKeyDER(b.Type, der)
	}
}

func parseKeyDER(pemType string, der []byte) (crypto.Signer, error) {
	var key any
	var err error
	switch pemType {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	default:
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrKeyType, key)
	}
	return signer, nil
}

var (
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA3  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA5  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// RFC 5958 §3 and RFC 8018 §A.2, §A.4.
type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KeyDerivation pkix.AlgorithmIdentifier
	Encryption    pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// decryptPKCS8 opens a PBES2 EncryptedPrivateKeyInfo and returns the
// PKCS#8 PrivateKeyInfo inside.
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: the key is encrypted with %v, not PBES2; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", ErrKeyEncryption, info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("%w: PBES2 parameters: %v", ErrBadKey, err)
	}
	if !params.KeyDerivation.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("%w: the key derivation %v is not PBKDF2 (scrypt is not supported); convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", ErrKeyEncryption, params.KeyDerivation.Algorithm)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivation.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("%w: PBKDF2 parameters: %v", ErrBadKey, err)
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPBKDF2Iterations {
		return nil, fmt.Errorf("%w: %d PBKDF2 iterations", ErrKeyEncryption, kdf.Iterations)
	}
	var prf func() hash.Hash
	switch alg := kdf.PRF.Algorithm; {
	case len(alg) == 0 || alg.Equal(oidHMACSHA1):
		prf = sha1.New
	case alg.Equal(oidHMACSHA2):
		prf = sha256.New
	case alg.Equal(oidHMACSHA3):
		prf = sha512.New384
	case alg.Equal(oidHMACSHA5):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("%w: PBKDF2 with %v", ErrKeyEncryption, alg)
	}
	var keyLen int
	switch alg := params.Encryption.Algorithm; {
	case alg.Equal(oidAES128CBC):
		keyLen = 16
	case alg.Equal(oidAES192CBC):
		keyLen = 24
	case alg.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, fmt.Errorf("%w: cipher %v (AES-CBC is supported)", ErrKeyEncryption, alg)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Encryption.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: AES-CBC initialisation vector", ErrBadKey)
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: encrypted data of %d bytes", ErrBadKey, len(info.Data))
	}
	key, err := pbkdf2.Key(prf, string(password), kdf.Salt, kdf.Iterations, keyLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyEncryption, err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	// PKCS#7 padding; a wrong password almost always breaks it.
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, ErrWrongPassword
	}
	plain = plain[:len(plain)-pad]
	// The padding passes by chance for about one wrong password in 256;
	// the key inside then does not parse.
	if _, err := x509.ParsePKCS8PrivateKey(plain); err != nil {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// NewSigner checks that chain and key belong together and may sign at
// now: the first certificate holds the key's public half, each
// certificate is signed by the next, the key is of a kind CheckKey
// accepts, the signer's certificate allows digital signatures and is
// valid at now.
func NewSigner(chain []*x509.Certificate, key crypto.Signer, now time.Time) (Signer, error) {
	if len(chain) == 0 {
		return Signer{}, fmt.Errorf("%w: the chain is empty", ErrNoCertificate)
	}
	leaf := chain[0]
	if err := CheckKey(key.Public()); err != nil {
		return Signer{}, fmt.Errorf("%w: %v", ErrKeyType, err)
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(leaf.PublicKey) {
		return Signer{}, fmt.Errorf("%w: the first certificate of the chain (%s) holds another public key", ErrKeyMismatch, leaf.Subject)
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return Signer{}, fmt.Errorf("%w: certificate %d (%s) is not signed by certificate %d (%s); list the signer's certificate first, then its issuers", ErrChainOrder, i+1, chain[i].Subject, i+2, chain[i+1].Subject)
		}
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return Signer{}, fmt.Errorf("%w: the certificate's key usage allows neither digital signature nor non-repudiation", ErrKeyUsage)
	}
	if now.Before(leaf.NotBefore) {
		return Signer{}, fmt.Errorf("%w: the certificate is valid from %s", ErrNotYetValid, leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(leaf.NotAfter) {
		return Signer{}, fmt.Errorf("%w: the certificate expired on %s", ErrExpired, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return Signer{Chain: chain, Key: key}, nil
}

// SelfSigned makes a self-signed document-signing certificate for key,
// valid from notBefore to notAfter, with subject commonName.
func SelfSigned(key *rsa.PrivateKey, commonName string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             notBefore.UTC(),
		NotAfter:              notAfter.UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pades: self-signed certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}
