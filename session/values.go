package session

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The value codec. gorilla/sessions keeps values in a map[any]any and its
// stores encode that map with encoding/gob, which costs tens of
// microseconds and hundreds of allocations per request. Sessions hold short
// strings (a user key, a return-to path, flash messages), so this package
// encodes the map in a small tagged binary format instead: a version byte,
// the number of entries, then for each entry its string key, a type tag and
// the value.

const valuesVersion = 1

// Type tags of the value codec.
const (
	tagString  = 's'
	tagBytes   = 'b'
	tagTrue    = 't'
	tagFalse   = 'f'
	tagInt     = 'n'
	tagInt64   = 'i'
	tagFloat64 = 'd'
	tagStrings = 'l' // []string
	tagAnys    = 'a' // []any holding only strings (gorilla's flashes)
)

// ErrUnsupportedValue is returned by [EncodeValues] for a key that is not a
// string or a value of a type the codec does not carry.
var ErrUnsupportedValue = errors.New("session: unsupported value type")

// errCorrupt is returned by [DecodeValues] for malformed input.
var errCorrupt = errors.New("session: corrupt session data")

// EncodeValues encodes a gorilla session's values. Keys must be strings;
// values may be string, []byte, bool, int, int64, float64, []string, or
// []any whose elements are strings (what gorilla's AddFlash stores for
// string flashes). Anything else is [ErrUnsupportedValue].
func EncodeValues(values map[any]any) ([]byte, error) {
	n := 2
	for k, v := range values {
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: key of type %T", ErrUnsupportedValue, k)
		}
		n += len(ks) + 12
		switch v := v.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		case []string:
			for _, s := range v {
				n += len(s) + 4
			}
		case []any:
			for _, s := range v {
				if str, ok := s.(string); ok {
					n += len(str) + 4
				}
			}
		}
	}
	buf := make([]byte, 0, n)
	buf = append(buf, valuesVersion)
	buf = binary.AppendUvarint(buf, uint64(len(values)))
	for k, v := range values {
		ks := k.(string) // checked above
		buf = appendString(buf, ks)
		switch v := v.(type) {
		case string:
			buf = append(buf, tagString)
			buf = appendString(buf, v)
		case []byte:
			buf = append(buf, tagBytes)
			buf = appendString(buf, string(v))
		case bool:
			if v {
				buf = append(buf, tagTrue)
			} else {
				buf = append(buf, tagFalse)
			}
		case int:
			buf = append(buf, tagInt)
			buf = binary.AppendVarint(buf, int64(v))
		case int64:
			buf = append(buf, tagInt64)
			buf = binary.AppendVarint(buf, v)
		case float64:
			buf = append(buf, tagFloat64)
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		case []string:
			buf = append(buf, tagStrings)
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			for _, s := range v {
				buf = appendString(buf, s)
			}
		case []any:
			buf = append(buf, tagAnys)
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%w: %T in a []any under key %q", ErrUnsupportedValue, e, ks)
				}
				buf = appendString(buf, s)
			}
		default:
			return nil, fmt.Errorf("%w: %T under key %q", ErrUnsupportedValue, v, ks)
		}
	}
	return buf, nil
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// DecodeValues decodes what [EncodeValues] produced into a fresh map. Any
// malformed input is an error, never a panic; the input is untrusted when a
// store keeps it outside the server.
func DecodeValues(data []byte) (map[any]any, error) {
	values := make(map[any]any)
	if err := decodeValuesInto(values, data); err != nil {
		return nil, err
	}
	return values, nil
}

// decodeValuesInto decodes data into values, which must be empty.
func decodeValuesInto(values map[any]any, data []byte) error {
	// One string holds every key and string value: the decoded strings are
	// slices of it, one allocation instead of one each.
	d := decoder{b: data, s: string(data)}
	if v := d.byte(); v != valuesVersion {
		return errCorrupt
	}
	count := d.uvarint()
	// Every entry takes at least 3 bytes: a bound that refuses absurd counts.
	if d.err != nil || count > uint64(len(d.b))/3+1 {
		return errCorrupt
	}
	for range count {
		k := d.string()
		tag := d.byte()
		if d.err != nil {
			return errCorrupt
		}
		var v any
		switch tag {
		case tagString:
			v = d.string()
		case tagBytes:
			v = []byte(d.string())
		case tagTrue:
			v = true
		case tagFalse:
			v = false
		case tagInt:
			v = int(d.varint())
		case tagInt64:
			v = d.varint()
		case tagFloat64:
			v = math.Float64frombits(d.uint64())
		case tagStrings:
			n := d.count()
			list := make([]string, 0, n)
			for range n {
				list = append(list, d.string())
			}
			v = list
		case tagAnys:
			n := d.count()
			list := make([]any, 0, n)
			for range n {
				list = append(list, d.string())
			}
			v = list
		default:
			return errCorrupt
		}
		if d.err != nil {
			return errCorrupt
		}
		values[k] = v
	}
	if len(d.b) != 0 {
		return errCorrupt
	}
	return nil
}

// decoder reads the codec's primitives; the first error sticks.
type decoder struct {
	b   []byte
	s   string // the whole input, for allocation-free substrings
	err error
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint64() uint64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errCorrupt
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// count reads a list length, bounded by the bytes left (each element takes
// at least one byte).
func (d *decoder) count() int {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	start := len(d.s) - len(d.b)
	d.b = d.b[n:]
	return d.s[start : start+int(n)]
}
