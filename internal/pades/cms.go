package pades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of RFC 5652 (CMS), RFC 5035 (ESS) and RFC 8017.
var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSAEncryption        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
)

// signCMS signs the signed attributes for digest, the SHA-256 of the
// signed byte ranges, and returns the DER ContentInfo.
func signCMS(s Signer, digest []byte) ([]byte, error) {
	attrs, err := signedAttributes(s.Chain[0], digest)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(attrs)
	// A crypto.Hash as options selects PKCS#1 v1.5 for an RSA key, which
	// is deterministic: the same bytes always get the same signature.
	sig, err := s.Key.Sign(nil, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("pades: sign: %w", err)
	}
	return buildCMS(s.Chain, digest, sig)
}

// signedAttributes returns the DER SET OF the signed attributes, as it is
// signed (RFC 5652 §5.4: with the SET tag, not the [0] of the SignerInfo).
// PAdES B-B needs content type, message digest and the ESS
// signing-certificate-v2 attribute, and forbids signing-time.
func signedAttributes(cert *x509.Certificate, digest []byte) ([]byte, error) {
	certHash := sha256.Sum256(cert.Raw)
	attrs := [][]byte{
		attribute(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }),
		attribute(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }),
		attribute(oidSigningCertificateV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2, SHA-256 by default
						b.AddASN1OctetString(certHash[:])
					})
				})
			})
		}),
	}
	for _, a := range attrs {
		if a == nil {
			return nil, fmt.Errorf("pades: encode a signed attribute")
		}
	}
	// DER orders the members of a SET OF by their encodings.
	slices.SortFunc(attrs, bytes.Compare)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	return b.Bytes()
}

func attribute(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil
	}
	return out
}

// buildCMS encodes the ContentInfo of a detached SignedData with one
// SignerInfo (RFC 5652 §5).
func buildCMS(chain []*x509.Certificate, digest, sig []byte) ([]byte, error) {
	attrs, err := signedAttributes(chain[0], digest)
	if err != nil {
		return nil, err
	}
	sha256Alg := func(b *cryptobyte.Builder) {
		// RFC 5754 §2: the parameters of SHA-2 are absent.
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidSHA256) })
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, sha256Alg)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo, detached
					b.AddASN1ObjectIdentifier(oidData)
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, c := range chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(chain[0].RawIssuer)
							b.AddASN1BigInt(chain[0].SerialNumber)
						})
						sha256Alg(b)
						// signedAttrs [0] IMPLICIT: the SET's content under
						// a context tag.
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							var set cryptobyte.String = attrs
							var content cryptobyte.String
							if !set.ReadASN1(&content, cbasn1.SET) {
								b.SetError(fmt.Errorf("pades: re-read the signed attributes"))
								return
							}
							b.AddBytes(content)
						})
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1ObjectIdentifier(oidRSAEncryption)
							b.AddASN1NULL()
						})
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pades: encode the CMS: %w", err)
	}
	return out, nil
}

// MinRSABits and MaxRSABits bound the document-signing keys accepted.
// Only RSA signs: PKCS#1 v1.5 signatures are deterministic, so a lost
// document regenerates byte-identical; Go's ECDSA signatures are not.
const (
	MinRSABits = 3072
	MaxRSABits = 4096
)

// CheckKey refuses a public key this package will not sign with, saying
// why.
func CheckKey(pub crypto.PublicKey) error {
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("the document-signing key is %s; it must be RSA with %d to %d bits, since only RSA signatures are deterministic", keyKind(pub), MinRSABits, MaxRSABits)
	}
	if bits := k.N.BitLen(); bits < MinRSABits || bits > MaxRSABits {
		return fmt.Errorf("the document-signing key is RSA with %d bits; it must have %d to %d bits", bits, MinRSABits, MaxRSABits)
	}
	return nil
}

func keyKind(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	default:
		return fmt.Sprintf("of type %T", pub)
	}
}
