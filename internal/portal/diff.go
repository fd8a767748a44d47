package portal

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Diff lists the audited fields that differ between two values of one
// struct type, for the audit log. before and after are structs or pointers
// to structs; a nil pointer (a thing created or deleted) reads as a struct
// whose every field is empty.
//
// Only fields tagged `audit:"name"` are compared; the name is the field's
// name in the log. A field tagged `audit:"name,secret"` records that it
// changed but never its values. A field counts as changed when its text
// differs, the text being:
//
//   - a nil pointer, a zero time and an empty slice or map: empty;
//   - a time: RFC 3339 in UTC (the same instant in two zones is no change);
//   - a value with a String method (time.Weekday, time.Duration, …): that;
//   - strings, booleans and numbers: as Go writes them;
//   - a slice or array: its elements' texts joined by ", "; a map: its
//     "key=value" pairs sorted and joined by ", ".
//
// Changes come in field order. Two different types are a programming error
// and panic.
func Diff(before, after any) []FieldChange {
	bv, av := auditStruct(before), auditStruct(after)
	var t reflect.Type
	switch {
	case bv.IsValid() && av.IsValid():
		if bv.Type() != av.Type() {
			panic(fmt.Sprintf("portal.Diff: %s against %s", bv.Type(), av.Type()))
		}
		t = bv.Type()
	case bv.IsValid():
		t = bv.Type()
	case av.IsValid():
		t = av.Type()
	default:
		return nil
	}
	var out []FieldChange
	for i := range t.NumField() {
		tag, ok := t.Field(i).Tag.Lookup("audit")
		if !ok || tag == "" || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		var b, a string
		if bv.IsValid() {
			b = auditText(bv.Field(i))
		}
		if av.IsValid() {
			a = auditText(av.Field(i))
		}
		if b == a {
			continue
		}
		if opts == "secret" {
			out = append(out, FieldChange{Field: name, Secret: true})
			continue
		}
		out = append(out, FieldChange{Field: name, Before: b, After: a})
	}
	return out
}

// auditStruct returns the struct v holds or points to; the zero Value for
// nil.
func auditStruct(v any) reflect.Value {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}
		}
		rv = rv.Elem()
	}
	if rv.IsValid() && rv.Kind() != reflect.Struct {
		panic(fmt.Sprintf("portal.Diff: %s is not a struct", rv.Type()))
	}
	return rv
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	stringerType = reflect.TypeFor[fmt.Stringer]()
)

// auditText is the text of one value in the audit log (see Diff).
func auditText(v reflect.Value) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Type() == timeType && v.CanInterface() {
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	if v.Type().Implements(stringerType) && v.CanInterface() {
		return v.Interface().(fmt.Stringer).String()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = auditText(v.Index(i))
		}
		return strings.Join(parts, ", ")
	case reflect.Map:
		parts := make([]string, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			parts = append(parts, auditText(it.Key())+"="+auditText(it.Value()))
		}
		slices.Sort(parts)
		return strings.Join(parts, ", ")
	}
	if v.CanInterface() {
		return fmt.Sprint(v.Interface())
	}
	return fmt.Sprintf("%v", v)
}
