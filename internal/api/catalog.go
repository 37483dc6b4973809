package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// CatalogItemIn is the content of a catalog item (目录条目): the fields of
// Art. 12 and of the national catalog guidance. Index number and
// publication date are assigned at publication.
type CatalogItemIn struct {
	ExternalID string       `json:"external_id,omitempty" maxLength:"100" doc:"The item's ID in your system; imports are idempotent by it"`
	Title      string       `json:"title" maxLength:"200" doc:"Name of the information (信息名称)"`
	Summary    string       `json:"summary,omitempty" maxLength:"2000" doc:"Content summary (内容概述, Art. 12)"`
	Body       string       `json:"body,omitempty" maxLength:"200000" doc:"Rich text (HTML); scripts, event handlers and unsafe links are removed"`
	DocNo      string       `json:"doc_no,omitempty" maxLength:"100" doc:"Document number (文号), e.g. 营民发〔2026〕3号"`
	Issuer     string       `json:"issuer,omitempty" maxLength:"100" doc:"Issuing body (发布机构); the bureau's name when omitted"`
	FormedOn   workday.Date `json:"formed_on" doc:"Date the information was formed or changed (生成日期); it must be published within 20 working days (Art. 26)"`
	Category   string       `json:"category" maxLength:"200" doc:"Code of a category of the bureau's catalog, e.g. policy.normative"`
	Topics     []string     `json:"topics,omitempty" maxItems:"20" doc:"Topic codes (主题分类) of the bureau's template"`
	DocKind    string       `json:"doc_kind,omitempty" enum:"rule,normative_document,other" doc:"规章 / 行政规范性文件 / other (default)"`
	Basis      int          `json:"basis,omitempty" minimum:"0" maximum:"15" doc:"Item of Art. 20 (1–15) under which it is disclosed proactively"`
}

func (in CatalogItemIn) domain() catalog.ItemInput {
	return catalog.ItemInput{ExternalID: in.ExternalID, Title: in.Title, Summary: in.Summary, Body: in.Body, DocNo: in.DocNo, Issuer: in.Issuer,
		FormedOn: in.FormedOn, Category: in.Category, Topics: in.Topics, DocKind: in.DocKind, Basis: in.Basis}
}

// CatalogItemOut is a catalog item as staff and integrators see it.
type CatalogItemOut struct {
	ID           int64        `json:"id"`
	ExternalID   string       `json:"external_id,omitempty"`
	State        string       `json:"state" enum:"draft,submitted,approved,published,withdrawn,repealed"`
	RevisesID    int64        `json:"revises_id,omitempty" doc:"For a revision draft: the published item it revises"`
	IndexNo      string       `json:"index_no,omitempty" doc:"Index number (索引号), assigned at first publication, never changed"`
	Title        string       `json:"title"`
	Summary      string       `json:"summary"`
	Body         string       `json:"body,omitempty"`
	DocNo        string       `json:"doc_no"`
	Issuer       string       `json:"issuer"`
	FormedOn     workday.Date `json:"formed_on"`
	PublishedOn  workday.Date `json:"published_on,omitzero" doc:"First publication date (发布日期)"`
	RevisedOn    workday.Date `json:"revised_on,omitzero" doc:"Date the latest revision was published"`
	Category     string       `json:"category"`
	CategoryName string       `json:"category_name,omitempty"`
	Topics       []string     `json:"topics"`
	DocKind      string       `json:"doc_kind"`
	Validity     string       `json:"validity" enum:"in_force,repealed,amended"`
	SupersededBy int64        `json:"superseded_by,omitempty"`
	Basis        int          `json:"basis,omitempty"`
	Revision     int          `json:"revision" doc:"Number of published versions"`
	AuthorName   string       `json:"author_name"`
	ReviewerName string       `json:"reviewer_name,omitempty" doc:"Who did the confidentiality review (Art. 17)"`
	ReviewedAt   *time.Time   `json:"reviewed_at,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

func catalogItemOut(it catalog.Item, categoryName string) CatalogItemOut {
	return CatalogItemOut{ID: it.ID, ExternalID: it.ExternalID, State: string(it.State), RevisesID: it.RevisesID, IndexNo: it.IndexNo,
		Title: it.Title, Summary: it.Summary, Body: it.Body, DocNo: it.DocNo, Issuer: it.Issuer, FormedOn: it.FormedOn,
		PublishedOn: it.PublishedOn, RevisedOn: it.RevisedOn, Category: it.CategoryCode, CategoryName: categoryName, Topics: it.TopicCodes(),
		DocKind: it.DocKind, Validity: it.Validity, SupersededBy: it.SupersededBy, Basis: it.Basis, Revision: it.Revision,
		AuthorName: it.AuthorName, ReviewerName: it.ReviewerName, ReviewedAt: it.ReviewedAt, CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC()}
}

// CatalogTransitionOut is one recorded workflow step.
type CatalogTransitionOut struct {
	Action    string    `json:"action"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to"`
	Comment   string    `json:"comment,omitempty"`
	ActorName string    `json:"actor_name"`
	At        time.Time `json:"at"`
}

