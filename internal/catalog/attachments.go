package catalog

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Attachments (附件) of catalog items: the files that belong to a disclosure
// page (Regulations Art. 12 lists the catalog's content; Art. 19–26 what is
// published). Security rules of uploads:
//
//   - a size limit (Service.SetAttachmentStore, default 20 MiB);
//   - the type is sniffed from the content, never taken from the client,
//     and must be on the allow-list below and agree with the file name's
//     extension (a .pdf that is really HTML is refused);
//   - the bytes are stored outside the web root under a random name, first
//     in a temporary file that is synced and renamed; the row is inserted
//     only afterwards, and any failure removes the file: no row without a
//     file, no file without a row;
//   - files are served with Content-Disposition (RFC 6266, RFC 5987
//     filename*), X-Content-Type-Options: nosniff and the sniffed type;
//     HTML and SVG are not accepted at all.

// DefaultAttachmentMaxBytes is the default size limit of an attachment.
const DefaultAttachmentMaxBytes = 20 << 20

// MaxAttachmentsPerItem caps the number of files on one item.
const MaxAttachmentsPerItem = 50

// maxFileName is the longest file name kept, in characters.
const maxFileName = 200

// Attachment is one file of a catalog item.
type Attachment struct {
	bun.BaseModel `bun:"table:catalog_attachments"`
	TenantID      int64 `bun:",notnull"`
	ID            int64 `bun:",pk,autoincrement"`
	ItemID        int64 `bun:",notnull"`
	// FileName is the original file name, sanitised (no directories, no
	// control or reserved characters).
	FileName string `bun:",notnull"`
	// StoredName is the random name of the file in the store; never shown.
	StoredName string `bun:",notnull"`
	// MediaType is the type sniffed from the content (one of AllowedTypes).
	MediaType string `bun:",notnull"`
	Size      int64  `bun:",notnull"`
	// SHA256 is the hex SHA-256 of the content.
	SHA256        string    `bun:"sha256,notnull"`
	Position      int       `bun:",notnull"`
	CreatedBy     string    `bun:",notnull"`
	CreatedByName string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
}

// Inline reports whether browsers may show the file in the page rather
// than download it: PDF and images only. Everything else, and anything a
// browser could run as a document, is served as a download.
func (a Attachment) Inline() bool {
	switch a.baseType() {
	case "application/pdf", "image/png", "image/jpeg":
		return true
	}
	return false
}

// baseType is the media type without parameters.
func (a Attachment) baseType() string {
	t, _, _ := strings.Cut(a.MediaType, ";")
	return strings.TrimSpace(t)
}

// TypeLabel is a short name of the file's type for lists (PDF, Word, …).
func (a Attachment) TypeLabel() string {
	for _, ft := range AllowedTypes {
		if ft.MediaType == a.baseType() {
			if ft.MediaType == "application/msword" && strings.HasSuffix(strings.ToLower(a.FileName), ".wps") {
				return "WPS"
			}
			if ft.MediaType == "application/vnd.ms-excel" && strings.HasSuffix(strings.ToLower(a.FileName), ".et") {
				return "WPS"
			}
			return ft.Label
		}
	}
	return a.baseType()
}

// SizeText is the size for people: 512 B, 3.4 KB, 12.0 MB.
func (a Attachment) SizeText() string {
	switch {
	case a.Size < 1024:
		return strconv.FormatInt(a.Size, 10) + " B"
	case a.Size < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(a.Size)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(a.Size)/(1<<20))
}

// ETag is the strong entity tag of the content: its SHA-256.
func (a Attachment) ETag() string { return `"` + a.SHA256 + `"` }

// ContentDisposition returns the Content-Disposition header for the file:
// "attachment" unless inline is asked and the type may be shown inline,
// with an ASCII fallback filename and the UTF-8 name as filename*
// (RFC 6266, RFC 5987).
func (a Attachment) ContentDisposition(inline bool) string {
	kind := "attachment"
	if inline && a.Inline() {
		kind = "inline"
	}
	ext := strings.ToLower(filepath.Ext(a.FileName))
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, strings.TrimSuffix(a.FileName, filepath.Ext(a.FileName)))
	if strings.Trim(fallback, "_ ") == "" {
		fallback = "attachment-" + strconv.FormatInt(a.ID, 10)
	}
	return kind + `; filename="` + fallback + ext + `"; filename*=UTF-8''` + encodeRFC5987(a.FileName)
}

