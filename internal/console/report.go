package console

// reportRoutes registers the reports pages.
func (h *handler) reportRoutes(bureau route) {
	bureau("GET /console/{bureau}/reports", h.areaPage("reports"))
}