// CatalogRevisionOut is one published version of an item.
type CatalogRevisionOut struct {
	Revision      int          `json:"revision"`
	Title         string       `json:"title"`
	PublishedOn   workday.Date `json:"published_on"`
	ReviewerName  string       `json:"reviewer_name"`
	PublisherName string       `json:"publisher_name"`
	PublishedAt   time.Time    `json:"published_at"`
}

// CatalogItemDetailOut is an item with its history and its deadline.
type CatalogItemDetailOut struct {
	Item           CatalogItemOut         `json:"item"`
	Transitions    []CatalogTransitionOut `json:"transitions"`
	Revisions      []CatalogRevisionOut   `json:"revisions"`
	Allowed        []string               `json:"allowed_actions" doc:"What the state allows next (workflow actions, edit, delete, revise)"`
	DueOn          workday.Date           `json:"due_on,omitzero" doc:"Art. 26: formed_on + 20 working days"`
	DaysLeft       *int                   `json:"days_left,omitempty" doc:"Working days left to due_on (negative when past), for unpublished items"`
	OpenRevisionID int64                  `json:"open_revision_id,omitempty" doc:"The revision draft in progress, if any"`
}

func catalogDetailOut(d *catalog.Detail) CatalogItemDetailOut {
	out := CatalogItemDetailOut{Item: catalogItemOut(d.Item, d.CategoryName), Transitions: []CatalogTransitionOut{}, Revisions: []CatalogRevisionOut{},
		Allowed: nonNil(d.Allowed), DueOn: d.DueOn, OpenRevisionID: d.OpenRevisionID}
	for _, t := range d.Transitions {
		out.Transitions = append(out.Transitions, CatalogTransitionOut{Action: t.Action, From: t.FromState, To: t.ToState, Comment: t.Comment, ActorName: t.ActorName, At: t.At})
	}
	for _, r := range d.Revisions {
		out.Revisions = append(out.Revisions, CatalogRevisionOut{Revision: r.Revision, Title: r.Title, PublishedOn: r.PublishedOn, ReviewerName: r.ReviewerName,
			PublisherName: r.PublisherName, PublishedAt: r.PublishedAt})
	}
	switch d.Item.State {
	case catalog.Draft, catalog.Submitted, catalog.Approved:
		left := d.DaysLeft
		out.DaysLeft = &left
	}
	return out
}

// CatalogHitOut is an item in a result list, with the search terms
// highlighted.
type CatalogHitOut struct {
	CatalogItemOut
	Highlight struct {
		Title   string `json:"title" doc:"HTML: the title escaped, matches in <mark>"`
		Summary string `json:"summary" doc:"HTML: an excerpt of the summary around the first match, escaped, matches in <mark>"`
	} `json:"highlight"`
}

type catalogListOutput struct {
	Body struct {
		Items    []CatalogHitOut `json:"items"`
		Total    int             `json:"total"`
		Page     int             `json:"page"`
		PerPage  int             `json:"per_page"`
		NextPage int             `json:"next_page,omitempty" doc:"Pass as page to get the next page; absent on the last page"`
	}
}

func catalogList(res *catalog.Results) *catalogListOutput {
	out := &catalogListOutput{}
	out.Body.Items = make([]CatalogHitOut, 0, len(res.Hits))
	for _, h := range res.Hits {
		o := CatalogHitOut{CatalogItemOut: catalogItemOut(h.Item, h.CategoryName)}
		o.Body = ""
		o.Highlight.Title, o.Highlight.Summary = string(h.TitleHTML), string(h.SummaryHTML)
		out.Body.Items = append(out.Body.Items, o)
	}
	out.Body.Total, out.Body.Page, out.Body.PerPage, out.Body.NextPage = res.Total, res.Page, res.PerPage, res.NextPage()
	return out
}

// CatalogQuery are the search and filter parameters of catalog lists.
type CatalogQuery struct {
	Q        string `query:"q" maxLength:"200" doc:"Search text; every whitespace-separated term must occur in the title, summary, document number or index number (substring match, works for Chinese)"`
	Category string `query:"category" maxLength:"200" doc:"Category code; sub-categories included"`
	Year     int    `query:"year" doc:"Only items first published in this year"`
	Kind     string `query:"kind" enum:"rule,normative_document,other" doc:"Document kind"`
	Page     int    `query:"page" default:"1" minimum:"1" maximum:"1000"`
	PerPage  int    `query:"per_page" default:"20" minimum:"1" maximum:"100"`
}