// encodeRFC5987 percent-encodes s as an RFC 5987 value (attr-char kept).
func encodeRFC5987(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// FileType is an accepted type of attachment.
type FileType struct {
	// MediaType is the type stored and served.
	MediaType string
	// Extensions are the file name endings that may carry it.
	Extensions []string
	// Label names the type for people.
	Label string
}

// AllowedTypes is the allow-list of attachment types: the formats in which
// government documents are published — PDF and OFD (the national standard
// for fixed-layout documents, GB/T 33190), Word and WPS documents, Excel and
// WPS spreadsheets, CSV and plain text for data, PNG and JPEG for scans and
// pictures. Not accepted: HTML, SVG, XML and scripts (they could run in the
// browser), archives (their content cannot be checked), executables and
// macro-enabled Office files.
var AllowedTypes = []FileType{
	{"application/pdf", []string{".pdf"}, "PDF"},
	{"application/ofd", []string{".ofd"}, "OFD"},
	{"application/msword", []string{".doc", ".wps"}, "Word"},
	{docxType, []string{".docx"}, "Word"},
	{"application/vnd.ms-excel", []string{".xls", ".et"}, "Excel"},
	{xlsxType, []string{".xlsx"}, "Excel"},
	{"text/csv", []string{".csv"}, "CSV"},
	{"text/plain", []string{".txt"}, "文本"},
	{"image/png", []string{".png"}, "PNG"},
	{"image/jpeg", []string{".jpg", ".jpeg"}, "JPEG"},
}

const (
	docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// allowedList names the accepted types for error messages.
func allowedList() string {
	var parts []string
	for _, ft := range AllowedTypes {
		parts = append(parts, strings.Join(ft.Extensions, "/"))
	}
	return strings.Join(parts, ", ")
}

// typeOfExt returns the allowed type whose extensions include ext.
func typeOfExt(ext string) (FileType, bool) {
	for _, ft := range AllowedTypes {
		if slices.Contains(ft.Extensions, ext) {
			return ft, true
		}
	}
	return FileType{}, false
}

// transferTimeout is how long an attachment upload or download may take.
const transferTimeout = 10 * time.Minute

// ExtendTransferDeadlines gives an upload of an attachment time to arrive
// (the server's read and write time-outs are meant for ordinary requests).
func ExtendTransferDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(transferTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(transferTimeout))
}

// ErrTooLarge is the cause of the error of an attachment over the size
// limit; the API answers it with 413.
var ErrTooLarge = errors.New("attachment too large")

// attachmentStore is where attachment files live and how large they may be.
type attachmentStore struct {
	dir      string
	maxBytes int64
}

// SetAttachmentStore sets the directory of attachment files (outside any
// web root; created on first use) and the size limit in bytes (<= 0 means
// DefaultAttachmentMaxBytes).
func (s *Service) SetAttachmentStore(dir string, maxBytes int64) {
	if maxBytes <= 0 {
		maxBytes = DefaultAttachmentMaxBytes
	}
	s.attach = attachmentStore{dir: dir, maxBytes: maxBytes}
}

// AttachmentMaxBytes is the size limit of an attachment.
func (s *Service) AttachmentMaxBytes() int64 {
	if s.attach.maxBytes <= 0 {
		return DefaultAttachmentMaxBytes
	}
	return s.attach.maxBytes
}

// tenantDir is the store directory of the bureau's files.
func (s *Service) tenantDir(tenantID int64) string {
	return filepath.Join(s.attach.dir, strconv.FormatInt(tenantID, 10))
}

// storePath is the path of a stored file; stored names are generated here
// (hex), never taken from input.
func (s *Service) storePath(tenantID int64, stored string) string {
	return filepath.Join(s.tenantDir(tenantID), stored)
}

// storeFault is the error of a store that cannot be written: full disk,
// read-only or missing permissions. Nothing was saved.
func storeFault(err error) error {
	msg := "the attachment store cannot be written, so the file was not saved; retry later, and tell the operator if it persists (attachments-dir)"
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		msg = "the attachment store is full, so the file was not saved; tell the operator (attachments-dir)"
	}
	return fault.Wrap(err, fault.Unavailable, "%s", msg)
}

// tooLarge is the error of a file over the limit.
func (s *Service) tooLarge() error {
	limit := s.AttachmentMaxBytes()
	msg := fmt.Sprintf("is larger than the limit of %s (%d bytes); compress or split it", sizeText(limit), limit)
	return &fault.Error{Code: fault.Invalid, Message: "file: " + msg, Fields: []fault.FieldError{{Field: "file", Message: msg}}, Cause: ErrTooLarge}
}

