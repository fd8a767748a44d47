package credentials

import (
	"bytes"
	"testing"
)

func TestStatusBitsAreMostSignificantFirst(t *testing.T) {
	bits := make([]byte, 2)
	setBit(bits, 0, true)
	setBit(bits, 9, true)
	if !bytes.Equal(bits, []byte{0x80, 0x40}) || !bit(bits, 0) || bit(bits, 1) || !bit(bits, 9) {
		t.Fatalf("bits = %08b", bits)
	}
	setBit(bits, 0, false)
	if bits[0] != 0 {
		t.Fatalf("clearing left %08b", bits)
	}
}

func TestNthFree(t *testing.T) {
	used := []int{0, 1, 3, 7}
	for n, want := range []int{2, 4, 5, 6, 8, 9} {
		if got := nthFree(used, n); got != want {
			t.Errorf("nthFree(%v, %d) = %d, want %d", used, n, got, want)
		}
	}
}