func (q CatalogQuery) domain() catalog.Query {
	return catalog.Query{Q: q.Q, Category: q.Category, Year: q.Year, DocKind: q.Kind, Page: q.Page, PerPage: q.PerPage}
}

type catalogListInput struct {
	Slug  string   `path:"slug" doc:"Slug of the bureau"`
	State []string `query:"state" doc:"Only these states" enum:"draft,submitted,approved,published,withdrawn,repealed"`
	CatalogQuery
}

type catalogPublicListInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	CatalogQuery
}

type catalogItemInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Item id"`
}

type catalogCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body CatalogItemIn
}

type catalogUpdateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Item id"`
	Body CatalogItemIn
}

type catalogTransitionInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Item id"`
	Body struct {
		Action       string `json:"action" enum:"submit,approve,return,publish,withdraw,repeal" doc:"submit (for confidentiality review, Art. 17), approve or return (reviewer), publish, withdraw (bureau admin), repeal"`
		Comment      string `json:"comment,omitempty" maxLength:"2000" doc:"Recorded with the step; required for return and withdraw"`
		Validity     string `json:"validity,omitempty" enum:"repealed,amended" doc:"repeal only: 已废止 (default) or 已修订"`
		SupersededBy int64  `json:"superseded_by,omitempty" doc:"repeal only: the published item replacing this one; required when amended"`
	}
}

type catalogItemOutput struct {
	Body CatalogItemOut
}

type catalogRiskOut struct {
	Item       CatalogItemOut `json:"item"`
	DueOn      workday.Date   `json:"due_on,omitzero"`
	DaysLeft   int            `json:"days_left" doc:"Working days to the due date; negative when overdue"`
	Overdue    bool           `json:"overdue"`
	DueUnknown bool           `json:"due_unknown,omitempty" doc:"The calendar does not cover the period"`
}

type catalogRisksInput struct {
	Slug  string `path:"slug" doc:"Slug of the bureau"`
	Today string `query:"today" doc:"Count from this day (YYYY-MM-DD) instead of today in the bureau's time zone" example:"2026-03-02"`
}

type catalogImportInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		Items []CatalogItemIn `json:"items" minItems:"1" maxItems:"1000" doc:"Each item needs an external_id"`
	}
}

type catalogExportInput struct {
	Slug   string   `path:"slug" doc:"Slug of the bureau"`
	Format string   `query:"format" default:"csv" enum:"csv,json"`
	State  []string `query:"state" doc:"Only these states" enum:"draft,submitted,approved,published,withdrawn,repealed"`
}

type catalogCategoriesOutput struct {
	Body struct {
		Categories []catalog.CategoryNode `json:"categories"`
		Topics     []struct {
			Code string `json:"code"`
			Name string `json:"name"`
		} `json:"topics"`
	}
}

type catalogCategoryInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		Code string `json:"code" minLength:"1" maxLength:"200" doc:"Full code; a sub-category extends its parent's code with a dot, e.g. elderly_care.subsidies"`
		Name string `json:"name" minLength:"1" maxLength:"50" doc:"Chinese name shown in the catalog"`
	}
}

type catalogCategoryRenameInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Code string `path:"code" doc:"Category code"`
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"50"`
	}
}

type catalogCategoryDeleteInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Code string `path:"code" doc:"Category code"`
}

// CategoryOut is a stored category.
type CategoryOut struct {
	Code   string `json:"code"`
	Parent string `json:"parent,omitempty"`
	Name   string `json:"name"`
}

// PublicCatalogItemOut is a published item as the public sees it: the
// metadata of a government disclosure page and the body.
type PublicCatalogItemOut struct {
	ID          int64        `json:"id"`
	IndexNo     string       `json:"index_no" doc:"索引号"`
	Title       string       `json:"title"`
	Summary     string       `json:"summary" doc:"内容概述"`
	Body        string       `json:"body" doc:"HTML, sanitised"`
	DocNo       string       `json:"doc_no" doc:"文号"`
	Issuer      string       `json:"issuer" doc:"发布机构"`
	FormedOn    workday.Date `json:"formed_on" doc:"生成日期"`
	PublishedOn workday.Date `json:"published_on" doc:"发布日期"`
	RevisedOn   workday.Date `json:"revised_on,omitzero" doc:"Date of the latest revision, when revised"`
	Revision    int          `json:"revision"`
	Category    CategoryOut  `json:"category"`
	Topics      []string     `json:"topics" doc:"Topic names (主题分类)"`
	DocKind     string       `json:"doc_kind"`
	Validity    string       `json:"validity" enum:"in_force,repealed,amended" doc:"有效性"`
	Superseded  *struct {
		ID      int64  `json:"id"`
		IndexNo string `json:"index_no"`
		Title   string `json:"title"`
	} `json:"superseded_by,omitempty"`
	Basis int `json:"basis,omitempty" doc:"Item of Art. 20"`
	// Attachments are the item's files (附件), downloadable from the portal.
	Attachments []PublicAttachmentOut `json:"attachments"`
}

// PublicAttachmentOut is a file of a published item.
type PublicAttachmentOut struct {
	ID        int64  `json:"id"`
	FileName  string `json:"file_name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size" doc:"Bytes"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url" doc:"Path of the download on the public portal"`
}

