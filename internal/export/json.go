package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// WriteJSON writes {"metadata": …, "codebook": […], "tables": {"<name>":
// [{column: value, …}, …], …}} to w, table by table and row by row: only one
// row is held at a time. Each cell takes its codebook column's type: integer
// and number cells become JSON numbers, boolean cells true or false, other
// cells strings, and a missing (empty) cell null. Columns keep their order.
// Text is never neutralised: that is for spreadsheets opening CSV.
func WriteJSON(w io.Writer, metadata any, codebook []Column, tables []Table) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if _, err := bw.WriteString(`{"metadata":`); err != nil {
		return fmt.Errorf("export: json: %w", err)
	}
	if err := enc.Encode(metadata); err != nil {
		return fmt.Errorf("export: json: metadata: %w", err)
	}
	bw.WriteString(`,"codebook":`)
	if err := enc.Encode(codebook); err != nil {
		return fmt.Errorf("export: json: codebook: %w", err)
	}
	bw.WriteString(`,"tables":{`)
	for i, t := range tables {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := writeJSONTable(bw, enc, t, columnTypes(t.Name)); err != nil {
			return err
		}
	}
	bw.WriteString("}}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: json: %w", err)
	}
	return nil
}

// writeJSONTable writes "<name>":[rows…] of t.
func writeJSONTable(bw *bufio.Writer, enc *json.Encoder, t Table, types map[string]string) error {
	if err := enc.Encode(t.Name); err != nil {
		return fmt.Errorf("export: json %s: %w", t.Name, err)
	}
	bw.WriteString(":[")
	// Each row is written field by field; the keys are quoted once.
	keys := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		k, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("export: json %s: %w", t.Name, err)
		}
		keys[i] = append(k, ':')
	}
	first := true
	err := t.Rows(func(cells []string) error {
		if len(cells) != len(t.Columns) {
			return fmt.Errorf("row of %d cells, want %d", len(cells), len(t.Columns))
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.WriteByte('{')
		for i, c := range cells {
			v, err := jsonValue(types[t.Columns[i]], c)
			if err != nil {
				return fmt.Errorf("column %s: %w", t.Columns[i], err)
			}
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(keys[i])
			bw.Write(v)
		}
		_, err := bw.WriteString("}\n")
		return err
	})
	if err != nil {
		return fmt.Errorf("export: json %s: %w", t.Name, err)
	}
	bw.WriteString("]")
	return nil
}

// jsonValue is cell as a JSON value of type typ.
func jsonValue(typ, cell string) (json.RawMessage, error) {
	if cell == "" {
		return json.RawMessage("null"), nil
	}
	switch typ {
	case TypeInteger, TypeNumber:
		if _, err := strconv.ParseFloat(cell, 64); err != nil {
			return nil, fmt.Errorf("%q is not a number", cell)
		}
		return json.RawMessage(cell), nil
	case TypeBoolean:
		if cell != "true" && cell != "false" {
			return nil, fmt.Errorf("%q is not a boolean", cell)
		}
		return json.RawMessage(cell), nil
	}
	b, err := json.Marshal(cell)
	if err != nil {
		return nil, err
	}
	return b, nil
}
