package export

import (
	"errors"
	"io"
)

// WriteXLSX writes meta and tables, then the codebook, as an Excel workbook.
func WriteXLSX(w io.Writer, meta Metadata, tables []Table) error {
	return errors.New("export: xlsx: not written yet")
}