// PublicCatalogHitOut is a published item in a public result list.
type PublicCatalogHitOut struct {
	ID          int64        `json:"id"`
	IndexNo     string       `json:"index_no"`
	Title       string       `json:"title"`
	Summary     string       `json:"summary"`
	DocNo       string       `json:"doc_no"`
	Issuer      string       `json:"issuer"`
	FormedOn    workday.Date `json:"formed_on"`
	PublishedOn workday.Date `json:"published_on"`
	RevisedOn   workday.Date `json:"revised_on,omitzero"`
	Category    CategoryOut  `json:"category"`
	DocKind     string       `json:"doc_kind"`
	Validity    string       `json:"validity"`
	Highlight   struct {
		Title   string `json:"title" doc:"HTML: the title escaped, matches in <mark>"`
		Summary string `json:"summary" doc:"HTML: an excerpt of the summary, escaped, matches in <mark>"`
	} `json:"highlight"`
}

type publicCatalogListOutput struct {
	Body struct {
		Items    []PublicCatalogHitOut `json:"items"`
		Total    int                   `json:"total"`
		Page     int                   `json:"page"`
		PerPage  int                   `json:"per_page"`
		NextPage int                   `json:"next_page,omitempty" doc:"Pass as page to get the next page; absent on the last page"`
	}
}

type catalogPublicItemInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Key  string `path:"key" doc:"Item id, or its index number with / encoded as %2F" example:"112108000012358135%2F2026-00001"`
}

type catalogDownloadOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func toStates(ss []string) []catalog.State {
	out := make([]catalog.State, 0, len(ss))
	for _, s := range ss {
		out = append(out, catalog.State(s))
	}
	return out
}

