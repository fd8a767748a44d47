package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// ref is an indirect object number; objects are written with generation 0.
type ref int

func (r ref) String() string { return strconv.Itoa(int(r)) + " 0 R" }

// num formats a number with at most three decimals, the precision PDF
// readers keep for coordinates (ISO 32000-1, C.2), and no trailing zeros.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// textString encodes a text string (ISO 32000-1, 7.9.2.2): a literal for
// printable ASCII, else UTF-16BE with a byte-order mark.
func textString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		return literal(s)
	}
	return utf16Hex(s)
}

// utf16Hex writes s as a hexadecimal UTF-16BE string with a byte-order mark.
func utf16Hex(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, v := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", v)
	}
	b.WriteString(">")
	return b.String()
}

func literal(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

// name encodes a PDF name, escaping everything outside the regular
// characters (ISO 32000-1, 7.3.5).
func name(s string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || strings.IndexByte("#()<>[]{}/%", c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// stream returns a stream object's body. Compression is deterministic: the
// same input and level give the same bytes.
func stream(dict string, data []byte, compress bool) ([]byte, error) {
	if compress {
		var z bytes.Buffer
		w, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		data = z.Bytes()
		dict += " /Filter /FlateDecode"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<<%s /Length %d>>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	return b.Bytes(), nil
}
