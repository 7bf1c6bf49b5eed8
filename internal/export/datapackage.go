package export

import (
	"errors"
	"io"
)

// WriteDataPackage writes meta and tables as a Frictionless data package.
func WriteDataPackage(w io.Writer, meta Metadata, tables []Table) error {
	return errors.New("export: datapackage: not written yet")
}