// sizeText is a limit for people: 20 MiB, 512 KiB, 1000 bytes.
func sizeText(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n%1024 == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// SanitizeFileName returns the name to keep for an uploaded file: without
// directories, control characters or characters reserved on common file
// systems, trimmed, at most 200 characters with the extension kept.
func SanitizeFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == unicode.ReplacementChar:
			return -1
		case strings.ContainsRune(`<>:"|?*`, r), unicode.In(r, unicode.Cf):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ". ")
	if utf8.RuneCountInString(name) > maxFileName {
		ext := filepath.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:maxFileName-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// editableForAttachments checks that the item's attachments may change:
// only drafts (new items and revision drafts). What was submitted for
// review is what gets reviewed (Art. 17); what was published stays as
// published — a revision carries the attachments over and may change them.
func editableForAttachments(it *Item, action string) error {
	if it.State != Draft {
		return fault.New(fault.Conflict, "cannot %s: the item is %s (%s); attachments change only on drafts — return the item to draft, or start a revision of a published item", action, it.State, it.State.Label())
	}
	return nil
}

// AddAttachment stores a file on a draft item ("catalog write"). name is
// the client's file name (sanitised and kept for downloads); body is read
// up to the size limit. The type is sniffed from the content and must be
// on AllowedTypes and match the name's extension. The file is written to
// a temporary file, synced and renamed to a random name before the row is
// inserted; on any failure neither remains. An unwritable or full store
// answers fault.Unavailable saying so.
func (s *Service) AddAttachment(ctx context.Context, tenantID, itemID int64, name string, body io.Reader) (*Attachment, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return nil, err
	}
	name = SanitizeFileName(name)
	ext := strings.ToLower(filepath.Ext(name))
	if name == "" || strings.TrimSuffix(name, filepath.Ext(name)) == "" {
		return nil, fault.Field("file", "has no file name; send the file with its name (e.g. 通知.pdf)")
	}
	if _, ok := typeOfExt(ext); !ok {
		return nil, fault.Field("file", "%q is not an accepted type; accepted: %s", name, allowedList())
	}
	if s.attach.dir == "" {
		return nil, storeFault(errors.New("no attachments-dir configured"))
	}
	// The item must be a draft before the upload is read.
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, itemID, false, s.db.Dialect)
		if err != nil {
			return err
		}
		return editableForAttachments(it, "add an attachment")
	})
	if err != nil {
		return nil, err
	}
	a, path, err := s.writeFile(tenantID, name, ext, body)
	if err != nil {
		return nil, err
	}
	actor := actor(ctx)
	a.TenantID, a.ItemID, a.FileName, a.CreatedBy, a.CreatedByName, a.CreatedAt = tenantID, itemID, name, actor.Subject, actor.Name, s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, itemID, true, s.db.Dialect)
		if err != nil {
			return err
		}
		if err := editableForAttachments(it, "add an attachment"); err != nil {
			return err
		}
		var n, last int
		if err := tx.NewSelect().Model((*Attachment)(nil)).ColumnExpr("count(*), coalesce(max(position), 0)").
			Where("tenant_id = ? AND item_id = ?", tenantID, itemID).Scan(ctx, &n, &last); err != nil {
			return db.Translate(err)
		}
		if n >= MaxAttachmentsPerItem {
			return fault.Field("file", "the item already has %d attachments, the most allowed; delete one first", n)
		}
		a.Position = last + 1
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return audit.Record(ctx, tx, a.CreatedAt, audit.Entry{TenantID: tenantID, Action: "catalog.attachment_added", ObjectType: "catalog_item",
			ObjectID: strconv.FormatInt(itemID, 10), Changes: map[string]any{"attachment": a.ID, "file_name": a.FileName, "media_type": a.MediaType, "size": a.Size, "sha256": a.SHA256}})
	})
	if err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	return a, nil
}

