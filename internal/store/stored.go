package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// StoredValue is one text or binary value of one row, as sandpit scan reads
// every stored value.
type StoredValue struct {
	Table  string
	Row    string // the row's primary key, as "id=12" (columns joined by ",")
	Column string
	Text   string // a text value
	Bytes  []byte // a binary value, such as a screen image
}

// skipColumn reports whether a column holds a secret or a hash, never text
// a person wrote: digits in a hash are not NHS numbers.
func skipColumn(name string) bool {
	return strings.Contains(name, "hash") || strings.Contains(name, "password") || strings.Contains(name, "secret") ||
		strings.Contains(name, "key_value")
}

// EachStoredValue calls fn with every text and binary value of every table
// Sandpit has, whatever the schema holds today, so that a column added
// later is read too. Secrets and hashes are skipped, and so is the settings
// table of generated keys.
func (s *Store) EachStoredValue(ctx context.Context, fn func(StoredValue) error) error {
	db := s.read.WithContext(ctx)
	tables, err := db.Migrator().GetTables()
	if err != nil {
		return fmt.Errorf("store: list tables: %w", err)
	}
	slices.Sort(tables)
	for _, table := range tables {
		if table == "settings" || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		cols, err := db.Migrator().ColumnTypes(table)
		if err != nil {
			return fmt.Errorf("store: columns of %s: %w", table, err)
		}
		var keys, values []string
		binary := map[string]bool{}
		for _, c := range cols {
			name := c.Name()
			if pk, ok := c.PrimaryKey(); ok && pk {
				keys = append(keys, name)
			}
			typ := strings.ToLower(c.DatabaseTypeName())
			switch {
			case skipColumn(name):
			case strings.Contains(typ, "blob") || strings.Contains(typ, "bytea"):
				values, binary[name] = append(values, name), true
			case strings.Contains(typ, "text") || strings.Contains(typ, "char") || strings.Contains(typ, "json"):
				values = append(values, name)
			}
		}
		if len(values) == 0 {
			continue
		}
		if len(keys) == 0 {
			keys = []string{"id"}
		}
		if err := s.eachRow(ctx, table, keys, values, binary, fn); err != nil {
			return err
		}
	}
	return nil
}

// eachRow reads table's rows one at a time, calling fn with each value.
func (s *Store) eachRow(ctx context.Context, table string, keys, values []string, binary map[string]bool, fn func(StoredValue) error) error {
	quote := func(names []string) string {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = `"` + n + `"`
		}
		return strings.Join(q, ", ")
	}
	// The names come from the database's own catalog, not from a user.
	rows, err := s.read.WithContext(ctx).Raw("SELECT " + quote(keys) + ", " + quote(values) + " FROM " + quote([]string{table}) + " ORDER BY " + quote(keys)).Rows()
	if err != nil {
		return fmt.Errorf("store: read %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		dest := make([]any, len(keys)+len(values))
		for i := range dest {
			dest[i] = new(any)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: read %s: %w", table, err)
		}
		id := make([]string, len(keys))
		for i, k := range keys {
			id[i] = fmt.Sprintf("%s=%v", k, *(dest[i].(*any)))
		}
		for i, col := range values {
			v := StoredValue{Table: table, Row: strings.Join(id, ","), Column: col}
			switch x := (*(dest[len(keys)+i].(*any))).(type) {
			case string:
				v.Text = x
			case []byte:
				if binary[col] {
					v.Bytes = x
				} else {
					v.Text = string(x)
				}
			default:
				continue
			}
			if err := fn(v); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}
