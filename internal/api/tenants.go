package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/tenant"
)

// TenantLister reads bureaus; *tenant.Service implements it.
type TenantLister interface {
	List(ctx context.Context) ([]tenant.Tenant, error)
	BySlug(ctx context.Context, slug string) (tenant.Tenant, error)
}

// Bureau is the public description of a bureau (tenant): what its disclosure
// guide publishes.
type Bureau struct {
	Slug       string  `json:"slug" doc:"Stable identifier used in URLs" example:"civil-affairs"`
	Name       string  `json:"name" doc:"Official Chinese name"`
	NameEN     string  `json:"name_en,omitempty" doc:"English name"`
	Kind       string  `json:"kind" doc:"Kind of bureau" enum:"civil_affairs,welfare_home,funeral_service,veteran_center,rescue_station,oversight_office"`
	CreditCode string  `json:"credit_code" doc:"Unified social credit code (GB 32100)"`
	Parent     string  `json:"parent,omitempty" doc:"Slug of the bureau this unit belongs to"`
	Contact    Contact `json:"contact" doc:"Disclosure office contact (Regulations Art. 12)"`
	TimeZone   string  `json:"time_zone" doc:"IANA time zone of legal dates"`
}

// Contact is a bureau's disclosure office as its disclosure guide states it.
type Contact struct {
	Office   string `json:"office" doc:"Name of the disclosure office"`
	Address  string `json:"address" doc:"Postal address"`
	Postcode string `json:"postcode" doc:"Postal code"`
	Hours    string `json:"hours" doc:"Office hours"`
	Phone    string `json:"phone" doc:"Phone number"`
	Fax      string `json:"fax,omitempty" doc:"Fax number"`
	Email    string `json:"email,omitempty" doc:"E-mail address"`
	Website  string `json:"website,omitempty" doc:"Web site"`
}

func bureauOf(t tenant.Tenant) Bureau {
	c := t.Spec.Contact
	return Bureau{Slug: t.Slug, Name: t.Name, NameEN: t.Spec.NameEN, Kind: string(t.Kind), CreditCode: t.CreditCode,
		Parent: t.Spec.Parent, TimeZone: t.Spec.TimeZone, Contact: Contact{Office: c.Office, Address: c.Address,
			Postcode: c.Postcode, Hours: c.Hours, Phone: c.Phone, Fax: c.Fax, Email: c.Email, Website: c.Website}}
}

type bureauListOutput struct {
	Body struct {
		Items []Bureau `json:"items" doc:"Every bureau, ordered by slug"`
	}
}

type bureauInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau" example:"civil-affairs"`
}

type bureauOutput struct {
	Body Bureau
}

func (s *Server) registerTenants() {
	register(s.API, huma.Operation{
		OperationID: "list-bureaus",
		Method:      http.MethodGet,
		Path:        "/v1/bureaus",
		Summary:     "List bureaus",
		Description: "Lists every bureau and affiliated unit of the city with its disclosure office contact. Public information.",
		Tags:        []string{"bureaus"},
	}, func(ctx context.Context, _ *struct{}) (*bureauListOutput, error) {
		ts, err := s.deps.Tenants.List(ctx)
		if err != nil {
			return nil, err
		}
		out := &bureauListOutput{}
		out.Body.Items = make([]Bureau, 0, len(ts))
		for _, t := range ts {
			out.Body.Items = append(out.Body.Items, bureauOf(t))
		}
		return out, nil
	})
	register(s.API, huma.Operation{
		OperationID: "get-bureau",
		Method:      http.MethodGet,
		Path:        "/v1/bureaus/{slug}",
		Summary:     "Get a bureau",
		Description: "Returns one bureau by its slug.",
		Tags:        []string{"bureaus"},
		Errors:      []int{http.StatusNotFound},
	}, func(ctx context.Context, in *bureauInput) (*bureauOutput, error) {
		t, err := s.deps.Tenants.BySlug(ctx, in.Slug)
		if err != nil {
			return nil, err
		}
		return &bureauOutput{Body: bureauOf(t)}, nil
	})
}