// writeFile stores body under a random name: a temporary file in the
// bureau's directory, written through the size limit while hashing,
// sniffed, synced, closed and renamed. It returns the attachment's file
// fields and the final path; on error nothing is left behind.
func (s *Service) writeFile(tenantID int64, name, ext string, body io.Reader) (a *Attachment, path string, err error) {
	dir := s.tenantDir(tenantID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, "", storeFault(err)
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return nil, "", storeFault(err)
	}
	defer func() {
		if tmp != nil {
			_ = tmp.Close()
		}
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	limit := s.AttachmentMaxBytes()
	h := sha256.New()
	w := &errWriter{w: io.MultiWriter(tmp, h)}
	n, cerr := io.Copy(w, io.LimitReader(body, limit+1))
	switch {
	case w.err != nil:
		return nil, "", storeFault(w.err)
	case cerr != nil:
		var mbe *http.MaxBytesError
		if errors.As(cerr, &mbe) {
			return nil, "", s.tooLarge()
		}
		return nil, "", fault.Wrap(cerr, fault.Invalid, "file: the upload was interrupted before the end; send it again")
	case n > limit:
		return nil, "", s.tooLarge()
	case n == 0:
		return nil, "", fault.Field("file", "is empty")
	}
	media, err := sniff(tmp, n, name, ext)
	if err != nil {
		return nil, "", err
	}
	if err := tmp.Sync(); err != nil {
		return nil, "", storeFault(err)
	}
	if err := tmp.Close(); err != nil {
		return nil, "", storeFault(err)
	}
	stored, err := randomName()
	if err != nil {
		return nil, "", err
	}
	path = s.storePath(tenantID, stored)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, "", storeFault(err)
	}
	tmp = nil
	syncDir(dir)
	return &Attachment{StoredName: stored, MediaType: media, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, path, nil
}

// errWriter remembers the error of the store, to tell it from an error
// reading the upload.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}

// syncDir makes a rename durable (best effort: not every platform can
// sync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// randomName returns 128 random bits in hex.
func randomName() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fault.Wrap(err, fault.Internal, "random name")
	}
	return hex.EncodeToString(b[:]), nil
}

// textTypes are sniffed types of plain text files: a .txt or .csv whose
// content looks like CSV, TSV or JSON is still text.
var textTypes = []string{"text/plain", "text/csv", "text/tab-separated-values", "application/json"}

// sniff returns the media type of the file's content, checked against the
// allow-list and the extension of name.
func sniff(f *os.File, size int64, name, ext string) (string, error) {
	want, _ := typeOfExt(ext)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fault.Wrap(err, fault.Internal, "read the upload back")
	}
	m, err := mimetype.DetectReader(f)
	if err != nil {
		return "", fault.Wrap(err, fault.Internal, "read the upload back")
	}
	detected := m.String()
	got := ""
	switch {
	case m.Is("application/pdf"):
		got = "application/pdf"
	case m.Is("image/png"), m.Is("image/vnd.mozilla.apng"):
		got = "image/png"
	case m.Is("image/jpeg"):
		got = "image/jpeg"
	case m.Is("application/msword"):
		got = "application/msword"
	case m.Is("application/vnd.ms-excel"):
		got = "application/vnd.ms-excel"
	case m.Is("application/x-ole-storage"):
		// An OLE compound file the sniffer could not name: WPS files and
		// some older Word and Excel files. Accept it as what the extension
		// says for those formats only.
		switch want.MediaType {
		case "application/msword", "application/vnd.ms-excel":
			got = want.MediaType
		}
	case isZip(m):
		kind, err := zipKind(f, size)
		if err != nil {
			return "", err
		}
		got = kind
		if kind == "" {
			detected = "application/zip"
		}
	case slices.ContainsFunc(textTypes, func(t string) bool { return m.Is(t) }):
		if want.MediaType == "text/plain" || want.MediaType == "text/csv" {
			got = want.MediaType
			if _, cs, ok := strings.Cut(detected, "charset="); ok {
				got += "; charset=" + cs
			}
		} else {
			got = "text/plain"
		}
	}
	base, _, _ := strings.Cut(got, ";")
	switch {
	case got == "":
		kind, _, _ := strings.Cut(detected, ";")
		return "", fault.Field("file", "%q is %s by its content, which is not accepted; accepted: %s", name, kind, allowedList())
	case base != want.MediaType:
		return "", fault.Field("file", "%q is named %s but its content is %s; upload the right file or give it the right name", name, ext, base)
	}
	return got, nil
}

// isZip reports whether m is a ZIP container (including Office Open XML).
func isZip(m *mimetype.MIME) bool {
	for ; m != nil; m = m.Parent() {
		if m.Is("application/zip") {
			return true
		}
	}
	return false
}

