package typeset

import (
	"fmt"

	"golang.org/x/text/unicode/bidi"
)

// bidiLevels returns the embedding level of each character of one paragraph
// with the given base direction.
//
// x/text's Paragraph.Order reports runs of one direction in logical order
// but not their levels, which the reordering (UAX #9, rule L2) needs. The
// levels follow from the base level for the cases that arise here (rule
// I1/I2): at an odd base every left-to-right run is one level up; at an even
// base a right-to-left run is at level 1, and numbers that follow
// right-to-left text stay with it at level 2. Embeddings nested deeper
// inside a name are drawn as one level; they cannot leave the name.
func bidiLevels(text []rune, rtl bool) ([]int8, error) {
	levels := make([]int8, len(text))
	base := int8(0)
	var p bidi.Paragraph
	var err error
	shift := 0
	if rtl {
		base = 1
		_, err = p.SetString(string(text), bidi.DefaultDirection(bidi.RightToLeft))
	} else {
		// A left mark first fixes the base level at 0 (rule P2 would take
		// it from the first strong character).
		shift = 1
		_, err = p.SetString("\u200E"+string(text), bidi.DefaultDirection(bidi.LeftToRight))
	}
	if err != nil {
		return nil, fmt.Errorf("typeset: bidi: %w", err)
	}
	o, err := p.Order()
	if err != nil {
		return nil, fmt.Errorf("typeset: bidi: %w", err)
	}
	for i := range o.NumRuns() {
		run := o.Run(i)
		start, end := run.Pos()
		lvl := base
		if run.Direction() == bidi.RightToLeft {
			lvl = 1
		} else if base == 1 {
			lvl = 2
		}
		for j := max(start-shift, 0); j <= end-shift && j < len(text); j++ {
			levels[j] = lvl
		}
	}
	if base == 0 {
		raiseNumbers(text, levels)
	}
	return levels, nil
}

// raiseNumbers puts numbers that follow right-to-left text at level 2 in a
// left-to-right paragraph (rules W2, W7 and I1), with the separators and
// terminators inside or next to them (W4, W5).
func raiseNumbers(text []rune, levels []int8) {
	class := func(i int) bidi.Class {
		p, _ := bidi.LookupRune(text[i])
		return p.Class()
	}
	rtlBefore := false
	for i := range text {
		if levels[i] != 0 {
			if levels[i] == 1 {
				rtlBefore = true
			}
			continue
		}
		switch c := class(i); c {
		case bidi.L:
			rtlBefore = false
		case bidi.R, bidi.AL:
			rtlBefore = true
		case bidi.AN:
			levels[i] = 2
		case bidi.EN:
			if rtlBefore {
				levels[i] = 2
			}
		}
	}
	for i := range text {
		if levels[i] != 0 {
			continue
		}
		switch class(i) {
		case bidi.ES, bidi.CS:
			if i > 0 && i+1 < len(text) && levels[i-1] == 2 && levels[i+1] == 2 {
				levels[i] = 2
			}
		case bidi.ET, bidi.NSM:
			if i > 0 && levels[i-1] == 2 {
				levels[i] = 2
			}
		}
	}
}

// firstStrongRTL applies rules P2 and P3 to an isolated span: its direction
// is that of its first strong character outside nested isolates, or left to
// right when it has none (an FSI without a strong character is an LRI).
func firstStrongRTL(text []rune) bool {
	depth := 0
	for _, r := range text {
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.LRI, bidi.RLI, bidi.FSI:
			depth++
		case bidi.PDI:
			if depth > 0 {
				depth--
			}
		case bidi.L:
			if depth == 0 {
				return false
			}
		case bidi.R, bidi.AL:
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// reorder puts segments in visual order (UAX #9, rule L2): from the highest
// level down to the lowest odd one, reverse every maximal sequence at that
// level or higher.
func reorder(segs []segment) {
	var hi, lowOdd int8 = 0, 127
	for _, s := range segs {
		hi = max(hi, s.level)
		if s.level%2 == 1 {
			lowOdd = min(lowOdd, s.level)
		}
	}
	for lvl := hi; lvl >= lowOdd && lvl > 0; lvl-- {
		for i := 0; i < len(segs); {
			if segs[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(segs) && segs[j].level >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				segs[a], segs[b] = segs[b], segs[a]
			}
			i = j
		}
	}
}
