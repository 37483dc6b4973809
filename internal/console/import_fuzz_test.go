package console

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParseCatalogImport: any uploaded import file is read without a panic,
// and what it yields survives the round trip through both accepted shapes
// ({"items": [...]} and a bare array): the rows the batch would hand to the
// catalog are exactly what the file said.
func FuzzParseCatalogImport(f *testing.F) {
	for _, seed := range []string{
		catalogImportExample,
		`[{"external_id":"a-1","title":"市养老院收费标准","formed_on":"2026-03-02","category":"fees","topics":["elderly_care"],"basis":8}]`,
		"\xef\xbb\xbf{\"items\": []}",
		`{"items": [{"title": "x", "formed_on": "2026-02-30"}]}`,
		`[{"basis": 1e400}]`,
		``,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseCatalogImport(b)
		if err != nil {
			return
		}
		wrapped, err := json.Marshal(map[string]any{"items": rows})
		if err != nil {
			t.Fatalf("rows cannot be encoded again: %v", err)
		}
		bare, err := json.Marshal(rows)
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range [][]byte{wrapped, bare} {
			again, err := parseCatalogImport(enc)
			if err != nil {
				t.Fatalf("re-encoded rows %s: %v", enc, err)
			}
			if len(rows) == 0 && len(again) == 0 {
				continue
			}
			if !reflect.DeepEqual(again, rows) {
				t.Fatalf("round trip changed the rows:\n%+v\n%+v", rows, again)
			}
		}
	})
}
