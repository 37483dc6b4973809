package catalog

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
)

// Sample files of the accepted and refused kinds.
var (
	samplePDF  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	sampleHTML = []byte("<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n")
	sampleSVG  = []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>`)
	sampleText = []byte("关于调整城乡低保标准的通知\n各街道：现将有关事项通知如下。\n")
)

func samplePNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sampleZip returns a ZIP with the named (empty-ish) entries.
func sampleZip(t testing.TB, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, "<x/>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storeFiles lists the files in the attachment store of the bureau.
func storeFiles(t testing.TB, f *fixture, tenantID int64) []string {
	t.Helper()
	es, err := os.ReadDir(f.svc.tenantDir(tenantID))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// attachmentRows counts the attachment rows of the bureau.
func attachmentRows(t testing.TB, f *fixture, tenantID int64) int {
	t.Helper()
	var n int64
	err := f.d.InTx(context.Background(), db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var err error
		n, err = tx.NewSelect().Model((*Attachment)(nil)).Where("tenant_id = ?", tenantID).Count(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func readAll(t testing.TB, f *os.File) []byte {
	t.Helper()
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestAttachmentsUploadListDownload(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		f.svc.SetAttachmentStore(t.TempDir(), 0)
		it, err := f.svc.Create(f.officer, f.a.ID, input("养老机构收费标准"))
		if err != nil {
			t.Fatal(err)
		}
		pngBytes := samplePNG(t)
		docx := sampleZip(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
		uploads := []struct {
			name  string
			body  []byte
			media string
		}{
			{`C:\Users\王\收费标准.pdf`, samplePDF, "application/pdf"},
			{"../../照片.png", pngBytes, "image/png"},
			{"说明.docx", docx, docxType},
			{"通知.txt", sampleText, "text/plain; charset=utf-8"},
			{"数据.ofd", sampleZip(t, "OFD.xml", "Doc_0/Document.xml"), "application/ofd"},
		}
		var ids []int64
		for _, u := range uploads {
			a, err := f.svc.AddAttachment(f.officer, f.a.ID, it.ID, u.name, bytes.NewReader(u.body))
			if err != nil {
				t.Fatalf("add %s: %v", u.name, err)
			}
			if a.MediaType != u.media || a.Size != int64(len(u.body)) || a.SHA256 != sum(u.body) {
				t.Errorf("%s: stored as %s, %d bytes, %s", u.name, a.MediaType, a.Size, a.SHA256)
			}
			if a.StoredName == "" || strings.Contains(a.StoredName, ".") || len(a.StoredName) != 32 {
				t.Errorf("stored name %q is not random hex", a.StoredName)
			}
			ids = append(ids, a.ID)
		}
		as, err := f.svc.Attachments(f.viewer, f.a.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range as {
			names = append(names, a.FileName)
		}
		if got := strings.Join(names, " "); got != "收费标准.pdf 照片.png 说明.docx 通知.txt 数据.ofd" {
			t.Errorf("list = %s", got)
		}
		// Downloads return the bytes as uploaded, for readers too.
		a, file, err := f.svc.OpenAttachment(f.viewer, f.a.ID, it.ID, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if b := readAll(t, file); !bytes.Equal(b, samplePDF) || sum(b) != a.SHA256 {
			t.Errorf("downloaded %d bytes, sha %s", len(b), sum(b))
		}
		if cd := a.ContentDisposition(false); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86.pdf") {
			t.Errorf("Content-Disposition = %s", cd)
		}
		if !a.Inline() || as[2].Inline() || as[3].Inline() {
			t.Errorf("inline: pdf %v, docx %v, txt %v", a.Inline(), as[2].Inline(), as[3].Inline())
		}
		if got := len(storeFiles(t, f, f.a.ID)); got != len(uploads) {
			t.Errorf("%d files in the store, want %d (no temporary files left)", got, len(uploads))
		}
		// Another bureau sees nothing: its own scope does not find A's item,
		// and A's scope is refused.
		if _, err := f.svc.Attachments(f.bAdmin, f.b.ID, it.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("B listing A's item in B: %v", err)
		}
		if _, _, err := f.svc.OpenAttachment(f.bAdmin, f.b.ID, it.ID, ids[0]); !fault.Is(err, fault.NotFound) {
			t.Errorf("B downloading A's file in B: %v", err)
		}
		if _, _, err := f.svc.OpenAttachment(f.bAdmin, f.a.ID, it.ID, ids[0]); !fault.Is(err, fault.NotFound) {
			t.Errorf("B downloading in A: %v", err)
		}
		if _, err := f.svc.AddAttachment(f.viewer, f.a.ID, it.ID, "x.pdf", bytes.NewReader(samplePDF)); !fault.Is(err, fault.Forbidden) {
			t.Errorf("viewer adding: %v", err)
		}
		// Not public while a draft.
		if _, _, err := f.svc.OpenPublicAttachment(context.Background(), f.a.ID, it.ID, ids[0]); !fault.Is(err, fault.NotFound) {
			t.Errorf("public download of a draft's file: %v", err)
		}
		if _, err := publicAttachments(f, context.Background(), it.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("public list of a draft's files: %v", err)
		}
		// Deleting a draft's file removes row and file.
		if err := f.svc.DeleteAttachment(f.officer, f.a.ID, it.ID, ids[3]); err != nil {
			t.Fatal(err)
		}
		if got := len(storeFiles(t, f, f.a.ID)); got != len(uploads)-1 {
			t.Errorf("%d files after delete", got)
		}
		if got := attachmentRows(t, f, f.a.ID); got != len(uploads)-1 {
			t.Errorf("%d rows after delete", got)
		}
		// Deleting the draft removes the rest.
		if err := f.svc.Delete(f.officer, f.a.ID, it.ID); err != nil {
			t.Fatal(err)
		}
		if n, rows := len(storeFiles(t, f, f.a.ID)), attachmentRows(t, f, f.a.ID); n != 0 || rows != 0 {
			t.Errorf("after deleting the draft: %d files, %d rows", n, rows)
		}
	})
}

func TestAttachmentsRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		f.svc.SetAttachmentStore(t.TempDir(), 4096)
		it, err := f.svc.Create(f.officer, f.a.ID, input("殡葬服务收费"))
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			body []byte
			want string
		}{
			{"页面.pdf", sampleHTML, "text/html"},
			{"图.png", sampleSVG, "image/svg+xml"},
			{"图.svg", sampleSVG, "not an accepted type"},
			{"页面.html", sampleHTML, "not an accepted type"},
			{"报告.pdf", samplePNG(t), "is named .pdf but its content is image/png"},
			{"宏.docx", sampleZip(t, "[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "macros"},
			{"包.docx", sampleZip(t, "a.txt"), "application/zip"},
			{"包.zip", sampleZip(t, "a.txt"), "not an accepted type"},
			{"程序.pdf", append([]byte("MZ\x90\x00"), make([]byte, 200)...), "not accepted"},
			{"无扩展名", samplePDF, "not an accepted type"},
			{".pdf", samplePDF, "not an accepted type"},
			{"..", samplePDF, "no file name"},
			{"空.pdf", nil, "is empty"},
			{"大.pdf", append(append([]byte{}, samplePDF...), make([]byte, 5000)...), "larger than the limit of 4 KiB"},
		}
		for _, c := range cases {
			_, err := f.svc.AddAttachment(f.officer, f.a.ID, it.ID, c.name, bytes.NewReader(c.body))
			if !fault.Is(err, fault.Invalid) || !strings.Contains(fault.MessageOf(err), c.want) {
				t.Errorf("%s: %v, want invalid saying %q", c.name, err, c.want)
				continue
			}
			if fs := fault.FieldsOf(err); len(fs) != 1 || fs[0].Field != "file" {
				t.Errorf("%s: fields %v", c.name, fs)
			}
		}
		_, err = f.svc.AddAttachment(f.officer, f.a.ID, it.ID, "页面.pdf", bytes.NewReader(sampleHTML))
		if msg := fault.MessageOf(err); !strings.Contains(msg, ".pdf") || !strings.Contains(msg, ".docx") {
			t.Errorf("refusal does not list the accepted types: %s", msg)
		}
		_, err = f.svc.AddAttachment(f.officer, f.a.ID, it.ID, "大.pdf", bytes.NewReader(make([]byte, 5000)))
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("too large: %v, want ErrTooLarge as cause", err)
		}
		if n, rows := len(storeFiles(t, f, f.a.ID)), attachmentRows(t, f, f.a.ID); n != 0 || rows != 0 {
			t.Errorf("refusals left %d files and %d rows", n, rows)
		}
		// Items under review do not change.
		if _, err := f.svc.Transition(f.officer, f.a.ID, it.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddAttachment(f.officer, f.a.ID, it.ID, "x.pdf", bytes.NewReader(samplePDF)); !fault.Is(err, fault.Conflict) || !strings.Contains(fault.MessageOf(err), "submitted") {
			t.Errorf("adding under review: %v", err)
		}
	})
}

func TestAttachmentStoreUnwritable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		// The store's path is a regular file: nothing can be created under
		// it, whoever runs the test.
		blocker := filepath.Join(t.TempDir(), "not-a-directory")
		if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		f.svc.SetAttachmentStore(blocker, 0)
		it, err := f.svc.Create(f.officer, f.a.ID, input("低保标准"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AddAttachment(f.officer, f.a.ID, it.ID, "通知.pdf", bytes.NewReader(samplePDF))
		if !fault.Is(err, fault.Unavailable) || !strings.Contains(fault.MessageOf(err), "attachment store cannot be written") {
			t.Fatalf("unwritable store: %v", err)
		}
		if rows := attachmentRows(t, f, f.a.ID); rows != 0 {
			t.Errorf("%d rows recorded for a file that was not stored", rows)
		}
		// A failing transaction after the file was written leaves no file:
		// the item is deleted between the check and the insert.
		dir := t.TempDir()
		f.svc.SetAttachmentStore(dir, 0)
		gone, err := f.svc.Create(f.officer, f.a.ID, input("将被删除"))
		if err != nil {
			t.Fatal(err)
		}
		body := &deleteWhileReading{r: bytes.NewReader(samplePDF), before: func() {
			if err := f.svc.Delete(f.officer, f.a.ID, gone.ID); err != nil {
				t.Error(err)
			}
		}}
		if _, err := f.svc.AddAttachment(f.officer, f.a.ID, gone.ID, "通知.pdf", body); !fault.Is(err, fault.NotFound) {
			t.Errorf("upload to an item deleted meanwhile: %v", err)
		}
		if files := storeFiles(t, f, f.a.ID); len(files) != 0 {
			t.Errorf("orphan files left: %v", files)
		}
	})
}

// deleteWhileReading runs before once when the upload is first read.
type deleteWhileReading struct {
	r      io.Reader
	before func()
}

func (d *deleteWhileReading) Read(p []byte) (int, error) {
	if d.before != nil {
		d.before()
		d.before = nil
	}
	return d.r.Read(p)
}

func TestAttachmentsPublicAndRevisions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		f.svc.SetAttachmentStore(t.TempDir(), 0)
		it, err := f.svc.Create(f.officer, f.a.ID, input("特困人员供养标准"))
		if err != nil {
			t.Fatal(err)
		}
		first, err := f.svc.AddAttachment(f.officer, f.a.ID, it.ID, "标准.pdf", bytes.NewReader(samplePDF))
		if err != nil {
			t.Fatal(err)
		}
		second, err := f.svc.AddAttachment(f.officer, f.a.ID, it.ID, "附表.txt", bytes.NewReader(sampleText))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []struct {
			ctx    context.Context
			action string
		}{{f.officer, ActSubmit}, {f.reviewer, ActApprove}, {f.officer, ActPublish}} {
			if _, err := f.svc.Transition(st.ctx, f.a.ID, it.ID, Step{Action: st.action}); err != nil {
				t.Fatalf("%s: %v", st.action, err)
			}
		}
		public := context.Background()
		as, err := publicAttachments(f, public, it.ID)
		if err != nil || len(as) != 2 {
			t.Fatalf("public list: %v %v", as, err)
		}
		a, file, err := f.svc.OpenPublicAttachment(public, f.a.ID, it.ID, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b := readAll(t, file); !bytes.Equal(b, samplePDF) || a.SHA256 != first.SHA256 {
			t.Errorf("public download differs")
		}
		// Published files are immutable.
		if err := f.svc.DeleteAttachment(f.officer, f.a.ID, it.ID, first.ID); !fault.Is(err, fault.Conflict) || !strings.Contains(fault.MessageOf(err), "revision") {
			t.Errorf("deleting a published file: %v", err)
		}
		// A revision carries the files over; its changes stay in the draft
		// until it is published.
		rev, err := f.svc.Revise(f.officer, f.a.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		ras, err := f.svc.Attachments(f.officer, f.a.ID, rev.ID)
		if err != nil || len(ras) != 2 || ras[0].SHA256 != first.SHA256 || ras[1].FileName != "附表.txt" {
			t.Fatalf("revision's files: %+v %v", ras, err)
		}
		if err := f.svc.DeleteAttachment(f.officer, f.a.ID, rev.ID, ras[1].ID); err != nil {
			t.Fatal(err)
		}
		newPNG := samplePNG(t)
		if _, err := f.svc.AddAttachment(f.officer, f.a.ID, rev.ID, "新附图.png", bytes.NewReader(newPNG)); err != nil {
			t.Fatal(err)
		}
		if as, _ := publicAttachments(f, public, it.ID); len(as) != 2 || as[1].FileName != "附表.txt" {
			t.Errorf("the public saw the revision's changes before publication: %+v", as)
		}
		_, file, err = f.svc.OpenPublicAttachment(public, f.a.ID, it.ID, second.ID)
		if err != nil {
			t.Fatalf("the published text file went with the revision's delete: %v", err)
		}
		_ = file.Close()
		if got := len(storeFiles(t, f, f.a.ID)); got != 3 {
			t.Errorf("%d files in the store, want 3 (pdf shared, txt, png)", got)
		}
		for _, st := range []struct {
			ctx    context.Context
			action string
		}{{f.officer, ActSubmit}, {f.reviewer, ActApprove}, {f.officer, ActPublish}} {
			if _, err := f.svc.Transition(st.ctx, f.a.ID, rev.ID, Step{Action: st.action}); err != nil {
				t.Fatalf("revision %s: %v", st.action, err)
			}
		}
		as, err = publicAttachments(f, public, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range as {
			names = append(names, a.FileName)
		}
		if got := strings.Join(names, " "); got != "标准.pdf 新附图.png" {
			t.Errorf("published files after the revision: %s", got)
		}
		if got := len(storeFiles(t, f, f.a.ID)); got != 2 {
			t.Errorf("%d files in the store after the revision, want 2 (the dropped text file removed)", got)
		}
		if _, _, err := f.svc.OpenPublicAttachment(public, f.a.ID, it.ID, second.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("dropped file still served: %v", err)
		}
		// An abandoned revision leaves the published files alone.
		rev2, err := f.svc.Revise(f.officer, f.a.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Delete(f.officer, f.a.ID, rev2.ID); err != nil {
			t.Fatal(err)
		}
		if got := len(storeFiles(t, f, f.a.ID)); got != 2 {
			t.Errorf("%d files after abandoning a revision, want 2", got)
		}
		// Withdrawn: no longer served.
		if _, err := f.svc.Transition(f.admin, f.a.ID, it.ID, Step{Action: ActWithdraw, Comment: "内容有误"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.OpenPublicAttachment(public, f.a.ID, it.ID, first.ID); !fault.Is(err, fault.NotFound) {
			t.Errorf("file of a withdrawn item: %v", err)
		}
	})
}

func TestSanitizeFileName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"../../etc/passwd.pdf":            "passwd.pdf",
		`C:\Users\x\报告.pdf`:               "报告.pdf",
		"a\x00b\nc.pdf":                   "abc.pdf",
		`名"称<>|.pdf`:                      "名_称___.pdf",
		"  .hidden.pdf. ":                 "hidden.pdf",
		"\u202egnp.pdf":                   "_gnp.pdf",
		strings.Repeat("长", 300) + ".pdf": strings.Repeat("长", 196) + ".pdf",
	} {
		if got := SanitizeFileName(in); got != want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzAttachmentName checks that any client file name becomes a safe name
// (no directories, no control characters, valid UTF-8, at most 200
// characters) and that Content-Disposition carries it back exactly.
func FuzzAttachmentName(f *testing.F) {
	for _, s := range []string{"通知.pdf", "../../a.pdf", `C:\x\y.docx`, "a\"b;c%d.txt", "\u202e.pdf", "", "..", strings.Repeat("长", 250) + ".xlsx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name := SanitizeFileName(in)
		if !utf8.ValidString(name) || strings.ContainsAny(name, "/\\\"<>|?*:") || strings.IndexFunc(name, unicode.IsControl) >= 0 ||
			utf8.RuneCountInString(name) > maxFileName || name != strings.TrimSpace(name) {
			t.Fatalf("SanitizeFileName(%q) = %q", in, name)
		}
		if name == "" {
			return
		}
		cd := Attachment{ID: 7, FileName: name}.ContentDisposition(false)
		kind, params, err := mime.ParseMediaType(cd)
		if err != nil || kind != "attachment" || params["filename"] != name && !strings.HasPrefix(cd, "attachment; filename=\"") {
			t.Fatalf("ContentDisposition(%q) = %q: %v %v", name, cd, params, err)
		}
		if params["filename"] != name {
			t.Fatalf("ContentDisposition(%q) = %q parses back as %q", name, cd, params["filename"])
		}
	})
}

// publicAttachments lists the files of bureau A's item as the public item
// page shows them.
func publicAttachments(f *fixture, ctx context.Context, itemID int64) ([]Attachment, error) {
	v, err := f.svc.PublicItem(ctx, f.a.ID, strconv.FormatInt(itemID, 10))
	if err != nil {
		return nil, err
	}
	return v.Attachments, nil
}