func (s *Server) registerCatalog() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	tags := []string{"catalog"}
	cat := s.deps.Catalog

	register(s.API, huma.Operation{
		OperationID: "list-catalog-categories", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/categories", Summary: "Category tree of a catalog (public)",
		Description: "The bureau's catalog categories (信息类别) as a tree, and the topics (主题分类) items can be filed under. Public: the guide states the classification system (Art. 12).",
		Tags:        []string{"catalog", "public"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *slugInput) (*catalogCategoriesOutput, error) {
		t := tenantFrom(ctx)
		tree, err := cat.Categories(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out := &catalogCategoriesOutput{}
		out.Body.Categories = tree
		if out.Body.Categories == nil {
			out.Body.Categories = []catalog.CategoryNode{}
		}
		for _, tp := range cat.Template(t).Topics {
			out.Body.Topics = append(out.Body.Topics, struct {
				Code string `json:"code"`
				Name string `json:"name"`
			}{tp.Code, tp.Name})
		}
		if out.Body.Topics == nil {
			out.Body.Topics = []struct {
				Code string `json:"code"`
				Name string `json:"name"`
			}{}
		}
		return out, nil
	})
	register(s.API, huma.Operation{
		OperationID: "add-catalog-category", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/catalog/categories", Summary: "Add a catalog category",
		Description: "Adds a category to the bureau's tree; a sub-category's code extends its parent's code. Bureau admin.",
		Tags:        tags, Security: security, DefaultStatus: http.StatusCreated, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogCategoryInput) (*struct{ Body CategoryOut }, error) {
		c, err := cat.AddCategory(ctx, tenantFrom(ctx).ID, in.Body.Code, in.Body.Name)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CategoryOut }{Body: CategoryOut{Code: c.Code, Parent: c.ParentCode, Name: c.Name}}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "rename-catalog-category", Method: http.MethodPut, Path: "/v1/bureaus/{slug}/catalog/categories/{code}", Summary: "Rename a catalog category",
		Description: "Changes the name of a category; its code, items and URLs stay. Bureau admin.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogCategoryRenameInput) (*struct{ Body CategoryOut }, error) {
		c, err := cat.RenameCategory(ctx, tenantFrom(ctx).ID, in.Code, in.Body.Name)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CategoryOut }{Body: CategoryOut{Code: c.Code, Parent: c.ParentCode, Name: c.Name}}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "delete-catalog-category", Method: http.MethodDelete, Path: "/v1/bureaus/{slug}/catalog/categories/{code}", Summary: "Delete an empty catalog category",
		Description: "Deletes a category without sub-categories or items; otherwise 409. Bureau admin.",
		Tags:        tags, Security: security, DefaultStatus: http.StatusNoContent, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogCategoryDeleteInput) (*struct{}, error) {
		return nil, cat.DeleteCategory(ctx, tenantFrom(ctx).ID, in.Code)
	})

	register(s.API, huma.Operation{
		OperationID: "create-catalog-item", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/catalog/items", Summary: "Create a catalog item (draft)",
		Description: "Creates a draft item. It is published only after confidentiality review (Art. 17), within 20 working days of formed_on (Art. 26). A missing required field answers 422 naming it.",
		Tags:        tags, Security: security, DefaultStatus: http.StatusCreated, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogCreateInput) (*catalogItemOutput, error) {
		it, err := cat.Create(ctx, tenantFrom(ctx).ID, in.Body.domain())
		if err != nil {
			return nil, err
		}
		return &catalogItemOutput{Body: catalogItemOut(*it, "")}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-catalog-items", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/items", Summary: "List and search catalog items",
		Description: "The bureau's items in every state (or those asked for), newest change first; with q, best matches first (title matches, then newer), terms highlighted. Page-numbered.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogListInput) (*catalogListOutput, error) {
		q := in.CatalogQuery.domain()
		q.States = toStates(in.State)
		res, err := cat.List(ctx, tenantFrom(ctx).ID, q)
		if err != nil {
			return nil, err
		}
		return catalogList(res), nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-catalog-item", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/items/{id}", Summary: "Get a catalog item",
		Description: "An item with its workflow steps (who, when, comment), its published revisions, the actions its state allows and its Art. 26 due date.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogItemInput) (*struct{ Body CatalogItemDetailOut }, error) {
		d, err := cat.Get(ctx, tenantFrom(ctx).ID, in.ID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body CatalogItemDetailOut }{Body: catalogDetailOut(d)}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "update-catalog-item", Method: http.MethodPut, Path: "/v1/bureaus/{slug}/catalog/items/{id}", Summary: "Edit a draft",
		Description: "Replaces the content of a draft (or revision draft). Items under review answer 409 (return them to draft first); a published item is changed through a revision.",
		Tags:        tags, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogUpdateInput) (*catalogItemOutput, error) {
		it, err := cat.Update(ctx, tenantFrom(ctx).ID, in.ID, in.Body.domain())
		if err != nil {
			return nil, err
		}
		return &catalogItemOutput{Body: catalogItemOut(*it, "")}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "delete-catalog-item", Method: http.MethodDelete, Path: "/v1/bureaus/{slug}/catalog/items/{id}", Summary: "Delete a draft",
		Description: "Deletes a draft that was never published, or an abandoned revision draft. Published information is withdrawn, not deleted (409).",
		Tags:        tags, Security: security, DefaultStatus: http.StatusNoContent, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogItemInput) (*struct{}, error) {
		return nil, cat.Delete(ctx, tenantFrom(ctx).ID, in.ID)
	})
	register(s.API, huma.Operation{
		OperationID: "transition-catalog-item", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/catalog/items/{id}/transitions", Summary: "Move an item through the workflow",
		Description: "draft → submitted (confidentiality review, Art. 17) → approved → published → withdrawn | repealed; return sends an item under review back to draft with a comment. " +
			"The reviewer must not be the author unless the bureau allows it. Publishing assigns the index number (gapless per bureau and year). " +
			"An action the state does not allow answers 409 naming the current state and the allowed actions.",
		Tags: tags, Security: security, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogTransitionInput) (*catalogItemOutput, error) {
		b := in.Body
		it, err := cat.Transition(ctx, tenantFrom(ctx).ID, in.ID, catalog.Step{Action: b.Action, Comment: b.Comment, Validity: b.Validity, SupersededBy: b.SupersededBy})
		if err != nil {
			return nil, err
		}
		return &catalogItemOutput{Body: catalogItemOut(*it, "")}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "revise-catalog-item", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/catalog/items/{id}/revisions", Summary: "Start a revision of a published item",
		Description: "Creates a revision draft holding a copy of the published content. Edit it and take it through review; once published it replaces the item's content, the item keeps its index number and the previous version is kept.",
		Tags:        tags, Security: security, DefaultStatus: http.StatusCreated, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogItemInput) (*catalogItemOutput, error) {
		it, err := cat.Revise(ctx, tenantFrom(ctx).ID, in.ID)
		if err != nil {
			return nil, err
		}
		return &catalogItemOutput{Body: catalogItemOut(*it, "")}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "list-catalog-publication-risks", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/publication-risks", Summary: "Items near or past the 20-working-day rule",
		Description: "Unpublished items whose Art. 26 due date (formed_on + 20 working days) is at most 5 working days away or past, soonest first.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogRisksInput) (*struct{ Body []catalogRiskOut }, error) {
		t := tenantFrom(ctx)
		var today workday.Date // zero: today in the bureau's time zone
		if in.Today != "" {
			d, err := workday.ParseDate(in.Today)
			if err != nil {
				return nil, fault.Field("today", "is not a date (YYYY-MM-DD)")
			}
			today = d
		}
		rs, err := cat.PublicationRisks(ctx, t.ID, today)
		if err != nil {
			return nil, err
		}
		out := make([]catalogRiskOut, 0, len(rs))
		for _, r := range rs {
			item := catalogItemOut(r.Item, "")
			item.Body = ""
			out = append(out, catalogRiskOut{Item: item, DueOn: r.DueOn, DaysLeft: r.DaysLeft, Overdue: r.Overdue, DueUnknown: r.DueUnknown})
		}
		return &struct{ Body []catalogRiskOut }{Body: out}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "import-catalog-items", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/catalog/import", Summary: "Import items (idempotent, all or nothing)",
		Description: "Creates or updates drafts by external_id: a new external_id creates a draft, a known one updates the draft or leaves it when identical. " +
			"The batch is all-or-nothing: when any row is rejected nothing is written and the 422 response lists each rejected row's fields as items[i].field.",
		Tags: tags, Security: security, MaxBodyBytes: 10 << 20, Errors: errs,
	}, func(ctx context.Context, in *catalogImportInput) (*struct{ Body catalog.ImportReport }, error) {
		rows := make([]catalog.ItemInput, len(in.Body.Items))
		for i, it := range in.Body.Items {
			rows[i] = it.domain()
		}
		rep, err := cat.Import(ctx, tenantFrom(ctx).ID, rows)
		if err != nil {
			return nil, err
		}
		return &struct{ Body catalog.ImportReport }{Body: *rep}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "export-catalog-items", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/export", Summary: "Export items (CSV or JSON)",
		Description: "Every item of the bureau (or those in the given states) as CSV (UTF-8, header row) or as a JSON array that import-catalog-items accepts back.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogExportInput) (*catalogDownloadOutput, error) {
		t := tenantFrom(ctx)
		var buf bytes.Buffer
		if err := cat.Export(ctx, t.ID, toStates(in.State), in.Format, &buf); err != nil {
			return nil, err
		}
		out := &catalogDownloadOutput{Body: buf.Bytes(), ContentDisposition: `attachment; filename="catalog-` + t.Slug + `.` + in.Format + `"`}
		out.ContentType = "text/csv; charset=utf-8"
		if in.Format == catalog.FormatJSON {
			out.ContentType = "application/json"
		}
		return out, nil
	})

	register(s.API, huma.Operation{
		OperationID: "search-public-catalog", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/public/catalog/items", Summary: "Search the public catalog (public)",
		Description: "Published (and repealed) items of the bureau, newest first; with q, best matches first with terms highlighted. No account needed (Art. 19–23).",
		Tags:        []string{"catalog", "public"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *catalogPublicListInput) (*publicCatalogListOutput, error) {
		res, err := cat.PublicSearch(ctx, tenantFrom(ctx).ID, in.CatalogQuery.domain())
		if err != nil {
			return nil, err
		}
		out := &publicCatalogListOutput{}
		out.Body.Items = make([]PublicCatalogHitOut, 0, len(res.Hits))
		for _, h := range res.Hits {
			o := PublicCatalogHitOut{ID: h.ID, IndexNo: h.IndexNo, Title: h.Title, Summary: h.Summary, DocNo: h.DocNo, Issuer: h.Issuer,
				FormedOn: h.FormedOn, PublishedOn: h.PublishedOn, RevisedOn: h.RevisedOn, Category: CategoryOut{Code: h.CategoryCode, Name: h.CategoryName},
				DocKind: h.DocKind, Validity: h.Validity}
			o.Highlight.Title, o.Highlight.Summary = string(h.TitleHTML), string(h.SummaryHTML)
			out.Body.Items = append(out.Body.Items, o)
		}
		out.Body.Total, out.Body.Page, out.Body.PerPage, out.Body.NextPage = res.Total, res.Page, res.PerPage, res.NextPage()
		return out, nil
	})
	op := huma.Operation{
		OperationID: "get-public-catalog-item", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/public/catalog/items/{key}", Summary: "Get a published item (public)",
		Description: "A published or repealed item by id or index number, with the metadata of a disclosure page. A withdrawn item answers 410; drafts and items under review are not found.",
		Tags:        []string{"catalog", "public"}, Errors: append(append([]int{}, commonErrors...), http.StatusNotFound, http.StatusGone),
	}
	huma.Register(s.API, op, func(ctx context.Context, in *catalogPublicItemInput) (*struct{ Body PublicCatalogItemOut }, error) {
		v, err := cat.PublicItem(ctx, tenantFrom(ctx).ID, in.Key)
		if err != nil {
			return nil, problem(err)
		}
		if v.Gone {
			return nil, huma.Error410Gone("this item (" + v.Item.IndexNo + ") has been withdrawn from the catalog")
		}
		it := v.Item
		out := PublicCatalogItemOut{ID: it.ID, IndexNo: it.IndexNo, Title: it.Title, Summary: it.Summary, Body: string(cat.SafeBody(it.Body)), DocNo: it.DocNo,
			Issuer: it.Issuer, FormedOn: it.FormedOn, PublishedOn: it.PublishedOn, RevisedOn: it.RevisedOn, Revision: it.Revision,
			Category: CategoryOut{Code: it.CategoryCode, Name: v.CategoryName}, Topics: nonNil(v.TopicNames), DocKind: it.DocKind, Validity: it.Validity, Basis: it.Basis}
		if by := v.SupersededBy; by != nil {
			out.Superseded = &struct {
				ID      int64  `json:"id"`
				IndexNo string `json:"index_no"`
				Title   string `json:"title"`
			}{by.ID, by.IndexNo, by.Title}
		}
		out.Attachments = make([]PublicAttachmentOut, 0, len(v.Attachments))
		for _, a := range v.Attachments {
			out.Attachments = append(out.Attachments, PublicAttachmentOut{ID: a.ID, FileName: a.FileName, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256,
				URL: "/b/" + tenantFrom(ctx).Slug + "/catalog/" + it.IndexNo + "/attachments/" + strconv.FormatInt(a.ID, 10)})
		}
		return &struct{ Body PublicCatalogItemOut }{Body: out}, nil
	})
	s.registerCatalogAttachments()
}

