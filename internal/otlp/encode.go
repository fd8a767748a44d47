package otlp

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The OTLP/JSON shapes of an ExportTraceServiceRequest (the protocol
// buffers' JSON mapping, as OTLP fixes it): field names in lowerCamelCase,
// trace and span IDs in lower-case hex, 64-bit integers as decimal
// strings, enums as numbers.
type (
	request struct {
		ResourceSpans []resourceSpans `json:"resourceSpans"`
	}
	resourceSpans struct {
		Resource   resourceJSON `json:"resource"`
		ScopeSpans []scopeSpans `json:"scopeSpans"`
		SchemaURL  string       `json:"schemaUrl,omitempty"`
	}
	resourceJSON struct {
		Attributes []keyValue `json:"attributes"`
	}
	scopeSpans struct {
		Scope     scopeJSON `json:"scope"`
		Spans     []span    `json:"spans"`
		SchemaURL string    `json:"schemaUrl,omitempty"`
	}
	scopeJSON struct {
		Name       string     `json:"name"`
		Version    string     `json:"version,omitempty"`
		Attributes []keyValue `json:"attributes,omitempty"`
	}
	span struct {
		TraceID                string     `json:"traceId"`
		SpanID                 string     `json:"spanId"`
		TraceState             string     `json:"traceState,omitempty"`
		ParentSpanID           string     `json:"parentSpanId,omitempty"`
		Flags                  uint32     `json:"flags"`
		Name                   string     `json:"name"`
		Kind                   int        `json:"kind"`
		StartTimeUnixNano      string     `json:"startTimeUnixNano"`
		EndTimeUnixNano        string     `json:"endTimeUnixNano"`
		Attributes             []keyValue `json:"attributes,omitempty"`
		DroppedAttributesCount int        `json:"droppedAttributesCount,omitempty"`
		Events                 []event    `json:"events,omitempty"`
		DroppedEventsCount     int        `json:"droppedEventsCount,omitempty"`
		Links                  []link     `json:"links,omitempty"`
		DroppedLinksCount      int        `json:"droppedLinksCount,omitempty"`
		Status                 status     `json:"status"`
	}
	event struct {
		TimeUnixNano           string     `json:"timeUnixNano"`
		Name                   string     `json:"name"`
		Attributes             []keyValue `json:"attributes,omitempty"`
		DroppedAttributesCount int        `json:"droppedAttributesCount,omitempty"`
	}
	link struct {
		TraceID                string     `json:"traceId"`
		SpanID                 string     `json:"spanId"`
		TraceState             string     `json:"traceState,omitempty"`
		Attributes             []keyValue `json:"attributes,omitempty"`
		DroppedAttributesCount int        `json:"droppedAttributesCount,omitempty"`
		Flags                  uint32     `json:"flags"`
	}
	status struct {
		Code    int    `json:"code,omitempty"`
		Message string `json:"message,omitempty"`
	}
	keyValue struct {
		Key   string   `json:"key"`
		Value anyValue `json:"value"`
	}
	anyValue struct {
		StringValue *string     `json:"stringValue,omitempty"`
		BoolValue   *bool       `json:"boolValue,omitempty"`
		IntValue    *string     `json:"intValue,omitempty"`
		DoubleValue *float64    `json:"doubleValue,omitempty"`
		ArrayValue  *arrayValue `json:"arrayValue,omitempty"`
	}
	arrayValue struct {
		Values []anyValue `json:"values"`
	}
)

// OTLP's span status codes, which differ from the API's codes.Code values.
const (
	statusOK    = 1
	statusError = 2
)

// Trace flags as OTLP carries them: the W3C flags in the low byte, and
// bits saying whether the span's (or link's) context is known to be
// remote.
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// encode is the JSON request for spans, grouped by resource and then by
// instrumentation scope, in the order they first appear.
func encode(spans []sdktrace.ReadOnlySpan) ([]byte, error) {
	type scopeKey struct {
		res   *resource.Resource
		scope instrumentation.Scope
	}
	var req request
	resIndex := map[*resource.Resource]int{}
	scopeIndex := map[scopeKey]int{}
	for _, s := range spans {
		res := s.Resource()
		ri, ok := resIndex[res]
		if !ok {
			ri = len(req.ResourceSpans)
			resIndex[res] = ri
			rs := resourceSpans{}
			if res != nil {
				rs.Resource.Attributes, rs.SchemaURL = keyValues(res.Attributes()), res.SchemaURL()
			}
			if rs.Resource.Attributes == nil {
				rs.Resource.Attributes = []keyValue{}
			}
			req.ResourceSpans = append(req.ResourceSpans, rs)
		}
		sc := s.InstrumentationScope()
		k := scopeKey{res, sc}
		si, ok := scopeIndex[k]
		if !ok {
			si = len(req.ResourceSpans[ri].ScopeSpans)
			scopeIndex[k] = si
			req.ResourceSpans[ri].ScopeSpans = append(req.ResourceSpans[ri].ScopeSpans, scopeSpans{
				Scope:     scopeJSON{Name: sc.Name, Version: sc.Version, Attributes: keyValues(sc.Attributes.ToSlice())},
				SchemaURL: sc.SchemaURL})
		}
		ss := &req.ResourceSpans[ri].ScopeSpans[si]
		ss.Spans = append(ss.Spans, spanOf(s))
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("otlp: encode spans: %w", err)
	}
	return b, nil
}

func spanOf(s sdktrace.ReadOnlySpan) span {
	sc := s.SpanContext()
	out := span{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), TraceState: sc.TraceState().String(),
		Flags: flags(s.Parent()), Name: s.Name(), Kind: int(s.SpanKind()),
		StartTimeUnixNano: unixNano(s.StartTime().UnixNano()), EndTimeUnixNano: unixNano(s.EndTime().UnixNano()),
		Attributes: keyValues(s.Attributes()), DroppedAttributesCount: s.DroppedAttributes(),
		DroppedEventsCount: s.DroppedEvents(), DroppedLinksCount: s.DroppedLinks()}
	out.Flags |= uint32(sc.TraceFlags())
	if p := s.Parent(); p.SpanID().IsValid() {
		out.ParentSpanID = p.SpanID().String()
	}
	for _, e := range s.Events() {
		out.Events = append(out.Events, event{TimeUnixNano: unixNano(e.Time.UnixNano()), Name: e.Name,
			Attributes: keyValues(e.Attributes), DroppedAttributesCount: e.DroppedAttributeCount})
	}
	for _, l := range s.Links() {
		out.Links = append(out.Links, link{TraceID: l.SpanContext.TraceID().String(), SpanID: l.SpanContext.SpanID().String(),
			TraceState: l.SpanContext.TraceState().String(), Attributes: keyValues(l.Attributes),
			DroppedAttributesCount: l.DroppedAttributeCount,
			Flags:                  uint32(l.SpanContext.TraceFlags()) | flags(l.SpanContext)})
	}
	switch st := s.Status(); st.Code {
	case codes.Ok:
		out.Status.Code = statusOK
	case codes.Error:
		out.Status.Code, out.Status.Message = statusError, st.Description
	}
	return out
}

