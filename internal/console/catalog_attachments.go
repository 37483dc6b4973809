package console

import (
	"net/http"
	"strconv"

	"gongkai/internal/catalog"
	"gongkai/internal/fault"
)

// catalogAttachmentRoutes registers the attachment forms of the item page:
// upload and delete on drafts, download by staff.
func (h *handler) catalogAttachmentRoutes(bureau route) {
	bureau("POST /console/{bureau}/catalog/items/{id}/attachments", h.catalogAttach)
	bureau("GET /console/{bureau}/catalog/items/{id}/attachments/{aid}", h.catalogAttachmentFile)
	bureau("POST /console/{bureau}/catalog/items/{id}/attachments/{aid}/delete", h.catalogDetach)
}

// loadCatalogAttachments fills the item page's attachment list, and whether
// files may be added or removed (drafts only, for those who may write).
func (h *handler) loadCatalogAttachments(r *http.Request, p *page, d *catalogItemData) error {
	as, err := h.deps.Catalog.Attachments(r.Context(), p.Bureau.ID, d.Detail.Item.ID)
	if err != nil {
		return err
	}
	d.Attachments = as
	d.CanAttach = d.Detail.Item.State == catalog.Draft && p.Can("catalog", "write")
	d.AttachmentLimit = strconv.FormatInt(h.deps.Catalog.AttachmentMaxBytes()>>20, 10)
	return nil
}

// catalogAttach stores the uploaded file (the form field "file") as an
// attachment of the draft; the service sniffs and checks it.
func (h *handler) catalogAttach(w http.ResponseWriter, r *http.Request, p *page) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.afterCatalogItemForm(w, r, p, fault.Field("file", "choose a file to upload"), "", "")
		return
	}
	defer file.Close()
	a, err := h.deps.Catalog.AddAttachment(r.Context(), p.Bureau.ID, catalogItemID(r), hdr.Filename, file)
	name := ""
	if err == nil {
		name = a.FileName
	}
	h.afterCatalogItemForm(w, r, p, err, "flash.catalog_attachment_added", name)
}

// catalogDetach removes an attachment of a draft.
func (h *handler) catalogDetach(w http.ResponseWriter, r *http.Request, p *page) {
	aid, _ := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	h.afterCatalogItemForm(w, r, p, h.deps.Catalog.DeleteAttachment(r.Context(), p.Bureau.ID, catalogItemID(r), aid), "flash.catalog_attachment_removed", "")
}

// catalogAttachmentFile serves an attachment to staff, always as a download
// with the safe headers (catalog.Attachment.Serve).
func (h *handler) catalogAttachmentFile(w http.ResponseWriter, r *http.Request, p *page) {
	aid, _ := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	a, f, err := h.deps.Catalog.OpenAttachment(r.Context(), p.Bureau.ID, catalogItemID(r), aid)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	defer f.Close()
	a.Serve(w, r, f, false)
}