// CatalogAttachmentOut is a file attached to a catalog item.
type CatalogAttachmentOut struct {
	ID        int64     `json:"id"`
	FileName  string    `json:"file_name" doc:"Original file name, sanitised"`
	MediaType string    `json:"media_type" doc:"Type sniffed from the content"`
	Size      int64     `json:"size" doc:"Bytes"`
	SHA256    string    `json:"sha256" doc:"Hex SHA-256 of the content; the download's ETag"`
	Position  int       `json:"position"`
	CreatedBy string    `json:"created_by" doc:"Who uploaded it"`
	CreatedAt time.Time `json:"created_at"`
}

func catalogAttachmentOut(a catalog.Attachment) CatalogAttachmentOut {
	return CatalogAttachmentOut{ID: a.ID, FileName: a.FileName, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256, Position: a.Position,
		CreatedBy: a.CreatedByName, CreatedAt: a.CreatedAt.UTC()}
}

type catalogAttachmentInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Item id"`
	AID  int64  `path:"aid" doc:"Attachment id"`
}

// rawRequestKey carries the HTTP request to the upload handler, which reads
// the multipart body itself as a stream.
type rawRequestKey struct{}

// attachmentProblem is problem with 413 for a file over the size limit.
func attachmentProblem(err error) error {
	if errors.Is(err, catalog.ErrTooLarge) {
		return huma.NewError(http.StatusRequestEntityTooLarge, fault.MessageOf(err), errDetails(err)...)
	}
	return problem(err)
}