// zipKind tells the ZIP-based formats apart by their entries: a Word
// document has word/document.xml, a workbook xl/workbook.xml, an OFD file
// OFD.xml. Macro-enabled documents (vbaProject.bin) are refused. A plain
// archive gives "".
func zipKind(f *os.File, size int64) (string, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return "", fault.Field("file", "is a damaged ZIP-based file (%v); save it again and upload it", err)
	}
	var word, xl, ofd bool
	for _, e := range zr.File {
		n := strings.ToLower(e.Name)
		switch {
		case strings.HasSuffix(n, "vbaproject.bin"):
			return "", fault.Field("file", "contains macros (VBA), which are not accepted; save it as .docx, .xlsx or PDF without macros")
		case n == "word/document.xml":
			word = true
		case n == "xl/workbook.xml":
			xl = true
		case n == "ofd.xml":
			ofd = true
		}
	}
	switch {
	case word:
		return docxType, nil
	case xl:
		return xlsxType, nil
	case ofd:
		return "application/ofd", nil
	}
	return "", nil
}

// Attachments lists the files of an item of the bureau in order ("catalog
// read"); another bureau's item is not found.
func (s *Service) Attachments(ctx context.Context, tenantID, itemID int64) ([]Attachment, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, err
	}
	var out []Attachment
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := getItem(ctx, tx, tenantID, itemID, false, s.db.Dialect); err != nil {
			return err
		}
		var err error
		out, err = attachmentsTx(ctx, tx, tenantID, itemID)
		return err
	})
	return out, err
}

// attachmentsTx reads the attachments of an item in order.
func attachmentsTx(ctx context.Context, tx bun.IDB, tenantID, itemID int64) ([]Attachment, error) {
	out := []Attachment{}
	if err := tx.NewSelect().Model(&out).Where("tenant_id = ? AND item_id = ?", tenantID, itemID).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, db.Translate(err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}

// getAttachment reads one attachment of an item.
func getAttachment(ctx context.Context, tx bun.IDB, tenantID, itemID, id int64) (*Attachment, error) {
	a := new(Attachment)
	if err := tx.NewSelect().Model(a).Where("tenant_id = ? AND item_id = ? AND id = ?", tenantID, itemID, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "attachment")
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// OpenAttachment returns an attachment of an item of the bureau and its
// content ("catalog read"); the caller closes the file.
func (s *Service) OpenAttachment(ctx context.Context, tenantID, itemID, id int64) (*Attachment, *os.File, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, nil, err
	}
	return s.openAttachment(ctx, tenantID, itemID, id, false)
}

// OpenPublicAttachment returns a file of a published (or repealed) item
// for the public; files of drafts, items under review and withdrawn items
// are not found. No actor needed. The caller closes the file.
func (s *Service) OpenPublicAttachment(ctx context.Context, tenantID, itemID, id int64) (*Attachment, *os.File, error) {
	return s.openAttachment(ctx, tenantID, itemID, id, true)
}

func (s *Service) openAttachment(ctx context.Context, tenantID, itemID, id int64, public bool) (*Attachment, *os.File, error) {
	var a *Attachment
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, itemID, false, s.db.Dialect)
		if err != nil {
			return err
		}
		if public && !it.State.Public() {
			return fault.New(fault.NotFound, "attachment not found")
		}
		a, err = getAttachment(ctx, tx, tenantID, itemID, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(s.storePath(tenantID, a.StoredName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fault.Wrap(err, fault.Internal, "the file of attachment %d is missing from the attachment store; tell the operator", a.ID)
	} else if err != nil {
		return nil, nil, fault.Wrap(err, fault.Unavailable, "the attachment store cannot be read; retry later")
	}
	return a, f, nil
}

// DeleteAttachment removes a file from a draft item ("catalog write").
// Attachments of items under review or published cannot change (409): a
// published item's files change through a revision.
func (s *Service) DeleteAttachment(ctx context.Context, tenantID, itemID, id int64) error {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return err
	}
	var orphans []string
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, itemID, true, s.db.Dialect)
		if err != nil {
			return err
		}
		a, err := getAttachment(ctx, tx, tenantID, itemID, id)
		if err != nil {
			return err
		}
		if err := editableForAttachments(it, "delete the attachment"); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Attachment)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		if orphans, err = unreferencedTx(ctx, tx, tenantID, []string{a.StoredName}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "catalog.attachment_deleted", ObjectType: "catalog_item",
			ObjectID: strconv.FormatInt(itemID, 10), Changes: map[string]any{"attachment": a.ID, "file_name": a.FileName, "sha256": a.SHA256}})
	})
	if err != nil {
		return err
	}
	s.removeFiles(tenantID, orphans)
	return nil
}

