package sandpit

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// pngSignature opens every PNG file.
const pngSignature = "\x89PNG\r\n\x1a\n"

// pngWhole reports whether PNG data, whose header h was checked, is whole,
// without decoding its pixels: every chunk is present with its CRC, IHDR
// comes first and IEND last, and the compressed pixel data inflates, row
// by row through one row's buffer, to exactly the rows the header declares,
// each with a valid filter. An interlaced PNG is decoded instead (ok is
// false, known is false).
func pngWhole(data []byte, h ImageHeader) (ok, known bool) {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return false, true
	}
	rest := data[len(pngSignature):]
	var idat [][]byte
	var colorType, interlace byte
	first, ended := true, false
	for len(rest) > 0 && !ended {
		if len(rest) < 12 {
			return false, true
		}
		n := binary.BigEndian.Uint32(rest[:4])
		if uint64(n) > uint64(len(rest)-12) {
			return false, true
		}
		kind, body := string(rest[4:8]), rest[8:8+n]
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:12+n]) {
			return false, true
		}
		switch {
		case first && kind != "IHDR", !first && kind == "IHDR":
			return false, true
		case kind == "IHDR":
			if n != 13 {
				return false, true
			}
			colorType, interlace = body[9], body[12]
		case kind == "IDAT":
			idat = append(idat, body)
		case kind == "IEND":
			ended = true
		}
		first = false
		rest = rest[12+n:]
	}
	if !ended || len(idat) == 0 {
		return false, true
	}
	if interlace != 0 {
		return false, false
	}
	channels := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	if channels == 0 {
		return false, true
	}
	rowBytes := (h.Width*channels*h.BitDepth + 7) / 8
	readers := make([]io.Reader, len(idat))
	for i, b := range idat {
		readers[i] = bytes.NewReader(b)
	}
	z, err := zlib.NewReader(io.MultiReader(readers...))
	if err != nil {
		return false, true
	}
	defer z.Close()
	row := make([]byte, 1+rowBytes)
	for range h.Height {
		if _, err := io.ReadFull(z, row); err != nil || row[0] > 4 {
			return false, true
		}
	}
	return true, true
}
