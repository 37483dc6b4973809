package console

// appealRoutes registers the appeals and inquiries pages.
func (h *handler) appealRoutes(bureau route) {
	bureau("GET /console/{bureau}/appeals", h.areaPage("appeals"))
	bureau("GET /console/{bureau}/inquiries", h.areaPage("inquiries"))
}