// unreferencedTx returns those of the stored names that no attachment row
// of the bureau names any more.
func unreferencedTx(ctx context.Context, tx bun.IDB, tenantID int64, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var still []string
	if err := tx.NewSelect().Model((*Attachment)(nil)).Column("stored_name").
		Where("tenant_id = ? AND stored_name IN (?)", tenantID, bun.List(names)).Scan(ctx, &still); err != nil {
		return nil, db.Translate(err)
	}
	var out []string
	for _, n := range names {
		if !slices.Contains(still, n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// removeFiles deletes stored files after the transaction that dropped
// their last rows committed. A file that cannot be removed is only wasted
// space: no row names it.
func (s *Service) removeFiles(tenantID int64, names []string) {
	for _, n := range names {
		_ = os.Remove(s.storePath(tenantID, n))
	}
}

// copyAttachmentsTx gives a revision draft the attachments of the item it
// revises: new rows naming the same stored files.
func copyAttachmentsTx(ctx context.Context, tx bun.IDB, tenantID, fromItem, toItem int64) error {
	as, err := attachmentsTx(ctx, tx, tenantID, fromItem)
	if err != nil || len(as) == 0 {
		return err
	}
	for i := range as {
		as[i].ID, as[i].ItemID = 0, toItem
	}
	if _, err := tx.NewInsert().Model(&as).Exec(ctx); err != nil {
		return db.Translate(err)
	}
	return nil
}

// replaceAttachmentsTx makes the revision draft's attachments those of the
// item it revises, when the revision is published: the item's rows go and
// the draft's move to the item. It returns the stored files no row names
// any more, to remove after commit.
func replaceAttachmentsTx(ctx context.Context, tx bun.IDB, tenantID, draftID, itemID int64) ([]string, error) {
	old, err := attachmentsTx(ctx, tx, tenantID, itemID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.NewDelete().Model((*Attachment)(nil)).Where("tenant_id = ? AND item_id = ?", tenantID, itemID).Exec(ctx); err != nil {
		return nil, db.Translate(err)
	}
	if _, err := tx.NewUpdate().Model((*Attachment)(nil)).Set("item_id = ?", itemID).Where("tenant_id = ? AND item_id = ?", tenantID, draftID).Exec(ctx); err != nil {
		return nil, db.Translate(err)
	}
	names := make([]string, 0, len(old))
	for _, a := range old {
		names = append(names, a.StoredName)
	}
	return unreferencedTx(ctx, tx, tenantID, names)
}

// dropAttachmentsTx deletes the attachment rows of an item being deleted
// and returns the stored files no row names any more.
func dropAttachmentsTx(ctx context.Context, tx bun.IDB, tenantID, itemID int64) ([]string, error) {
	old, err := attachmentsTx(ctx, tx, tenantID, itemID)
	if err != nil || len(old) == 0 {
		return nil, err
	}
	if _, err := tx.NewDelete().Model((*Attachment)(nil)).Where("tenant_id = ? AND item_id = ?", tenantID, itemID).Exec(ctx); err != nil {
		return nil, db.Translate(err)
	}
	names := make([]string, 0, len(old))
	for _, a := range old {
		names = append(names, a.StoredName)
	}
	return unreferencedTx(ctx, tx, tenantID, names)
}

// AttachmentTooLarge is the error of an upload over the size limit (its
// cause is ErrTooLarge), for callers that notice it before AddAttachment.
func (s *Service) AttachmentTooLarge() error { return s.tooLarge() }

// Serve writes the attachment's content f with the safe headers: the
// sniffed type, X-Content-Type-Options: nosniff, Content-Disposition
// (inline only when asked and the type is PDF or an image, otherwise
// attachment) and the SHA-256 as a strong ETag. Conditional and range
// requests are answered by http.ServeContent. The Content-Security-Policy
// allows nothing but what shows the file: the browser's PDF viewer needs
// object-src and inline styles (crbug.com/271452), an image img-src.
func (a Attachment) Serve(w http.ResponseWriter, r *http.Request, f io.ReadSeeker, inline bool) {
	h := w.Header()
	h.Set("Content-Type", a.MediaType)
	h.Set("Content-Disposition", a.ContentDisposition(inline))
	csp := "default-src 'none'; frame-ancestors 'none'; sandbox"
	if inline && a.Inline() {
		csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
		if a.baseType() == "application/pdf" {
			csp = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
		}
	}
	h.Set("Content-Security-Policy", csp)
	// A large file to a slow client outlasts the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(transferTimeout))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", a.ETag())
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	http.ServeContent(w, r, "", a.CreatedAt, f)
}