// flags are the remote bits of a span context: known, and set when it
// came from another process.
func flags(sc trace.SpanContext) uint32 {
	if sc.IsRemote() {
		return flagHasIsRemote | flagIsRemote
	}
	return flagHasIsRemote
}

func unixNano(n int64) string { return strconv.FormatInt(n, 10) }

func keyValues(kvs []attribute.KeyValue) []keyValue {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]keyValue, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, keyValue{Key: string(kv.Key), Value: valueOf(kv.Value)})
	}
	return out
}

func valueOf(v attribute.Value) anyValue {
	switch v.Type() {
	case attribute.BOOL:
		b := v.AsBool()
		return anyValue{BoolValue: &b}
	case attribute.INT64:
		s := strconv.FormatInt(v.AsInt64(), 10)
		return anyValue{IntValue: &s}
	case attribute.FLOAT64:
		return double(v.AsFloat64())
	case attribute.BOOLSLICE:
		return array(v.AsBoolSlice(), func(b bool) anyValue { return anyValue{BoolValue: &b} })
	case attribute.INT64SLICE:
		return array(v.AsInt64Slice(), func(n int64) anyValue {
			s := strconv.FormatInt(n, 10)
			return anyValue{IntValue: &s}
		})
	case attribute.FLOAT64SLICE:
		return array(v.AsFloat64Slice(), double)
	case attribute.STRINGSLICE:
		return array(v.AsStringSlice(), func(s string) anyValue { return anyValue{StringValue: &s} })
	}
	s := v.String()
	return anyValue{StringValue: &s}
}

// double is f as a number, or as its text when JSON has no number for it
// (NaN and the infinities).
func double(f float64) anyValue {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		s := strconv.FormatFloat(f, 'g', -1, 64)
		return anyValue{StringValue: &s}
	}
	return anyValue{DoubleValue: &f}
}

func array[T any](vs []T, one func(T) anyValue) anyValue {
	out := &arrayValue{Values: make([]anyValue, 0, len(vs))}
	for _, v := range vs {
		out.Values = append(out.Values, one(v))
	}
	return anyValue{ArrayValue: out}
}
