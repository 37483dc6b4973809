package console

// catalogRoutes registers the catalog pages.
func (h *handler) catalogRoutes(bureau route) {
	bureau("GET /console/{bureau}/catalog", h.areaPage("catalog"))
}