// uploadPart returns the name and content of the form's "file" part. Other
// parts before it are skipped.
func uploadPart(r *http.Request) (string, io.Reader, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, fault.Field("file", "send the file as multipart/form-data with a part named file (%v)", err)
	}
	for range 10 {
		p, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return "", nil, catalog.ErrTooLarge
		case errors.Is(err, io.EOF):
			return "", nil, fault.Field("file", "is missing: send the file in a form part named file")
		case err != nil:
			return "", nil, fault.Field("file", "cannot read the multipart form: %v", err)
		}
		if p.FormName() == "file" {
			return p.FileName(), p, nil
		}
	}
	return "", nil, fault.Field("file", "is missing: send the file in a form part named file")
}

// registerCatalogAttachments adds the attachment operations: upload, list,
// download and delete.
func (s *Server) registerCatalogAttachments() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	tags := []string{"catalog"}
	cat := s.deps.Catalog
	limit := cat.AttachmentMaxBytes()
	types := make([]string, 0, len(catalog.AllowedTypes))
	for _, ft := range catalog.AllowedTypes {
		types = append(types, ft.Label+" ("+strings.Join(ft.Extensions, ", ")+")")
	}
	accepted := strings.Join(types, ", ")

	upload := huma.Operation{
		OperationID: "upload-catalog-attachment", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/catalog/items/{id}/attachments", Summary: "Attach a file to a draft item",
		Description: "Uploads one file as multipart/form-data (part `file`, with its file name). At most " + strconv.FormatInt(limit, 10) + " bytes. " +
			"The type is sniffed from the content and must be one of " + accepted + ", matching the file name's extension (a .pdf that is really HTML is refused). " +
			"Only drafts and revision drafts take attachments (409 otherwise). Too large answers 413 naming the limit; a type not accepted answers 422 naming the accepted ones; " +
			"an attachment store that cannot be written answers 503 and nothing is recorded.",
		Tags: tags, Security: security, DefaultStatus: http.StatusCreated,
		Errors: append(append(append([]int{}, commonErrors...), errs...), http.StatusConflict, http.StatusRequestEntityTooLarge),
		// The body is read by the handler as a stream, not by huma: the
		// schema is documented after registration (below).
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {}}},
		Middlewares: huma.Middlewares{func(ctx huma.Context, next func(huma.Context)) {
			r, w := humago.Unwrap(ctx)
			catalog.ExtendTransferDeadlines(w)
			next(huma.WithValue(ctx, rawRequestKey{}, r))
		}},
	}
	huma.Register(s.API, upload, func(ctx context.Context, in *catalogItemInput) (*struct{ Body CatalogAttachmentOut }, error) {
		t := tenantFrom(ctx)
		// Refuse before the upload is read.
		if err := s.deps.Authz.Require(ctx, t.ID, "catalog", "write"); err != nil {
			return nil, problem(err)
		}
		r, _ := ctx.Value(rawRequestKey{}).(*http.Request)
		if r == nil {
			return nil, problem(fault.New(fault.Internal, "no request"))
		}
		var name string
		var body io.Reader
		var err error
		if r.ContentLength > limit+1<<20 { // no need to read what cannot fit
			err = catalog.ErrTooLarge
		} else {
			name, body, err = uploadPart(r)
		}
		if errors.Is(err, catalog.ErrTooLarge) {
			err = cat.AttachmentTooLarge()
		}
		if err != nil {
			return nil, attachmentProblem(err)
		}
		a, err := cat.AddAttachment(ctx, t.ID, in.ID, name, body)
		if err != nil {
			return nil, attachmentProblem(err)
		}
		return &struct{ Body CatalogAttachmentOut }{Body: catalogAttachmentOut(*a)}, nil
	})
	if pi := s.API.OpenAPI().Paths[upload.Path]; pi != nil && pi.Post != nil && pi.Post.RequestBody != nil {
		pi.Post.RequestBody.Content["multipart/form-data"].Schema = &huma.Schema{Type: "object", Required: []string{"file"},
			Properties: map[string]*huma.Schema{"file": {Type: "string", Format: "binary", Description: "The file, with its name (filename in Content-Disposition)"}}}
	}
	register(s.API, huma.Operation{
		OperationID: "list-catalog-attachments", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/items/{id}/attachments", Summary: "List an item's attachments",
		Description: "The files of an item in order, with their sniffed type, size and SHA-256.",
		Tags:        tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogItemInput) (*struct{ Body []CatalogAttachmentOut }, error) {
		as, err := cat.Attachments(ctx, tenantFrom(ctx).ID, in.ID)
		if err != nil {
			return nil, err
		}
		out := make([]CatalogAttachmentOut, 0, len(as))
		for _, a := range as {
			out = append(out, catalogAttachmentOut(a))
		}
		return &struct{ Body []CatalogAttachmentOut }{Body: out}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "download-catalog-attachment", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/catalog/items/{id}/attachments/{aid}", Summary: "Download an attachment",
		Description: "The file's bytes with its sniffed Content-Type, Content-Disposition: attachment (the original name as filename*), X-Content-Type-Options: nosniff " +
			"and the SHA-256 as ETag (If-None-Match answers 304; Range requests are served).",
		Tags: tags, Security: security, Errors: errs,
	}, func(ctx context.Context, in *catalogAttachmentInput) (*huma.StreamResponse, error) {
		a, f, err := cat.OpenAttachment(ctx, tenantFrom(ctx).ID, in.ID, in.AID)
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			defer f.Close()
			r, w := humago.Unwrap(hctx)
			a.Serve(w, r, f, false)
		}}, nil
	})
	register(s.API, huma.Operation{
		OperationID: "delete-catalog-attachment", Method: http.MethodDelete, Path: "/v1/bureaus/{slug}/catalog/items/{id}/attachments/{aid}", Summary: "Delete an attachment of a draft",
		Description: "Removes a file from a draft or revision draft. A published item's files are immutable (409): start a revision, change its files and publish it.",
		Tags:        tags, Security: security, DefaultStatus: http.StatusNoContent, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *catalogAttachmentInput) (*struct{}, error) {
		return nil, cat.DeleteAttachment(ctx, tenantFrom(ctx).ID, in.ID, in.AID)
	})
}
