package catalog

import (
	"context"
	"strings"

	"gongkai/internal/fault"
	"gongkai/internal/request"
)

// ProposeFromRequest drafts a catalog item from a request whose reply
// disclosed information (依申请转主动): information released to one
// applicant that others are likely to ask for should be published
// proactively (Regulations Art. 44). The draft goes through the usual
// confidentiality review before publication.
func (s *Service) ProposeFromRequest(ctx context.Context, tenantID int64, r *request.Request, category string) (*Item, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return nil, err
	}
	if r.Outcome != "granted" && r.Outcome != "partially_granted" {
		return nil, fault.New(fault.Conflict, "only a reply that disclosed information (granted or partially granted) can become a catalog item; this request's outcome is %q", r.Outcome)
	}
	title := strings.TrimSpace(strings.TrimPrefix(r.Content, "申请公开"))
	if n := []rune(title); len(n) > 150 {
		title = string(n[:150])
	}
	summary := r.ReplyText
	if n := []rune(summary); len(n) > 1900 {
		summary = string(n[:1900])
	}
	return s.Create(ctx, tenantID, ItemInput{
		ExternalID: "request:" + r.TrackingCode,
		Title:      title,
		Summary:    summary,
		FormedOn:   r.RepliedOn,
		Category:   category,
	})
}
